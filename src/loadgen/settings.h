// The load generator's settings, field for field those of MLPerf LoadGen's `mlperf::TestSettings`
// and `LogSettings` (loadgen-behaviour.md §1.4–1.5), with the same defaults. Times are in
// nanoseconds or milliseconds as each name says; percentiles are fractions (0.99, not 99).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace infermark::loadgen {

enum class Scenario { kSingleStream, kMultiStream, kServer, kOffline };
enum class Mode { kSubmission, kAccuracyOnly, kPerformanceOnly, kFindPeakPerformance };

// LoadGen's log spellings: "SingleStream", ... and "SubmissionRun", "AccuracyOnly", ...
std::string_view to_string(Scenario s);
std::string_view to_string(Mode m);
// Parses "Offline", "Server", "SingleStream", "MultiStream" (exact spelling).
std::optional<Scenario> parse_scenario(std::string_view s);
// Parses the CLI spellings "performance", "accuracy", "submission", "find-peak", and LoadGen's own.
std::optional<Mode> parse_mode(std::string_view s);

struct TestSettings {
  Scenario scenario = Scenario::kSingleStream;
  Mode mode = Mode::kPerformanceOnly;

  double single_stream_expected_latency_ns = 1000000;
  double single_stream_target_latency_percentile = 0.90;

  double multi_stream_expected_latency_ns = 8000000;
  double multi_stream_target_latency_percentile = 0.99;
  uint64_t multi_stream_samples_per_query = 8;

  double server_target_qps = 1;
  uint64_t server_target_latency_ns = 100000000;
  double server_target_latency_percentile = 0.99;
  bool server_coalesce_queries = false;
  int server_find_peak_qps_decimals_of_precision = 1;
  double server_find_peak_qps_boundary_step_size = 1;
  uint64_t server_max_async_queries = 0;        // 0 = unlimited
  uint64_t server_num_issue_query_threads = 0;  // 0 = the calling thread issues

  double offline_expected_qps = 1;
  bool sample_concatenate_permutation = false;  // "equal issue" mode

  uint64_t min_duration_ms = 10000;
  uint64_t max_duration_ms = 0;  // 0 = unlimited
  uint64_t min_query_count = 100;
  uint64_t max_query_count = 0;  // 0 = unlimited

  uint64_t qsl_rng_seed = 0;
  uint64_t sample_index_rng_seed = 0;
  uint64_t schedule_rng_seed = 0;
  uint64_t accuracy_log_rng_seed = 0;
  double accuracy_log_probability = 0.0;
  uint64_t accuracy_log_sampling_target = 0;

  bool test05 = false;
  uint64_t test05_qsl_rng_seed = 0;
  uint64_t test05_sample_index_rng_seed = 0;
  uint64_t test05_schedule_rng_seed = 0;

  bool print_timestamps = false;
  bool performance_issue_unique = false;
  bool performance_issue_same = false;
  uint64_t performance_issue_same_index = 0;
  uint64_t performance_sample_count_override = 0;  // 0 = the QSL's value
  uint64_t accuracy_sample_count_override = 0;     // 0 = the QSL's total

  bool use_token_latencies = false;
  uint64_t server_ttft_latency = 100000000;  // ns
  uint64_t server_tpot_latency = 100000000;  // ns
  bool infer_token_latencies = false;
  // LoadGen leaves this uninitialised; it is only read when infer_token_latencies is set.
  uint64_t token_latency_scaling_factor = 0;
};

struct LogSettings {
  std::filesystem::path outdir = ".";
  std::string prefix = "mlperf_log_";
  std::string suffix;
  bool prefix_with_datetime = false;
  bool copy_detail_to_stdout = false;
  bool copy_summary_to_stdout = false;
  bool enable_trace = true;
};

}  // namespace infermark::loadgen

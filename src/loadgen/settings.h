// The load generator's settings, field for field those of MLPerf LoadGen's `mlperf::TestSettings`
// and `LogSettings` (loadgen-behaviour.md §1.4–1.5), with the same defaults. Times are in
// nanoseconds or milliseconds as each name says; percentiles are fractions (0.99, not 99).
// Plain values: copy freely, read from any thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
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

// The fields of TestSettings, in the order LoadGen logs them as requested_* keys (§10.3 item 4).
// This one list drives the struct, conf-file parsing (conf_file.cc) and the requested_* log lines
// (effective_settings.cc); a new field is one row here plus what it means to a run.
//
//   X(type, name, default, requested_log, conf_key)
//     requested_log: when `requested_<name>` is logged: in the block of one scenario
//       (kSingleStream, kMultiStream, kServer, kOffline), kAlways, kWithTokens (when
//       use_token_latencies is set), kWithFirstTokens (that, outside Offline), or kNever.
//     conf_key: the conf key that sets it (§2.3), read by conf_file.cc:
//       conf(scope, "key"[, conversion[, only_if]]) — scope kGiven reads
//       model.<running scenario>.key, a scenario scope always reads that scenario's key;
//       conversion kAsIs, kPercent (x0.01), kMsToNs (x10^6), kIsOne (== 1) or kNonZero (!= 0);
//       only_if: a flag that must already be set (&TestSettings::use_token_latencies);
//       mlperf_conf(...) for keys read from mlperf.conf only; no_conf() for fields no file sets.
#define INFERMARK_LOADGEN_TEST_SETTINGS(X)                                                         \
  X(double, single_stream_expected_latency_ns, 1000000, kSingleStream,                             \
    conf(kSingleStream, "target_latency", kMsToNs))                                                \
  X(double, single_stream_target_latency_percentile, 0.90, kSingleStream,                          \
    conf(kSingleStream, "target_latency_percentile", kPercent))                                    \
  X(double, multi_stream_expected_latency_ns, 8000000, kMultiStream,                               \
    conf(kMultiStream, "target_latency", kMsToNs))                                                 \
  X(double, multi_stream_target_latency_percentile, 0.99, kMultiStream,                            \
    conf(kMultiStream, "target_latency_percentile", kPercent))                                     \
  X(uint64_t, multi_stream_samples_per_query, 8, kMultiStream,                                     \
    conf(kMultiStream, "samples_per_query"))                                                       \
  X(double, server_target_qps, 1, kServer, conf(kServer, "target_qps"))                            \
  X(uint64_t, server_target_latency_ns, 100000000, kServer,                                        \
    conf(kServer, "target_latency", kMsToNs))                                                      \
  X(double, server_target_latency_percentile, 0.99, kServer,                                       \
    conf(kServer, "target_latency_percentile", kPercent))                                          \
  X(bool, server_coalesce_queries, false, kServer, conf(kServer, "coalesce_queries", kNonZero))    \
  X(int, server_find_peak_qps_decimals_of_precision, 1, kServer, no_conf())                        \
  X(double, server_find_peak_qps_boundary_step_size, 1, kServer, no_conf())                        \
  /* 0 = unlimited */                                                                              \
  X(uint64_t, server_max_async_queries, 0, kServer, conf(kServer, "max_async_queries"))            \
  /* 0 = the calling thread issues */                                                              \
  X(uint64_t, server_num_issue_query_threads, 0, kServer, no_conf())                               \
  X(double, offline_expected_qps, 1, kOffline, conf(kOffline, "target_qps"))                       \
  X(uint64_t, min_duration_ms, 10000, kAlways, conf(kGiven, "min_duration"))                       \
  /* 0 = unlimited */                                                                              \
  X(uint64_t, max_duration_ms, 0, kAlways, conf(kGiven, "max_duration"))                           \
  X(uint64_t, min_query_count, 100, kAlways, conf(kGiven, "min_query_count"))                      \
  /* 0 = unlimited */                                                                              \
  X(uint64_t, max_query_count, 0, kAlways, conf(kGiven, "max_query_count"))                        \
  X(uint64_t, qsl_rng_seed, 0, kAlways, mlperf_conf(kGiven, "qsl_rng_seed"))                       \
  X(uint64_t, sample_index_rng_seed, 0, kAlways, mlperf_conf(kGiven, "sample_index_rng_seed"))     \
  X(uint64_t, schedule_rng_seed, 0, kAlways, mlperf_conf(kGiven, "schedule_rng_seed"))             \
  X(uint64_t, accuracy_log_rng_seed, 0, kAlways, conf(kGiven, "accuracy_log_rng_seed"))            \
  X(double, accuracy_log_probability, 0.0, kAlways,                                                \
    mlperf_conf(kGiven, "accuracy_log_probability", kPercent))                                     \
  X(uint64_t, accuracy_log_sampling_target, 0, kAlways,                                            \
    conf(kGiven, "accuracy_log_sampling_target"))                                                  \
  X(bool, print_timestamps, false, kAlways, conf(kGiven, "print_timestamps", kNonZero))            \
  X(bool, performance_issue_unique, false, kAlways,                                                \
    conf(kGiven, "performance_issue_unique", kNonZero))                                            \
  X(bool, performance_issue_same, false, kAlways,                                                  \
    conf(kGiven, "performance_issue_same", kNonZero))                                              \
  X(uint64_t, performance_issue_same_index, 0, kAlways,                                            \
    conf(kGiven, "performance_issue_same_index"))                                                  \
  /* 0 = the QSL's value */                                                                        \
  X(uint64_t, performance_sample_count_override, 0, kAlways,                                       \
    conf(kGiven, "performance_sample_count_override"))                                             \
  /* 0 = the QSL's total */                                                                        \
  X(uint64_t, accuracy_sample_count_override, 0, kAlways,                                          \
    conf(kGiven, "accuracy_sample_count_override"))                                                \
  /* "equal issue" mode */                                                                         \
  X(bool, sample_concatenate_permutation, false, kAlways,                                          \
    conf(kGiven, "sample_concatenate_permutation", kIsOne))                                        \
  X(bool, use_token_latencies, false, kWithTokens, conf(kGiven, "use_token_latencies", kIsOne))    \
  X(uint64_t, server_ttft_latency, 100000000, kWithFirstTokens,                                    \
    conf(kServer, "ttft_latency", kMsToNs, &TestSettings::use_token_latencies))                    \
  X(uint64_t, server_tpot_latency, 100000000, kWithFirstTokens,                                    \
    conf(kServer, "tpot_latency", kMsToNs, &TestSettings::use_token_latencies))                    \
  X(bool, infer_token_latencies, false, kNever, conf(kGiven, "infer_token_latencies", kIsOne))     \
  /* LoadGen leaves it uninitialised; only read when infer_token_latencies is set */               \
  X(uint64_t, token_latency_scaling_factor, 0, kNever,                                             \
    conf(kGiven, "token_latency_scaling_factor", kAsIs, &TestSettings::infer_token_latencies))     \
  X(bool, test05, false, kNever, mlperf_conf(kGiven, "test05", kIsOne))                            \
  X(uint64_t, test05_qsl_rng_seed, 0, kNever, mlperf_conf(kGiven, "test05_qsl_rng_seed"))          \
  X(uint64_t, test05_sample_index_rng_seed, 0, kNever,                                             \
    mlperf_conf(kGiven, "test05_sample_index_rng_seed"))                                           \
  X(uint64_t, test05_schedule_rng_seed, 0, kNever, mlperf_conf(kGiven, "test05_schedule_rng_seed"))

struct TestSettings {
  Scenario scenario = Scenario::kSingleStream;
  Mode mode = Mode::kPerformanceOnly;  // conf key `mode`: 0..3 in this enum's order
#define INFERMARK_DECLARE_FIELD(type, name, init, requested_log, conf_key) type name = init;
  INFERMARK_LOADGEN_TEST_SETTINGS(INFERMARK_DECLARE_FIELD)
#undef INFERMARK_DECLARE_FIELD
};

// Where fields of a TestSettings got their values, for error messages that point at the cause:
// field name -> "user.conf:3: *.Server.target_qps = 0", "--quick", ... A field not in the map has
// its default or was set by the program.
using SettingsOrigins = std::map<std::string, std::string, std::less<>>;

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

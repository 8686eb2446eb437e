#include "loadgen_official/settings_conversion.h"

namespace infermark::loadgen_official {
namespace {

// The TestSettings fields both structs share under the same name and type (all but the enums).
#define INFERMARK_SHARED_SETTINGS_FIELDS(X)                                                   \
  X(single_stream_expected_latency_ns) X(single_stream_target_latency_percentile)             \
  X(multi_stream_expected_latency_ns) X(multi_stream_target_latency_percentile)               \
  X(multi_stream_samples_per_query) X(server_target_qps) X(server_target_latency_ns)          \
  X(server_target_latency_percentile) X(server_coalesce_queries)                              \
  X(server_find_peak_qps_decimals_of_precision) X(server_find_peak_qps_boundary_step_size)    \
  X(server_max_async_queries) X(server_num_issue_query_threads) X(offline_expected_qps)       \
  X(sample_concatenate_permutation) X(min_duration_ms) X(max_duration_ms) X(min_query_count)  \
  X(max_query_count) X(qsl_rng_seed) X(sample_index_rng_seed) X(schedule_rng_seed)            \
  X(accuracy_log_rng_seed) X(accuracy_log_probability) X(accuracy_log_sampling_target)        \
  X(test05) X(test05_qsl_rng_seed) X(test05_sample_index_rng_seed)                            \
  X(test05_schedule_rng_seed) X(print_timestamps) X(performance_issue_unique)                 \
  X(performance_issue_same) X(performance_issue_same_index)                                   \
  X(performance_sample_count_override) X(accuracy_sample_count_override)                      \
  X(use_token_latencies) X(server_ttft_latency) X(server_tpot_latency)                        \
  X(infer_token_latencies) X(token_latency_scaling_factor)

// Both enums list their values in the same order (SingleStream, MultiStream, Server, Offline;
// SubmissionRun, AccuracyOnly, PerformanceOnly, FindPeakPerformance).
template <typename To, typename From>
To same_position(From v) {
  return static_cast<To>(static_cast<int>(v));
}
static_assert(static_cast<int>(mlperf::TestScenario::Offline) ==
              static_cast<int>(loadgen::Scenario::kOffline));
static_assert(static_cast<int>(mlperf::TestMode::FindPeakPerformance) ==
              static_cast<int>(loadgen::Mode::kFindPeakPerformance));

}  // namespace

mlperf::TestSettings to_official(const loadgen::TestSettings& s) {
  mlperf::TestSettings o;
  o.scenario = same_position<mlperf::TestScenario>(s.scenario);
  o.mode = same_position<mlperf::TestMode>(s.mode);
#define INFERMARK_COPY_FIELD(name) o.name = s.name;
  INFERMARK_SHARED_SETTINGS_FIELDS(INFERMARK_COPY_FIELD)
#undef INFERMARK_COPY_FIELD
  return o;
}

loadgen::TestSettings from_official(const mlperf::TestSettings& o) {
  loadgen::TestSettings s;
  s.scenario = same_position<loadgen::Scenario>(o.scenario);
  s.mode = same_position<loadgen::Mode>(o.mode);
#define INFERMARK_COPY_FIELD(name) s.name = o.name;
  INFERMARK_SHARED_SETTINGS_FIELDS(INFERMARK_COPY_FIELD)
#undef INFERMARK_COPY_FIELD
  return s;
}

mlperf::LogSettings to_official(const loadgen::LogSettings& s) {
  mlperf::LogSettings o;
  o.log_output.outdir = s.outdir.string();
  o.log_output.prefix = s.prefix;
  o.log_output.suffix = s.suffix;
  o.log_output.prefix_with_datetime = s.prefix_with_datetime;
  o.log_output.copy_detail_to_stdout = s.copy_detail_to_stdout;
  o.log_output.copy_summary_to_stdout = s.copy_summary_to_stdout;
  o.enable_trace = s.enable_trace;
  return o;
}

}  // namespace infermark::loadgen_official

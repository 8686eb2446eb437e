#include "loadgen/effective_settings.h"

#include <algorithm>

#include "loadgen/detail_log.h"

namespace infermark::loadgen {

EffectiveSettings make_effective_settings(const TestSettings& r, uint64_t qsl_performance_count,
                                          uint64_t qsl_total_count) {
  EffectiveSettings s;
  s.requested = r;
  s.scenario = r.scenario;
  s.mode = r.mode;
  s.target_duration_ms = s.min_duration_ms = r.min_duration_ms;
  s.max_duration_ms = r.max_duration_ms;
  s.min_query_count = r.min_query_count;
  s.max_query_count = r.max_query_count;
  s.qsl_rng_seed = r.qsl_rng_seed;
  s.sample_index_rng_seed = r.sample_index_rng_seed;
  s.schedule_rng_seed = r.schedule_rng_seed;
  s.accuracy_log_rng_seed = r.accuracy_log_rng_seed;
  s.accuracy_log_probability = r.accuracy_log_probability;
  s.accuracy_log_sampling_target = r.accuracy_log_sampling_target;
  s.print_timestamps = r.print_timestamps;
  s.performance_issue_unique = r.performance_issue_unique;
  s.performance_issue_same = r.performance_issue_same;
  s.performance_issue_same_index = r.performance_issue_same_index;
  s.sample_concatenate_permutation = r.sample_concatenate_permutation;
  s.use_token_latencies = r.use_token_latencies;
  s.server_ttft_latency = r.server_ttft_latency;
  s.server_tpot_latency = r.server_tpot_latency;
  s.infer_token_latencies = r.infer_token_latencies;
  s.token_latency_scaling_factor = r.token_latency_scaling_factor;

  s.performance_sample_count = r.performance_sample_count_override != 0
                                   ? r.performance_sample_count_override
                                   : qsl_performance_count;
  s.accuracy_sample_count =
      r.accuracy_sample_count_override != 0 ? r.accuracy_sample_count_override : qsl_total_count;

  switch (r.scenario) {
    case Scenario::kSingleStream:
      s.target_qps = 1e9 / r.single_stream_expected_latency_ns;
      s.max_async_queries = 1;
      s.target_latency_percentile = r.single_stream_target_latency_percentile;
      break;
    case Scenario::kMultiStream:
      s.target_qps = 1e9 / r.multi_stream_expected_latency_ns;
      s.max_async_queries = 1;
      s.target_latency_percentile = r.multi_stream_target_latency_percentile;
      s.samples_per_query = r.multi_stream_samples_per_query;
      break;
    case Scenario::kServer:
      if (r.server_target_qps >= 0.0) {
        s.target_qps = r.server_target_qps;
      } else {
        s.validation_errors.push_back("Invalid value for server_target_qps requested.");
      }
      s.target_latency_ns = r.server_target_latency_ns;
      s.target_latency_percentile = r.server_target_latency_percentile;
      s.max_async_queries = r.server_max_async_queries;
      break;
    case Scenario::kOffline: {
      s.target_latency_percentile = 0.99;
      if (r.offline_expected_qps >= 0.0) {
        s.target_qps = r.offline_expected_qps;
      } else {
        s.validation_errors.push_back("Invalid value for offline_expected_qps requested.");
      }
      s.max_async_queries = 1;
      const double target_sample_count = 1.1 * (r.min_duration_ms / 1000.0) * s.target_qps;
      s.samples_per_query =
          r.performance_issue_unique
              ? s.performance_sample_count
              : std::max<uint64_t>(r.min_query_count, static_cast<uint64_t>(target_sample_count));
      s.min_query_count = 1;
      s.target_duration_ms = 0;
      break;
    }
  }

  if (r.sample_concatenate_permutation && r.scenario == Scenario::kSingleStream) {
    const auto expected = static_cast<uint64_t>(2.0 * (r.min_duration_ms / 1000.0) * s.target_qps);
    s.min_query_count = std::max(s.min_query_count, expected);
    s.min_query_count += qsl_performance_count - (s.min_query_count % qsl_performance_count);
  }
  s.min_sample_count = s.min_query_count * s.samples_per_query;

  if (r.performance_issue_same && r.performance_issue_same_index >= s.performance_sample_count) {
    s.validation_errors.push_back(
        "Sample Idx to be repeated in performance_issue_same mode cannot be larger than loaded "
        "samples.");
  }
  if (r.performance_issue_unique && r.performance_issue_same) {
    s.validation_errors.push_back(
        "Performance_issue_unique and performance_issue_same, both cannot be true at the same "
        "time.");
  }
  return s;
}

void log_settings(DetailLog& log, const EffectiveSettings& s) {
  const TestSettings& r = s.requested;
  log.value("requested_scenario", std::string(to_string(r.scenario)));
  log.value("requested_test_mode", std::string(to_string(r.mode)));
  switch (r.scenario) {
    case Scenario::kSingleStream:
      log.value("requested_single_stream_expected_latency_ns", r.single_stream_expected_latency_ns);
      log.value("requested_single_stream_target_latency_percentile",
                r.single_stream_target_latency_percentile);
      break;
    case Scenario::kMultiStream:
      log.value("requested_multi_stream_expected_latency_ns", r.multi_stream_expected_latency_ns);
      log.value("requested_multi_stream_target_latency_percentile",
                r.multi_stream_target_latency_percentile);
      log.value("requested_multi_stream_samples_per_query", r.multi_stream_samples_per_query);
      break;
    case Scenario::kServer:
      log.value("requested_server_target_qps", r.server_target_qps);
      log.value("requested_server_target_latency_ns", r.server_target_latency_ns);
      log.value("requested_server_target_latency_percentile", r.server_target_latency_percentile);
      log.value("requested_server_coalesce_queries", r.server_coalesce_queries);
      log.value("requested_server_find_peak_qps_decimals_of_precision",
                r.server_find_peak_qps_decimals_of_precision);
      log.value("requested_server_find_peak_qps_boundary_step_size",
                r.server_find_peak_qps_boundary_step_size);
      log.value("requested_server_max_async_queries", r.server_max_async_queries);
      log.value("requested_server_num_issue_query_threads", r.server_num_issue_query_threads);
      break;
    case Scenario::kOffline:
      log.value("requested_offline_expected_qps", r.offline_expected_qps);
      break;
  }
  log.value("requested_min_duration_ms", r.min_duration_ms);
  log.value("requested_max_duration_ms", r.max_duration_ms);
  log.value("requested_min_query_count", r.min_query_count);
  log.value("requested_max_query_count", r.max_query_count);
  log.value("requested_qsl_rng_seed", r.qsl_rng_seed);
  log.value("requested_sample_index_rng_seed", r.sample_index_rng_seed);
  log.value("requested_schedule_rng_seed", r.schedule_rng_seed);
  log.value("requested_accuracy_log_rng_seed", r.accuracy_log_rng_seed);
  log.value("requested_accuracy_log_probability", r.accuracy_log_probability);
  log.value("requested_accuracy_log_sampling_target", r.accuracy_log_sampling_target);
  log.value("requested_print_timestamps", r.print_timestamps);
  log.value("requested_performance_issue_unique", r.performance_issue_unique);
  log.value("requested_performance_issue_same", r.performance_issue_same);
  log.value("requested_performance_issue_same_index", r.performance_issue_same_index);
  log.value("requested_performance_sample_count_override", r.performance_sample_count_override);
  log.value("requested_accuracy_sample_count_override", r.accuracy_sample_count_override);
  log.value("requested_sample_concatenate_permutation", r.sample_concatenate_permutation);
  if (r.use_token_latencies) {
    log.value("requested_use_token_latencies", r.use_token_latencies);
    if (r.scenario != Scenario::kOffline) {
      log.value("requested_server_ttft_latency", r.server_ttft_latency);
      log.value("requested_server_tpot_latency", r.server_tpot_latency);
    }
  }

  log.value("effective_scenario", std::string(to_string(s.scenario)));
  log.value("effective_test_mode", std::string(to_string(s.mode)));
  log.value("effective_samples_per_query", s.samples_per_query);
  log.value("effective_target_qps", s.target_qps);
  log.value("effective_target_latency_ns", s.target_latency_ns);
  log.value("effective_target_latency_percentile", s.target_latency_percentile);
  log.value("effective_max_async_queries", s.max_async_queries);
  log.value("effective_target_duration_ms", s.target_duration_ms);
  log.value("effective_min_duration_ms", s.min_duration_ms);
  log.value("effective_max_duration_ms", s.max_duration_ms);
  log.value("effective_min_query_count", s.min_query_count);
  log.value("effective_max_query_count", s.max_query_count);
  log.value("effective_min_sample_count", s.min_sample_count);
  log.value("effective_qsl_rng_seed", s.qsl_rng_seed);
  log.value("effective_sample_index_rng_seed", s.sample_index_rng_seed);
  log.value("effective_schedule_rng_seed", s.schedule_rng_seed);
  log.value("effective_accuracy_log_rng_seed", s.accuracy_log_rng_seed);
  log.value("effective_accuracy_log_probability", s.accuracy_log_probability);
  log.value("effective_accuracy_log_sampling_target", s.accuracy_log_sampling_target);
  log.value("effective_print_timestamps", s.print_timestamps);
  log.value("effective_performance_issue_unique", s.performance_issue_unique);
  log.value("effective_performance_issue_same", s.performance_issue_same);
  log.value("effective_performance_issue_same_index", s.performance_issue_same_index);
  log.value("effective_performance_sample_count", s.performance_sample_count);
  log.value("effective_accuracy_sample_count", s.accuracy_sample_count);
  log.value("effective_sample_concatenate_permutation", s.sample_concatenate_permutation);
  for (const auto& e : s.validation_errors) log.error("error_invalid_test_settings", e);
}

}  // namespace infermark::loadgen

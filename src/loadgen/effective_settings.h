// LoadGen's normalised settings (`TestSettingsInternal`, loadgen-behaviour.md §3): what a run
// actually uses after the scenario rules, the QSL's counts and equal-issue padding are applied.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "loadgen/settings.h"

namespace infermark::loadgen {

class DetailLog;

struct EffectiveSettings {
  TestSettings requested;

  Scenario scenario = Scenario::kOffline;
  Mode mode = Mode::kPerformanceOnly;
  uint64_t samples_per_query = 1;
  double target_qps = 1;
  uint64_t target_latency_ns = 0;  // Server only; 0 elsewhere
  double target_latency_percentile = 0;
  uint64_t max_async_queries = 0;
  uint64_t target_duration_ms = 0;
  uint64_t min_duration_ms = 0;
  uint64_t max_duration_ms = 0;
  uint64_t min_query_count = 0;
  uint64_t max_query_count = 0;
  uint64_t min_sample_count = 0;
  uint64_t qsl_rng_seed = 0;
  uint64_t sample_index_rng_seed = 0;
  uint64_t schedule_rng_seed = 0;
  uint64_t accuracy_log_rng_seed = 0;
  double accuracy_log_probability = 0;
  uint64_t accuracy_log_sampling_target = 0;
  bool print_timestamps = false;
  bool performance_issue_unique = false;
  bool performance_issue_same = false;
  uint64_t performance_issue_same_index = 0;
  uint64_t performance_sample_count = 0;
  uint64_t accuracy_sample_count = 0;
  bool sample_concatenate_permutation = false;

  bool use_token_latencies = false;
  uint64_t server_ttft_latency = 0;
  uint64_t server_tpot_latency = 0;
  bool infer_token_latencies = false;
  uint64_t token_latency_scaling_factor = 0;

  // Settings LoadGen logs as errors but does not refuse (e.g. issue_same_index out of range).
  std::vector<std::string> validation_errors;
};

// Normalises `requested` for a QSL reporting `qsl_performance_count` and `qsl_total_count`
// (both >= 1).
EffectiveSettings make_effective_settings(const TestSettings& requested,
                                          uint64_t qsl_performance_count,
                                          uint64_t qsl_total_count);

// Writes the requested_* keys, then the effective_* keys, in LoadGen's order (§10.3 items 4–5).
void log_settings(DetailLog& log, const EffectiveSettings& s);

}  // namespace infermark::loadgen

// Performance results of one series (loadgen-behaviour.md §8–9): latency statistics, token
// metrics, validity checks, early stopping and LoadGen's recommendation texts. `summarize` does
// the arithmetic once; the summary and detail writers only format it.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "loadgen/effective_settings.h"

namespace infermark::loadgen {

// What one performance series produced, before aggregation. Latencies in ns.
struct SeriesOutcome {
  std::vector<int64_t> sample_latencies;   // one per issued sample
  std::vector<int64_t> query_latencies;    // MultiStream: one per issued query
  std::vector<int64_t> first_token_latencies;  // token runs outside Offline
  std::vector<int64_t> time_per_output_token;  // token runs
  std::vector<int64_t> tokens_per_sample;      // token runs; kUnset entries are skipped
  uint64_t queries_issued = 0;
  double max_latency_s = 0;
  double final_query_scheduled_time_s = 0;
  double final_query_issued_time_s = 0;
  double final_query_all_samples_done_time_s = 0;
  bool interrupted = false;
  std::string sut_invalid_reason;      // non-empty: the SUT declared the run invalid
  std::optional<std::string> failure;  // the SUT failed; the series ended there
};

inline constexpr std::array<double, 6> kLatencyPercentiles = {.50, .90, .95, .97, .99, .999};

struct LatencyStats {
  int64_t min = 0, max = 0, mean = 0;
  int64_t at_target = 0;  // value at the target percentile
  std::array<int64_t, 6> percentiles{};
};

struct PerformanceSummary {
  std::string sut_name;
  EffectiveSettings settings;
  SeriesOutcome outcome;  // latency arrays sorted ascending

  uint64_t sample_count = 0;
  int64_t token_count = 0;
  LatencyStats latency, query_latency, first_token, tpot;
  uint64_t overlatency_query_count = 0;

  bool min_duration_met = false;
  bool min_queries_met = false;
  bool perf_constraints_met = true;
  bool early_stopping_met = true;
  bool valid() const {
    return min_duration_met && min_queries_met && perf_constraints_met && early_stopping_met &&
           !outcome.interrupted && outcome.sut_invalid_reason.empty() && !outcome.failure;
  }

  std::string perf_recommendation;
  std::string min_duration_recommendation;
  std::string early_stopping_text;       // without token latencies
  std::string early_stopping_ttft_text;  // with token latencies (empty if TPOT failed first)
  std::string early_stopping_tpot_text;
  int64_t early_stopping_latency_ss = 0;
  int64_t early_stopping_latency_ms = 0;
};

PerformanceSummary summarize(const EffectiveSettings& settings, std::string sut_name,
                             SeriesOutcome outcome);

}  // namespace infermark::loadgen

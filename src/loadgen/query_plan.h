// Pre-generated queries of one issue series (loadgen-behaviour.md §6): the samples of every
// query, their Server schedule or fixed period, and the per-sample sequence ids and
// accuracy-log draws. One plan is made per loadable set in accuracy mode and per performance run.
#pragma once

#include <cstdint>
#include <vector>

#include "loadgen/effective_settings.h"
#include "loadgen/rng.h"
#include "loadgen/sample_sets.h"

namespace infermark::loadgen {

// Sequence counters shared by every plan of one run (both phases of a submission run, every
// accuracy chunk), plus the default-seeded mt19937 that LoadGen draws accuracy_log_val from.
struct SequenceGen {
  uint64_t next_query_id = 0;
  uint64_t next_sample_id = 0;
  Mt19937 accuracy_log_rng{Mt19937::kDefaultSeed};
};

struct PlannedQuery {
  uint64_t first_sample;      // index into QueryPlan::samples
  uint64_t sample_count;
  int64_t scheduled_delta_ns; // Server: Poisson arrival; others: multiples of the period
  uint64_t sequence_id;       // global query sequence id
};

struct QueryPlan {
  std::vector<PlannedQuery> queries;
  std::vector<SampleIndex> samples;        // QSL index of every sample, in generation order
  std::vector<double> accuracy_log_val;    // U[0,1) per sample
  uint64_t first_sample_sequence_id = 0;   // sample i has sequence id first + i
  uint64_t samples_per_query = 0;          // after equal-issue padding (generated_samples_per_query)
  int64_t duration_ns = 0;                 // the timestamp after the last query
};

// Largest number of samples a plan may hold; bigger requests are refused with an Error instead of
// exhausting memory (e.g. a Server target_qps of 10^7 for 600 s).
inline constexpr uint64_t kMaxPlannedSamples = uint64_t{1} << 28;

// Throws Error if the performance plan over `loaded_samples` (the performance set, before
// MultiStream padding) would hold more than kMaxPlannedSamples samples.
void check_plan_fits(const EffectiveSettings& settings, uint64_t loaded_samples);

// Generates the queries for issuing `loaded` in `mode` (kPerformanceOnly or kAccuracyOnly).
// Throws Error if the plan would hold more than kMaxPlannedSamples samples.
QueryPlan generate_queries(const EffectiveSettings& settings, Mode mode, const LoadableSet& loaded,
                           SequenceGen& seq);

}  // namespace infermark::loadgen

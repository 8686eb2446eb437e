// Turns a finished Series into the SeriesOutcome that results are computed from: per-sample
// latencies from each query's scheduled time, token metrics, and the final-query times
// (loadgen-behaviour.md §7 "Afterwards", §8).
#pragma once

#include "loadgen/issue_series.h"
#include "loadgen/issuer.h"
#include "loadgen/results.h"

namespace infermark::loadgen {

SeriesOutcome collect_outcome(const Series& series, const IssueStats& stats,
                              const EffectiveSettings& settings);

// Issue delay (issued - scheduled, ns) of every issued query, in issue order.
std::vector<int64_t> issue_delays(const Series& series);

// Largest completion time (now_ns() clock) of the series, or `fallback` if nothing completed.
int64_t max_completion_ns(const Series& series, int64_t fallback);

}  // namespace infermark::loadgen

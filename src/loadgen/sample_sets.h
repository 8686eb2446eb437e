// Loadable sample sets (loadgen-behaviour.md §5): which QSL samples are loaded together, and in
// which order, for the performance run and for each accuracy chunk.
#pragma once

#include <cstdint>
#include <vector>

#include "loadgen/effective_settings.h"

namespace infermark::loadgen {

using SampleIndex = uint64_t;

struct LoadableSet {
  std::vector<SampleIndex> set;     // in load order; MultiStream adds padding at the end
  size_t sample_distribution_end;   // number of entries before the MultiStream padding
};

// Shuffles [0, min(total_sample_count, qsl_total_count)) with a fresh mt19937(qsl_rng_seed) and
// cuts it into chunks of settings.performance_sample_count (>= 1).
std::vector<LoadableSet> generate_loadable_sets(const EffectiveSettings& settings,
                                                uint64_t total_sample_count,
                                                uint64_t qsl_total_count);

}  // namespace infermark::loadgen

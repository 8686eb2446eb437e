#include "loadgen/sample_sets.h"

#include <algorithm>
#include <numeric>

#include "loadgen/rng.h"
#include "util/error.h"

namespace infermark::loadgen {

std::vector<LoadableSet> generate_loadable_sets(const EffectiveSettings& settings,
                                                uint64_t total_sample_count,
                                                uint64_t qsl_total_count) {
  IM_CHECK(settings.performance_sample_count >= 1);
  Mt19937 qsl_rng(settings.qsl_rng_seed);
  std::vector<SampleIndex> samples(std::min(total_sample_count, qsl_total_count));
  std::iota(samples.begin(), samples.end(), SampleIndex{0});
  shuffle(std::span<SampleIndex>(samples), qsl_rng);

  const size_t set_size = settings.performance_sample_count;
  const size_t padding =
      settings.scenario == Scenario::kMultiStream ? settings.samples_per_query - 1 : 0;
  std::vector<LoadableSet> sets;
  for (size_t begin = 0; begin < samples.size(); begin += set_size) {
    const size_t end = std::min(samples.size(), begin + set_size);
    LoadableSet s;
    s.set.assign(samples.begin() + begin, samples.begin() + end);
    s.sample_distribution_end = s.set.size();
    const size_t pad = std::min(padding, s.set.size());
    for (size_t i = 0; i < pad; ++i) s.set.push_back(s.set[i]);
    sets.push_back(std::move(s));
  }
  return sets;
}

}  // namespace infermark::loadgen

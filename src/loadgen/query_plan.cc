#include "loadgen/query_plan.h"

#include <algorithm>
#include <numeric>

#include "util/error.h"

namespace infermark::loadgen {
namespace {

// SampleDistribution<AccuracyOnly>: a shuffled list of [0, end) in steps of `stride`, drawn in
// order. Constructed even when unused, because its shuffle consumes sample_rng.
class StridedPermutation {
 public:
  StridedPermutation(uint64_t end, uint64_t stride, Mt19937& rng) {
    for (uint64_t i = 0; i < end; i += stride) indices_.push_back(i);
    shuffle(std::span<uint64_t>(indices_), rng);
  }
  uint64_t next() {
    IM_CHECK(next_ < indices_.size());
    return indices_[next_++];
  }

 private:
  std::vector<uint64_t> indices_;
  size_t next_ = 0;
};

// SampleDistributionEqualIssue: concatenated shuffles of [0, loaded) covering min_queries draws.
class EqualIssueDistribution {
 public:
  EqualIssueDistribution(uint64_t min_queries, uint64_t loaded, Mt19937& rng) {
    std::vector<uint64_t> perm(loaded);
    std::iota(perm.begin(), perm.end(), uint64_t{0});
    for (uint64_t j = 0; j < min_queries; j += loaded) {
      shuffle(std::span<uint64_t>(perm), rng);
      indices_.insert(indices_.end(), perm.begin(), perm.end());
    }
  }
  uint64_t next() {
    IM_CHECK(!indices_.empty());
    return indices_[next_++ % indices_.size()];
  }

 private:
  std::vector<uint64_t> indices_;
  uint64_t next_ = 0;
};

// Refuses plans that could not fit in memory, before generating them.
void check_plan_size(const EffectiveSettings& s, int64_t gen_duration_ns, uint64_t min_queries,
                     uint64_t spq) {
  const double by_duration = s.scenario == Scenario::kOffline
                                 ? 0.0
                                 : s.target_qps * (static_cast<double>(gen_duration_ns) / 1e9);
  const double queries = std::max(by_duration, static_cast<double>(min_queries));
  const double samples = queries * static_cast<double>(std::max<uint64_t>(spq, 1));
  if (samples > static_cast<double>(kMaxPlannedSamples)) {
    throw Error::format(
        "settings would pre-generate about {:.3g} samples (target_qps {} over {} ms, "
        "min_query_count {}, samples_per_query {}); at most {} are supported",
        samples, s.target_qps, gen_duration_ns / 1000000, min_queries, spq, kMaxPlannedSamples);
  }
}

}  // namespace

QueryPlan generate_queries(const EffectiveSettings& s, Mode mode, const LoadableSet& loaded_set,
                           SequenceGen& seq) {
  const std::vector<SampleIndex>& loaded = loaded_set.set;
  const uint64_t L = loaded.size();
  IM_CHECK(L > 0);
  const bool accuracy = mode == Mode::kAccuracyOnly;
  const bool multi_stream = s.scenario == Scenario::kMultiStream;
  const bool offline = s.scenario == Scenario::kOffline;
  const bool equal_issue = s.sample_concatenate_permutation;

  Mt19937 sample_rng(s.sample_index_rng_seed);
  Mt19937 schedule_rng(s.schedule_rng_seed);

  int64_t gen_duration =
      (s.scenario == Scenario::kServer ? 1 : 2) * static_cast<int64_t>(s.target_duration_ms) *
      1000000;
  uint64_t min_queries = s.min_query_count;
  uint64_t spq = s.samples_per_query;
  if (accuracy && offline) spq = loaded_set.sample_distribution_end;
  if (accuracy || s.performance_issue_unique) {
    gen_duration = 0;
    min_queries = L / spq;
  }
  const uint64_t stride = multi_stream ? spq : 1;
  const uint64_t end = loaded_set.sample_distribution_end;

  // Construction order matters: each of these consumes sample_rng (§6.2).
  StridedPermutation accuracy_distribution =
      accuracy ? StridedPermutation(end, stride, sample_rng) : StridedPermutation(0, 1, sample_rng);
  StridedPermutation unique_distribution(end, stride, sample_rng);
  EqualIssueDistribution equal_issue_distribution(min_queries, L, sample_rng);
  auto draw_sample = [&]() -> uint64_t {
    return accuracy ? accuracy_distribution.next() : uniform_int(sample_rng, 0, end - 1);
  };
  const int64_t period = seconds_to_ns(1.0 / s.target_qps);
  auto draw_interval = [&]() -> int64_t {
    return s.scenario == Scenario::kServer ? seconds_to_ns(exponential(schedule_rng, s.target_qps))
                                           : period;
  };

  if (!accuracy && equal_issue) {
    if (offline && spq % L != 0) {
      spq += L - spq % L;
    } else if (!offline && min_queries % L != 0) {
      min_queries += L - min_queries % L;
    }
  }
  check_plan_size(s, gen_duration, min_queries, spq);
  const uint64_t same_index = s.performance_issue_same_index;
  if (s.performance_issue_same && same_index + (multi_stream ? spq : 1) > L) {
    throw Error::format("performance_issue_same_index {} is outside the {} loaded samples",
                        same_index, L);
  }

  QueryPlan plan;
  plan.first_sample_sequence_id = seq.next_sample_id;
  plan.samples_per_query = spq;
  auto add_query = [&](int64_t delta, auto&& fill) {
    PlannedQuery q{plan.samples.size(), 0, delta, seq.next_query_id++};
    fill();
    q.sample_count = plan.samples.size() - q.first_sample;
    for (uint64_t i = 0; i < q.sample_count; ++i) {
      plan.accuracy_log_val.push_back(generate_canonical(seq.accuracy_log_rng));
    }
    seq.next_sample_id += q.sample_count;
    plan.queries.push_back(q);
  };

  int64_t timestamp = 0, prev = 0;
  while (prev < gen_duration || plan.queries.size() < min_queries) {
    add_query(timestamp, [&] {
      if (multi_stream) {
        const uint64_t si = s.performance_issue_unique ? unique_distribution.next()
                            : s.performance_issue_same ? same_index
                                                       : draw_sample();
        IM_CHECK(si + spq <= L);
        plan.samples.insert(plan.samples.end(), loaded.begin() + si, loaded.begin() + si + spq);
      } else if (offline) {
        if (s.performance_issue_same) {
          plan.samples.insert(plan.samples.end(), spq, loaded[same_index]);
          return;
        }
        for (uint64_t r = 0; r < spq / L; ++r) {
          const size_t at = plan.samples.size();
          plan.samples.insert(plan.samples.end(), loaded.begin(), loaded.end());
          if (equal_issue) {  // in accuracy mode too, as LoadGen does
            shuffle(std::span<SampleIndex>(plan.samples.data() + at, L), sample_rng);
          }
        }
        plan.samples.insert(plan.samples.end(), loaded.begin(), loaded.begin() + spq % L);
      } else {
        for (uint64_t i = 0; i < spq; ++i) {
          const uint64_t k = s.performance_issue_unique ? unique_distribution.next()
                             : s.performance_issue_same ? same_index
                             : equal_issue              ? equal_issue_distribution.next()
                                                        : draw_sample();
          plan.samples.push_back(loaded[k]);
        }
      }
    });
    prev = timestamp;
    timestamp += draw_interval();
    if (equal_issue && plan.queries.size() >= min_queries && prev < gen_duration && !offline) {
      min_queries += L;
    }
  }
  if (offline && accuracy && L % spq != 0) {
    add_query(timestamp, [&] {
      for (uint64_t i = 0; i < L % spq; ++i) plan.samples.push_back(loaded[draw_sample()]);
    });
  }
  plan.duration_ns = timestamp;
  return plan;
}

}  // namespace infermark::loadgen

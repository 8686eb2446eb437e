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

// §6.1: the shape of one plan, before equal-issue padding.
struct PlanShape {
  int64_t gen_duration_ns;     // queries are generated until one is scheduled at or after this
  uint64_t min_queries;
  uint64_t samples_per_query;
  uint64_t stride;             // MultiStream: queries start at multiples of samples_per_query
  uint64_t end;                // sample_distribution_end: draws fall in [0, end)
};

// `end`: the set's sample_distribution_end; `set_size`: its length with MultiStream padding.
PlanShape plan_shape(const EffectiveSettings& s, Mode mode, uint64_t end, uint64_t set_size) {
  PlanShape shape;
  shape.gen_duration_ns = (s.scenario == Scenario::kServer ? 1 : 2) *
                          static_cast<int64_t>(s.target_duration_ms) * 1000000;
  shape.min_queries = s.min_query_count;
  shape.samples_per_query = s.samples_per_query;
  if (mode == Mode::kAccuracyOnly && s.scenario == Scenario::kOffline) {
    shape.samples_per_query = end;
  }
  IM_CHECK(shape.samples_per_query > 0);  // validate_settings refuses 0
  if (mode == Mode::kAccuracyOnly || s.performance_issue_unique) {
    shape.gen_duration_ns = 0;
    shape.min_queries = set_size / shape.samples_per_query;
  }
  shape.stride = s.scenario == Scenario::kMultiStream ? shape.samples_per_query : 1;
  shape.end = end;
  return shape;
}

// §6.3: equal issue pads Offline's one query, or the other scenarios' query count, to a
// multiple of the loaded samples (performance mode only).
void pad_for_equal_issue(const EffectiveSettings& s, Mode mode, uint64_t loaded,
                         PlanShape& shape) {
  if (mode == Mode::kAccuracyOnly || !s.sample_concatenate_permutation) return;
  if (s.scenario == Scenario::kOffline) {
    if (shape.samples_per_query % loaded != 0) {
      shape.samples_per_query += loaded - shape.samples_per_query % loaded;
    }
  } else if (shape.min_queries % loaded != 0) {
    shape.min_queries += loaded - shape.min_queries % loaded;
  }
}

// Refuses plans that could not fit in memory, before generating them.
void check_plan_size(const EffectiveSettings& s, const PlanShape& shape) {
  const uint64_t spq = shape.samples_per_query;
  const double by_duration =
      s.scenario == Scenario::kOffline
          ? 0.0
          : s.target_qps * (static_cast<double>(shape.gen_duration_ns) / 1e9);
  const double queries = std::max(by_duration, static_cast<double>(shape.min_queries));
  const double samples = queries * static_cast<double>(std::max<uint64_t>(spq, 1));
  if (samples > static_cast<double>(kMaxPlannedSamples)) {
    throw Error::format(
        "settings would pre-generate about {:.3g} samples (target_qps {} over {} ms, "
        "min_query_count {}, samples_per_query {}); at most {} are supported",
        samples, s.target_qps, shape.gen_duration_ns / 1000000, shape.min_queries, spq,
        kMaxPlannedSamples);
  }
}

// Every sample-index draw of one plan (§6.2, §6.4), from sample_rng. The three distributions are
// constructed in LoadGen's order whether or not they are used, because each consumes the RNG.
class SampleDraws {
 public:
  SampleDraws(const EffectiveSettings& s, Mode mode, const PlanShape& shape, uint64_t loaded)
      : s_(s),
        accuracy_(mode == Mode::kAccuracyOnly),
        end_(shape.end),
        rng_(s.sample_index_rng_seed),
        accuracy_order_(accuracy_ ? StridedPermutation(shape.end, shape.stride, rng_)
                                  : StridedPermutation(0, 1, rng_)),
        unique_(shape.end, shape.stride, rng_),
        equal_issue_(shape.min_queries, loaded, rng_) {}

  // SampleDistribution<mode>: a uniform index in performance mode, the shuffled order in
  // accuracy mode.
  uint64_t draw() { return accuracy_ ? accuracy_order_.next() : uniform_int(rng_, 0, end_ - 1); }
  // Where a MultiStream query's contiguous samples start.
  uint64_t multi_stream_start() {
    return s_.performance_issue_unique ? unique_.next()
           : s_.performance_issue_same ? s_.performance_issue_same_index
                                       : draw();
  }
  // One sample of a Server or SingleStream query.
  uint64_t single() {
    return s_.performance_issue_unique         ? unique_.next()
           : s_.performance_issue_same         ? s_.performance_issue_same_index
           : s_.sample_concatenate_permutation ? equal_issue_.next()
                                               : draw();
  }
  void shuffle_block(std::span<SampleIndex> block) { shuffle(block, rng_); }

 private:
  const EffectiveSettings& s_;
  const bool accuracy_;
  const uint64_t end_;
  Mt19937 rng_;
  StridedPermutation accuracy_order_;
  StridedPermutation unique_;
  EqualIssueDistribution equal_issue_;
};

// The time between query arrivals: Poisson in Server, a fixed period elsewhere (§6.2 item 4).
class ArrivalSchedule {
 public:
  explicit ArrivalSchedule(const EffectiveSettings& s)
      : server_(s.scenario == Scenario::kServer),
        qps_(s.target_qps),
        period_ns_(seconds_to_ns(1.0 / s.target_qps)),
        rng_(s.schedule_rng_seed) {}
  int64_t next_interval_ns() {
    return server_ ? seconds_to_ns(exponential(rng_, qps_)) : period_ns_;
  }

 private:
  const bool server_;
  const double qps_;
  const int64_t period_ns_;
  Mt19937 rng_;
};

// Offline's one query: the loaded set repeated in order (each repeat shuffled in equal-issue
// runs), then its first spq % L samples; or spq copies of the same sample.
void append_offline_samples(const EffectiveSettings& s, bool shuffle_blocks,
                            const std::vector<SampleIndex>& loaded, uint64_t spq,
                            SampleDraws& draws, std::vector<SampleIndex>& out) {
  if (s.performance_issue_same) {
    out.insert(out.end(), spq, loaded[s.performance_issue_same_index]);
    return;
  }
  const uint64_t L = loaded.size();
  for (uint64_t r = 0; r < spq / L; ++r) {
    const size_t at = out.size();
    out.insert(out.end(), loaded.begin(), loaded.end());
    if (shuffle_blocks) draws.shuffle_block(std::span<SampleIndex>(out.data() + at, L));
  }
  out.insert(out.end(), loaded.begin(), loaded.begin() + spq % L);
}

// The samples of the next query of the plan (§6.4 main loop).
void append_query_samples(const EffectiveSettings& s, const std::vector<SampleIndex>& loaded,
                          uint64_t spq, SampleDraws& draws, std::vector<SampleIndex>& out) {
  switch (s.scenario) {
    case Scenario::kMultiStream: {
      const uint64_t first = draws.multi_stream_start();
      IM_CHECK(first + spq <= loaded.size());
      out.insert(out.end(), loaded.begin() + first, loaded.begin() + first + spq);
      break;
    }
    case Scenario::kOffline:
      // Equal issue shuffles each repeat in accuracy mode too, as LoadGen does.
      append_offline_samples(s, s.sample_concatenate_permutation, loaded, spq, draws, out);
      break;
    case Scenario::kServer:
    case Scenario::kSingleStream:
      for (uint64_t i = 0; i < spq; ++i) out.push_back(loaded[draws.single()]);
      break;
  }
}

// Appends queries to a plan, giving each its sequence ids and each sample its accuracy-log draw.
class PlanBuilder {
 public:
  PlanBuilder(SequenceGen& seq, uint64_t samples_per_query) : seq_(seq) {
    plan_.first_sample_sequence_id = seq.next_sample_id;
    plan_.samples_per_query = samples_per_query;
  }
  size_t query_count() const { return plan_.queries.size(); }
  // Adds a query scheduled at `delta_ns` whose samples `fill(samples)` appends.
  template <typename Fill>
  void add_query(int64_t delta_ns, Fill&& fill) {
    PlannedQuery q{plan_.samples.size(), 0, delta_ns, seq_.next_query_id++};
    fill(plan_.samples);
    q.sample_count = plan_.samples.size() - q.first_sample;
    for (uint64_t i = 0; i < q.sample_count; ++i) {
      plan_.accuracy_log_val.push_back(generate_canonical(seq_.accuracy_log_rng));
    }
    seq_.next_sample_id += q.sample_count;
    plan_.queries.push_back(q);
  }
  QueryPlan finish(int64_t duration_ns) && {
    plan_.duration_ns = duration_ns;
    return std::move(plan_);
  }

 private:
  SequenceGen& seq_;
  QueryPlan plan_;
};

}  // namespace

void check_plan_fits(const EffectiveSettings& s, uint64_t loaded_samples) {
  const uint64_t padding = s.scenario == Scenario::kMultiStream
                               ? std::min(s.samples_per_query - 1, loaded_samples)
                               : 0;
  PlanShape shape =
      plan_shape(s, Mode::kPerformanceOnly, loaded_samples, loaded_samples + padding);
  pad_for_equal_issue(s, Mode::kPerformanceOnly, loaded_samples + padding, shape);
  check_plan_size(s, shape);
}

QueryPlan generate_queries(const EffectiveSettings& s, Mode mode, const LoadableSet& loaded_set,
                           SequenceGen& seq) {
  const std::vector<SampleIndex>& loaded = loaded_set.set;
  const uint64_t L = loaded.size();
  IM_CHECK(L > 0);
  const bool accuracy = mode == Mode::kAccuracyOnly;
  const bool offline = s.scenario == Scenario::kOffline;

  PlanShape shape = plan_shape(s, mode, loaded_set.sample_distribution_end, L);
  SampleDraws draws(s, mode, shape, L);  // consumes sample_rng: before any padding (§6.2)
  ArrivalSchedule schedule(s);
  pad_for_equal_issue(s, mode, L, shape);
  check_plan_size(s, shape);
  const uint64_t spq = shape.samples_per_query;
  if (s.performance_issue_same &&
      s.performance_issue_same_index + (s.scenario == Scenario::kMultiStream ? spq : 1) > L) {
    throw Error::format("performance_issue_same_index {} is outside the {} loaded samples",
                        s.performance_issue_same_index, L);
  }

  PlanBuilder plan(seq, spq);
  const auto fill = [&](std::vector<SampleIndex>& out) {
    append_query_samples(s, loaded, spq, draws, out);
  };
  int64_t timestamp = 0, prev = 0;
  while (prev < shape.gen_duration_ns || plan.query_count() < shape.min_queries) {
    plan.add_query(timestamp, fill);
    prev = timestamp;
    timestamp += schedule.next_interval_ns();
    if (s.sample_concatenate_permutation && !offline && plan.query_count() >= shape.min_queries &&
        prev < shape.gen_duration_ns) {
      shape.min_queries += L;
    }
  }
  if (offline && accuracy && L % spq != 0) {  // never in practice: spq is the chunk length
    plan.add_query(timestamp, [&](std::vector<SampleIndex>& out) {
      for (uint64_t i = 0; i < L % spq; ++i) out.push_back(loaded[draws.draw()]);
    });
  }
  return std::move(plan).finish(timestamp);
}

}  // namespace infermark::loadgen

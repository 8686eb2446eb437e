// Query generation against the golden vectors of loadgen-behaviour.md §6.5 and the count
// formulas of its table.
#include "loadgen/query_plan.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>

#include "test_settings.h"
#include "util/error.h"

namespace infermark::loadgen {
namespace {

using testing::v61_settings;

TestSettings golden_server() {
  TestSettings t = v61_settings(Scenario::kServer);
  t.server_target_qps = 1000;
  t.min_duration_ms = 2000;
  t.min_query_count = 100;
  return t;
}

std::vector<uint64_t> sample_head(const QueryPlan& p, size_t n) {
  std::vector<uint64_t> out;
  for (size_t q = 0; q < n && q < p.queries.size(); ++q) {
    out.push_back(p.samples[p.queries[q].first_sample]);
  }
  return out;
}

TEST(QueryPlanTest, ServerPerformanceGoldenVector) {
  const auto s = make_effective_settings(golden_server(), 256, 1024);
  const auto sets = generate_loadable_sets(s, s.performance_sample_count, 1024);
  SequenceGen seq;
  const QueryPlan p = generate_queries(s, Mode::kPerformanceOnly, sets[0], seq);
  EXPECT_EQ(p.queries.size(), 2068u);
  EXPECT_EQ(p.duration_ns, 2000668289);
  EXPECT_EQ(sample_head(p, 16), (std::vector<uint64_t>{204, 44, 141, 32, 185, 8, 5, 37, 184, 126,
                                                       48, 187, 18, 61, 152, 254}));
  const std::vector<int64_t> deltas = {0,       1843654, 2301577, 3587439,
                                       4300433, 4686839, 6935180, 8026759};
  for (size_t i = 0; i < deltas.size(); ++i) EXPECT_EQ(p.queries[i].scheduled_delta_ns, deltas[i]);
  // The last query is the first scheduled at or after the 2 s duration.
  EXPECT_GE(p.queries.back().scheduled_delta_ns, 2000000000);
  EXPECT_LT(p.queries[p.queries.size() - 2].scheduled_delta_ns, 2000000000);
  EXPECT_EQ(p.samples_per_query, 1u);
  EXPECT_EQ(seq.next_sample_id, 2068u);
}

TEST(QueryPlanTest, ServerAccuracyGoldenVectorAndRepeatedSchedule) {
  TestSettings t = golden_server();
  t.mode = Mode::kAccuracyOnly;
  const auto s = make_effective_settings(t, 256, 1024);
  const auto perf_sets = generate_loadable_sets(s, s.performance_sample_count, 1024);
  SequenceGen perf_seq;
  const QueryPlan perf = generate_queries(s, Mode::kPerformanceOnly, perf_sets[0], perf_seq);

  const auto chunks = generate_loadable_sets(s, s.accuracy_sample_count, 1024);
  SequenceGen seq;
  const QueryPlan first = generate_queries(s, Mode::kAccuracyOnly, chunks[0], seq);
  ASSERT_EQ(first.queries.size(), 256u);
  EXPECT_EQ(sample_head(first, 8),
            (std::vector<uint64_t>{306, 81, 285, 800, 119, 683, 904, 255}));
  const QueryPlan second = generate_queries(s, Mode::kAccuracyOnly, chunks[1], seq);
  EXPECT_EQ(second.first_sample_sequence_id, 256u);
  for (size_t i = 0; i < 256; ++i) {
    ASSERT_EQ(first.queries[i].scheduled_delta_ns, perf.queries[i].scheduled_delta_ns);
    ASSERT_EQ(second.queries[i].scheduled_delta_ns, perf.queries[i].scheduled_delta_ns);
  }
  // Every sample of each chunk is issued exactly once.
  std::map<uint64_t, int> seen;
  for (uint64_t idx : second.samples) seen[idx]++;
  EXPECT_EQ(seen.size(), 256u);
}

TEST(QueryPlanTest, SingleStreamCountFollowsPeriod) {
  TestSettings t = v61_settings(Scenario::kSingleStream);
  t.single_stream_expected_latency_ns = 10e6;  // 10 ms -> period 10 ms
  t.min_duration_ms = 1000;
  t.min_query_count = 50;
  const auto s = make_effective_settings(t, 64, 64);
  SequenceGen seq;
  const auto p = generate_queries(s, Mode::kPerformanceOnly,
                                  generate_loadable_sets(s, 64, 64)[0], seq);
  EXPECT_EQ(p.queries.size(), 201u);  // max(50, ceil(2 * 1e9 / 1e7) + 1)
  EXPECT_EQ(p.queries[1].scheduled_delta_ns, 10000000);
}

TEST(QueryPlanTest, OfflineIsOneQueryPaddedToWholeSetsInEqualIssueMode) {
  TestSettings t = v61_settings(Scenario::kOffline);
  t.offline_expected_qps = 100;
  t.min_duration_ms = 1000;  // 1.1 * 1 * 100 = 110 samples
  t.min_query_count = 10;
  auto s = make_effective_settings(t, 64, 64);
  EXPECT_EQ(s.samples_per_query, 110u);
  SequenceGen seq;
  auto set = generate_loadable_sets(s, 64, 64)[0];
  auto p = generate_queries(s, Mode::kPerformanceOnly, set, seq);
  ASSERT_EQ(p.queries.size(), 1u);
  EXPECT_EQ(p.samples.size(), 110u);
  // Not random: the loaded set in order, then its first 110 - 64 entries.
  for (size_t i = 0; i < 110; ++i) ASSERT_EQ(p.samples[i], set.set[i % 64]);

  t.sample_concatenate_permutation = true;
  s = make_effective_settings(t, 64, 64);
  p = generate_queries(s, Mode::kPerformanceOnly, set, seq);
  EXPECT_EQ(p.samples.size(), 128u);
  EXPECT_EQ(p.samples_per_query, 128u);
  std::map<uint64_t, int> counts;
  for (uint64_t idx : p.samples) counts[idx]++;
  for (auto [idx, n] : counts) EXPECT_EQ(n, 2) << idx;
  EXPECT_FALSE(std::equal(set.set.begin(), set.set.end(), p.samples.begin()));
}

TEST(QueryPlanTest, EqualIssueServerIsWholeMultipleOfTheSet) {
  TestSettings t = golden_server();
  t.sample_concatenate_permutation = true;
  const auto s = make_effective_settings(t, 256, 1024);
  SequenceGen seq;
  const auto p = generate_queries(s, Mode::kPerformanceOnly,
                                  generate_loadable_sets(s, 256, 1024)[0], seq);
  EXPECT_EQ(p.queries.size() % 256, 0u);
  EXPECT_GE(p.queries[p.queries.size() - 256].scheduled_delta_ns, 0);
  std::map<uint64_t, int> counts;
  for (uint64_t idx : p.samples) counts[idx]++;
  for (auto [idx, n] : counts) EXPECT_EQ(static_cast<size_t>(n), p.queries.size() / 256);
}

TEST(QueryPlanTest, MultiStreamQueriesAreContiguousRuns) {
  TestSettings t = v61_settings(Scenario::kMultiStream);
  t.min_duration_ms = 100;
  t.min_query_count = 20;
  const auto s = make_effective_settings(t, 64, 64);
  const auto set = generate_loadable_sets(s, 64, 64)[0];
  SequenceGen seq;
  const auto p = generate_queries(s, Mode::kPerformanceOnly, set, seq);
  for (const auto& q : p.queries) {
    ASSERT_EQ(q.sample_count, 8u);
    auto start = std::find(set.set.begin(), set.set.end(), p.samples[q.first_sample]);
    for (uint64_t i = 0; i < 8; ++i) ASSERT_EQ(p.samples[q.first_sample + i], start[i]);
  }
}

TEST(QueryPlanTest, AccuracyLogDrawsContinueAcrossPlans) {
  const auto s = make_effective_settings(golden_server(), 256, 1024);
  const auto set = generate_loadable_sets(s, 256, 1024)[0];
  SequenceGen a;
  generate_queries(s, Mode::kAccuracyOnly, set, a);
  const auto second = generate_queries(s, Mode::kAccuracyOnly, set, a);
  Mt19937 rng;
  for (int i = 0; i < 256; ++i) generate_canonical(rng);
  EXPECT_EQ(second.accuracy_log_val[0], generate_canonical(rng));
}

TEST(QueryPlanTest, IssueUniqueIssuesEachLoadedSampleOnce) {
  for (Scenario sc : {Scenario::kServer, Scenario::kSingleStream, Scenario::kOffline}) {
    TestSettings t = golden_server();
    t.scenario = sc;
    t.performance_issue_unique = true;
    const auto s = make_effective_settings(t, 256, 1024);
    const auto set = generate_loadable_sets(s, 256, 1024)[0];
    SequenceGen seq;
    const auto p = generate_queries(s, Mode::kPerformanceOnly, set, seq);
    std::map<uint64_t, int> counts;
    for (uint64_t idx : p.samples) counts[idx]++;
    EXPECT_EQ(counts.size(), 256u) << to_string(sc);
    for (auto [idx, n] : counts) ASSERT_EQ(n, 1) << to_string(sc);
  }
}

TEST(QueryPlanTest, IssueSameRepeatsOneLoadedSample) {
  TestSettings t = golden_server();
  t.performance_issue_same = true;
  t.performance_issue_same_index = 3;
  const auto s = make_effective_settings(t, 256, 1024);
  const auto set = generate_loadable_sets(s, 256, 1024)[0];
  SequenceGen seq;
  const auto p = generate_queries(s, Mode::kPerformanceOnly, set, seq);
  EXPECT_EQ(p.queries.size(), 2068u);  // the schedule is unchanged
  for (uint64_t idx : p.samples) ASSERT_EQ(idx, set.set[3]);
}

TEST(QueryPlanTest, MultiStreamAccuracyCoversThePaddedChunk) {
  TestSettings t = v61_settings(Scenario::kMultiStream, Mode::kAccuracyOnly);
  const auto s = make_effective_settings(t, 64, 64);
  const auto set = generate_loadable_sets(s, 64, 64)[0];  // 64 + 7 padding
  SequenceGen seq;
  const auto p = generate_queries(s, Mode::kAccuracyOnly, set, seq);
  EXPECT_EQ(p.queries.size(), 71u / 8u);
  std::set<uint64_t> starts;
  for (const auto& q : p.queries) starts.insert(q.first_sample);
  EXPECT_EQ(starts.size(), p.queries.size());
}

TEST(QueryPlanTest, RefusesPlansTooLargeForMemory) {
  TestSettings t = golden_server();
  t.server_target_qps = 1e9;
  t.min_duration_ms = 600000;
  const auto s = make_effective_settings(t, 256, 1024);
  SequenceGen seq;
  EXPECT_THROW(generate_queries(s, Mode::kPerformanceOnly,
                                generate_loadable_sets(s, 256, 1024)[0], seq),
               Error);
}

TEST(QueryPlanTest, IssueSameIndexOutsideTheSetIsAnError) {
  TestSettings t = golden_server();
  t.performance_issue_same = true;
  t.performance_issue_same_index = 300;
  const auto s = make_effective_settings(t, 256, 1024);
  EXPECT_FALSE(s.validation_errors.empty());
  SequenceGen seq;
  EXPECT_THROW(generate_queries(s, Mode::kPerformanceOnly,
                                generate_loadable_sets(s, 256, 1024)[0], seq),
               Error);
}

}  // namespace
}  // namespace infermark::loadgen

// Loadable sets against the golden vectors of loadgen-behaviour.md §5.
#include "loadgen/sample_sets.h"

#include <gtest/gtest.h>

#include <set>

#include "test_settings.h"

namespace infermark::loadgen {
namespace {

using testing::v61_settings;

std::vector<uint64_t> head(const std::vector<uint64_t>& v, size_t n) {
  return {v.begin(), v.begin() + std::min(n, v.size())};
}

TEST(SampleSetsTest, PerformanceSetGoldenVector) {
  auto s = make_effective_settings(v61_settings(Scenario::kServer), 256, 1024);
  auto sets = generate_loadable_sets(s, s.performance_sample_count, 1024);
  ASSERT_EQ(sets.size(), 1u);
  EXPECT_EQ(head(sets[0].set, 16),
            (std::vector<uint64_t>{216, 188, 112, 232, 230, 37, 58, 250, 140, 196, 182, 42, 164,
                                   93, 129, 213}));
  EXPECT_EQ(std::set<uint64_t>(sets[0].set.begin(), sets[0].set.end()).size(), 256u);
  EXPECT_EQ(*std::max_element(sets[0].set.begin(), sets[0].set.end()), 255u);
}

TEST(SampleSetsTest, AccuracyChunksGoldenVector) {
  auto s = make_effective_settings(v61_settings(Scenario::kServer), 256, 1024);
  auto sets = generate_loadable_sets(s, s.accuracy_sample_count, 1024);
  ASSERT_EQ(sets.size(), 4u);
  for (const auto& c : sets) EXPECT_EQ(c.set.size(), 256u);
  EXPECT_EQ(head(sets[0].set, 8), (std::vector<uint64_t>{216, 267, 822, 906, 663, 580, 710, 908}));
  std::set<uint64_t> all;
  for (const auto& c : sets) all.insert(c.set.begin(), c.set.end());
  EXPECT_EQ(all.size(), 1024u);
}

TEST(SampleSetsTest, LargeSetGoldenVector) {
  auto s = make_effective_settings(v61_settings(Scenario::kOffline), 70000, 100000);
  auto sets = generate_loadable_sets(s, s.performance_sample_count, 100000);
  EXPECT_EQ(head(sets[0].set, 8),
            (std::vector<uint64_t>{3434, 25598, 53455, 6674, 518, 64165, 64811, 21948}));
}

TEST(SampleSetsTest, LastChunkMayBeShorterAndMultiStreamPads) {
  auto settings = v61_settings(Scenario::kMultiStream);
  auto s = make_effective_settings(settings, 100, 250);
  auto sets = generate_loadable_sets(s, s.accuracy_sample_count, 250);
  ASSERT_EQ(sets.size(), 3u);
  EXPECT_EQ(sets[2].sample_distribution_end, 50u);
  // samples_per_query 8: the first 7 samples of each chunk are appended as padding.
  EXPECT_EQ(sets[0].set.size(), 107u);
  EXPECT_EQ(sets[2].set.size(), 57u);
  for (size_t i = 0; i < 7; ++i) EXPECT_EQ(sets[0].set[100 + i], sets[0].set[i]);
}

}  // namespace
}  // namespace infermark::loadgen

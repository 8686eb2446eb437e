// Normalised settings (loadgen-behaviour.md §3).
#include "loadgen/effective_settings.h"

#include <gtest/gtest.h>

#include "test_settings.h"

namespace infermark::loadgen {
namespace {

using testing::v61_settings;

TEST(EffectiveSettingsTest, OfflineSamplesPerQuery) {
  TestSettings t = v61_settings(Scenario::kOffline);
  t.offline_expected_qps = 1100;
  t.min_duration_ms = 600000;
  t.min_query_count = 13368;
  const auto s = make_effective_settings(t, 13368, 13368);
  EXPECT_EQ(s.samples_per_query, 726000u);  // NVIDIA's B200 example
  EXPECT_EQ(s.min_query_count, 1u);
  EXPECT_EQ(s.target_duration_ms, 0u);
  EXPECT_EQ(s.min_sample_count, 726000u);
  EXPECT_EQ(s.target_latency_percentile, 0.99);
  t.performance_issue_unique = true;
  EXPECT_EQ(make_effective_settings(t, 13368, 13368).samples_per_query, 13368u);
}

TEST(EffectiveSettingsTest, SingleStreamEqualIssuePadsWithTheQslCount) {
  TestSettings t = v61_settings(Scenario::kSingleStream);
  t.single_stream_expected_latency_ns = 3500e6;  // Intel Arc B60 edge example
  t.min_duration_ms = 600000;
  t.sample_concatenate_permutation = true;
  t.performance_sample_count_override = 5000;
  const auto s = make_effective_settings(t, 5000, 5000);
  EXPECT_EQ(s.min_query_count, 5000u);  // max(100, 342) padded by a full 5000
  EXPECT_EQ(s.target_qps, 1e9 / 3500e6);
  // Already a multiple: LoadGen still adds a full QSL count.
  t.min_query_count = 5000;
  EXPECT_EQ(make_effective_settings(t, 5000, 5000).min_query_count, 10000u);
}

TEST(EffectiveSettingsTest, ServerAndCounts) {
  TestSettings t = v61_settings(Scenario::kServer);
  t.server_target_qps = 3.5;
  t.performance_sample_count_override = 100;
  t.accuracy_sample_count_override = 200;
  const auto s = make_effective_settings(t, 10, 1000);
  EXPECT_EQ(s.target_qps, 3.5);
  EXPECT_EQ(s.performance_sample_count, 100u);
  EXPECT_EQ(s.accuracy_sample_count, 200u);
  EXPECT_EQ(s.min_sample_count, 100u);
  t.server_target_qps = -1;
  const auto bad = make_effective_settings(t, 10, 1000);
  EXPECT_EQ(bad.target_qps, 1.0);
  EXPECT_EQ(bad.validation_errors.size(), 1u);
}

TEST(EffectiveSettingsTest, MultiStream) {
  TestSettings t = v61_settings(Scenario::kMultiStream);
  const auto s = make_effective_settings(t, 10, 10);
  EXPECT_EQ(s.samples_per_query, 8u);
  EXPECT_EQ(s.min_sample_count, 800u);
  EXPECT_EQ(s.target_qps, 125.0);
}

TEST(EffectiveSettingsTest, UniqueAndSameTogetherIsReported) {
  TestSettings t = v61_settings(Scenario::kServer);
  t.performance_issue_unique = t.performance_issue_same = true;
  EXPECT_EQ(make_effective_settings(t, 10, 10).validation_errors.size(), 1u);
}

}  // namespace
}  // namespace infermark::loadgen

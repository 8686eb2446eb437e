// Early stopping against the reference values of loadgen-behaviour.md §9.1.
#include "loadgen/early_stopping.h"

#include <gtest/gtest.h>

#include <cmath>

#include "loadgen/results.h"
#include "test_settings.h"

namespace infermark::loadgen {
namespace {

TEST(EarlyStoppingTest, ServerReferenceValuesAt99) {
  const int64_t expected[] = {459, 661, 836, 998, 1153, 1302};
  for (int64_t t = 0; t < 6; ++t) {
    MinPassingQueriesFinder fresh(0.99);  // LoadGen uses a new finder per call
    EXPECT_EQ(fresh(t), expected[t]) << "t=" << t;
  }
}

TEST(EarlyStoppingTest, CachedFinderGivesTheSameValues) {
  MinPassingQueriesFinder cached(0.99);
  const int64_t expected[] = {459, 661, 836, 998, 1153, 1302};
  for (int64_t t = 0; t < 6; ++t) EXPECT_EQ(cached(t), expected[t]);
  for (int64_t t = 5; t >= 0; --t) EXPECT_EQ(cached(t), expected[t]);
}

TEST(EarlyStoppingTest, MinimumAt90) {
  MinPassingQueriesFinder f(0.90);
  EXPECT_EQ(f(1), 63);
}

TEST(EarlyStoppingTest, BetaRegularizedIsAProbability) {
  for (double a : {1.0, 10.0, 459.0}) {
    const double v = beta_regularized(0.99, a, 1.0);
    EXPECT_GT(v, 0.0);
    EXPECT_LE(v, 1.0 + 1e-12);
    EXPECT_NEAR(v, std::pow(0.99, a), 1e-9);  // I_x(a, 1) = x^a
  }
}

// A SingleStream summary built from synthetic latencies reproduces the q=446, p=0.9 case.
TEST(EarlyStoppingTest, SingleStreamWouldDiscard28Of446) {
  TestSettings t = testing::v61_settings(Scenario::kSingleStream);
  t.min_duration_ms = 0;
  t.min_query_count = 1;
  const auto s = make_effective_settings(t, 10, 10);
  SeriesOutcome o;
  for (int64_t i = 0; i < 446; ++i) o.sample_latencies.push_back(1000 + i);
  o.queries_issued = 446;
  o.final_query_issued_time_s = 1;
  const PerformanceSummary r = summarize(s, "x", o);
  EXPECT_TRUE(r.early_stopping_met);
  EXPECT_NE(r.early_stopping_text.find("Would discard 28 highest latency queries."),
            std::string::npos)
      << r.early_stopping_text;
  EXPECT_EQ(r.early_stopping_latency_ss, 1000 + 446 - 29);
  EXPECT_NE(r.early_stopping_text.find("Not enough queries processed for 99.0th percentile"),
            std::string::npos);
}

TEST(EarlyStoppingTest, ServerFailsWithTooFewQueries) {
  TestSettings t = testing::v61_settings(Scenario::kServer);
  t.server_target_latency_ns = 100;
  const auto s = make_effective_settings(t, 10, 10);
  SeriesOutcome o;
  for (int64_t i = 0; i < 400; ++i) o.sample_latencies.push_back(50);
  o.queries_issued = 400;
  o.final_query_scheduled_time_s = o.final_query_all_samples_done_time_s = 1;
  const PerformanceSummary r = summarize(s, "x", o);
  EXPECT_FALSE(r.early_stopping_met);
  EXPECT_NE(r.early_stopping_text.find("Would need to run at least 59 more queries"),
            std::string::npos)
      << r.early_stopping_text;
}

}  // namespace
}  // namespace infermark::loadgen

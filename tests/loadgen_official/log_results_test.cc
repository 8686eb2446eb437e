// The official driver's log readers, checked on infermark's own load generator: its logs have
// the official format, and it also returns the exact values the readers must recover. Plus what
// a binary without the official library says when asked for it.
#include "loadgen_official/log_results.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "loadgen/loadgen.h"
#include "loadgen_official/official_loadgen.h"
#include "sut/null_qsl.h"
#include "sut/null_sut.h"
#include "util/error.h"

namespace infermark::loadgen_official {
namespace {

namespace fs = std::filesystem;
using loadgen::Mode;
using loadgen::Scenario;

struct Case {
  Scenario scenario;
  bool tokens;
};

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  return std::string(loadgen::to_string(info.param.scenario)) +
         (info.param.tokens ? "Tokens" : "NoTokens");
}

loadgen::TestSettings quick_settings(const Case& c) {
  loadgen::TestSettings t;
  t.scenario = c.scenario;
  t.mode = Mode::kPerformanceOnly;
  t.qsl_rng_seed = 2085463073848966840ull;
  t.sample_index_rng_seed = 2747215439041700203ull;
  t.schedule_rng_seed = 16159082839903944936ull;
  t.min_duration_ms = c.scenario == Scenario::kServer ? 100 : 0;
  t.min_query_count = 64;
  t.server_target_qps = 2000;
  t.single_stream_expected_latency_ns = 200000;
  t.multi_stream_expected_latency_ns = 400000;
  t.use_token_latencies = c.tokens;
  t.server_ttft_latency = 2000000000;
  t.server_tpot_latency = 100000000;
  return t;
}

void expect_stats_equal(const loadgen::LatencyStats& got, const loadgen::LatencyStats& want,
                        const char* what) {
  EXPECT_EQ(got.min, want.min) << what;
  EXPECT_EQ(got.max, want.max) << what;
  EXPECT_EQ(got.mean, want.mean) << what;
  EXPECT_EQ(got.at_target, want.at_target) << what;
  EXPECT_EQ(got.percentiles, want.percentiles) << what;
}

// The detail log writes texts on one line, newlines as spaces.
std::string as_logged(std::string text) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  return text;
}

// `got` was read back from a log that prints it with 6 significant digits.
void expect_near_relative(double got, double want, const char* what) {
  EXPECT_NEAR(got, want, std::abs(want) * 1e-5 + 1e-12) << what;
}

class LogResultsTest : public ::testing::TestWithParam<Case> {};

TEST_P(LogResultsTest, ReadsBackWhatTheLoadGeneratorReported) {
  const Case c = GetParam();
  sut::NullSutOptions so;
  so.n_tokens = 7;
  so.report_first_token = c.scenario != Scenario::kOffline;
  sut::NullSut sut(so);
  sut::NullSampleLibrary qsl(40, 20);
  loadgen::LogSettings ls;
  ls.outdir = fs::path(::testing::TempDir()) / ("log_results_" + case_name({GetParam(), 0}));
  fs::remove_all(ls.outdir);
  const loadgen::TestSettings settings = quick_settings(c);
  const loadgen::RunResult r = loadgen::run(sut, qsl, settings, ls);
  ASSERT_TRUE(r.performance.has_value());
  const loadgen::PerformanceSummary& want = *r.performance;

  const DetailLogValues log = read_detail_log(r.detail_path);
  EXPECT_EQ(log.errors, r.errors);
  EXPECT_EQ(log.warnings, r.warnings);
  EXPECT_EQ(count_accuracy_entries(r.accuracy_path), r.accuracy_entries);

  const auto got = performance_from_detail(log, settings, want.token_count);
  ASSERT_TRUE(got.has_value());
  const auto& gs = got->settings;
  const auto& ws = want.settings;
  EXPECT_EQ(gs.scenario, ws.scenario);
  EXPECT_EQ(gs.mode, ws.mode);
  EXPECT_EQ(gs.samples_per_query, ws.samples_per_query);
  EXPECT_EQ(gs.target_qps, ws.target_qps);
  EXPECT_EQ(gs.target_latency_ns, ws.target_latency_ns);
  EXPECT_EQ(gs.min_query_count, ws.min_query_count);
  EXPECT_EQ(gs.min_sample_count, ws.min_sample_count);
  EXPECT_EQ(gs.min_duration_ms, ws.min_duration_ms);
  EXPECT_EQ(gs.qsl_rng_seed, ws.qsl_rng_seed);
  EXPECT_EQ(gs.sample_index_rng_seed, ws.sample_index_rng_seed);
  EXPECT_EQ(gs.schedule_rng_seed, ws.schedule_rng_seed);
  EXPECT_EQ(gs.performance_sample_count, ws.performance_sample_count);
  EXPECT_EQ(gs.accuracy_sample_count, ws.accuracy_sample_count);
  EXPECT_EQ(gs.sample_concatenate_permutation, ws.sample_concatenate_permutation);
  EXPECT_EQ(gs.use_token_latencies, ws.use_token_latencies);
  EXPECT_EQ(gs.server_ttft_latency, ws.server_ttft_latency);

  EXPECT_EQ(got->sut_name, "NullSUT");
  EXPECT_EQ(got->sample_count, want.sample_count);
  EXPECT_EQ(got->outcome.queries_issued, want.outcome.queries_issued);
  EXPECT_EQ(got->token_count, want.token_count);
  EXPECT_EQ(got->valid(), want.valid());
  EXPECT_EQ(got->min_duration_met, want.min_duration_met);
  EXPECT_EQ(got->min_queries_met, want.min_queries_met);
  EXPECT_EQ(got->perf_constraints_met, want.perf_constraints_met);
  EXPECT_EQ(got->early_stopping_met, want.early_stopping_met);
  EXPECT_EQ(got->overlatency_query_count, want.overlatency_query_count);
  expect_stats_equal(got->latency, want.latency, "latency");
  if (c.scenario == Scenario::kMultiStream) {
    expect_stats_equal(got->query_latency, want.query_latency, "query latency");
  }
  if (c.tokens && c.scenario != Scenario::kOffline) {
    expect_stats_equal(got->first_token, want.first_token, "first token");
    expect_stats_equal(got->tpot, want.tpot, "tpot");
    EXPECT_EQ(got->early_stopping_ttft_text, as_logged(want.early_stopping_ttft_text));
  } else if (!c.tokens) {
    EXPECT_EQ(got->early_stopping_text, as_logged(want.early_stopping_text));
  }
  const auto& go = got->outcome;
  const auto& wo = want.outcome;
  switch (c.scenario) {
    case Scenario::kOffline:
      expect_near_relative(go.max_latency_s, wo.max_latency_s, "max latency");
      break;
    case Scenario::kServer:
      expect_near_relative(go.final_query_scheduled_time_s, wo.final_query_scheduled_time_s,
                           "final query scheduled");
      expect_near_relative(go.final_query_all_samples_done_time_s,
                           wo.final_query_all_samples_done_time_s, "final query done");
      break;
    case Scenario::kSingleStream:
      expect_near_relative(go.final_query_issued_time_s, wo.final_query_issued_time_s,
                           "final query issued");
      EXPECT_EQ(got->early_stopping_latency_ss, want.early_stopping_latency_ss);
      break;
    case Scenario::kMultiStream:
      EXPECT_EQ(got->early_stopping_latency_ms, want.early_stopping_latency_ms);
      break;
  }
  if (c.tokens) {
    // Without a count from the caller, the tokens come back from the logged rate.
    const auto estimated = performance_from_detail(log, settings, std::nullopt);
    EXPECT_NEAR(static_cast<double>(estimated->token_count),
                static_cast<double>(want.token_count), want.token_count * 1e-5 + 1);
  }
}

INSTANTIATE_TEST_SUITE_P(EveryScenario, LogResultsTest,
                         ::testing::Values(Case{Scenario::kOffline, true},
                                           Case{Scenario::kOffline, false},
                                           Case{Scenario::kServer, true},
                                           Case{Scenario::kServer, false},
                                           Case{Scenario::kSingleStream, true},
                                           Case{Scenario::kMultiStream, false}),
                         case_name);

TEST(LogResultsTest, AccuracyRunsHaveNoPerformanceResult) {
  sut::NullSut sut({});
  sut::NullSampleLibrary qsl(12, 12);
  loadgen::LogSettings ls;
  ls.outdir = fs::path(::testing::TempDir()) / "log_results_accuracy";
  fs::remove_all(ls.outdir);
  loadgen::TestSettings t = quick_settings({Scenario::kOffline, true});
  t.mode = Mode::kAccuracyOnly;
  const loadgen::RunResult r = loadgen::run(sut, qsl, t, ls);
  const DetailLogValues log = read_detail_log(r.detail_path);
  EXPECT_FALSE(performance_from_detail(log, t, std::nullopt).has_value());
  EXPECT_EQ(count_accuracy_entries(r.accuracy_path), 12u);
}

TEST(LogResultsTest, AMissingResultIsAnErrorNamingTheKey) {
  DetailLogValues log;
  log.values["result_validity"] = "VALID";
  try {
    performance_from_detail(log, {}, std::nullopt);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("effective_scenario"), std::string::npos) << e.what();
  }
  EXPECT_THROW(read_detail_log("/nonexistent/mlperf_log_detail.txt"), Error);
}

// What the driver says depends on the build: with the library it names its version; without
// it, asking for it is an Error that says how to get it.
TEST(OfficialLoadgenTest, SaysWhetherItIsBuiltIn) {
  if (available()) {
    EXPECT_EQ(describe().rfind("MLPerf LoadGen ", 0), 0u) << describe();
    return;
  }
  sut::NullSut sut({});
  sut::NullSampleLibrary qsl(4, 4);
  try {
    loadgen_official::run(sut, qsl, {}, {});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("built without MLPerf's official LoadGen"),
              std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("MLPERF_LOADGEN_ROOT"), std::string::npos);
  }
}

}  // namespace
}  // namespace infermark::loadgen_official

// End-to-end runs of the load generator with the null SUT: every scenario in every mode writes
// the four log files, which are read back the way MLPerf's tools read them and checked.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <functional>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "log_parsing.h"
#include "loadgen/loadgen.h"
#include "sut/null_qsl.h"
#include "sut/null_sut.h"
#include "test_settings.h"
#include "util/error.h"

namespace infermark::loadgen {
namespace {

namespace fs = std::filesystem;
using infermark::testing::detail_keys;
using infermark::testing::detail_value;
using infermark::testing::read_detail_log;
using infermark::testing::read_text;
using infermark::testing::summary_fields;
using testing::v61_settings;

struct Logs {
  RunResult result;
  std::string summary;
  std::map<std::string, std::string> fields;
  std::vector<infermark::testing::DetailEntry> detail;
  nlohmann::json accuracy;
  nlohmann::json trace;
};

fs::path fresh_dir(const std::string& name) {
  const fs::path dir = fs::path(::testing::TempDir()) / ("loadgen_run_" + name);
  fs::remove_all(dir);
  return dir;
}

Logs read_logs(RunResult r) {
  Logs l;
  l.result = std::move(r);
  for (const auto& p : {l.result.summary_path, l.result.detail_path, l.result.accuracy_path,
                        l.result.trace_path}) {
    EXPECT_TRUE(fs::exists(p)) << p;
  }
  l.summary = read_text(l.result.summary_path);
  l.fields = summary_fields(l.summary);
  l.detail = read_detail_log(l.result.detail_path);
  l.accuracy = nlohmann::json::parse(read_text(l.result.accuracy_path));
  const std::string trace = read_text(l.result.trace_path);
  if (!trace.empty()) l.trace = nlohmann::json::parse(trace);
  return l;
}

Logs run_null(const std::string& name, const TestSettings& t, sut::NullSutOptions o = {},
              uint64_t psc = 64, uint64_t total = 256, StartOptions ro = {}) {
  o.report_first_token = t.scenario != Scenario::kOffline;
  sut::NullSut sut(o);
  sut::NullSampleLibrary qsl(total, psc);
  LogSettings ls;
  ls.outdir = fresh_dir(name);
  return read_logs(run(sut, qsl, t, ls, ro));
}

// Short settings under which each scenario's performance run is valid with a fast SUT.
TestSettings quick(Scenario sc, Mode mode) {
  TestSettings t = v61_settings(sc, mode);
  t.min_duration_ms = sc == Scenario::kServer ? 300 : 0;
  t.server_find_peak_qps_decimals_of_precision = -3;  // search to the nearest 1000 QPS
  t.min_query_count = 100;
  t.server_target_qps = 2000;
  t.offline_expected_qps = 1000;
  t.single_stream_expected_latency_ns = 200000;
  t.multi_stream_expected_latency_ns = 400000;
  t.multi_stream_target_latency_percentile = 0.9;
  return t;
}

}  // namespace
void PrintTo(Scenario s, std::ostream* os) { *os << to_string(s); }
void PrintTo(Mode m, std::ostream* os) { *os << to_string(m); }
namespace {

class ScenarioModeTest : public ::testing::TestWithParam<std::tuple<Scenario, Mode>> {};

TEST_P(ScenarioModeTest, RunsToCompletionAndWritesAllFourFiles) {
  const auto [sc, mode] = GetParam();
  const std::string name = std::string(to_string(sc)) + "_" + std::string(to_string(mode));
  sut::NullSutOptions o;
  o.serial_ms = 0.05;  // 20k samples/s: find-peak finds a bound
  const Logs l = run_null(name, quick(sc, mode), o);
  EXPECT_FALSE(l.result.interrupted);
  const auto keys = detail_keys(l.detail);
  ASSERT_FALSE(keys.empty());
  EXPECT_EQ(keys.front(), "loadgen_version");
  EXPECT_EQ(detail_value(l.detail, "effective_scenario"), std::string(to_string(sc)));
  EXPECT_TRUE(l.accuracy.is_array());
  EXPECT_TRUE(l.trace.is_object());
  EXPECT_EQ(l.trace["traceEvents"].back()["name"], "LastTrace");

  const bool find_peak_invalid = mode == Mode::kFindPeakPerformance && sc != Scenario::kServer;
  const bool has_performance = mode != Mode::kAccuracyOnly && !find_peak_invalid;
  EXPECT_EQ(l.result.performance.has_value(), has_performance);
  if (has_performance) {
    EXPECT_EQ(l.fields.at("Result is"), "VALID") << l.summary;
    EXPECT_EQ(l.fields.at("Mode"), "PerformanceOnly");
    EXPECT_EQ(l.fields.at("Scenario"), std::string(to_string(sc)));
    EXPECT_EQ(detail_value(l.detail, "result_validity"), "VALID");
    EXPECT_EQ(keys.back(), "num_errors");
    EXPECT_EQ(detail_value(l.detail, "num_errors"), 0);
  } else {
    EXPECT_EQ(l.summary.find("MLPerf Results Summary"), std::string::npos);
  }
  if (mode == Mode::kPerformanceOnly) {
    size_t begins = 0, ends = 0;
    for (const auto& e : l.trace["traceEvents"]) {
      if (e.value("name", "") != "Sample") continue;
      begins += e["ph"] == "b";
      ends += e["ph"] == "e";
    }
    EXPECT_EQ(begins, l.result.performance->sample_count);
    EXPECT_EQ(ends, begins);
  }
  if (find_peak_invalid) {
    EXPECT_EQ(l.result.errors, 1);
  } else {
    EXPECT_EQ(l.result.errors, 0) << l.summary;
    EXPECT_NE(l.summary.find("No errors encountered during test."), std::string::npos);
  }
  if (mode == Mode::kAccuracyOnly || mode == Mode::kSubmission) {
    std::set<uint64_t> idx;
    for (const auto& e : l.accuracy) idx.insert(e["qsl_idx"].get<uint64_t>());
    EXPECT_EQ(idx.size(), 256u);  // every sample of the QSL, once
    EXPECT_EQ(*idx.rbegin(), 255u);
  }
}

INSTANTIATE_TEST_SUITE_P(
    AllScenariosAllModes, ScenarioModeTest,
    ::testing::Combine(::testing::Values(Scenario::kOffline, Scenario::kServer,
                                         Scenario::kSingleStream, Scenario::kMultiStream),
                       ::testing::Values(Mode::kPerformanceOnly, Mode::kAccuracyOnly,
                                         Mode::kSubmission, Mode::kFindPeakPerformance)),
    [](const auto& test) {
      return std::string(to_string(std::get<0>(test.param))) +
             std::string(to_string(std::get<1>(test.param)));
    });

TEST(RunTest, ShortOfflineRunMissesMinDuration) {
  TestSettings t = quick(Scenario::kOffline, Mode::kPerformanceOnly);
  t.min_duration_ms = 10000;
  t.offline_expected_qps = 1;  // 11 samples: done in far less than 10 s
  const Logs l = run_null("short_offline", t);
  EXPECT_EQ(l.fields.at("Result is"), "INVALID");
  EXPECT_EQ(l.fields.at("Min duration satisfied"), "NO");
  EXPECT_NE(l.summary.find(" * Increase expected QPS so the loadgen pre-generates a larger "
                           "(coalesced) query."),
            std::string::npos);
  EXPECT_EQ(detail_value(l.detail, "result_min_duration_met"), false);
  EXPECT_EQ(detail_value(l.detail, "result_validity"), "INVALID");
}

TEST(RunTest, SlowSutMakesServerTokenRunInvalidWithTpotRecommendation) {
  TestSettings t = quick(Scenario::kServer, Mode::kPerformanceOnly);
  t.use_token_latencies = true;
  t.server_ttft_latency = 50'000'000;  // 50 ms: met
  t.server_tpot_latency = 1'000'000;   // 1 ms: missed by a 3 ms TPOT
  t.server_target_qps = 500;
  sut::NullSutOptions o;
  o.n_tokens = 4;
  o.tpot_ms = 3;
  const Logs l = run_null("slow_server", t, o);
  EXPECT_EQ(l.fields.at("Result is"), "INVALID") << l.summary;
  EXPECT_EQ(l.fields.at("Performance constraints satisfied"), "NO");
  EXPECT_NE(l.summary.find(" * TPOT constrain not met: Reduce target QPS to improve latency."),
            std::string::npos)
      << l.summary;
  EXPECT_EQ(l.summary.find("TTFT constrain not met"), std::string::npos);
  // TPOT early stopping fails, so TTFT's is never evaluated (LoadGen's short-circuit).
  EXPECT_EQ(detail_value(l.detail, "early_stopping_ttft_result"), "");
  EXPECT_NE(detail_value(l.detail, "early_stopping_tpot_result").get<std::string>().find(
                "Run unsuccessful"),
            std::string::npos);
  const auto tpot99 = detail_value(l.detail, "result_time_per_output_token_99.00_percentile_ns");
  EXPECT_GE(tpot99.get<int64_t>(), 3'000'000);
  EXPECT_NE(l.summary.find("Completed tokens per second: "), std::string::npos);
  EXPECT_EQ(l.accuracy.size(), 0u);  // performance mode logs no responses by default
}

TEST(RunTest, ServerTokenRunValidAndAccuracyLogCarriesTokenData) {
  TestSettings t = quick(Scenario::kServer, Mode::kAccuracyOnly);
  t.use_token_latencies = true;
  const Logs l = run_null("server_tokens_accuracy", t);
  ASSERT_EQ(l.accuracy.size(), 256u);
  const auto& e = l.accuracy[0];
  EXPECT_EQ(e["token_count"], 128);
  EXPECT_EQ(e["token_data"], "E8030000");  // the null SUT's first token id, 1000
  EXPECT_EQ(e["data"].get<std::string>().substr(0, 16), "E8030000E9030000");
  EXPECT_EQ(e["data"].get<std::string>().size(), 128u * 8);
}

TEST(RunTest, OfflineTokenAccuracyEntriesHaveNoTokenData) {
  TestSettings t = quick(Scenario::kOffline, Mode::kAccuracyOnly);
  t.use_token_latencies = true;
  const Logs l = run_null("offline_tokens_accuracy", t);
  ASSERT_EQ(l.accuracy.size(), 256u);
  EXPECT_FALSE(l.accuracy[0].contains("token_data"));
  EXPECT_EQ(l.accuracy[0]["token_count"], 128);
}

TEST(RunTest, AccuracyRunFollowsTheGoldenServerOrder) {
  TestSettings t = v61_settings(Scenario::kServer, Mode::kAccuracyOnly);
  t.server_target_qps = 4000;
  const Logs l = run_null("golden_accuracy", t, {}, 256, 1024);
  ASSERT_EQ(l.accuracy.size(), 1024u);
  const std::vector<uint64_t> expected = {306, 81, 285, 800, 119, 683, 904, 255};
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(l.accuracy[i]["qsl_idx"], expected[i]);
    EXPECT_EQ(l.accuracy[i]["seq_id"], i);
  }
  const auto first_set = detail_value(l.detail, "loaded_qsl_set");  // the last chunk's
  EXPECT_EQ(first_set.size(), 256u);
}

TEST(RunTest, PerformanceRunLogsTheGoldenLoadedSet) {
  TestSettings t = quick(Scenario::kServer, Mode::kPerformanceOnly);
  const Logs l = run_null("golden_perf_set", t, {}, 256, 1024);
  const auto set = detail_value(l.detail, "loaded_qsl_set");
  const std::vector<uint64_t> expected = {216, 188, 112, 232, 230, 37, 58, 250};
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(set[i], expected[i]);
}

TEST(RunTest, SubmissionRunsAccuracyThenPerformance) {
  const Logs l = run_null("submission_order", quick(Scenario::kOffline, Mode::kSubmission));
  std::vector<std::string> messages;
  for (const auto& e : l.detail) {
    if (e.key == "generic_message") messages.push_back(e.value.get<std::string>());
  }
  ASSERT_GE(messages.size(), 2u);
  EXPECT_EQ(messages[0], "Starting accuracy mode");
  EXPECT_NE(std::find(messages.begin(), messages.end(), "Starting performance mode"),
            messages.end());
  EXPECT_EQ(detail_value(l.detail, "requested_test_mode"), "SubmissionRun");
}

TEST(RunTest, DetailLogKeyOrder) {
  TestSettings t = quick(Scenario::kServer, Mode::kPerformanceOnly);
  t.use_token_latencies = true;
  const Logs l = run_null("key_order", t);
  const auto keys = detail_keys(l.detail);
  auto pos = [&](const std::string& k) {
    return std::find(keys.begin(), keys.end(), k) - keys.begin();
  };
  const std::vector<std::string> ordered = {
      "loadgen_version", "test_datetime", "sut_name", "get_sut_name_duration_ns", "qsl_name",
      "qsl_reported_total_count", "qsl_reported_performance_count", "requested_scenario",
      "requested_server_target_qps", "requested_min_duration_ms", "requested_use_token_latencies",
      "requested_server_ttft_latency", "effective_scenario", "effective_samples_per_query",
      "effective_sample_concatenate_permutation", "loaded_qsl_set", "generated_query_count",
      "generated_samples_per_query", "generated_query_duration",
      "logger_swap_request_slots_retry_count", "power_begin", "power_end", "result_validity",
      "result_perf_constraints_met", "early_stopping_ttft_result", "result_query_count",
      "result_scheduled_samples_per_sec", "result_min_latency_ns",
      "result_first_token_min_latency_ns", "result_completed_tokens_per_second", "num_errors"};
  for (size_t i = 1; i < ordered.size(); ++i) {
    EXPECT_LT(pos(ordered[i - 1]), pos(ordered[i])) << ordered[i - 1] << " / " << ordered[i];
    EXPECT_LT(pos(ordered[i]), static_cast<ptrdiff_t>(keys.size())) << ordered[i];
  }
}

// A SUT that misbehaves in the ways LoadGen reports as errors.
class FaultySut : public SystemUnderTest {
 public:
  std::string name() const override { return "FaultySUT"; }
  void issue(std::span<const QuerySample> samples, Responder& r) override {
    const int32_t ids[2] = {5, 6};
    const auto data = std::as_bytes(std::span<const int32_t>(ids));
    for (const auto& s : samples) {
      const SampleResponse one{s.id, data, 1};  // n_tokens 1 and no first token
      r.complete({&one, 1});
      r.complete({&one, 1});  // twice
      const SampleResponse bogus{s.id + 1, data, 2};
      r.complete({&bogus, 1});  // not a sample id
    }
  }
};

TEST(RunTest, SutErrorsAreLoggedNotFatal) {
  TestSettings t = quick(Scenario::kServer, Mode::kPerformanceOnly);
  t.use_token_latencies = true;
  t.min_query_count = 10;
  t.min_duration_ms = 10;
  FaultySut sut;
  sut::NullSampleLibrary qsl(16, 16);
  LogSettings ls;
  ls.outdir = fresh_dir("faulty");
  const Logs l = read_logs(run(sut, qsl, t, ls));
  std::multiset<std::string> errors;
  for (const auto& e : l.detail) {
    if (e.is_error) errors.insert(e.value.get<std::string>());
  }
  const auto n = static_cast<size_t>(l.result.performance->outcome.queries_issued);
  EXPECT_EQ(errors.count("Attempted to complete a sample twice."), n);
  EXPECT_EQ(errors.count("Number of tokens need to be greater than 1"), n);
  EXPECT_EQ(errors.count("Attempted to record a sample latency before it's first token latency"),
            n);
  EXPECT_EQ(l.result.errors, static_cast<int>(4 * n));
  EXPECT_NE(l.summary.find(std::to_string(4 * n) + " ERRORS encountered. See detailed log."),
            std::string::npos);
}

TEST(RunTest, StopRequestEndsTheRunAndStillWritesLogs) {
  TestSettings t = quick(Scenario::kServer, Mode::kPerformanceOnly);
  t.min_duration_ms = 60000;
  t.server_target_qps = 100;
  std::atomic<bool> stop{false};
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    stop = true;
  });
  StartOptions ro;
  ro.stop = &stop;
  const auto start = std::chrono::steady_clock::now();
  const Logs l = run_null("interrupted", t, {}, 64, 256, ro);
  stopper.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_TRUE(l.result.interrupted);
  EXPECT_EQ(l.fields.at("Result is"), "INVALID");
  EXPECT_NE(l.summary.find("The run was interrupted"), std::string::npos);
  EXPECT_GT(l.result.performance->sample_count, 5u);
}

// Answers every sample; at the fifth, notes an event, an error and that the run is invalid.
class FailingNetworkSut final : public SystemUnderTest {
 public:
  std::string name() const override { return "FailingNetworkSut"; }
  void issue(std::span<const QuerySample> samples, Responder& r) override {
    static const int32_t ids[2] = {5, 6};
    const auto data = std::as_bytes(std::span<const int32_t>(ids));
    for (const QuerySample& s : samples) {
      if (++issued_ == 5) {
        r.note(SutNote::kInfo, "node b joined");
        r.note(SutNote::kError, "sample failed: HTTP 500");
        r.note(SutNote::kRunInvalid, "no endpoint is left");
      }
      const SampleResponse first{s.id, data.first(4), 1};
      r.first_token({&first, 1});
      const SampleResponse done{s.id, data, 2};
      r.complete({&done, 1});
    }
  }

 private:
  int issued_ = 0;
};

TEST(RunTest, SutNotesReachTheDetailLogAndCanInvalidateTheRun) {
  TestSettings t = quick(Scenario::kServer, Mode::kPerformanceOnly);
  t.use_token_latencies = true;
  t.min_duration_ms = 60000;  // stopped long before by the SUT's failure
  t.server_target_qps = 200;
  FailingNetworkSut sut;
  sut::NullSampleLibrary qsl(16, 16);
  LogSettings ls;
  ls.outdir = fresh_dir("sut_invalid");
  const auto start = std::chrono::steady_clock::now();
  const Logs l = read_logs(run(sut, qsl, t, ls));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_FALSE(l.result.interrupted);
  EXPECT_EQ(l.result.sut_invalid_reason, "no endpoint is left");
  EXPECT_EQ(l.fields.at("Result is"), "INVALID");
  EXPECT_NE(l.summary.find("The system under test failed: no endpoint is left"),
            std::string::npos);
  EXPECT_NE(detail_value(l.detail, "result_invalid_reason").get<std::string>().find(
                "no endpoint is left"),
            std::string::npos);
  std::set<std::string> messages, errors;
  for (const auto& e : l.detail) {
    if (!e.value.is_string()) continue;
    (e.is_error ? errors : messages).insert(e.value.get<std::string>());
  }
  EXPECT_TRUE(messages.count("SUT: node b joined"));
  EXPECT_TRUE(errors.count("SUT: sample failed: HTTP 500"));
  EXPECT_TRUE(errors.count("SUT: the run is invalid: no endpoint is left"));
}

TEST(RunTest, MaxAsyncQueriesEndsServerEarly) {
  TestSettings t = quick(Scenario::kServer, Mode::kPerformanceOnly);
  t.server_max_async_queries = 2;
  sut::NullSutOptions o;
  o.ttft_ms = 50;  // every query stays outstanding for 50 ms
  o.tpot_ms = 0;
  const Logs l = run_null("max_async", t, o);
  bool found = false;
  for (const auto& e : l.detail) {
    if (e.is_error && e.value.get<std::string>().find("Too many outstanding queries") !=
                          std::string::npos) {
      found = true;
    }
  }
  EXPECT_TRUE(found);
  EXPECT_EQ(l.fields.at("Result is"), "INVALID");
}

TEST(RunTest, AuditConfigSamplesAboutOneHundredAccuracyEntries) {
  const fs::path audit = fresh_dir("audit_conf");
  fs::create_directories(audit);
  std::ofstream(audit / "audit.config")
      << "*.*.mode = 2\n*.*.accuracy_log_rng_seed = 720381539243781796\n"
         "*.*.accuracy_log_sampling_target = 100\n*.*.min_query_count = 100\n"
         "*.*.min_duration = 0\n*.*.sample_concatenate_permutation = 0\n";
  TestSettings t = quick(Scenario::kOffline, Mode::kAccuracyOnly);
  t.sample_concatenate_permutation = true;
  StartOptions ro;
  ro.audit_config = audit / "audit.config";
  const Logs l = run_null("audit_run", t, {}, 1000, 1000, ro);
  EXPECT_EQ(detail_value(l.detail, "effective_test_mode"), "PerformanceOnly");
  EXPECT_EQ(detail_value(l.detail, "effective_sample_concatenate_permutation"), false);
  EXPECT_GT(l.accuracy.size(), 50u);
  EXPECT_LT(l.accuracy.size(), 200u);
  int audit_warnings = 0;
  for (const auto& e : l.detail) {
    if (e.is_warning && e.value.get<std::string>().find("Found Audit Config file") == 0) {
      ++audit_warnings;
    }
  }
  EXPECT_EQ(audit_warnings, 1);
}

TEST(RunTest, FindPeakStopsBelowTheCapacityOfASerialSut) {
  TestSettings t = quick(Scenario::kServer, Mode::kFindPeakPerformance);
  t.server_target_qps = 200;
  // A limit well above the scheduling stalls of a loaded 2-core machine (ctest -j2 beside other
  // builds stalled the SUT's thread for more than 50 ms in 1% of samples at 100 QPS).
  t.server_target_latency_ns = 200'000'000;
  t.server_find_peak_qps_decimals_of_precision = -2;
  t.min_query_count = 1200;  // enough queries for p99 early stopping at every probe
  sut::NullSutOptions o;
  // Capacity 1000 samples/s: at 1500 QPS the backlog grows by 500 samples/s, so over the 0.8 s of
  // 1200 queries it reaches 400 samples (400 ms) and the p99 latency exceeds 200 ms.
  o.serial_ms = 1;
  const Logs l = run_null("find_peak", t, o);
  ASSERT_TRUE(l.result.performance.has_value());
  const double peak = l.result.performance->settings.target_qps;
  // The lower bound is not asserted beyond the start: a loaded machine can stall the null SUT's
  // thread for longer than the limit at any rate. The upper bound cannot be passed: above
  // capacity the backlog alone exceeds the limit.
  EXPECT_GE(peak, 200);
  EXPECT_LT(peak, 1500);
  EXPECT_TRUE(l.result.performance->perf_constraints_met);
  EXPECT_EQ(l.fields.at("Performance constraints satisfied"), "Yes");
  bool found = false;
  for (const auto& e : l.detail) {
    if (e.key == "generic_message" &&
        e.value.get<std::string>().rfind("FindPeakPerformance: Found peak performance field: ",
                                         0) == 0) {
      found = true;
    }
  }
  EXPECT_TRUE(found);
}

TEST(RunTest, CoalescedServerQueriesAllComplete) {
  TestSettings t = quick(Scenario::kServer, Mode::kPerformanceOnly);
  t.server_coalesce_queries = true;
  t.server_target_qps = 20000;
  const Logs l = run_null("coalesce", t);
  EXPECT_EQ(l.result.errors, 0);
  EXPECT_EQ(l.result.performance->sample_count, l.result.performance->outcome.queries_issued);
}

TEST(RunTest, MultipleIssueThreadsIssueEveryQuery) {
  TestSettings t = quick(Scenario::kServer, Mode::kPerformanceOnly);
  t.server_num_issue_query_threads = 3;
  const Logs l = run_null("issue_threads", t);
  EXPECT_EQ(l.result.errors, 0);
  EXPECT_EQ(l.result.performance->outcome.queries_issued,
            detail_value(l.detail, "generated_query_count").get<uint64_t>());
}

// Settings a run cannot use are refused before any query is generated or file written, with an
// error naming the setting and where it came from.
struct BadSettings {
  std::string name;
  Scenario scenario;
  std::function<void(TestSettings&, SettingsOrigins&)> change;
  std::string expect;  // in the error message
  uint64_t psc = 64;
};

void PrintTo(const BadSettings& c, std::ostream* os) { *os << c.name; }

class BadSettingsTest : public ::testing::TestWithParam<BadSettings> {};

TEST_P(BadSettingsTest, RefusedBeforeAnythingIsWritten) {
  const BadSettings& c = GetParam();
  TestSettings t = quick(c.scenario, Mode::kPerformanceOnly);
  StartOptions start;
  c.change(t, start.settings_origins);
  sut::NullSut sut({});
  sut::NullSampleLibrary qsl(256, c.psc);
  LogSettings ls;
  ls.outdir = fresh_dir("bad_settings_" + c.name);
  try {
    run(sut, qsl, t, ls, start);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(c.expect), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(ls.outdir));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BadSettingsTest,
    ::testing::Values(
        BadSettings{"server_qps_zero", Scenario::kServer,
                    [](TestSettings& ts, SettingsOrigins& o) {
                      ts.server_target_qps = 0;
                      o["server_target_qps"] = "user.conf:7: *.Server.target_qps = 0";
                    },
                    "user.conf:7: *.Server.target_qps = 0: "},
        BadSettings{"server_qps_negative", Scenario::kServer,
                    [](TestSettings& ts, SettingsOrigins&) { ts.server_target_qps = -5; },
                    "server_target_qps = -5: "},
        BadSettings{"server_qps_nan", Scenario::kServer,
                    [](TestSettings& ts, SettingsOrigins&) { ts.server_target_qps = NAN; },
                    "server_target_qps"},
        BadSettings{"offline_qps_zero", Scenario::kOffline,
                    [](TestSettings& ts, SettingsOrigins&) { ts.offline_expected_qps = 0; },
                    "offline_expected_qps"},
        BadSettings{"single_stream_latency_zero", Scenario::kSingleStream,
                    [](TestSettings& ts, SettingsOrigins&) {
                      ts.single_stream_expected_latency_ns = 0;
                    },
                    "single_stream_expected_latency_ns"},
        BadSettings{"multi_stream_spq_zero", Scenario::kMultiStream,
                    [](TestSettings& ts, SettingsOrigins&) {
                      ts.multi_stream_samples_per_query = 0;
                    },
                    "multi_stream_samples_per_query = 0: "},
        BadSettings{"multi_stream_spq_above_loaded", Scenario::kMultiStream,
                    [](TestSettings&, SettingsOrigins& o) {
                      o["sample_library"] = "--qsl-size 3";
                    },
                    "only 3 samples are loaded at once (--qsl-size 3)", 3},
        BadSettings{"percentile_zero", Scenario::kServer,
                    [](TestSettings& ts, SettingsOrigins&) {
                      ts.server_target_latency_percentile = 0;
                    },
                    "server_target_latency_percentile"},
        BadSettings{"percentile_one", Scenario::kMultiStream,
                    [](TestSettings& ts, SettingsOrigins&) {
                      ts.multi_stream_target_latency_percentile = 1;
                    },
                    "multi_stream_target_latency_percentile"},
        BadSettings{"percentile_above_one", Scenario::kSingleStream,
                    [](TestSettings& ts, SettingsOrigins&) {
                      ts.single_stream_target_latency_percentile = 90;
                    },
                    "single_stream_target_latency_percentile"},
        BadSettings{"duration_overflows", Scenario::kOffline,
                    [](TestSettings& ts, SettingsOrigins&) { ts.min_duration_ms = UINT64_MAX / 2; },
                    "min_duration_ms"},
        BadSettings{"no_queries", Scenario::kServer,
                    [](TestSettings& ts, SettingsOrigins&) {
                      ts.min_duration_ms = 0;
                      ts.min_query_count = 0;
                    },
                    "min_query_count"},
        BadSettings{"offline_no_samples", Scenario::kOffline,
                    [](TestSettings& ts, SettingsOrigins&) {
                      ts.min_query_count = 0;
                      ts.offline_expected_qps = 0.5;
                      ts.min_duration_ms = 1;
                    },
                    "Offline"},
        BadSettings{"issue_same_index_outside", Scenario::kServer,
                    [](TestSettings& ts, SettingsOrigins&) {
                      ts.performance_issue_same = true;
                      ts.performance_issue_same_index = 64;
                    },
                    "performance_issue_same_index = 64"},
        BadSettings{"plan_too_large", Scenario::kServer,
                    [](TestSettings& ts, SettingsOrigins&) {
                      ts.server_target_qps = 1e9;
                      ts.min_duration_ms = 600000;
                    },
                    "pre-generate"}),
    [](const auto& test) { return test.param.name; });

TEST(RunTest, ValidSettingsAtTheLimitsRun) {
  TestSettings t = quick(Scenario::kMultiStream, Mode::kPerformanceOnly);
  t.multi_stream_samples_per_query = 8;  // exactly the loaded samples
  t.multi_stream_target_latency_percentile = 0.999;
  t.min_query_count = 20;
  const Logs l = run_null("limits_multistream", t, {}, 8, 8);
  EXPECT_EQ(l.result.errors, 0) << l.summary;
}

TEST(RunTest, RefusesBadSampleLibraryBeforeWritingAnything) {
  sut::NullSut sut({});
  sut::NullSampleLibrary qsl(10, 20);
  LogSettings ls;
  ls.outdir = fresh_dir("bad_qsl");
  EXPECT_THROW(run(sut, qsl, quick(Scenario::kOffline, Mode::kPerformanceOnly), ls), Error);
  EXPECT_FALSE(fs::exists(ls.outdir));
}

}  // namespace
}  // namespace infermark::loadgen

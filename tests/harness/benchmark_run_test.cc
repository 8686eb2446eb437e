// The benchmark run plans with the null SUT over the bundled sample set: the submission layout
// on disk, accuracy scored, TEST06 checked, run.json written; and the benchmark's names and rules.
#include "harness/benchmark_run.h"

#include "loadgen/conf_file.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include "dataset/sample_set.h"
#include "loadgen/response_gate.h"
#include "sut/null_sut.h"
#include "util/atomic_file.h"
#include "util/error.h"
#include "util/json.h"

namespace infermark::harness {
namespace {

namespace fs = std::filesystem;

const dataset::SampleSet& bundled() {
  static const dataset::SampleSet set = dataset::SampleSet::load(
      fs::path(std::getenv("INFERMARK_SOURCE_DIR")) / "data" / "cnn_eval_sample.json");
  return set;
}

fs::path fresh(const std::string& name) {
  const fs::path p = fs::path(::testing::TempDir()) / ("harness_" + name);
  fs::remove_all(p);
  return p;
}

BenchmarkRunOptions quick_options(BenchmarkScenario sc, loadgen::Mode mode, const fs::path& out) {
  BenchmarkRunOptions o;
  o.benchmark = make_benchmark(sc, false);
  o.mode = mode;
  o.output = out;
  o.system_name = "test system";
  o.quick = true;
  o.progress = false;
  o.decode = [](std::span<const int32_t>) { return std::string("A short summary. Of news."); };
  o.punkt_dir = fs::path(std::getenv("INFERMARK_SOURCE_DIR")) / "tests/fixtures/punkt_tab";
  const fs::path conf = out.parent_path() / (out.filename().string() + ".conf");
  std::ofstream(conf) << "*.Server.target_qps = 400\n";
  o.user_conf = conf.string();
  return o;
}

TEST(BenchmarkTest, NamesAndKeys) {
  const Benchmark inter = make_benchmark(BenchmarkScenario::kInteractive, false);
  EXPECT_EQ(inter.loadgen_scenario(), loadgen::Scenario::kServer);
  EXPECT_EQ(inter.model_key(), "llama3_1-8b-interactive");
  EXPECT_EQ(inter.folder_name(), "llama3.1-8b");
  const Benchmark edge = make_benchmark(BenchmarkScenario::kSingleStream, true);
  EXPECT_EQ(edge.model_key(), "llama3_1-8b-edge");
  EXPECT_EQ(edge.folder_name(), "llama3.1-8b-edge");
  EXPECT_EQ(edge.official_sample_count(), 5000u);
  EXPECT_FALSE(edge.needs_test06());
  EXPECT_THROW(make_benchmark(BenchmarkScenario::kServer, true), Error);
  EXPECT_EQ(parse_benchmark_scenario("Interactive"), BenchmarkScenario::kInteractive);
  EXPECT_FALSE(parse_benchmark_scenario("interactive").has_value());
}

TEST(BenchmarkTest, RealRulesHaveNoViolationsAndQuickHasSeveral) {
  const Benchmark b = make_benchmark(BenchmarkScenario::kOffline, false);
  loadgen::SettingsSources src{b.model_key(), b.loadgen_scenario(),
                               loadgen::Mode::kPerformanceOnly, "", ""};
  loadgen::TestSettings s = loadgen::load_settings(src).settings;
  EXPECT_TRUE(submission_rule_violations(b, s, 13368).empty());
  EXPECT_EQ(submission_rule_violations(b, s, 34).size(), 1u);  // dataset too small
  apply_quick_settings(s, 34);
  EXPECT_GE(submission_rule_violations(b, s, 34).size(), 3u);
}

TEST(BenchmarkRunTest, SubmissionWritesTheSubmissionLayout) {
  const fs::path out = fresh("submission");
  sut::NullSut sut({});
  DatasetQsl qsl(bundled());
  const auto o = quick_options(BenchmarkScenario::kServer, loadgen::Mode::kSubmission, out);
  const BenchmarkRunResult r = run_benchmark(o, sut, qsl);
  EXPECT_FALSE(r.interrupted);
  ASSERT_EQ(r.phases.size(), 3u);
  const fs::path sc = out / "results" / "test_system" / "llama3.1-8b" / "Server";
  for (const fs::path& f :
       {out / "systems" / "test_system.json", sc / "measurements.json", sc / "user.conf",
        sc / "performance/run_1/mlperf_log_summary.txt",
        sc / "performance/run_1/mlperf_log_detail.txt", sc / "performance/run_1/run.json",
        sc / "accuracy/accuracy.txt", sc / "accuracy/mlperf_log_accuracy.json",
        sc / "accuracy/mlperf_log_summary.txt", sc / "accuracy/mlperf_log_detail.txt",
        sc / "TEST06/verify_accuracy.txt", sc / "TEST06/accuracy/mlperf_log_accuracy.json"}) {
    EXPECT_TRUE(fs::exists(f)) << f;
  }
  const std::string acc = util::read_file(sc / "accuracy/accuracy.txt");
  EXPECT_NE(acc.find("'gen_num': 34"), std::string::npos) << acc;
  EXPECT_NE(acc.find("hash="), std::string::npos);
  const std::string verify = util::read_file(sc / "TEST06/verify_accuracy.txt");
  EXPECT_NE(verify.find("First token check pass: True"), std::string::npos) << verify;
  EXPECT_NE(verify.find("TEST06 verification complete"), std::string::npos);

  const auto system = util::parse_json(util::read_file(out / "systems/test_system.json"), "sys");
  for (const char* k : {"division", "submitter", "status", "system_name", "host_processor_model_name",
                        "host_memory_capacity", "accelerators_per_node", "framework",
                        "operating_system", "accelerator_on-chip_memories", "system_type_detail"}) {
    EXPECT_TRUE(system.contains(k)) << k;
  }
  const auto run = util::parse_json(util::read_file(sc / "performance/run_1/run.json"), "run");
  EXPECT_EQ(run["benchmark"]["model_key"], "llama3_1-8b");
  EXPECT_EQ(run["quick"], true);
  EXPECT_EQ(run["valid_for_submission"], false);
  EXPECT_FALSE(run["rule_violations"].empty());
  EXPECT_EQ(run["performance"]["ttft_ns"]["limit"], 2000000000);
  EXPECT_EQ(r.phases[0].accuracy->gen_num, 34);
  EXPECT_TRUE(r.phases[2].test06->passed());
}

TEST(BenchmarkRunTest, InteractiveUsesItsOwnLimitsAndFolder) {
  const fs::path out = fresh("interactive");
  sut::NullSut sut({});
  DatasetQsl qsl(bundled());
  const auto o =
      quick_options(BenchmarkScenario::kInteractive, loadgen::Mode::kPerformanceOnly, out);
  const BenchmarkRunResult r = run_benchmark(o, sut, qsl);
  ASSERT_EQ(r.phases.size(), 1u);
  const auto& p = *r.phases[0].run.performance;
  EXPECT_EQ(p.settings.server_ttft_latency, 500000000u);
  EXPECT_EQ(p.settings.server_tpot_latency, 30000000u);
  EXPECT_TRUE(fs::exists(out / "results/test_system/llama3.1-8b/Interactive/performance/run_1"));
}

TEST(BenchmarkRunTest, FindPeakIsOnlyForServerScenarios) {
  sut::NullSut sut({});
  DatasetQsl qsl(bundled());
  const auto o = quick_options(BenchmarkScenario::kOffline, loadgen::Mode::kFindPeakPerformance,
                               fresh("find_peak"));
  EXPECT_THROW(run_benchmark(o, sut, qsl), Error);
}

// A null SUT that notes what it is handed, and can fail on its `throw_at`-th issue() (0: never).
class WatchedSut final : public loadgen::SystemUnderTest {
 public:
  explicit WatchedSut(uint64_t throw_at = 0) : inner_(sut::NullSutOptions{}), throw_at_(throw_at) {}
  std::string name() const override { return "WatchedSUT"; }
  void issue(std::span<const loadgen::QuerySample> samples, loadgen::Responder& r) override {
    if (dynamic_cast<loadgen::ResponseGate*>(&r) == nullptr) wrapped_ = true;
    if (++calls_ == throw_at_) throw std::runtime_error("device lost");
    inner_.issue(samples, r);
  }
  // Whether some issue() got a Responder other than the load generator's own.
  bool wrapped() const { return wrapped_; }

 private:
  sut::NullSut inner_;
  const uint64_t throw_at_;
  std::atomic<uint64_t> calls_{0};
  std::atomic<bool> wrapped_{false};
};

// Progress is counted inside the load generator, lock-free, and only when shown: the SUT is
// handed the load generator's responder, never a counting wrapper on the measured path.
TEST(BenchmarkRunTest, TheSutAnswersTheLoadGeneratorDirectlyWithOrWithoutProgress) {
  for (const bool progress : {false, true}) {
    WatchedSut sut;
    DatasetQsl qsl(bundled());
    auto o = quick_options(BenchmarkScenario::kServer, loadgen::Mode::kPerformanceOnly,
                           fresh(progress ? "progress_on" : "progress_off"));
    o.progress = progress;
    const BenchmarkRunResult r = run_benchmark(o, sut, qsl);
    ASSERT_EQ(r.phases.size(), 1u);
    EXPECT_GT(r.phases[0].run.performance->sample_count, 0u);
    EXPECT_FALSE(sut.wrapped()) << "progress " << progress;
  }
}

TEST(BenchmarkRunTest, ASutFailureEndsTheBenchmarkAndIsRecorded) {
  const fs::path out = fresh("sut_failure");
  WatchedSut sut(5);
  DatasetQsl qsl(bundled());
  const auto o = quick_options(BenchmarkScenario::kServer, loadgen::Mode::kSubmission, out);
  const BenchmarkRunResult r = run_benchmark(o, sut, qsl);
  ASSERT_TRUE(r.failure.has_value());
  EXPECT_EQ(*r.failure, "device lost");
  ASSERT_EQ(r.phases.size(), 1u);  // accuracy failed: no performance phase, no TEST06
  EXPECT_EQ(r.phases[0].name, "accuracy");
  const fs::path sc = out / "results" / "test_system" / "llama3.1-8b" / "Server";
  EXPECT_FALSE(fs::exists(sc / "performance"));
  const auto run = util::parse_json(util::read_file(sc / "accuracy/run.json"), "run");
  EXPECT_EQ(run["sut_failure"], "device lost");
}

}  // namespace
}  // namespace infermark::harness

// End to end on a generated tiny model with the real Llama-3.1 tokenizer: `infermark run` in
// every scenario and mode completes; accuracy mode yields a scored accuracy.txt; a submission run
// produces the full results tree; `infermark accuracy` and `compliance test06` agree with it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "support/cli_runner.h"
#include "util/atomic_file.h"
#include "util/json.h"

namespace {

namespace fs = std::filesystem;

using Outcome = infermark::test_support::CliResult;

// This process's scratch folder: ctest runs each test of the binary in its own process, two
// at a time, so nothing here may be shared between processes.
fs::path temp_root() {
  return fs::path(::testing::TempDir()) / ("e2e_" + std::to_string(::getpid()));
}
fs::path temp(const std::string& name) { return temp_root() / name; }

Outcome cli(const std::string& args) { return infermark::test_support::run_infermark(args); }

// The small Punkt parameter set written for the tests (NLTK's English one is not in the repo).
std::string punkt_fixture() {
  return (fs::path(std::getenv("INFERMARK_SOURCE_DIR")) / "tests/fixtures/punkt_tab").string();
}

// A tiny model and the first 6 bundled samples, made once for the whole test binary.
class E2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    fs::create_directories(temp_root());
    model_ = temp("model");
    {
      const std::string tok = std::string(std::getenv("INFERMARK_BUILD_DIR")) + "/llama3-tokenizer";
      const Outcome o = cli("make-model --shape tiny --out " + model_.string() + " --tokenizer " +
                            tok + " --seed 7");
      ASSERT_EQ(o.exit_code, 0) << o.err;
    }
    auto all = infermark::util::parse_json(
        infermark::util::read_file(fs::path(std::getenv("INFERMARK_SOURCE_DIR")) / "data" /
                                   "cnn_eval_sample.json"),
        "bundled");
    infermark::util::Json six = infermark::util::Json::array();
    for (int i = 0; i < 6; ++i) six.push_back(all[i]);
    dataset_ = temp("six.json");
    infermark::util::write_file_atomic(dataset_, six.dump(4));
    conf_ = temp("user.conf");
    std::ofstream(conf_) << "*.Server.target_qps = 20\n*.SingleStream.target_latency = 50\n";
  }

  Outcome run(const std::string& scenario, const std::string& mode, const fs::path& out,
              const std::string& scoring = " --punkt " + punkt_fixture()) {
    fs::remove_all(out);
    return cli("run --model " + model_.string() + " --dataset " + dataset_.string() +
               " --scenario " + scenario + " --mode " + mode + " --quick --no-progress" +
               " --system e2e --user-conf " + conf_.string() + " --output " + out.string() +
               scoring);
  }

  static void TearDownTestSuite() { fs::remove_all(temp_root()); }

  static fs::path model_, dataset_, conf_;
};
fs::path E2eTest::model_, E2eTest::dataset_, E2eTest::conf_;

TEST_F(E2eTest, EveryScenarioAndModeCompletes) {
  for (const std::string scenario : {"Offline", "Server", "SingleStream", "Interactive"}) {
    for (const std::string mode : {"performance", "accuracy", "submission", "find-peak"}) {
      const fs::path out = temp("matrix_" + scenario + "_" + mode);
      const Outcome o = run(scenario, mode, out);
      const bool server_like = scenario == "Server" || scenario == "Interactive";
      if (mode == "find-peak" && !server_like) {
        EXPECT_NE(o.exit_code, 0) << scenario;
        EXPECT_NE(o.err.find("find-peak"), std::string::npos) << o.err;
        continue;
      }
      ASSERT_EQ(o.exit_code, 0) << scenario << " " << mode << "\n" << o.out << o.err;
      const fs::path sc = out / "results/e2e/llama3.1-8b" / scenario;
      const fs::path dir = mode == "accuracy" ? sc / "accuracy" : sc / "performance/run_1";
      EXPECT_TRUE(fs::exists(dir / "mlperf_log_summary.txt")) << dir;
      EXPECT_TRUE(fs::exists(dir / "run.json")) << dir;
      // The report names the MLPerf scenario (Interactive, though LoadGen ran a Server test).
      EXPECT_NE(infermark::util::read_file(dir / "report.html").find("<h1>" + scenario),
                std::string::npos)
          << dir;
      if (mode == "submission") {
        EXPECT_TRUE(fs::exists(sc / "accuracy/accuracy.txt")) << scenario;
        EXPECT_EQ(fs::exists(sc / "TEST06/verify_accuracy.txt"), true) << scenario;
      }
      if (mode == "accuracy") {
        const std::string acc = infermark::util::read_file(dir / "accuracy.txt");
        EXPECT_NE(acc.find("'gen_num': 6"), std::string::npos) << acc;
      } else {
        const auto run =
            infermark::util::parse_json(infermark::util::read_file(dir / "run.json"), "run.json");
        EXPECT_EQ(run["performance"]["samples"].get<int>() % 6, 0) << run.dump(2);
        EXPECT_GT(run["performance"]["tokens"].get<int>(), 0);
      }
    }
  }
}

// --quantize: measurements.json, systems/<system>.json and run.json state the precision that
// ran; a later run of another precision into the same tree replaces it and says so.
TEST_F(E2eTest, PrecisionIsStatedInMeasurementsSystemAndRunJson) {
  using infermark::util::parse_json;
  using infermark::util::read_file;
  const fs::path out = temp("quantized");
  const Outcome q = run("Offline", "performance", out, " --quantize int4 --quantize-lm-head int8");
  ASSERT_EQ(q.exit_code, 0) << q.out << q.err;
  const fs::path sc = out / "results/e2e/llama3.1-8b/Offline";
  const auto measurements = parse_json(read_file(sc / "measurements.json"), "measurements");
  const auto system = parse_json(read_file(out / "systems/e2e.json"), "system");
  const auto run_json = parse_json(read_file(sc / "performance/run_1/run.json"), "run.json");
  const std::string weights = measurements["weight_data_types"];
  EXPECT_EQ(weights, "int4-g128 (lm_head int8)");
  EXPECT_EQ(measurements["weight_transformations"],
            "quantized on load (--quantize int4 --quantize-lm-head int8)");
  EXPECT_EQ(system["weight_data_types"], weights);
  const auto& model = run_json["metadata"]["model"];
  EXPECT_EQ(model["weight_precision"], weights);
  EXPECT_EQ(system["activation_data_types"], model["activation_precision"]);
  EXPECT_EQ(model["quantized_on_load"], "int4");
  EXPECT_EQ(model["lm_head_quantized_on_load"], "int8");

  const Outcome plain =
      cli("run --model " + model_.string() + " --dataset " + dataset_.string() +
          " --scenario Offline --mode performance --quick --no-progress --system e2e --user-conf " +
          conf_.string() + " --output " + out.string());
  ASSERT_EQ(plain.exit_code, 0) << plain.out << plain.err;
  const auto after = parse_json(read_file(out / "systems/e2e.json"), "system");
  EXPECT_EQ(after["weight_data_types"].get<std::string>().find("int4"), std::string::npos)
      << after.dump(2);
  EXPECT_NE(plain.out.find("note: weight_data_types of the system description was"),
            std::string::npos)
      << plain.out;
}

TEST_F(E2eTest, SubmissionProducesTheFullTreeAndToolsAgree) {
  const fs::path out = temp("submission");
  const Outcome o = run("Server", "submission", out);
  ASSERT_EQ(o.exit_code, 0) << o.out << o.err;
  EXPECT_NE(o.out.find("Not valid for an MLPerf submission"), std::string::npos) << o.out;
  const fs::path sc = out / "results/e2e/llama3.1-8b/Server";
  for (const char* f :
       {"performance/run_1/mlperf_log_summary.txt", "performance/run_1/mlperf_log_detail.txt",
        "accuracy/accuracy.txt", "accuracy/mlperf_log_accuracy.json", "TEST06/verify_accuracy.txt",
        "TEST06/accuracy/mlperf_log_accuracy.json", "measurements.json", "user.conf"}) {
    EXPECT_TRUE(fs::exists(sc / f)) << f;
  }
  EXPECT_TRUE(fs::exists(out / "systems/e2e.json"));
  const std::string verify = infermark::util::read_file(sc / "TEST06/verify_accuracy.txt");
  EXPECT_NE(verify.find("First token check pass: True"), std::string::npos) << verify;
  EXPECT_NE(verify.find("EOS check pass: True"), std::string::npos) << verify;
  EXPECT_NE(verify.find("Sample length check pass: True"), std::string::npos) << verify;

  // results/ keeps the accuracy log in MLPerf's truncated form; the whole one is under logs/.
  // Re-scoring it with the standalone command gives the same accuracy.txt.
  const fs::path whole = out / "logs/e2e/llama3.1-8b/Server/accuracy/mlperf_log_accuracy.json";
  const std::string original = infermark::util::read_file(sc / "accuracy/accuracy.txt");
  const Outcome rescored =
      cli("accuracy --log " + whole.string() + " --dataset " + dataset_.string() +
          " --tokenizer " + model_.string() + " --out " + temp("rescored.txt").string() +
          " --punkt " + punkt_fixture());
  EXPECT_EQ(infermark::util::read_file(temp("rescored.txt")), original) << rescored.err;

  const Outcome t06 = cli("compliance test06 --run " + whole.parent_path().string() +
                          " --scenario Server --out " + temp("t06").string());
  EXPECT_EQ(t06.exit_code, 0) << t06.out << t06.err;
}

// HOME and NLTK_DATA pointed at an empty folder, so no Punkt data can be found.
class NoPunktEnvironment {
 public:
  explicit NoPunktEnvironment(const fs::path& home) : home_(home) {
    fs::create_directories(home);
    if (const char* h = std::getenv("HOME")) saved_home_ = h;
    ::setenv("HOME", home.c_str(), 1);
    ::setenv("NLTK_DATA", (home / "none").c_str(), 1);
  }
  ~NoPunktEnvironment() {
    ::setenv("HOME", saved_home_.c_str(), 1);
    ::unsetenv("NLTK_DATA");
  }

 private:
  fs::path home_;
  std::string saved_home_;
};

TEST_F(E2eTest, WithoutPunktDataAccuracyStopsBeforeTheRunUnlessApproximationIsAsked) {
  NoPunktEnvironment env(temp("empty_home"));
  const fs::path out = temp("no_punkt");
  const Outcome refused = run("Offline", "accuracy", out, "");
  EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("python3 -m nltk.downloader punkt_tab"), std::string::npos)
      << refused.err;
  EXPECT_FALSE(fs::exists(out / "results")) << "nothing is run or written without Punkt data";

  const Outcome approx = run("Offline", "accuracy", out, " --approximate-sentence-split");
  ASSERT_EQ(approx.exit_code, 0) << approx.out << approx.err;
  EXPECT_NE(approx.out.find("NOT COMPARABLE WITH MLPERF"), std::string::npos) << approx.out;
  const fs::path dir = out / "results/e2e/llama3.1-8b/Offline/accuracy";
  EXPECT_NE(infermark::util::read_file(dir / "accuracy.txt").find("NOT COMPARABLE WITH MLPERF"),
            std::string::npos);
  EXPECT_NE(infermark::util::read_file(dir / "report.html").find("NOT COMPARABLE WITH MLPERF"),
            std::string::npos);
}

TEST_F(E2eTest, CtrlCStopsCleanlyWithLogsMarkedInterrupted) {
  const fs::path out = temp("interrupted");
  fs::remove_all(out);
  const fs::path rc_file = temp("interrupted.rc");
  // A Server run at the real 600 s minimum, stopped by SIGINT after 4 s.
  std::string cmd = "(";  // built step by step: GCC 12 warns (-Wrestrict) on "(" + string
  cmd += std::getenv("INFERMARK_BIN");
  cmd += " run --model " + model_.string() + " --dataset " + dataset_.string() +
         " --scenario Server --no-progress --system e2e --output " + out.string() +
         " >/dev/null 2>&1 & p=$!; sleep 4; kill -INT $p; " + "wait $p; echo $? >" +
         rc_file.string() + ")";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  EXPECT_EQ(infermark::util::read_file(rc_file), "130\n");
  const fs::path run = out / "results/e2e/llama3.1-8b/Server/performance/run_1";
  const std::string summary = infermark::util::read_file(run / "mlperf_log_summary.txt");
  EXPECT_NE(summary.find("Result is : INVALID"), std::string::npos) << summary;
  EXPECT_NE(summary.find("The run was interrupted"), std::string::npos) << summary;
  EXPECT_NE(infermark::util::read_file(run / "mlperf_log_detail.txt").find("Run interrupted"),
            std::string::npos);
  for (const auto& e : fs::directory_iterator(run)) {
    EXPECT_EQ(e.path().string().find(".tmp."), std::string::npos) << e.path();
  }
}

}  // namespace

// MLPerf's submission checker (tools/submission/submission_checker, --version v6.1) finds nothing
// wrong with the tree that submission-mode runs write through the official LoadGen — Offline and
// Server of a closed-division datacenter system, the system description filled from the machine
// and the two fields it cannot tell given as --system-field — except what a quick run of the
// bundled 34 samples with a SUT that answers nonsense cannot give: the rules' durations, sample
// counts and dataset size, and the accuracy targets. Every ERROR and WARNING line the checker
// prints must be one of those (or its note that it skips the endpoints check, which only applies
// to endpoint submissions); the test fails on any other (a structural check, an empty system
// field, a missing file or compliance result).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <regex>
#include <sstream>

#include "dataset/sample_set.h"
#include "harness/benchmark_run.h"
#include "support/official_loadgen.h"
#include "sut/null_sut.h"
#include "util/atomic_file.h"

namespace infermark::loadgen_official {
namespace {

namespace fs = std::filesystem;
using harness::BenchmarkScenario;

// The checker's complaints a quick run of a nonsense SUT on 34 samples must get, and only those.
const std::vector<std::regex>& expected_errors() {
  static const std::vector<std::regex> expected = {
      std::regex("performance_sample_count, found 34, needs to be >= 13368"),
      std::regex("Test duration less than 600s in user config"),
      std::regex("Required minimum samples per query not met by user config"),
      std::regex("accurcy run does not cover all dataset, accuracy samples: 34"),  // sic
      std::regex("accuracy not met: expected="),  // a WARNING; the summary's ERROR follows
      std::regex("^Execution of check endpoints_model_check skipped for"),
      std::regex("Early stopping condition was not met"),
      std::regex("^NoResults "),  // follows the performance errors above
      std::regex("^Some (performance|accuracy) checks Checks failed for"),
      std::regex("^SUMMARY: submission has errors"),
  };
  return expected;
}

bool expected(const std::string& message) {
  for (const auto& re : expected_errors()) {
    if (std::regex_search(message, re)) return true;
  }
  return false;
}

harness::BenchmarkRunOptions submission_run(BenchmarkScenario scenario, const fs::path& out,
                                            const fs::path& user_conf) {
  harness::BenchmarkRunOptions o;
  o.benchmark = harness::make_benchmark(scenario, false);
  o.mode = loadgen::Mode::kSubmission;
  o.official_loadgen = true;
  o.output = out;
  o.system_name = "checked-system";
  o.quick = true;
  o.progress = false;
  o.submitter = "CheckedOrg";
  o.division = "closed";
  o.system_fields = {{"cooling", "air"}, {"host_memory_configuration", "8x 32 GB DDR5-4800"}};
  o.command_line = "infermark run --loadgen official --quick";
  o.decode = [](std::span<const int32_t>) { return std::string("Nothing to see. Here."); };
  o.punkt_dir = fs::path(std::getenv("INFERMARK_SOURCE_DIR")) / "tests/fixtures/punkt_tab";
  o.user_conf = user_conf.string();
  return o;
}

TEST(SubmissionCheckerTest, FindsOnlyWhatAQuickRunCannotGive) {
  IM_REQUIRE_OFFICIAL_LOADGEN();
  IM_REQUIRE_OFFICIAL_SOURCE(checker, "tools/submission/submission_checker/main.py");
  const fs::path dir = fs::path(::testing::TempDir()) / "official_submission_checker";
  fs::remove_all(dir);
  fs::create_directories(dir);
  util::write_file_atomic(dir / "user.conf", "*.Server.target_qps = 400\n");
  const dataset::SampleSet samples = dataset::SampleSet::load(
      fs::path(std::getenv("INFERMARK_SOURCE_DIR")) / "data" / "cnn_eval_sample.json");
  harness::DatasetQsl qsl(samples);
  for (BenchmarkScenario scenario : {BenchmarkScenario::kOffline, BenchmarkScenario::kServer}) {
    sut::NullSutOptions so;
    so.n_tokens = 8;
    so.report_first_token = scenario != BenchmarkScenario::kOffline;
    sut::NullSut sut(so);
    const harness::BenchmarkRunResult r =
        harness::run_benchmark(submission_run(scenario, dir / "tree", dir / "user.conf"), sut, qsl);
    EXPECT_TRUE(r.system_fields_to_fill.empty()) << r.system_fields_to_fill.front();
  }

  const fs::path log = dir / "checker.log";
  const std::string command =
      "cd '" + checker.parent_path().parent_path().string() + "' && " +
      infermark::testing::official_python() + " -m submission_checker.main --version v6.1" +
      " --input '" + (dir / "tree").string() + "' --csv '" + (dir / "summary.csv").string() +
      "' > '" + log.string() + "' 2>&1";
  const int status = std::system(command.c_str());
  ASSERT_NE(status, -1);
  const std::string text = util::read_file(log);
  ASSERT_NE(text.find("Loading System log"), std::string::npos) << "the checker did not start:\n"
                                                                << text;

  std::istringstream lines(text);
  int accuracy_not_met = 0;
  for (std::string line; std::getline(lines, line);) {
    static const std::regex level(R"( (ERROR|WARNING)\] )");
    std::smatch m;
    if (!std::regex_search(line, m, level)) continue;
    const std::string message = m.suffix();
    EXPECT_TRUE(expected(message)) << "unexpected checker complaint: " << message;
    accuracy_not_met += message.find("accuracy not met") != std::string::npos;
  }
  // It read and scored both scenarios' accuracy results (rouge1, rouge2, rougeL, rougeLsum and
  // the tokens per sample each).
  EXPECT_EQ(accuracy_not_met, 2 * 5) << text;
  EXPECT_NE(status, 0) << "the quick run cannot pass: " << text;
}

}  // namespace
}  // namespace infermark::loadgen_official

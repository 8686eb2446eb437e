// `infermark report`: writes a page per run folder and a comparison page, with one-line errors
// on bad input. Uses the short null-SUT runs of tests/report/sample_runs.h.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "report/sample_runs.h"
#include "support/cli_runner.h"
#include "util/atomic_file.h"

namespace infermark::report {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using namespace sample_runs;  // NOLINT(google-build-using-namespace): test helpers

using Cli = test_support::CliResult;

Cli cli(const std::string& args) { return test_support::run_infermark(args); }

TEST(ReportCliTest, ReportsAndComparison) {
  const fs::path a = copy_run(server_run(), "cli_a");
  const fs::path b = copy_run(offline_valid_run(), "cli_b");
  const fs::path out = fs::path(::testing::TempDir()) /
                       ("report_cli_compare_" + std::to_string(::getpid()) + ".html");
  const Cli r = cli("report " + a.string() + " " + b.string() + " --out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(a / "report.html"));
  EXPECT_TRUE(fs::exists(b / "report.html"));
  const std::string html = util::read_file(out);
  EXPECT_THAT(html, HasSubstr("2 runs side by side"));
  EXPECT_THAT(html, HasSubstr("Completed tokens per second"));
  EXPECT_THAT(html, HasSubstr("End-to-end latency CDF"));
  EXPECT_THAT(html, HasSubstr("INVALID"));
  EXPECT_THAT(html, HasSubstr(">VALID<"));
  EXPECT_GE(count_of(html, "<svg"), 2u);
  expect_self_contained(html);
}

TEST(ReportCliTest, BadInputGivesOneLineAndNonZeroExit) {
  const Cli missing = cli("report /nonexistent/run");
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_THAT(missing.err, HasSubstr("/nonexistent/run: not a folder"));
  EXPECT_EQ(count_of(missing.err, "\n"), 1u) << missing.err;

  const fs::path run = copy_run(server_run(), "cli_bad");
  const std::string detail = util::read_file(run / "mlperf_log_detail.txt");
  std::ofstream(run / "mlperf_log_detail.txt") << detail.substr(0, detail.size() / 2);
  const Cli truncated = cli("report " + run.string());
  EXPECT_NE(truncated.exit_code, 0);
  EXPECT_THAT(truncated.err, HasSubstr("mlperf_log_detail.txt: line "));
  EXPECT_THAT(truncated.err, HasSubstr("truncated"));
  EXPECT_EQ(count_of(truncated.err, "\n"), 1u) << truncated.err;
  EXPECT_FALSE(fs::exists(run / "report.html"));

  const Cli none = cli("report");
  EXPECT_NE(none.exit_code, 0);
}

}  // namespace
}  // namespace infermark::report

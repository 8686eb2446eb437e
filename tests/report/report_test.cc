// The run report on real short runs made with `infermark run --sut null` (sample_runs.h): the
// logs parse, the page states the verdict and the scenario's metric, explains an INVALID run in
// words, shows the quick banner, has its SVG charts and references nothing outside itself. The
// `infermark report` command: tests/apps/infermark/report_command_test.cc.
#include "report/run_report.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <functional>

#include "report/analysis.h"
#include "report/comparison.h"
#include "report/html.h"
#include "report/sample_runs.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace infermark::report {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

using namespace sample_runs;  // NOLINT(google-build-using-namespace): test helpers

TEST(ReportRunTest, LogsOfARealServerRunParse) {
  const MlperfLogs logs = read_mlperf_logs(server_run());
  ASSERT_NE(logs.summary("Scenario"), nullptr);
  EXPECT_EQ(*logs.summary("Scenario"), "Server");
  EXPECT_EQ(logs.text("effective_scenario"), "Server");
  EXPECT_TRUE(logs.value("result_validity") != nullptr);
  EXPECT_TRUE(logs.errors.empty());
  EXPECT_TRUE(logs.trace_enabled);
  ASSERT_EQ(static_cast<double>(logs.samples.size()), logs.number("result_query_count").value());
  for (const SampleTiming& s : logs.samples) EXPECT_LE(s.scheduled_s, s.completed_s);
  // The trace's latencies are the ones LoadGen summarised: same maximum, to the microsecond.
  double max_latency = 0;
  for (const SampleTiming& s : logs.samples) max_latency = std::max(max_latency, s.latency_s());
  EXPECT_NEAR(max_latency * 1e9, logs.number("result_max_latency_ns").value(), 2e3);
}

TEST(ReportRunTest, InvalidServerPageExplainsEarlyStoppingAndIsQuick) {
  const fs::path run = copy_run(server_run(), "server");
  const fs::path page = write_report(run);
  EXPECT_EQ(page, run / "report.html");
  const std::string html = util::read_file(page);
  const MlperfLogs logs = read_mlperf_logs(run);
  EXPECT_THAT(html, HasSubstr("badge invalid\">INVALID"));
  EXPECT_THAT(html, HasSubstr("Why this run is INVALID"));
  EXPECT_THAT(html, HasSubstr("early stopping cannot show with 99% confidence"));
  EXPECT_THAT(html, HasSubstr("Run longer: raise min_duration (now 500 ms)"));
  EXPECT_THAT(html, HasSubstr("Quick run: not valid for submission"));
  EXPECT_THAT(html, HasSubstr("min_duration is 500 ms (the rules require 600 s)"));
  EXPECT_THAT(html, HasSubstr("performance_sample_count is 256"));
  // The metric as the summary states it.
  const double tokens = std::stod(*logs.summary("Completed tokens per second"));
  EXPECT_THAT(html, HasSubstr("Completed tokens per second"));
  EXPECT_THAT(html, HasSubstr(fmt::format(">{}<", html::number(tokens))));
  // TTFT/TPOT against the limits (per-sample histograms: the trace carries first-token times),
  // E2E histogram and CDF, throughput over time.
  EXPECT_THAT(html, HasSubstr("Time to first token"));
  EXPECT_THAT(html, HasSubstr("Time per output token"));
  EXPECT_THAT(html, HasSubstr("2.00 s"));
  EXPECT_THAT(html, HasSubstr("Latency CDF"));
  EXPECT_THAT(html, HasSubstr("Samples per second"));
  EXPECT_GE(count_of(html, "<svg"), 5u);
  EXPECT_EQ(count_of(html, "<svg"), count_of(html, "</svg>"));
  EXPECT_THAT(html, HasSubstr(">16159082839903944936<"));  // seeds keep every digit
  expect_self_contained(html);
  EXPECT_FALSE(fs::exists(run / "report.html.tmp"));
}

TEST(ReportRunTest, UntracedRunSaysSoAndUsesPercentiles) {
  const std::string html = render_report(read_run(server_untraced_run()));
  EXPECT_THAT(html, HasSubstr("Tracing was off for this run"));
  EXPECT_THAT(html, HasSubstr("Latency CDF (through the logged percentiles)"));
  EXPECT_THAT(html, HasSubstr("Time per output token (percentiles)"));
  EXPECT_THAT(html, Not(HasSubstr("Samples per second</text>")));  // no throughput chart
  expect_self_contained(html);
}

TEST(ReportRunTest, ValidOfflinePageStillCarriesTheQuickBanner) {
  const std::string html = render_report(read_run(offline_valid_run()));
  EXPECT_THAT(html, HasSubstr("badge valid\">VALID"));
  EXPECT_THAT(html, Not(HasSubstr("Why this run is INVALID")));
  EXPECT_THAT(html, HasSubstr("Tokens per second"));
  EXPECT_THAT(html, HasSubstr("Quick run: not valid for submission"));
  EXPECT_THAT(html, HasSubstr("the Offline query holds 55 samples (the rules require at least "
                              "13,368)"));
  expect_self_contained(html);
}

TEST(ReportRunTest, FastOfflineRunExplainsMinDuration) {
  const RunAnalysis a = analyze_run(read_mlperf_logs(offline_fast_run()));
  EXPECT_FALSE(a.valid);
  ASSERT_FALSE(a.checks.empty());
  EXPECT_EQ(a.checks[0].name, "Min duration");
  EXPECT_FALSE(a.checks[0].passed);
  EXPECT_THAT(a.checks[0].explanation, HasSubstr("short of min_duration = 500 ms"));
  EXPECT_THAT(a.checks[0].explanation, HasSubstr("Raise the Offline target_qps in user.conf"));
}

TEST(ReportRunTest, InterruptedRunSaysSoFirst) {
  const std::string html = render_report(read_run(interrupted_run()));
  EXPECT_THAT(html, HasSubstr("badge invalid\">INVALID"));
  const size_t why = html.find("Why this run is INVALID");
  ASSERT_NE(why, std::string::npos);
  const size_t stopped = html.find("The run was stopped by a stop request (Ctrl-C or SIGTERM)");
  ASSERT_NE(stopped, std::string::npos);
  EXPECT_LT(stopped, html.find("Early stopping.</strong>", why));  // the cause comes first
  EXPECT_THAT(html, HasSubstr("This follows from the interruption"));
  expect_self_contained(html);
}

// The other failure kinds, on a real run's logs with the outcome edited in memory.
TEST(ReportRunTest, EachFailedCheckIsExplainedInWords) {
  MlperfLogs logs = read_mlperf_logs(server_run());
  logs.detail["result_perf_constraints_met"] = false;
  logs.detail["result_first_token_99.00_percentile_latency_ns"] = 3e9;
  logs.detail["result_min_queries_met"] = false;
  logs.detail["effective_max_query_count"] = 50;
  logs.errors.push_back({"error_runtime", "SUT returned an empty response", 40});
  logs.errors.push_back({"error_runtime", "Run interrupted by a stop request.", 41});
  const RunAnalysis a = analyze_run(logs);
  std::map<std::string, std::string> why;
  for (const Check& c : a.checks) {
    if (!c.passed) why[c.name] = c.explanation;
  }
  EXPECT_THAT(why["Latency constraints"], HasSubstr("TTFT p99 was 3.00 s, over the 2.00 s limit"));
  EXPECT_THAT(why["Latency constraints"], HasSubstr("Lower target_qps"));
  EXPECT_THAT(why["Min queries"], HasSubstr("because the run was interrupted"));
  EXPECT_THAT(why["LoadGen errors"], HasSubstr("SUT returned an empty response"));
  EXPECT_THAT(why["LoadGen errors"], HasSubstr("line 40"));
  EXPECT_THAT(why["Run completed"], HasSubstr("stopped by a stop request"));
  EXPECT_TRUE(a.interrupted);
  const std::string html = render_report({logs, std::nullopt, std::nullopt});
  EXPECT_THAT(html, HasSubstr("SUT returned an empty response"));
}

// A trace that carries per-sample first tokens and token counts gives TTFT and TPOT histograms.
TEST(ReportRunTest, PerSampleTokenTimesFromTheTraceAreCharted) {
  MlperfLogs logs = read_mlperf_logs(server_run());
  for (SampleTiming& s : logs.samples) {
    s.first_token_s = s.scheduled_s + 0.4 * s.latency_s();
    s.n_tokens = 128;
  }
  const std::string html = render_report({logs, std::nullopt, std::nullopt});
  EXPECT_THAT(html, HasSubstr(">Time to first token</text>"));
  EXPECT_THAT(html, HasSubstr(">Time per output token</text>"));
  EXPECT_THAT(html, Not(HasSubstr("Time to first token (percentiles)")));
  EXPECT_THAT(html, Not(HasSubstr("Per-sample first-token times are not in the trace")));
}

TEST(ReportRunTest, AccuracyAndRunMetadataAreShown) {
  const fs::path run = copy_run(server_run(), "extras");
  fs::create_directories(run.parent_path() / "accuracy");
  std::ofstream(run.parent_path() / "accuracy" / "accuracy.txt")
      << "\nResults\n\n{'rouge1': '38.8001', 'rouge2': '15.9123', 'rougeL': '24.5', "
         "'rougeLsum': '35.8', 'gen_len': 8167000, 'gen_num': 13368}\nhash=abc123\n";
  std::ofstream(run / "run.json") << R"({"model_sha256": "deadbeef", "sut": "http://a:8000"})";
  const std::string html = util::read_file(write_report(run));
  EXPECT_THAT(html, HasSubstr("<h2>Accuracy</h2>"));
  EXPECT_THAT(html, HasSubstr("38.8001"));
  EXPECT_THAT(html, HasSubstr("Meets the llama3.1-8b accuracy targets"));
  EXPECT_THAT(html, HasSubstr("<h2>Run metadata</h2>"));
  EXPECT_THAT(html, HasSubstr("deadbeef"));
  expect_self_contained(html);  // the URL in run.json is shown as text, not as a link
}

}  // namespace
}  // namespace infermark::report

// Reading MLPerf logs back (mlperf_logs.h) and the report's other inputs and building blocks on
// small hand-written files: field extraction, last-wins detail values, trace pairing, and every
// kind of bad or truncated input rejected with the file and line named.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "report/mlperf_logs.h"
#include "report/html.h"
#include "report/run_inputs.h"
#include "report/svg.h"
#include "util/error.h"

namespace infermark::report {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr const char* kSummary =
    "================================================\n"
    "MLPerf Results Summary\n"
    "================================================\n"
    "Scenario : Server\n"
    "Completed tokens per second: 23654.36\n"
    "Result is : INVALID\n"
    "  Early stopping satisfied: NO\n"
    " * Run unsuccessful.\n"
    "Completed tokens per second                 : 23654.99\n"
    "\nNo warnings encountered during test.\n\nNo errors encountered during test.\n";

std::string detail_line(const std::string& key, const std::string& value_json,
                        bool is_error = false, bool is_warning = false) {
  return ":::MLLOG {\"key\": \"" + key + "\", \"value\": " + value_json +
         ", \"time_ms\": 0.1, \"namespace\": \"mlperf::logging\", \"event_type\": "
         "\"POINT_IN_TIME\", \"metadata\": {\"is_error\": " +
         (is_error ? "true" : "false") + ", \"is_warning\": " + (is_warning ? "true" : "false") +
         "}}\n";
}

std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

fs::path fresh_dir(const std::string& name) {
  const fs::path p = fs::path(::testing::TempDir()) / ("report_logs_" + name);
  fs::remove_all(p);
  fs::create_directories(p);
  return p;
}

TEST(MlperfLogsTest, SummaryFieldsFirstOccurrenceWins) {
  MlperfLogs logs;
  parse_summary(kSummary, "s.txt", logs);
  ASSERT_NE(logs.summary("Completed tokens per second"), nullptr);
  EXPECT_EQ(*logs.summary("Completed tokens per second"), "23654.36");
  EXPECT_EQ(*logs.summary("Result is"), "INVALID");
  EXPECT_EQ(*logs.summary("Early stopping satisfied"), "NO");
  EXPECT_EQ(logs.summary("Run unsuccessful."), nullptr);  // a text line, not a field
}

TEST(MlperfLogsTest, TruncatedSummaryNamesFileAndLine) {
  MlperfLogs logs;
  const std::string cut = std::string(kSummary).substr(0, std::string(kSummary).find("\nNo w"));
  EXPECT_THAT(error_of([&] { parse_summary(cut, "run/mlperf_log_summary.txt", logs); }),
              HasSubstr("run/mlperf_log_summary.txt: line 9: file ends before"));
  EXPECT_THAT(error_of([&] { parse_summary("", "x.txt", logs); }), HasSubstr("x.txt: empty"));
}

TEST(MlperfLogsTest, DetailLastValueWinsAndFlagsAreCollected) {
  MlperfLogs logs;
  const std::string text = detail_line("result_validity", "\"INVALID\"") +
                           detail_line("error_runtime", "\"boom\"", true) +
                           detail_line("warning_generic_message", "\"careful\"", false, true) +
                           detail_line("result_validity", "\"VALID\"") +
                           detail_line("effective_schedule_rng_seed", "16159082839903944936");
  parse_detail(text, "d.txt", logs);
  EXPECT_EQ(logs.text("result_validity"), "VALID");
  ASSERT_EQ(logs.errors.size(), 1u);
  EXPECT_EQ(logs.errors[0].key, "error_runtime");
  EXPECT_EQ(logs.errors[0].text, "boom");
  EXPECT_EQ(logs.errors[0].line, 2);
  ASSERT_EQ(logs.warnings.size(), 1u);
  EXPECT_EQ(logs.warnings[0].line, 3);
  EXPECT_EQ(logs.display("effective_schedule_rng_seed"), "16159082839903944936");
  EXPECT_FALSE(logs.number("result_validity").has_value());
  EXPECT_EQ(logs.display("absent"), "");
}

TEST(MlperfLogsTest, BadDetailLinesNameFileAndLine) {
  MlperfLogs logs;
  const std::string good = detail_line("a", "1") + detail_line("b", "2");
  const std::string truncated = good + detail_line("c", "3").substr(0, 40);
  EXPECT_THAT(error_of([&] { parse_detail(truncated, "d.txt", logs); }),
              HasSubstr("d.txt: line 3: invalid JSON"));
  EXPECT_THAT(error_of([&] { parse_detail(good + "garbage\n", "d.txt", logs); }),
              HasSubstr("d.txt: line 3: expected a line starting with \":::MLLOG \""));
  EXPECT_THAT(error_of([&] { parse_detail(":::MLLOG {\"value\": 1}\n", "d.txt", logs); }),
              HasSubstr("d.txt: line 1: entry lacks"));
  EXPECT_THAT(error_of([&] { parse_detail("\n\n", "d.txt", logs); }), HasSubstr("no :::MLLOG"));
  // A flag that is not a boolean (found by the report_logs fuzzer: it used to escape as an
  // uncaught nlohmann::type_error).
  const std::string string_flag =
      ":::MLLOG {\"key\": \"k\", \"value\": 1, \"metadata\": {\"is_error\": \"yes\"}}\n";
  EXPECT_THAT(error_of([&] { parse_detail(good + string_flag, "d.txt", logs); }),
              HasSubstr("d.txt: line 3: metadata \"is_error\" is a string, not true or false"));
}

constexpr const char* kTrace =
    "{\"traceEvents\":[\n"
    "{\"name\":\"IssueQueries\",\"ph\":\"X\",\"pid\":1,\"tid\":0,\"ts\":1.0,\"dur\":5.0},\n"
    "{\"name\":\"Sample\",\"cat\":\"default\",\"ph\":\"b\",\"pid\":1,\"id\":1,\"ts\":2000.000,"
    "\"args\":{\"sample_seq\":1,\"first_token_ns\":2500000,\"n_tokens\":11}},\n"
    "{\"name\":\"Sample\",\"cat\":\"default\",\"ph\":\"b\",\"pid\":1,\"id\":0,\"ts\":1000.000,"
    "\"args\":{\"sample_seq\":0}},\n"
    "{\"name\":\"Sample\",\"cat\":\"default\",\"ph\":\"e\", \"pid\":1,\"id\":0,\"ts\":4000.000},\n"
    "{\"name\":\"Latency\",\"ph\": \"C\",\"pid\":1,\"ts\":1000.0,\"args\":{ \"issue_delay\":5}},\n"
    "{\"name\":\"Sample\",\"cat\":\"default\",\"ph\":\"e\", \"pid\":1,\"id\":1,\"ts\":3500.000},\n"
    "{\"name\":\"Sample\",\"cat\":\"default\",\"ph\":\"b\",\"pid\":1,\"id\":2,\"ts\":3000.000},\n"
    "{\"name\":\"LastTrace\"}\n],\n\"displayTimeUnit\":\"ns\",\n\"otherData\":{\n\"ts\":1.0,\n"
    "\"version\":\"MLPerf LoadGen v1.0\"\n}\n}\n";

TEST(MlperfLogsTest, TracePairsSampleEventsInScheduleOrder) {
  MlperfLogs logs;
  parse_trace(kTrace, "t.json", logs);
  EXPECT_TRUE(logs.trace_enabled);
  ASSERT_EQ(logs.samples.size(), 2u);
  EXPECT_EQ(logs.incomplete_samples, 1u);  // id 2 never ended
  EXPECT_EQ(logs.samples[0].id, 0u);
  EXPECT_DOUBLE_EQ(logs.samples[0].scheduled_s, 0.001);
  EXPECT_DOUBLE_EQ(logs.samples[0].completed_s, 0.004);
  EXPECT_DOUBLE_EQ(logs.samples[0].latency_s(), 0.003);
  EXPECT_EQ(logs.samples[0].first_token_s, -1);
  EXPECT_DOUBLE_EQ(logs.samples[1].first_token_s, 0.0025);
  EXPECT_EQ(logs.samples[1].n_tokens, 11);
}

// MLPerf's LoadGen quotes the string arguments of its trace events twice: not JSON, but read all
// the same (an empty string stays one).
TEST(MlperfLogsTest, TraceOfTheOfficialLoadGenWithDoubledKeys) {
  const std::string official =
      "{\"traceEvents\":[\n"
      "{\"name\":\"LogDetail\",\"ph\":\"X\",\"pid\":1,\"tid\":2,\"ts\":3.0,\"dur\":1.0,"
      "\"args\":{\"key\":\"\"loadgen_version\"\"}},\n"
      "{\"name\":\"Sample\",\"cat\":\"default\",\"ph\":\"b\",\"pid\":1,\"id\":0,\"ts\":1000.0,"
      "\"args\":{\"sample_seq\":0}},\n"
      "{\"name\":\"LogSummary\",\"ph\":\"X\",\"pid\":1,\"tid\":2,\"ts\":5.0,\"dur\":1.0,"
      "\"args\":{\"message\":\"\"Result is : VALID;\"\",\"empty\":\"\"}},\n"
      "{\"name\":\"Sample\",\"cat\":\"default\",\"ph\":\"e\", \"pid\":1,\"id\":0,\"ts\":3000.0},\n"
      "{\"name\":\"LastTrace\"}\n]}\n";
  MlperfLogs logs;
  parse_trace(official, "t.json", logs);
  ASSERT_EQ(logs.samples.size(), 1u);
  EXPECT_DOUBLE_EQ(logs.samples[0].latency_s(), 0.002);
}

TEST(MlperfLogsTest, EmptyTraceMeansTracingWasOff) {
  MlperfLogs logs;
  parse_trace("", "t.json", logs);
  EXPECT_FALSE(logs.trace_enabled);
  parse_trace(" \n", "t.json", logs);
  EXPECT_FALSE(logs.trace_enabled);
  EXPECT_TRUE(logs.samples.empty());
}

TEST(MlperfLogsTest, BadTraceNamesFileAndLine) {
  MlperfLogs logs;
  const std::string t = kTrace;
  const std::string cut = t.substr(0, t.find("{\"name\":\"LastTrace\""));
  EXPECT_THAT(error_of([&] { parse_trace(cut, "run/mlperf_log_trace.json", logs); }),
              HasSubstr("run/mlperf_log_trace.json: line 9: invalid JSON"));
  EXPECT_THAT(error_of([&] { parse_trace("{\"x\":1}", "t.json", logs); }),
              HasSubstr("t.json: line 1: expected an object with a \"traceEvents\" array"));
  EXPECT_THAT(error_of([&] {
                parse_trace("[{\"name\":\"Sample\",\"ph\":\"b\",\"ts\":1}]", "t.json", logs);
              }),
              HasSubstr("t.json: Sample event #1 has no numeric \"id\""));
  // Fields of the wrong JSON type: a clear error, or (a name that is not a string) not a Sample.
  EXPECT_THAT(error_of([&] {
                parse_trace("[{\"name\":\"Sample\",\"ph\":7,\"id\":1,\"ts\":1}]", "t.json",
                            logs);
              }),
              HasSubstr("t.json: Sample event #1 has no string \"ph\""));
  parse_trace("[{\"name\":1,\"ph\":\"b\",\"id\":1,\"ts\":1}]", "t.json", logs);
  EXPECT_TRUE(logs.samples.empty());
}

TEST(MlperfLogsTest, FolderErrors) {
  EXPECT_THAT(error_of([] { read_mlperf_logs("/nonexistent/run"); }),
              HasSubstr("/nonexistent/run: not a folder"));
  const fs::path dir = fresh_dir("missing");
  std::ofstream(dir / "mlperf_log_summary.txt") << kSummary;
  EXPECT_THAT(error_of([&] { read_mlperf_logs(dir); }), HasSubstr("no mlperf_log_detail.txt here"));
  std::ofstream(dir / "mlperf_log_detail.txt") << detail_line("result_validity", "\"VALID\"");
  const MlperfLogs logs = read_mlperf_logs(dir);  // no trace file: tracing off
  EXPECT_FALSE(logs.trace_enabled);
  EXPECT_EQ(logs.text("result_validity"), "VALID");
}

TEST(ReportInputsTest, AccuracyTxtNextToLogsOrInAccuracyFolder) {
  const fs::path root = fresh_dir("accuracy");
  fs::create_directories(root / "performance" / "run_1");
  fs::create_directories(root / "accuracy");
  EXPECT_FALSE(find_accuracy(root / "performance" / "run_1").has_value());
  std::ofstream(root / "accuracy" / "accuracy.txt")
      << "\nResults\n\n{'rouge1': '38.8001', 'rouge2': '15.9123', 'rougeL': '24.5', "
         "'rougeLsum': '35.8', 'gen_len': 8167000, 'gen_num': 13368}\nhash=abc123\n";
  const auto acc = find_accuracy(root / "performance" / "run_1");
  ASSERT_TRUE(acc.has_value());
  ASSERT_EQ(acc->values.size(), 6u);
  EXPECT_EQ(acc->values[0].first, "rouge1");
  EXPECT_DOUBLE_EQ(acc->values[0].second, 38.8001);
  EXPECT_EQ(acc->hash, "abc123");
  EXPECT_EQ(acc->target_name, "llama3.1-8b");
  EXPECT_TRUE(acc->failures.empty());

  const AccuracyScores low = parse_accuracy_txt(
      "{'rouge1': '30.0', 'rouge2': '15.9123', 'rougeL': '24.5', 'rougeLsum': '35.8', "
      "'gen_len': 8167000, 'gen_num': 13368}",
      "a.txt");
  ASSERT_EQ(low.failures.size(), 1u);
  EXPECT_THAT(low.failures[0], HasSubstr("rouge1"));
  EXPECT_THAT(error_of([] { parse_accuracy_txt("nothing here", "dir/accuracy.txt"); }),
              HasSubstr("dir/accuracy.txt: no ROUGE results"));
}

TEST(ReportInputsTest, RunJsonTopLevelKeysInFileOrder) {
  const fs::path dir = fresh_dir("runjson");
  EXPECT_FALSE(read_run_metadata(dir).has_value());
  std::ofstream(dir / "run.json") << R"({"version": "0.1.0", "model": {"sha256": "ab"}, "n": 3})";
  const auto meta = read_run_metadata(dir);
  ASSERT_TRUE(meta.has_value());
  ASSERT_EQ(meta->rows.size(), 3u);
  EXPECT_EQ(meta->rows[0], (std::pair<std::string, std::string>{"version", "0.1.0"}));
  EXPECT_EQ(meta->rows[1].second, R"({"sha256":"ab"})");
  std::ofstream(dir / "run.json") << "[1, 2";
  EXPECT_THAT(error_of([&] { read_run_metadata(dir); }), HasSubstr("run.json: invalid JSON"));
  std::ofstream(dir / "run.json") << "[1, 2]";
  EXPECT_THAT(error_of([&] { read_run_metadata(dir); }), HasSubstr("expected a JSON object"));
}

TEST(ReportHtmlTest, EscapingAndFormatting) {
  EXPECT_EQ(html::escape("<b a=\"x\">&'"), "&lt;b a=&quot;x&quot;&gt;&amp;&#39;");
  EXPECT_EQ(html::escape("see http://host:8000/v1"), "see http:&#47;/host:8000/v1");
  EXPECT_EQ(html::duration_ns(23470166), "23.5 ms");
  EXPECT_EQ(html::duration_ns(2e9), "2.00 s");
  EXPECT_EQ(html::duration_ns(60988), "0.061 ms");
  EXPECT_EQ(html::duration_ns(-1), "n/a");
  EXPECT_EQ(html::number(23654.36), "23,654");
  EXPECT_EQ(html::number(184.08), "184.1");
  EXPECT_EQ(html::number(0.99), "0.99");
  EXPECT_EQ(html::integer(-1234567), "-1,234,567");
}

TEST(ReportSvgTest, NiceTicksAndSelfContainedCharts) {
  EXPECT_THAT(svg::nice_ticks(0, 10, 5), ::testing::ElementsAre(0, 2, 4, 6, 8, 10));
  EXPECT_THAT(svg::nice_ticks(0, 0.7, 6),
              ::testing::Pointwise(::testing::DoubleNear(1e-12),
                                   std::vector<double>{0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7}));
  EXPECT_THAT(svg::nice_ticks(13, 87, 4), ::testing::ElementsAre(20, 40, 60, 80));
  svg::ChartOptions o;
  o.title = "A <title>";
  const std::vector<svg::Series> series = {{"one", "#000", {0, 1, 2}, {0, 50, 100}}};
  const std::string chart = svg::line_chart(o, series);
  EXPECT_THAT(chart, HasSubstr("<svg"));
  EXPECT_THAT(chart, HasSubstr("A &lt;title&gt;"));
  EXPECT_THAT(chart, ::testing::Not(HasSubstr("http")));  // no xmlns URL either
}

}  // namespace
}  // namespace infermark::report

// A run folder's files as the report reads them, whoever wrote them: mlperf_log_summary.txt,
// mlperf_log_detail.txt, mlperf_log_trace.json and accuracy.txt (the input, split at NUL bytes
// in that order). Logs that parse are analysed, checked and drawn as report.html, as
// `infermark report` does.
#include <string_view>

#include "fuzz_target.h"
#include "report/analysis.h"
#include "report/mlperf_logs.h"
#include "report/run_inputs.h"
#include "report/run_report.h"
#include "util/error.h"

IM_FUZZ_TARGET(report_logs) {
  using namespace infermark;
  std::string_view rest = fuzz::as_text(data, size);
  auto next = [&rest] {
    const size_t nul = rest.find('\0');
    const std::string_view part = rest.substr(0, nul);
    rest = nul == std::string_view::npos ? std::string_view() : rest.substr(nul + 1);
    return part;
  };
  const std::string_view summary = next();
  const std::string_view detail = next();
  const std::string_view trace = next();
  const std::string accuracy(next());
  report::RunReportInput run;
  run.logs.dir = "/results/closed/sys/llama3.1-8b/Server/performance/run_1";
  try {
    run.accuracy = report::parse_accuracy_txt(accuracy, "accuracy.txt");
  } catch (const Error&) {
  }
  try {
    report::parse_summary(summary, report::kSummaryFile, run.logs);
    report::parse_detail(detail, report::kDetailFile, run.logs);
    if (!trace.empty()) report::parse_trace(trace, report::kTraceFile, run.logs);
    (void)report::render_report(run);
  } catch (const Error&) {
  }
}

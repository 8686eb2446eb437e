// The run page: report.html of one run folder.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "report/run_report.h"
#include "report/analysis.h"
#include "report/charts.h"
#include "report/html.h"
#include "report/page_parts.h"
#include "util/atomic_file.h"
#include "util/build_info.h"
#include "util/json.h"

namespace infermark::report {
namespace {

using html::escape;

// `scenario`: the name to show (Interactive for a Server run under the interactive limits).
std::string header(const RunAnalysis& a, const std::string& scenario) {
  std::vector<std::string> facts = {"run <strong>" + escape(a.name) + "</strong>"};
  if (!a.test_datetime.empty()) facts.push_back(escape(a.test_datetime));
  if (!a.sut_name.empty()) facts.push_back("SUT " + escape(a.sut_name));
  if (!a.loadgen_version.empty()) facts.push_back(escape(a.loadgen_version));
  return fmt::format(
      "<header><div class=\"muted\">MLPerf Inference run report</div>"
      "<h1>{} · {}</h1><div class=\"sub\">{}</div></header>\n",
      escape(scenario.empty() ? "Unknown scenario" : scenario), escape(page::mode_name(a.mode)),
      fmt::format("{}", fmt::join(facts, " · ")));
}

std::string quick_banner(const RunAnalysis& a) {
  if (a.quick_reasons.empty()) return {};
  std::string out =
      "<div class=\"banner\"><strong>Quick run: not valid for submission</strong>"
      "Its settings are below the MLPerf rules, so LoadGen's verdict applies to these lowered "
      "settings only:<ul>";
  for (const auto& r : a.quick_reasons) out += "<li>" + escape(r) + "</li>";
  return out + "</ul></div>\n";
}

std::string token_latency_section(const RunAnalysis& a, const MlperfLogs& logs) {
  if (!a.token_latencies || a.scenario == "Offline" || !a.ttft.present()) return {};
  std::string out = "<section><h2>Token latency</h2>\n" + page::token_latency_table(a);
  const auto ttft = charts::ttft_latencies_ms(logs);
  const auto tpot = charts::tpot_latencies_ms(logs);
  std::optional<double> ttft_limit, tpot_limit;
  if (a.ttft_limit_ns >= 0) ttft_limit = a.ttft_limit_ns;
  if (a.tpot_limit_ns >= 0) tpot_limit = a.tpot_limit_ns;
  out += "<div class=\"charts\">";
  if (!ttft.empty()) {
    out += charts::latency_histogram("Time to first token", ttft, svg::palette(0),
                                     ttft_limit ? std::optional(*ttft_limit / 1e6) : std::nullopt);
  } else {
    out += charts::percentile_bars("Time to first token (percentiles)", a.ttft, ttft_limit,
                                   svg::palette(0));
  }
  if (!tpot.empty()) {
    out += charts::latency_histogram("Time per output token", tpot, svg::palette(3),
                                     tpot_limit ? std::optional(*tpot_limit / 1e6) : std::nullopt);
  } else {
    out += charts::percentile_bars("Time per output token (percentiles)", a.tpot, tpot_limit,
                                   svg::palette(3));
  }
  out += "</div>\n";
  if (ttft.empty()) {
    out +=
        "<p class=\"muted\">Per-sample first-token times are not in the trace, so TTFT and "
        "TPOT are shown as the percentiles LoadGen logged (mlperf_log_detail.txt).</p>\n";
  }
  return out + "</section>\n";
}

std::string latency_section(const RunAnalysis& a, const MlperfLogs& logs) {
  if (!a.e2e.present()) return {};
  std::string out = "<section><h2>End-to-end latency</h2>\n";
  const auto e2e = charts::e2e_latencies_ms(logs);
  const std::string what = a.scenario == "Offline"
                               ? "from the start of the run to each sample's completion"
                               : "from each query's scheduled time to its completion";
  out += "<p class=\"muted\">Latency " + escape(what) + ".</p>\n<div class=\"charts\">";
  if (!e2e.empty()) {
    out += charts::latency_histogram("Latency distribution", e2e, svg::palette(0), std::nullopt);
    out += charts::cdf_chart("Latency CDF", {charts::cdf_series(e2e, "", svg::palette(0))},
                             std::nullopt);
  } else {
    out += charts::percentile_bars("Latency percentiles", a.e2e, std::nullopt, svg::palette(0));
    out += charts::cdf_chart("Latency CDF (through the logged percentiles)",
                             {charts::percentile_cdf_series(a.e2e, "", svg::palette(0))},
                             std::nullopt);
  }
  out += "</div>\n";
  if (!logs.trace_enabled) {
    out +=
        "<p class=\"muted\">Tracing was off for this run (mlperf_log_trace.json is empty or "
        "absent), so there are no per-sample charts; the charts use the percentiles from "
        "the detail log. Run without --no-trace to get them.</p>\n";
  } else if (logs.incomplete_samples > 0) {
    out += fmt::format("<p class=\"muted\">{} samples never completed and are not shown.</p>\n",
                       logs.incomplete_samples);
  }
  return out + "</section>\n";
}

std::string throughput_section(const RunAnalysis& a, const MlperfLogs& logs) {
  const std::string chart = charts::throughput_chart(logs, a);
  if (chart.empty()) return {};
  return "<section><h2>Throughput over time</h2>\n" + chart +
         "<p class=\"muted\">Samples completed (and, outside Offline, queries scheduled) per "
         "time bin, from the trace.</p></section>\n";
}

std::string footer(const RunReportInput& run) {
  return fmt::format(
      "<footer>Written by infermark {} from {}. Self-contained: no network needed to view "
      "it.</footer>\n",
      escape(util::build_info().describe()), escape(run.logs.dir.string()));
}

}  // namespace

RunReportInput read_run(const std::filesystem::path& run_dir) {
  RunReportInput run;
  run.logs = read_mlperf_logs(run_dir);
  run.accuracy = find_accuracy(run_dir);
  run.metadata = read_run_metadata(run_dir);
  run.endpoints = read_endpoints(run_dir);
  return run;
}

// The MLPerf scenario infermark's run.json names (LoadGen's logs say "Server" for Interactive
// runs), or "" if there is none.
std::string benchmark_scenario(const std::optional<RunMetadata>& metadata) {
  if (!metadata) return {};
  for (const auto& [key, value] : metadata->rows) {
    if (key != "benchmark") continue;
    const auto j = util::Json::parse(value, nullptr, false);
    if (j.is_object() && j.contains("scenario") && j["scenario"].is_string()) {
      return j["scenario"].get<std::string>();
    }
  }
  return {};
}

std::string render_report(const RunReportInput& run) {
  const RunAnalysis a = analyze_run(run.logs);
  std::string scenario = benchmark_scenario(run.metadata);
  if (scenario.empty()) scenario = a.scenario;
  std::string body = header(a, scenario) + quick_banner(a) + page::verdict_section(a);
  if (a.performance) {  // accuracy-only runs measure no performance
    body += token_latency_section(a, run.logs);
    body += latency_section(a, run.logs);
    body += throughput_section(a, run.logs);
  }
  if (run.endpoints) body += page::endpoints_section(*run.endpoints);
  if (run.accuracy) body += page::accuracy_section(*run.accuracy);
  body += page::settings_section(a);
  body += page::messages_section(run.logs);
  if (run.metadata) body += page::metadata_section(*run.metadata);
  body += footer(run);
  const std::string title = fmt::format("{} {} — {}", scenario, page::mode_name(a.mode),
                                        a.performance ? (a.valid ? "VALID" : "INVALID") : a.name);
  return html::page(title, body);
}

std::filesystem::path write_report(const std::filesystem::path& run_dir) {
  const RunReportInput run = read_run(run_dir);
  const auto path = run_dir / kReportFile;
  util::write_file_atomic(path, render_report(run));
  return path;
}

}  // namespace infermark::report

// The comparison page: several runs side by side.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <set>

#include "report/comparison.h"
#include "report/analysis.h"
#include "report/charts.h"
#include "report/html.h"
#include "report/page_parts.h"
#include "util/atomic_file.h"
#include "util/build_info.h"
#include "util/error.h"

namespace infermark::report {
namespace {

using html::escape;

// Column titles: folder names, with the parent folder added where two runs share a name.
std::vector<std::string> run_titles(std::span<const RunReportInput> runs,
                                    const std::vector<RunAnalysis>& analyses) {
  std::multiset<std::string> names;
  for (const auto& a : analyses) names.insert(a.name);
  std::vector<std::string> out;
  for (size_t i = 0; i < runs.size(); ++i) {
    std::string t = analyses[i].name;
    if (names.count(t) > 1) {
      const auto parent = std::filesystem::absolute(runs[i].logs.dir).lexically_normal();
      t = (parent.filename().empty() ? parent.parent_path() : parent)
              .parent_path()
              .filename()
              .string() +
          "/" + t;
    }
    out.push_back(t);
  }
  return out;
}

std::string verdict_cell(const RunAnalysis& a) {
  if (!a.performance) return "<span class=\"muted\">no result</span>";
  return a.valid ? "<span class=\"pass\">VALID</span>" : "<span class=\"fail\">INVALID</span>";
}

std::string quick_cell(const RunAnalysis& a) {
  if (a.quick_reasons.empty()) return "no";
  return "<span title=\"" + escape(fmt::format("{}", fmt::join(a.quick_reasons, " "))) +
         "\">yes</span>";
}

std::string failed_checks(const RunAnalysis& a) {
  std::vector<std::string> failed;
  for (const Check& c : a.checks) {
    if (!c.passed) failed.push_back(c.name);
  }
  return failed.empty() ? "—" : escape(fmt::format("{}", fmt::join(failed, ", ")));
}

using CellFn = std::string (*)(const RunAnalysis&);

struct CompareRow {
  const char* label;
  CellFn cell;
};

std::string dur(double ns) { return escape(html::duration_ns(ns)); }

const CompareRow kRows[] = {
    {"Scenario", [](const RunAnalysis& a) { return escape(a.scenario); }},
    {"Mode", [](const RunAnalysis& a) { return escape(page::mode_name(a.mode)); }},
    {"Result", verdict_cell},
    {"Failed checks", failed_checks},
    {"Quick (below the rules)", quick_cell},
    {"Metric",
     [](const RunAnalysis& a) {
       return a.metrics.empty() ? std::string("—")
                                : escape(a.metrics[0].label) + "<br><strong>" +
                                      escape(page::metric_text(a.metrics[0])) + "</strong>";
     }},
    {"Samples per second",
     [](const RunAnalysis& a) {
       for (const Metric& m : a.metrics) {
         if (m.unit == "samples/s") return escape(html::number(m.value));
       }
       return std::string("—");
     }},
    {"TTFT p50 / p99",
     [](const RunAnalysis& a) {
       return a.ttft.present() ? dur(a.ttft.at(0.5)) + " / " + dur(a.ttft.at(0.99)) : "—";
     }},
    {"TPOT p50 / p99",
     [](const RunAnalysis& a) {
       return a.tpot.present() ? dur(a.tpot.at(0.5)) + " / " + dur(a.tpot.at(0.99)) : "—";
     }},
    {"Latency p50 / p90 / p99",
     [](const RunAnalysis& a) {
       return a.e2e.present()
                  ? dur(a.e2e.at(0.5)) + " / " + dur(a.e2e.at(0.9)) + " / " + dur(a.e2e.at(0.99))
                  : "—";
     }},
    {"Target QPS",
     [](const RunAnalysis& a) {
       return a.target_qps >= 0 ? escape(html::number(a.target_qps)) : "—";
     }},
    {"Queries / samples",
     [](const RunAnalysis& a) {
       return escape(html::integer(a.query_count) + " / " + html::integer(a.sample_count));
     }},
    {"Duration", [](const RunAnalysis& a) { return dur(a.duration_s * 1e9); }},
    {"SUT", [](const RunAnalysis& a) { return escape(a.sut_name); }},
    {"Date", [](const RunAnalysis& a) { return escape(a.test_datetime); }},
};

std::string metrics_table(const std::vector<RunAnalysis>& analyses,
                          const std::vector<std::string>& titles) {
  std::string out = "<section><h2>Key metrics</h2>\n<table>\n<tr><th></th>";
  for (size_t i = 0; i < titles.size(); ++i) {
    out += fmt::format("<th class=\"run\"><span style=\"color:{}\">■</span> {}</th>",
                       svg::palette(i), escape(titles[i]));
  }
  out += "</tr>\n";
  for (const CompareRow& r : kRows) {
    std::vector<std::string> cells = {escape(r.label)};
    for (const RunAnalysis& a : analyses) cells.push_back(r.cell(a));
    out += html::row(cells, true);
  }
  return out + "</table></section>\n";
}

// One CDF per run: per sample when `per_sample` has values, else through the percentiles.
svg::Series run_cdf(const std::vector<double>& per_sample, const LatencyStats& stats,
                    const std::string& title, size_t i) {
  if (!per_sample.empty()) return charts::cdf_series(per_sample, title, svg::palette(i));
  return charts::percentile_cdf_series(stats, title + " (percentiles)", svg::palette(i));
}

std::string cdf_section(std::span<const RunReportInput> runs,
                        const std::vector<RunAnalysis>& analyses,
                        const std::vector<std::string>& titles) {
  std::vector<svg::Series> e2e, ttft, tpot;
  for (size_t i = 0; i < runs.size(); ++i) {
    const MlperfLogs& logs = runs[i].logs;
    e2e.push_back(run_cdf(charts::e2e_latencies_ms(logs), analyses[i].e2e, titles[i], i));
    ttft.push_back(run_cdf(charts::ttft_latencies_ms(logs), analyses[i].ttft, titles[i], i));
    tpot.push_back(run_cdf(charts::tpot_latencies_ms(logs), analyses[i].tpot, titles[i], i));
  }
  std::string out = "<section><h2>Latency distributions</h2>\n<div class=\"charts\">";
  for (auto& [title, series] :
       {std::pair{"End-to-end latency CDF", &e2e}, std::pair{"Time to first token CDF", &ttft},
        std::pair{"Time per output token CDF", &tpot}}) {
    std::erase_if(*series, [](const svg::Series& s) { return s.x.empty(); });
    if (!series->empty()) out += charts::cdf_chart(title, *series, std::nullopt);
  }
  return out +
         "</div>\n<p class=\"muted\">Staircases are per-sample CDFs from the trace; "
         "straight segments join the percentiles LoadGen logged (min, p50, p90, p95, "
         "p97, p99, p99.9, max) where per-sample data is not available.</p></section>\n";
}

}  // namespace

std::string render_comparison(std::span<const RunReportInput> runs) {
  std::vector<RunAnalysis> analyses;
  for (const auto& r : runs) analyses.push_back(analyze_run(r.logs));
  const std::vector<std::string> titles = run_titles(runs, analyses);
  std::string body = fmt::format(
      "<header><div class=\"muted\">MLPerf Inference run comparison</div><h1>{} runs side by "
      "side</h1></header>\n",
      runs.size());
  body += metrics_table(analyses, titles);
  body += cdf_section(runs, analyses, titles);
  body += "<section><h2>Run folders</h2><table>\n";
  for (size_t i = 0; i < runs.size(); ++i) {
    body +=
        html::row({escape(titles[i]), "<span class=\"mono\">" + escape(runs[i].logs.dir.string()) +
                                          "/" + std::string(kReportFile) + "</span>"});
  }
  body += "</table></section>\n";
  body += "<footer>Written by infermark " + escape(util::build_info().describe()) +
          ". Self-contained: no network needed to view it.</footer>\n";
  return html::page(fmt::format("Comparison of {} runs", runs.size()), body);
}

void write_comparison(std::span<const std::filesystem::path> run_dirs,
                      const std::filesystem::path& out) {
  if (run_dirs.empty()) throw Error("comparison: no run folders given");
  std::vector<RunReportInput> runs;
  for (const auto& d : run_dirs) runs.push_back(read_run(d));
  util::write_file_atomic(out, render_comparison(runs));
}

}  // namespace infermark::report

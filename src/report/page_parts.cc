#include "report/page_parts.h"

#include <fmt/format.h>

#include "report/html.h"

namespace infermark::report::page {
namespace {

using html::escape;

std::string metric_card(const Metric& m, bool headline) {
  const bool latency = m.unit == "ms";
  const std::string value = latency ? html::duration_ns(m.value) : html::number(m.value);
  const std::string unit = latency ? "" : m.unit;
  return fmt::format(
      "<div class=\"metric{}\"><div class=\"l\">{}</div><div class=\"v\">{}<span "
      "class=\"u\">{}</span></div></div>\n",
      headline ? "" : " small", escape(m.label), escape(value), escape(unit));
}

std::string checks_table(const RunAnalysis& a) {
  std::string out =
      "<h3>Checks</h3><table>\n" + html::header_row({"Check", "Result", "Measured", "Required"});
  for (const Check& c : a.checks) {
    out += html::row(
        {escape(c.name),
         c.passed ? "<span class=\"pass\">✓ pass</span>" : "<span class=\"fail\">✗ fail</span>",
         escape(c.measured), escape(c.required)});
  }
  return out + "</table>\n";
}

// The failed checks' explanations as a list under `title`; an interruption, the cause of the
// other failures, first.
std::string why_box(const RunAnalysis& a, const std::string& title) {
  std::string first, items;
  for (const Check& c : a.checks) {
    if (c.passed || c.explanation.empty()) continue;
    const std::string item =
        "<li><strong>" + escape(c.name) + ".</strong> " + escape(c.explanation) + "</li>";
    (c.name == "Run completed" ? first : items) += item;
  }
  items = first + items;
  if (items.empty()) return {};
  return "<div class=\"why\"><strong>" + escape(title) + "</strong><ul>" + items + "</ul></div>\n";
}

// "4.3% of limit" with a pass/fail colour (the submission checker requires value < limit).
std::string headroom(double value, double limit) {
  if (value < 0 || limit <= 0) return "—";
  return fmt::format("<span class=\"{}\">{:.1f}% of limit</span>", value < limit ? "pass" : "fail",
                     100 * value / limit);
}

std::string latency_row(const std::string& name, const LatencyStats& s, double limit,
                        double target) {
  return html::row(
      {escape(name), escape(html::duration_ns(s.at(0.5))), escape(html::duration_ns(s.at(0.9))),
       escape(html::duration_ns(s.at(0.99))), limit >= 0 ? escape(html::duration_ns(limit)) : "—",
       headroom(s.at(target), limit)},
      true);
}

}  // namespace

std::string mode_name(const std::string& mode) {
  if (mode == "PerformanceOnly") return "performance run";
  if (mode == "AccuracyOnly") return "accuracy run";
  if (mode == "SubmissionRun") return "submission run";
  if (mode == "FindPeakPerformance") return "find-peak run";
  return mode.empty() ? "run" : mode;
}

std::string metric_text(const Metric& m) {
  if (m.unit == "ms") return html::duration_ns(m.value);
  return html::number(m.value) + " " + m.unit;
}

std::string verdict_section(const RunAnalysis& a) {
  std::string out = "<section><h2>Result</h2>\n<div class=\"verdict\">";
  if (!a.performance) {
    out += "<span class=\"badge none\">NO PERFORMANCE RESULT</span>";
  } else {
    out += a.valid ? "<span class=\"badge valid\">VALID</span>"
                   : "<span class=\"badge invalid\">INVALID</span>";
  }
  for (size_t i = 0; i < a.metrics.size(); ++i) out += metric_card(a.metrics[i], i == 0);
  out += "</div>\n";
  if (!a.performance) {
    out += "<p>This " + escape(mode_name(a.mode)) +
           " has no performance result: LoadGen measures performance only in performance and "
           "submission runs.</p>\n";
  } else if (!a.valid) {
    out += why_box(a, "Why this run is INVALID");
  } else {
    out += why_box(a, "VALID, but note");
  }
  return out + checks_table(a) + "</section>\n";
}

std::string token_latency_table(const RunAnalysis& a) {
  std::string out =
      "<table>\n" + html::header_row({"", "p50", "p90", "p99", "limit",
                                      fmt::format("p{:g} vs limit", a.target_percentile * 100)});
  out += latency_row("Time to first token (TTFT)", a.ttft, a.ttft_limit_ns, a.target_percentile);
  out += latency_row("Time per output token (TPOT)", a.tpot, a.tpot_limit_ns, a.target_percentile);
  out += latency_row("End-to-end latency", a.e2e, -1, a.target_percentile);
  return out + "</table>\n";
}

std::string accuracy_section(const AccuracyScores& acc) {
  std::string out = "<section><h2>Accuracy</h2>\n";
  const bool met = acc.failures.empty();
  out += fmt::format("<p><span class=\"{}\">{} the {} accuracy targets.</span></p>\n",
                     met ? "pass" : "fail", met ? "✓ Meets" : "✗ Misses", escape(acc.target_name));
  if (!acc.not_comparable.empty()) {
    out += "<div class=\"banner\"><strong>" + escape(acc.not_comparable) + "</strong></div>\n";
  }
  out += "<table>\n" + html::header_row({"Metric", "Value", "Required"});
  for (size_t i = 0; i < acc.values.size(); ++i) {
    const auto& [name, v] = acc.values[i];
    const bool count = name == "gen_len" || name == "gen_num";
    out += html::row(
        {escape(name),
         escape(count ? html::integer(static_cast<int64_t>(v)) : fmt::format("{:.4f}", v)),
         escape(i < acc.requirements.size() ? acc.requirements[i] : "")},
        true);
  }
  out += "</table>\n";
  if (!acc.failures.empty()) {
    out += "<ul>";
    for (const auto& f : acc.failures) out += "<li class=\"fail\">" + escape(f) + "</li>";
    out += "</ul>\n";
  }
  out += "<p class=\"muted\">From " + escape(acc.path.string()) +
         (acc.hash.empty()
              ? ". It has no hash= line, which the submission checker requires."
              : "; accuracy log sha256 <span class=\"mono\">" + escape(acc.hash) + "</span>.") +
         "</p>\n";
  return out + "</section>\n";
}

std::string settings_section(const RunAnalysis& a) {
  const size_t half = (a.settings.size() + 1) / 2;
  std::string cols[2];
  for (size_t i = 0; i < a.settings.size(); ++i) {
    cols[i < half ? 0 : 1] +=
        html::row({escape(a.settings[i].first),
                   "<span class=\"mono\">" + escape(a.settings[i].second) + "</span>"},
                  true);
  }
  return "<section><h2>Effective settings</h2>\n<div class=\"cols\"><table>\n" + cols[0] +
         "</table><table>\n" + cols[1] + "</table></div></section>\n";
}

std::string messages_section(const MlperfLogs& logs) {
  std::string out = "<section><h2>Errors and warnings</h2>\n";
  if (logs.errors.empty() && logs.warnings.empty()) {
    return out + "<p>LoadGen logged no errors or warnings.</p></section>\n";
  }
  out += "<table>\n" + html::header_row({"", "Line", "Key", "Message"});
  auto add = [&](const LogMessage& m, bool error) {
    out +=
        html::row({error ? "<span class=\"fail\">error</span>" : "warning", std::to_string(m.line),
                   "<span class=\"mono\">" + escape(m.key) + "</span>", escape(m.text)});
  };
  for (const LogMessage& m : logs.errors) add(m, true);
  for (const LogMessage& m : logs.warnings) add(m, false);
  return out +
         "</table>\n<p class=\"muted\">Line numbers refer to mlperf_log_detail.txt.</p>"
         "</section>\n";
}

std::string metadata_section(const RunMetadata& meta) {
  std::string out = "<section><h2>Run metadata</h2>\n<table>\n";
  for (const auto& [key, value] : meta.rows) {
    out += html::row({escape(key), "<span class=\"mono\">" + escape(value) + "</span>"});
  }
  return out + "</table>\n<p class=\"muted\">From " + escape(meta.path.string()) +
         ".</p></section>\n";
}

std::string endpoints_section(const EndpointsSummary& e) {
  std::string out = "<section><h2>Endpoints</h2>\n";
  if (!e.comparable) {
    out += "<div class=\"banner\"><strong>Not comparable with an MLPerf run: " +
           escape(e.not_comparable_reason) + "</strong></div>\n";
  }
  out += "<p>" + escape(e.sut) + "</p>\n<table>\n" +
         html::header_row({"Endpoint", "Node", "Dialect", "State", "Samples", "Failed",
                           "Retried away / here", "Tokens", "TTFT p50 / p99", "TPOT p50 / p99"});
  auto pair = [](const std::optional<LatencyPair>& p) {
    return p ? escape(html::duration_ns(p->p50_ms * 1e6) + " / " +
                      html::duration_ns(p->p99_ms * 1e6))
             : std::string("–");
  };
  for (const EndpointRow& r : e.endpoints) {
    const std::string state = r.failure.empty()
                                  ? escape(r.state)
                                  : "<span class=\"fail\">" + escape(r.state) + "</span>";
    out += html::row({"<span class=\"mono\">" + escape(r.url) + "</span>", escape(r.node),
                      escape(r.dialect), state, html::integer(static_cast<int64_t>(r.samples)),
                      html::integer(static_cast<int64_t>(r.failed)),
                      fmt::format("{} / {}", r.retried_away, r.retried_here),
                      html::integer(static_cast<int64_t>(r.tokens)), pair(r.ttft), pair(r.tpot)},
                     true);
  }
  out += "</table>\n" +
         fmt::format("<p>{} samples ({} failed, {} with no endpoint left), {} tokens, {} "
                     "retries; balance: {}. TTFT and TPOT here are the client's view, from the "
                     "moment a sample was issued.</p>\n",
                     html::integer(static_cast<int64_t>(e.samples)), e.failed,
                     e.no_endpoint_failures, html::integer(static_cast<int64_t>(e.tokens)),
                     e.retries, escape(e.balance));
  for (const EndpointRow& r : e.endpoints) {
    if (!r.failure.empty()) {
      out += "<p class=\"fail\">" + escape(r.url) + " taken out: " + escape(r.failure) + "</p>\n";
    }
  }
  if (!e.events.empty()) {
    out += "<table>\n" + html::header_row({"Time", "Endpoint", "Event", "Reason"});
    for (const EndpointEventRow& ev : e.events) {
      out += html::row({escape(fmt::format("{:.3f} s", ev.t_s)),
                        "<span class=\"mono\">" + escape(ev.endpoint) + "</span>",
                        escape(ev.event), escape(ev.reason)});
    }
    out += "</table>\n";
  }
  return out + "<p class=\"muted\">From " + escape(e.path.string()) + ".</p></section>\n";
}

}  // namespace infermark::report::page

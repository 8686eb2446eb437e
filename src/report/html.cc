#include "report/html.h"

#include <fmt/format.h>

#include <cmath>

namespace infermark::report::html {
namespace {

// Readable on screen and in print; system fonts only (nothing is fetched).
constexpr std::string_view kStyle = R"css(
:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--soft:#f6f8fa;--ok:#1a7f37;--bad:#cf222e;
--warn-bg:#fff8c5;--warn-line:#d4a72c}
*{box-sizing:border-box}
body{margin:0;background:var(--soft);color:var(--fg);
font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1140px;margin:0 auto;padding:20px 24px 40px}
header h1{font-size:22px;margin:0}
header .sub{color:var(--muted);margin-top:2px}
section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:16px 20px;
margin:16px 0}
h2{font-size:16px;margin:0 0 10px}
h3{font-size:14px;margin:14px 0 6px}
p{margin:6px 0}
.muted{color:var(--muted)}
.banner{background:var(--warn-bg);border:1px solid var(--warn-line);border-radius:8px;
padding:12px 16px;margin:16px 0}
.banner strong{display:block;margin-bottom:4px}
.banner ul,.why ul{margin:4px 0 0;padding-left:20px}
.verdict{display:flex;gap:28px;align-items:center;flex-wrap:wrap}
.badge{display:inline-block;padding:6px 16px;border-radius:6px;font-weight:700;font-size:20px;
color:#fff;letter-spacing:.04em}
.badge.valid{background:var(--ok)}.badge.invalid{background:var(--bad)}
.badge.none{background:var(--muted)}
.metric .v{font-size:26px;font-weight:600;font-variant-numeric:tabular-nums}
.metric .u{font-size:14px;font-weight:400;color:var(--muted);margin-left:4px}
.metric .l{font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
.metric.small .v{font-size:18px}
.why{border-left:4px solid var(--bad);background:#ffebe9;padding:10px 14px;margin-top:14px;
border-radius:0 6px 6px 0}
.why li{margin:4px 0}
table{border-collapse:collapse;width:100%;margin:4px 0}
th,td{padding:5px 10px;border-bottom:1px solid #e6eaef;text-align:left;vertical-align:top}
th{font-weight:600;color:var(--muted);font-size:12px;text-transform:uppercase;
letter-spacing:.03em;background:var(--soft)}
th.run{text-transform:none;font-size:13px;color:var(--fg);text-align:right}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
.pass{color:var(--ok);font-weight:600}.fail{color:var(--bad);font-weight:600}
.cols{display:grid;grid-template-columns:1fr 1fr;gap:0 28px}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(460px,1fr));gap:12px 20px}
svg.chart{max-width:100%;height:auto;display:block}
svg.chart text{font-size:11px;fill:var(--fg)}
svg.chart .t{font-size:13px;font-weight:600}
svg.chart .ax{fill:var(--muted)}
footer{color:var(--muted);font-size:12px;margin-top:16px}
@media(max-width:760px){.cols{grid-template-columns:1fr}}
)css";

}  // namespace

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case ':':
        out += text.substr(i + 1, 2) == "//" ? ":&#47;" : ":";
        if (text.substr(i + 1, 2) == "//") ++i;
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string duration_ns(double ns) {
  if (!std::isfinite(ns) || ns < 0) return "n/a";
  const double ms = ns / 1e6;
  if (ms >= 10000) return fmt::format("{:.1f} s", ms / 1e3);
  if (ms >= 1000) return fmt::format("{:.2f} s", ms / 1e3);
  if (ms >= 100) return fmt::format("{:.0f} ms", ms);
  if (ms >= 10) return fmt::format("{:.1f} ms", ms);
  if (ms >= 1) return fmt::format("{:.2f} ms", ms);
  return fmt::format("{:.3f} ms", ms);
}

std::string integer(int64_t v) {
  const uint64_t magnitude = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  const std::string digits = std::to_string(magnitude);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return v < 0 ? "-" + out : out;
}

std::string number(double v) {
  if (!std::isfinite(v)) return "n/a";
  const double a = std::abs(v);
  if (a >= 1000) return integer(std::llround(v));
  if (a >= 100) return fmt::format("{:.1f}", v);
  if (a >= 1) return fmt::format("{:.2f}", v);
  if (a == 0) return "0";
  return fmt::format("{:.3g}", v);
}

std::string row(const std::vector<std::string>& cells_html, bool numeric) {
  std::string out = "<tr>";
  for (size_t i = 0; i < cells_html.size(); ++i) {
    out += numeric && i > 0 ? "<td class=\"n\">" : "<td>";
    out += cells_html[i];
    out += "</td>";
  }
  return out + "</tr>\n";
}

std::string header_row(const std::vector<std::string>& labels) {
  std::string out = "<tr>";
  for (const auto& l : labels) out += "<th>" + escape(l) + "</th>";
  return out + "</tr>\n";
}

std::string page(std::string_view title, std::string_view body_html) {
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<title>" + escape(title) + "</title>\n<style>" + std::string(kStyle) + "</style>\n";
  out += "</head>\n<body>\n<main>\n";
  out += body_html;
  out += "</main>\n</body>\n</html>\n";
  return out;
}

}  // namespace infermark::report::html

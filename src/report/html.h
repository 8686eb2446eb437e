// HTML building blocks of the reports: escaping, number and duration formatting, small tables
// and the page shell with its inline stylesheet. Everything a report page contains goes through
// escape(), so values from logs can never inject markup, and no URL scheme ("x://") survives
// into the page text: the pages reference nothing outside themselves.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace infermark::report::html {

// Escapes & < > " ' and breaks "://" as ":&#47;/" (renders the same, links nowhere).
std::string escape(std::string_view text);

// 23470166 ns -> "23.5 ms"; 2e9 -> "2.00 s"; 60988 -> "0.061 ms". Negative -> "n/a".
std::string duration_ns(double ns);
// Readable number: 23654.36 -> "23,654"; 184.08 -> "184.1"; 0.99 -> "0.99"; 2.95645e8 ->
// "295,645,000". Non-finite -> "n/a".
std::string number(double v);
// 13368 -> "13,368".
std::string integer(int64_t v);

// A table row of cells given as already-built HTML. `numeric` right-aligns cells after the first.
std::string row(const std::vector<std::string>& cells_html, bool numeric = false);
// A header row.
std::string header_row(const std::vector<std::string>& labels);

// A whole document: doctype, <title>, the inline stylesheet and `body_html` inside <main>.
std::string page(std::string_view title, std::string_view body_html);

}  // namespace infermark::report::html

#include "report/text_scan.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <system_error>

namespace infermark::report {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

std::optional<double> parse_number(std::string_view s) {
  double v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) {
    return std::nullopt;
  }
  return v;
}

std::optional<int64_t> integer_between(std::string_view text, std::string_view before,
                                       std::string_view after) {
  for (size_t at = text.find(before); at != std::string_view::npos;
       at = text.find(before, at + 1)) {
    const size_t first = at + before.size();
    size_t end = first;
    while (end < text.size() && is_digit(text[end])) ++end;
    if (end == first || text.substr(end, after.size()) != after) continue;
    int64_t v = 0;
    const auto [stop, ec] = std::from_chars(text.data() + first, text.data() + end, v);
    if (ec != std::errc()) return std::nullopt;
    return v;
  }
  return std::nullopt;
}

std::optional<std::string_view> dict_value_after(std::string_view text, std::string_view key) {
  const size_t at = text.find(key);
  if (at == std::string_view::npos) return std::nullopt;
  size_t pos = at + key.size();
  while (pos < text.size() && is_space(text[pos])) ++pos;
  if (pos < text.size() && text[pos] == '\'') ++pos;
  const size_t first = pos;
  while (pos < text.size() && (is_digit(text[pos]) || text[pos] == '.')) ++pos;
  return text.substr(first, pos - first);
}

std::optional<std::string_view> line_value(std::string_view text, std::string_view prefix) {
  size_t line = 0;
  while (line < text.size()) {
    const size_t end = std::min(text.find('\n', line), text.size());
    const std::string_view l = text.substr(line, end - line);
    if (l.starts_with(prefix)) return l.substr(prefix.size());
    line = end + 1;
  }
  return std::nullopt;
}

}  // namespace infermark::report

#include "sut/http/prometheus_text.h"

#include <charconv>
#include <cstdlib>
#include <unordered_map>

namespace infermark::sut::http {
namespace {

enum class Kind { kCounter, kHistogram, kOther };

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// Whether a sample named `name` is a counter, given the TYPE lines seen so far.
bool counted(std::string_view name, const std::unordered_map<std::string, Kind>& types) {
  auto type_of = [&](std::string_view family) -> const Kind* {
    auto it = types.find(std::string(family));
    return it == types.end() ? nullptr : &it->second;
  };
  if (const Kind* k = type_of(name)) return *k == Kind::kCounter;
  auto base_is = [&](std::string_view suffix, Kind kind) {
    if (!name.ends_with(suffix)) return false;
    const Kind* k = type_of(name.substr(0, name.size() - suffix.size()));
    return k && *k == kind;
  };
  if (base_is("_total", Kind::kCounter)) return true;
  if (base_is("_count", Kind::kHistogram) || base_is("_sum", Kind::kHistogram)) return true;
  return name.ends_with("_total") && !type_of(name.substr(0, name.size() - 6));
}

}  // namespace

Counters parse_counters(std::string_view text) {
  std::unordered_map<std::string, Kind> types;
  Counters out;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    const std::string_view line = trim(text.substr(0, nl));
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (line.empty()) continue;
    if (line.front() == '#') {
      if (!line.starts_with("# TYPE ")) continue;
      const std::string_view rest = trim(line.substr(7));
      const size_t sp = rest.find(' ');
      if (sp == std::string_view::npos) continue;
      const std::string_view type = trim(rest.substr(sp + 1));
      types[std::string(rest.substr(0, sp))] = type == "counter" ? Kind::kCounter
                                               : (type == "histogram" || type == "summary")
                                                   ? Kind::kHistogram
                                                   : Kind::kOther;
      continue;
    }
    // name{labels} value [timestamp]; label values may hold spaces, so find the closing brace.
    const size_t brace = line.find('{');
    size_t series_end;
    if (brace != std::string_view::npos && brace < line.find(' ')) {
      series_end = line.find('}', brace);
      if (series_end == std::string_view::npos) continue;
      ++series_end;
    } else {
      series_end = line.find(' ');
      if (series_end == std::string_view::npos) continue;
    }
    const std::string_view series = line.substr(0, series_end);
    const std::string_view name = series.substr(0, std::min(series.find('{'), series.size()));
    if (!counted(name, types)) continue;
    std::string_view value = trim(line.substr(series_end));
    value = value.substr(0, value.find(' '));
    const std::string v(value);
    char* end = nullptr;
    const double d = std::strtod(v.c_str(), &end);
    if (v.empty() || end != v.c_str() + v.size()) continue;
    out[std::string(series)] = d;
  }
  return out;
}

Counters counter_deltas(const Counters& before, const Counters& after) {
  Counters out;
  for (const auto& [series, value] : after) {
    auto it = before.find(series);
    const double base = it == before.end() ? 0.0 : it->second;
    out[series] = value >= base ? value - base : value;
  }
  return out;
}

}  // namespace infermark::sut::http

#include "report/mlperf_logs.h"

#include <fmt/format.h>

#include <system_error>

#include "util/atomic_file.h"
#include "util/error.h"

namespace infermark::report {
namespace {

constexpr std::string_view kDetailPrefix = ":::MLLOG ";

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r");
  return s.substr(first, last - first + 1);
}

// Calls fn(line_text, line_number) for each line; a final line without '\n' counts too.
template <typename Fn>
void for_each_line(std::string_view text, Fn&& fn) {
  int number = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    fn(text.substr(pos, end - pos), ++number);
    pos = end + 1;
  }
}

// The summary's last line reports the error count ("No errors encountered during test.",
// "1 ERROR encountered. ...", "N ERRORS encountered. ..."); a file without it was cut short.
bool is_error_footer(std::string_view line) {
  return line == "No errors encountered during test." ||
         line.find(" ERROR encountered.") != std::string_view::npos ||
         line.find(" ERRORS encountered.") != std::string_view::npos;
}

std::string message_text(const util::Json& v) {
  return v.is_string() ? v.get<std::string>() : v.dump();
}

}  // namespace

void parse_summary(std::string_view text, std::string_view origin, MlperfLogs& out) {
  bool footer = false;
  int lines = 0;
  for_each_line(text, [&](std::string_view raw, int number) {
    lines = number;
    const std::string_view line = trim(raw);
    if (is_error_footer(line)) footer = true;
    if (line.empty() || line.front() == '*' || line.front() == '=') return;
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return;
    out.summary_fields.emplace_back(std::string(trim(line.substr(0, colon))),
                                    std::string(trim(line.substr(colon + 1))));
  });
  if (lines == 0) throw Error::format("{}: empty file", origin);
  if (!footer) {
    throw Error::format(
        "{}: line {}: file ends before the error-count footer (\"No errors "
        "encountered during test.\"); it is truncated",
        origin, lines);
  }
}

namespace {

// An entry's metadata.is_error / is_warning: true, false, or absent (false).
bool metadata_flag(const util::Json& meta, const char* name, std::string_view origin, int number) {
  const auto it = meta.find(name);
  if (it == meta.end() || it->is_null()) return false;
  if (!it->is_boolean()) {
    throw Error::format("{}: line {}: metadata \"{}\" is a {}, not true or false", origin, number,
                        name, it->type_name());
  }
  return it->get<bool>();
}

}  // namespace

void parse_detail(std::string_view text, std::string_view origin, MlperfLogs& out) {
  bool any = false;
  for_each_line(text, [&](std::string_view raw, int number) {
    const std::string_view line = trim(raw);
    if (line.empty()) return;
    if (!line.starts_with(kDetailPrefix)) {
      throw Error::format("{}: line {}: expected a line starting with \":::MLLOG \"", origin,
                          number);
    }
    util::Json entry;
    try {
      entry = util::Json::parse(line.substr(kDetailPrefix.size()));
    } catch (const util::Json::exception& e) {
      throw Error::format("{}: line {}: invalid JSON ({}); the file is corrupt or truncated",
                          origin, number, e.what());
    }
    const auto key = entry.is_object() ? entry.find("key") : entry.end();
    if (key == entry.end() || !key->is_string() || !entry.contains("value")) {
      throw Error::format("{}: line {}: entry lacks a string \"key\" or a \"value\"", origin,
                          number);
    }
    LogMessage msg{key->get<std::string>(), message_text(entry["value"]), number};
    const auto meta = entry.find("metadata");
    if (meta != entry.end() && meta->is_object()) {
      if (metadata_flag(*meta, "is_error", origin, number)) out.errors.push_back(msg);
      if (metadata_flag(*meta, "is_warning", origin, number)) out.warnings.push_back(msg);
    }
    out.detail[msg.key] = std::move(entry["value"]);
    any = true;
  });
  if (!any) throw Error::format("{}: no :::MLLOG entries (empty file)", origin);
}

MlperfLogs read_mlperf_logs(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    throw Error::format("{}: not a folder", dir.string());
  }
  MlperfLogs out;
  out.dir = dir;
  for (const auto name : {kSummaryFile, kDetailFile}) {
    if (!std::filesystem::exists(dir / name, ec)) {
      throw Error::format("{}: no {} here; not an MLPerf run folder", dir.string(), name);
    }
  }
  const auto summary = dir / kSummaryFile;
  parse_summary(util::read_file(summary), summary.string(), out);
  const auto detail = dir / kDetailFile;
  parse_detail(util::read_file(detail), detail.string(), out);
  const auto trace = dir / kTraceFile;
  if (std::filesystem::exists(trace, ec)) {
    parse_trace(util::read_file(trace), trace.string(), out);
  }
  return out;
}

const std::string* MlperfLogs::summary(std::string_view label) const {
  for (const auto& [k, v] : summary_fields) {
    if (k == label) return &v;
  }
  return nullptr;
}

const util::Json* MlperfLogs::value(std::string_view key) const {
  const auto it = detail.find(key);
  return it == detail.end() ? nullptr : &it->second;
}

std::optional<double> MlperfLogs::number(std::string_view key) const {
  const util::Json* v = value(key);
  if (v == nullptr || !v->is_number()) return std::nullopt;
  return v->get<double>();
}

std::optional<std::string> MlperfLogs::text(std::string_view key) const {
  const util::Json* v = value(key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return v->get<std::string>();
}

std::optional<bool> MlperfLogs::flag(std::string_view key) const {
  const util::Json* v = value(key);
  if (v == nullptr || !v->is_boolean()) return std::nullopt;
  return v->get<bool>();
}

std::string MlperfLogs::display(std::string_view key) const {
  const util::Json* v = value(key);
  return v == nullptr ? std::string() : message_text(*v);
}

}  // namespace infermark::report

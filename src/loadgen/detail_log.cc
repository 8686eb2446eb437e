#include "loadgen/detail_log.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>

#include "loadgen/clock.h"
#include "loadgen/log_format.h"

namespace infermark::loadgen {

DetailLog::DetailLog(const std::filesystem::path& path, int64_t origin_ns, bool copy_to_stdout)
    : file_(std::make_unique<util::AtomicFile>(path)),
      origin_ns_(origin_ns),
      copy_to_stdout_(copy_to_stdout),
      pid_(static_cast<int>(::getpid())) {}

void DetailLog::write(std::string_view key, std::string_view json_value, bool is_error,
                      bool is_warning, const Loc& loc) {
  const int64_t t = now_ns() - origin_ns_;
  std::string_view file = loc.file_name();
  if (auto slash = file.rfind('/'); slash != std::string_view::npos) file.remove_prefix(slash + 1);
  const auto tid = static_cast<long>(::syscall(SYS_gettid));
  std::string line = fmt::format(
      ":::MLLOG {{\"key\": \"{}\", \"value\": {}, \"time_ms\": {}, \"namespace\": "
      "\"mlperf::logging\", \"event_type\": \"POINT_IN_TIME\", \"metadata\": {{\"is_error\": {}, "
      "\"is_warning\": {}, \"file\": \"{}\", \"line_no\": {}, \"pid\": {}, \"tid\": {}}}}}\n",
      key, json_value, format_time_ms(t), is_error, is_warning, file, loc.line(), pid_, tid);
  std::lock_guard lock(mu_);
  if (is_error) ++errors_;
  if (is_warning) ++warnings_;
  if (!file_) return;
  file_->write(line);
  if (copy_to_stdout_) std::fputs(line.c_str(), stdout);
}

void DetailLog::value(std::string_view key, const std::string& v, Loc loc) {
  write(key, json_quote(v), false, false, loc);
}
void DetailLog::value(std::string_view key, bool v, Loc loc) {
  write(key, v ? "true" : "false", false, false, loc);
}
void DetailLog::value(std::string_view key, double v, Loc loc) {
  // JSON has no infinities or NaN (a result over zero samples divides by zero): a string.
  write(key, std::isfinite(v) ? format_g(v) : json_quote(format_g(v)), false, false, loc);
}
void DetailLog::value(std::string_view key, int64_t v, Loc loc) {
  write(key, std::to_string(v), false, false, loc);
}
void DetailLog::value(std::string_view key, uint64_t v, Loc loc) {
  write(key, std::to_string(v), false, false, loc);
}
void DetailLog::value(std::string_view key, const std::vector<uint64_t>& v, Loc loc) {
  write(key, fmt::format("[{}]", fmt::join(v, ",")), false, false, loc);
}
void DetailLog::value(std::string_view key, const std::map<std::string, std::string>& v,
                      Loc loc) {
  std::string s = "{";
  for (const auto& [k, val] : v) {
    if (s.size() > 1) s += ',';
    s += json_quote(k) + ":" + json_quote(val);
  }
  write(key, s + "}", false, false, loc);
}

void DetailLog::message(const std::string& text, Loc loc) {
  write("generic_message", json_quote(text), false, false, loc);
}
void DetailLog::warning(const std::string& text, Loc loc) {
  write("warning_generic_message", json_quote(text), false, true, loc);
}
void DetailLog::error(std::string_view key, const std::string& text, Loc loc) {
  write(key, json_quote(text), true, false, loc);
}

int DetailLog::error_count() const {
  std::lock_guard lock(mu_);
  return errors_;
}
int DetailLog::warning_count() const {
  std::lock_guard lock(mu_);
  return warnings_;
}

void DetailLog::commit() {
  std::lock_guard lock(mu_);
  if (!file_) return;
  file_->commit();
  file_.reset();
}

}  // namespace infermark::loadgen

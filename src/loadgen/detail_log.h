// Writer of mlperf_log_detail.txt: one `:::MLLOG {...}` JSON line per entry, with LoadGen's keys,
// value formats and metadata (loadgen-behaviour.md §10.3). It also counts the warnings and errors
// that the summary footer reports. Thread-safe; entries are written in call order.
//
// Differences from LoadGen, both so that every line is valid JSON: string values are JSON-escaped,
// and `file` is this project's source file name.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "util/atomic_file.h"
#include "util/source_location.h"

namespace infermark::loadgen {

class DetailLog {
 public:
  using Loc = util::SourceLocation;

  // Opens `path` (atomically published by commit()). Timestamps are relative to `origin_ns`
  // (now_ns() clock).
  DetailLog(const std::filesystem::path& path, int64_t origin_ns, bool copy_to_stdout);

  void value(std::string_view key, const std::string& v, Loc loc = Loc::current());
  void value(std::string_view key, const char* v, Loc loc = Loc::current()) {
    value(key, std::string(v), loc);
  }
  void value(std::string_view key, bool v, Loc loc = Loc::current());
  void value(std::string_view key, double v, Loc loc = Loc::current());
  void value(std::string_view key, int64_t v, Loc loc = Loc::current());
  void value(std::string_view key, uint64_t v, Loc loc = Loc::current());
  void value(std::string_view key, int v, Loc loc = Loc::current()) {
    value(key, static_cast<int64_t>(v), loc);
  }
  void value(std::string_view key, const std::vector<uint64_t>& v, Loc loc = Loc::current());
  void value(std::string_view key, const std::map<std::string, std::string>& v,
             Loc loc = Loc::current());

  // key "generic_message".
  void message(const std::string& text, Loc loc = Loc::current());
  // key "warning_generic_message", flagged is_warning.
  void warning(const std::string& text, Loc loc = Loc::current());
  // `key` should start with "error_"; flagged is_error.
  void error(std::string_view key, const std::string& text, Loc loc = Loc::current());

  int error_count() const;
  int warning_count() const;
  int64_t origin_ns() const { return origin_ns_; }

  // Publishes the file. Entries logged afterwards are dropped.
  void commit();

 private:
  void write(std::string_view key, std::string_view json_value, bool is_error, bool is_warning,
             const Loc& loc);

  mutable std::mutex mu_;
  std::unique_ptr<util::AtomicFile> file_;
  int64_t origin_ns_;
  bool copy_to_stdout_;
  int errors_ = 0;
  int warnings_ = 0;
  int pid_;
};

}  // namespace infermark::loadgen

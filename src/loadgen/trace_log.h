// Writer of mlperf_log_trace.json, a Chrome trace (loadgen-behaviour.md §10.5): scoped phases of
// the run, one async begin/end pair per sample from its scheduled time to its completion, and
// Server latency counters. Events of a series are written once the series is over, so tracing
// costs nothing while queries are in flight. When disabled the file is created and left empty,
// as LoadGen does. Not thread-safe: called from the run's thread only.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string_view>

#include "loadgen/issue_series.h"
#include "util/atomic_file.h"

namespace infermark::loadgen {

class TraceLog {
 public:
  TraceLog(const std::filesystem::path& path, bool enabled, int64_t origin_ns);

  // A complete ("X") event named `name` from start to end (now_ns() clock).
  void scoped(std::string_view name, int64_t start_ns, int64_t end_ns);
  // Sample events and (Server) latency counters of a finished series.
  void series(const Series& series, bool server);
  void commit();

 private:
  std::string ts(int64_t abs_ns) const;

  std::unique_ptr<util::AtomicFile> file_;
  bool enabled_;
  int64_t origin_ns_;
  int64_t origin_epoch_ns_;
  int pid_;
};

}  // namespace infermark::loadgen

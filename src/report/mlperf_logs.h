// Reading a run folder's MLPerf logs back: mlperf_log_summary.txt (text "label : value" lines),
// mlperf_log_detail.txt (one `:::MLLOG {json}` entry per line) and mlperf_log_trace.json (Chrome
// trace; per-sample scheduled and completion times). The formats are those of
// loadgen-behaviour.md §10, as written by LoadGen itself or by infermark's load generator.
//
// Used by the report and by anything else in the harness that needs a finished run's numbers.
// Every malformed or truncated file is rejected with an Error naming the file and the line.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/json.h"

namespace infermark::report {

// The standard file names inside a run folder.
inline constexpr std::string_view kSummaryFile = "mlperf_log_summary.txt";
inline constexpr std::string_view kDetailFile = "mlperf_log_detail.txt";
inline constexpr std::string_view kTraceFile = "mlperf_log_trace.json";

// A detail-log entry flagged metadata.is_error or metadata.is_warning.
struct LogMessage {
  std::string key;   // e.g. "error_runtime", "warning_generic_message"
  std::string text;  // the value; non-string values as compact JSON
  int line = 0;      // 1-based line in mlperf_log_detail.txt
};

// One sample of the performance run, from the trace's async "Sample" begin/end pair. Times are
// seconds since the trace origin (the start of the run).
struct SampleTiming {
  uint64_t id = 0;            // sample sequence id
  double scheduled_s = 0;     // "b" event ts: when LoadGen scheduled the sample's query
  double completed_s = 0;     // "e" event ts: when the SUT completed it
  double first_token_s = -1;  // begin args "first_token_ns" when the trace has it, else -1
  int64_t n_tokens = -1;      // begin args "n_tokens" when the trace has it, else -1
  double latency_s() const { return completed_s - scheduled_s; }
};

struct MlperfLogs {
  std::filesystem::path dir;

  // mlperf_log_summary.txt: every "label : value" line in file order, label and value trimmed.
  // Labels can repeat (Server prints "Completed tokens per second" twice); summary() returns the
  // first. Recommendation and early-stopping text lines (" * ...") are not fields.
  std::vector<std::pair<std::string, std::string>> summary_fields;

  // mlperf_log_detail.txt: the last value logged under each key.
  std::map<std::string, util::Json, std::less<>> detail;
  std::vector<LogMessage> errors;    // in file order
  std::vector<LogMessage> warnings;  // in file order

  // mlperf_log_trace.json. trace_enabled is false when the file is absent or empty (the run had
  // tracing off); then samples is empty.
  bool trace_enabled = false;
  std::vector<SampleTiming> samples;  // completed samples, sorted by scheduled time, then id
  uint64_t incomplete_samples = 0;    // "b" events without a matching "e"

  // Summary field by label, or nullptr.
  const std::string* summary(std::string_view label) const;
  // Detail value by key, or nullptr.
  const util::Json* value(std::string_view key) const;
  // The detail value as a number / string / bool; nullopt if absent or of another type.
  std::optional<double> number(std::string_view key) const;
  std::optional<std::string> text(std::string_view key) const;
  std::optional<bool> flag(std::string_view key) const;
  // The detail value for display: strings as is, other values as compact JSON (so 64-bit seeds
  // keep every digit); "" if absent.
  std::string display(std::string_view key) const;
};

// Reads the logs in `dir`. The summary and detail logs are required; the trace is optional.
// Throws Error "<file>: line N: <reason>" for malformed or truncated content and
// "<dir>: ..." when the folder or a required file is missing.
MlperfLogs read_mlperf_logs(const std::filesystem::path& dir);

// The parsers behind read_mlperf_logs, for text already in memory. `origin` is the file name
// used in error messages. Each fills its part of `out`.
void parse_summary(std::string_view text, std::string_view origin, MlperfLogs& out);
void parse_detail(std::string_view text, std::string_view origin, MlperfLogs& out);
void parse_trace(std::string_view text, std::string_view origin, MlperfLogs& out);

}  // namespace infermark::report

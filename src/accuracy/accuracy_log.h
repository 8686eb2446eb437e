// Reading LoadGen's mlperf_log_accuracy.json for scoring and for the TEST06 checks.
//
// The file is a JSON array of {"seq_id", "qsl_idx", "data", "token_count"[, "token_data"]}
// where data and token_data are hex strings of the response bytes (int32 little-endian token ids
// for llama3.1-8b; Offline logs have no token_data). Everything is validated on read: an Error
// names the file, the entry index and the field.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace infermark::accuracy {

struct AccuracyLogEntry {
  std::optional<int64_t> seq_id;
  int64_t qsl_idx = 0;
  std::vector<int32_t> data;                       // the generated token ids
  std::optional<int64_t> token_count;              // LoadGen's n_tokens for the response
  std::optional<std::vector<int32_t>> token_data;  // first-token payload (Server, SingleStream)
};

struct AccuracyLog {
  std::vector<AccuracyLogEntry> entries;  // in file order, duplicates included
  std::string sha256;                     // hex digest of the file's bytes ("" if parsed text)
  std::string origin;                     // the file (or name) it was read from, for errors
};

// Reads and validates a log file (fully in memory; ~1 KB per entry).
AccuracyLog read_accuracy_log(const std::filesystem::path& path);
// Parses log text; `origin` names it in errors.
AccuracyLog parse_accuracy_log(std::string_view json_text, std::string_view origin);

// bytes.fromhex(hex) viewed as little-endian int32 (np.frombuffer(..., np.int32)). ASCII
// whitespace between byte pairs is accepted, as Python does. Throws Error mentioning `what` on a
// bad digit, an odd digit count, or a byte count that is not a multiple of 4.
std::vector<int32_t> hex_to_int32(std::string_view hex, std::string_view what);
// The inverse, in LoadGen's upper-case form (for tests and writers).
std::string int32_to_hex(const std::vector<int32_t>& ids);

// Indices of the entries to score: the first entry of each qsl_idx, in file order.
std::vector<size_t> first_entry_per_sample(const AccuracyLog& log);

}  // namespace infermark::accuracy

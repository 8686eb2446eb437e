// Writer of mlperf_log_accuracy.json (loadgen-behaviour.md §10.4): one entry per logged sample,
// in completion order, with the response bytes as uppercase hex. Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace infermark::loadgen {

class AccuracyLogWriter {
 public:
  struct Entry {
    uint64_t seq_id;
    uint64_t qsl_idx;
    std::vector<std::byte> data;
    std::optional<std::vector<std::byte>> token_data;  // set for non-Offline token runs
    std::optional<int64_t> token_count;                // set when token latencies are used
  };

  void add(Entry entry);
  size_t size() const;
  // Writes the whole file atomically (an empty log is "[\n]\n").
  void write(const std::filesystem::path& path) const;

 private:
  mutable std::mutex mu_;
  std::vector<Entry> entries_;
};

// Uppercase hex of `bytes`, two characters per byte in memory order.
std::string to_hex(std::span<const std::byte> bytes);

}  // namespace infermark::loadgen

// SHA-256 (FIPS 180-4), for the `hash=` line MLPerf requires in accuracy.txt (the digest of
// mlperf_log_accuracy.json). Self-contained; a Sha256 object is not thread-safe, the free
// functions are.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace infermark::accuracy {

class Sha256 {
 public:
  Sha256();
  void update(std::string_view bytes);
  // The digest of everything passed to update(); the object must not be used afterwards.
  std::array<uint8_t, 32> finish();

 private:
  void block(const uint8_t* p);

  std::array<uint32_t, 8> h_;
  std::array<uint8_t, 64> buffer_{};
  size_t buffered_ = 0;
  uint64_t total_bytes_ = 0;
};

// Lower-case hex digest of `bytes`.
std::string sha256_hex(std::string_view bytes);
// Lower-case hex digest of a file's contents, read in chunks. Throws Error naming the path.
std::string sha256_file_hex(const std::filesystem::path& path);

}  // namespace infermark::accuracy

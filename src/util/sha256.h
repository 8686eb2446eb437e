// SHA-256 (FIPS 180-4) of byte strings and files: the dataset and model checksums every result
// log records, and the `hash=` line of accuracy.txt. Output matches `sha256sum`. A Sha256 object
// is not thread-safe; the free functions are.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace infermark::util {

// Incremental SHA-256 (FIPS 180-4). Not thread-safe; one hash per object.
class Sha256 {
 public:
  Sha256();
  void update(std::string_view bytes);
  // Finishes and returns the 64-character lowercase hex digest. The object is spent afterwards.
  std::string hex_digest();

 private:
  void block(const unsigned char* p);

  uint32_t h_[8];
  unsigned char buf_[64];
  size_t buf_len_ = 0;
  uint64_t total_ = 0;  // bytes
};

std::string sha256_hex(std::string_view bytes);

// Hashes a file in 1 MiB reads. Throws Error naming the file if it cannot be read.
std::string sha256_file(const std::filesystem::path& path);

}  // namespace infermark::util

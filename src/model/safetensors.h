// Reader for one .safetensors file (Hugging Face format, see tokenizer-model-rouge.md §2.4):
// an 8-byte little-endian header length N, N bytes of JSON describing each tensor, then the data.
//
// The file is memory-mapped read-only and never copied: a TensorView points into the mapping, so
// opening costs only the header parse and resident memory grows as tensor pages are touched.
// Everything in the header is validated on open (length bound, JSON, dtypes, shapes, byte sizes,
// offsets inside the file, ranges contiguous and non-overlapping); any problem is an Error naming
// the file and the tensor.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "model/dtype.h"

namespace infermark::model {

// Largest JSON header accepted, in bytes (the limit of the reference safetensors reader).
inline constexpr uint64_t kMaxSafetensorsHeaderBytes = 100'000'000;

// One tensor of a checkpoint. `data` points into a read-only mapping owned by the file (or
// Checkpoint) it came from and is valid while that object lives. Elements are little-endian, C
// order. `data` is not necessarily aligned to the element size (the format does not promise it);
// use memcpy or check the address before loading wide types.
struct TensorView {
  std::string name;
  DType dtype = DType::kF32;
  std::vector<int64_t> shape;  // [] for a scalar
  const std::byte* data = nullptr;
  uint64_t nbytes = 0;  // == numel() * dtype_size(dtype)

  int64_t numel() const;
  // "BF16[4096, 128256]"-style description for messages.
  std::string describe() const;
};

// Read-only memory mapping of a whole file. Movable, not copyable.
class MappedFile {
 public:
  // Maps `path`. Throws Error naming the path if it cannot be opened or mapped.
  explicit MappedFile(const std::filesystem::path& path);
  ~MappedFile();
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const std::byte* data() const { return data_; }
  uint64_t size() const { return size_; }

 private:
  const std::byte* data_ = nullptr;
  uint64_t size_ = 0;
};

// One opened and validated .safetensors file. Immutable after open; safe to read from any thread.
class SafetensorsFile {
 public:
  // Opens, maps and validates `path`. Throws Error "<path>: <what>" on any problem.
  static std::unique_ptr<SafetensorsFile> open(const std::filesystem::path& path);

  const std::filesystem::path& path() const { return path_; }
  uint64_t file_size() const { return map_.size(); }
  // Tensors in the order of their data in the file.
  const std::vector<TensorView>& tensors() const { return tensors_; }
  // nullptr if the file has no tensor of that name.
  const TensorView* find(std::string_view name) const;
  // The optional "__metadata__" string map (HF writes {"format": "pt"}).
  const std::map<std::string, std::string>& metadata() const { return metadata_; }

 private:
  SafetensorsFile(std::filesystem::path path, MappedFile map);
  void parse_header();

  std::filesystem::path path_;
  MappedFile map_;
  std::vector<TensorView> tensors_;
  std::map<std::string, size_t, std::less<>> by_name_;
  std::map<std::string, std::string> metadata_;
};

}  // namespace infermark::model

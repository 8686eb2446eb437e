// A Hugging Face checkpoint's tensors, opened from a folder holding either one
// `model.safetensors` or shards listed in `model.safetensors.index.json` (the layout of
// Llama-3.1-8B: four shards, a layer may straddle two of them).
//
// Tensors are looked up by name across all files; every file is memory-mapped, nothing is copied
// (see safetensors.h). The index is checked against the shards: each tensor must be in the shard
// it is mapped to, every shard must exist, and a shard may not hold tensors the index omits.
// Immutable after open; safe to read from any thread. Movable; TensorView pointers and data stay
// valid across moves and for the Checkpoint's lifetime.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "model/safetensors.h"

namespace infermark::model {

inline constexpr std::string_view kSingleFileName = "model.safetensors";
inline constexpr std::string_view kIndexFileName = "model.safetensors.index.json";

class Checkpoint {
 public:
  // `path` is a checkpoint folder or a single .safetensors file. In a folder, model.safetensors
  // is used if present (as transformers does), else model.safetensors.index.json. Throws Error
  // naming the file and tensor on any problem.
  static Checkpoint open(const std::filesystem::path& path);

  const std::filesystem::path& path() const { return path_; }
  bool sharded() const { return sharded_; }
  // The opened .safetensors files, in index order.
  std::vector<std::filesystem::path> files() const;

  size_t size() const { return by_name_.size(); }
  // Sum of all tensors' byte sizes.
  uint64_t total_bytes() const;
  // nullptr if there is no tensor of that name.
  const TensorView* find(std::string_view name) const;
  // Throws Error "<checkpoint>: no tensor '<name>'" if absent.
  const TensorView& get(std::string_view name) const;
  // All tensors, ordered by name.
  std::vector<const TensorView*> tensors() const;

 private:
  void add_file(std::unique_ptr<SafetensorsFile> file);
  void open_sharded(const std::filesystem::path& index_path);

  std::filesystem::path path_;
  bool sharded_ = false;
  std::vector<std::unique_ptr<SafetensorsFile>> files_;
  std::map<std::string, const TensorView*, std::less<>> by_name_;
};

}  // namespace infermark::model

// Writes checkpoints in the Hugging Face safetensors layout: one model.safetensors, or shards
// model-0000K-of-0000N.safetensors plus model.safetensors.index.json.
//
// Writing streams: the header is computed from the tensor list first, then each tensor's bytes
// are produced by a caller-supplied fill function in bounded chunks, so a 16 GB checkpoint is
// written with a few MB of memory. Every file is written atomically (temporary name, rename).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "model/dtype.h"

namespace infermark::model {

// One tensor to write.
struct TensorToWrite {
  std::string name;
  DType dtype = DType::kBF16;
  std::vector<int64_t> shape;

  uint64_t nbytes() const;
};

// Produces the bytes [offset, offset + out.size()) of `tensor`'s data into `out`. Called with
// increasing offsets per tensor, chunks of at most kWriteChunkBytes.
using TensorFill =
    std::function<void(const TensorToWrite& tensor, uint64_t offset, std::span<std::byte> out)>;

inline constexpr size_t kWriteChunkBytes = size_t{4} << 20;

// Hugging Face's default max_shard_size ("5GB", decimal).
inline constexpr uint64_t kDefaultMaxShardBytes = 5'000'000'000;

// The safetensors header for `tensors` laid out in the given order, padded with spaces to a
// multiple of 8 bytes (so the data buffer is 8-byte aligned), without the 8-byte length prefix.
std::string safetensors_header(std::span<const TensorToWrite> tensors,
                               const std::map<std::string, std::string>& metadata);

// Writes one .safetensors file. Metadata defaults to HF's {"format": "pt"}.
void write_safetensors(const std::filesystem::path& path, std::span<const TensorToWrite> tensors,
                       const TensorFill& fill,
                       const std::map<std::string, std::string>& metadata = {{"format", "pt"}});

// Splits tensors, kept in order, into shards the way transformers does: a new shard starts
// when the next tensor would take the current one past `max_shard_bytes`; a tensor larger than
// the limit gets a shard of its own.
std::vector<std::vector<TensorToWrite>> plan_shards(std::span<const TensorToWrite> tensors,
                                                    uint64_t max_shard_bytes);

// Writes the checkpoint's tensors into `dir`: model.safetensors when they fit in one shard,
// otherwise shards and model.safetensors.index.json (metadata.total_size = sum of tensor
// bytes). Removes a stale single file or index left by an earlier write of the other layout,
// so the folder opens as what was just written. Returns the files written.
std::vector<std::filesystem::path> write_checkpoint(
    const std::filesystem::path& dir, std::span<const TensorToWrite> tensors,
    const TensorFill& fill, uint64_t max_shard_bytes = kDefaultMaxShardBytes);

}  // namespace infermark::model

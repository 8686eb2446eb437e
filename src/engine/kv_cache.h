// The paged KV cache: fixed-size blocks of K/V for every layer, a free list, and per-sequence
// block lists handed out and taken back whole.
//
// Memory: one buffer allocated from the engine's backend at start (the budget), split into two
// arrays per layer (K and V) of n_blocks blocks in the layout of ops/attention.h. Block b of a
// sequence's list holds its positions [b * block_size, (b + 1) * block_size) in every layer. Blocks
// are handed out LIFO. Owned and used by the engine thread only (not thread-safe).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "model/config.h"
#include "ops/attention.h"
#include "ops/backend.h"
#include "ops/memory.h"

namespace infermark::engine {

class KvCache {
 public:
  // Bytes of one block across all layers, K and V.
  static int64_t block_bytes(const model::Config& config, ops::DType dtype, int block_size);

  // n_blocks >= 1 blocks of block_size >= 1 tokens in `dtype` (f32, bf16, f16), in memory of
  // the backend's device.
  KvCache(const model::Config& config, ops::DType dtype, int block_size, int64_t n_blocks,
          ops::Backend& backend);

  int block_size() const { return block_size_; }
  int64_t n_blocks() const { return n_blocks_; }
  int64_t n_free() const { return static_cast<int64_t>(free_.size()); }
  ops::DType dtype() const { return dtype_; }
  size_t bytes() const { return storage_.bytes(); }
  // One view per layer, for Llama::forward.
  std::span<const ops::PagedKvLayer> layers() const { return layers_; }

  // Blocks needed to hold `tokens` positions.
  int64_t blocks_for(int64_t tokens) const { return (tokens + block_size_ - 1) / block_size_; }

  // Appends n blocks to `blocks`; false (and nothing taken) when fewer than n are free.
  bool allocate(int64_t n, std::vector<int32_t>& blocks);
  // Returns every block of `blocks` to the free list and clears it.
  void release(std::vector<int32_t>& blocks);

 private:
  ops::DType dtype_;
  int block_size_;
  int64_t n_blocks_;
  ops::Buffer storage_;
  std::vector<ops::PagedKvLayer> layers_;
  std::vector<int32_t> free_;
};

}  // namespace infermark::engine

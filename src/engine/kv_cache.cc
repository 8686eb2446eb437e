#include "engine/kv_cache.h"

#include "util/error.h"

namespace infermark::engine {
namespace {

ops::PagedKvLayer layer_shape(const model::Config& c, ops::DType dtype, int block_size,
                              int64_t n_blocks) {
  ops::PagedKvLayer kv;
  kv.dtype = dtype;
  kv.n_blocks = n_blocks;
  kv.block_size = block_size;
  kv.n_kv_heads = static_cast<int>(c.num_kv_heads);
  kv.head_dim = static_cast<int>(c.head_dim);
  return kv;
}

}  // namespace

int64_t KvCache::block_bytes(const model::Config& config, ops::DType dtype, int block_size) {
  const auto one = static_cast<int64_t>(layer_shape(config, dtype, block_size, 1).block_bytes());
  return 2 * config.num_layers * one;
}

KvCache::KvCache(const model::Config& config, ops::DType dtype, int block_size, int64_t n_blocks,
                 ops::Backend& backend)
    : dtype_(dtype), block_size_(block_size), n_blocks_(n_blocks) {
  IM_CHECK(block_size >= 1 && n_blocks >= 1 && n_blocks <= INT32_MAX);
  IM_CHECK(dtype == ops::DType::kF32 || dtype == ops::DType::kBF16 || dtype == ops::DType::kF16);
  const ops::PagedKvLayer shape = layer_shape(config, dtype, block_size, n_blocks);
  const size_t array_bytes = shape.block_bytes() * static_cast<size_t>(n_blocks);
  const size_t stride = (array_bytes + 63) / 64 * 64;
  storage_ = backend.allocate(stride * 2 * static_cast<size_t>(config.num_layers));
  char* base = static_cast<char*>(storage_.data());
  for (int64_t l = 0; l < config.num_layers; ++l) {
    ops::PagedKvLayer kv = shape;
    kv.device = storage_.device();
    kv.k = base + static_cast<size_t>(2 * l) * stride;
    kv.v = base + static_cast<size_t>(2 * l + 1) * stride;
    layers_.push_back(kv);
  }
  free_.reserve(static_cast<size_t>(n_blocks));
  // Highest id at the bottom: allocation hands out 0, 1, 2, ... first.
  for (int64_t b = n_blocks - 1; b >= 0; --b) free_.push_back(static_cast<int32_t>(b));
}

bool KvCache::allocate(int64_t n, std::vector<int32_t>& blocks) {
  if (n < 0 || n > n_free()) return false;
  for (int64_t i = 0; i < n; ++i) {
    blocks.push_back(free_.back());
    free_.pop_back();
  }
  return true;
}

void KvCache::release(std::vector<int32_t>& blocks) {
  for (int32_t b : blocks) {
    IM_CHECK(b >= 0 && b < n_blocks_);
    free_.push_back(b);
  }
  IM_CHECK(static_cast<int64_t>(free_.size()) <= n_blocks_);
  blocks.clear();
}

}  // namespace infermark::engine

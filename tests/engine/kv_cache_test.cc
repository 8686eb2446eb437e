// The paged KV cache: sizes, per-layer K/V arrays that do not overlap, and the free list.
#include "engine/kv_cache.h"

#include <gtest/gtest.h>

#include <memory>
#include <set>

namespace infermark::engine {
namespace {

// The KV memory's backend (the default device, one thread).
ops::Backend& backend() {
  static const std::unique_ptr<ops::Backend> b = ops::create_backend({.threads = 1});
  return *b;
}

model::Config small_config() {
  model::Config c;
  c.num_layers = 3, c.num_kv_heads = 2, c.head_dim = 8, c.hidden_size = 16, c.num_heads = 2;
  c.vocab_size = 10, c.intermediate_size = 32;
  return c;
}

TEST(KvCache, BlockBytesCountEveryLayerKAndV) {
  // 3 layers x (K, V) x 2 heads x 4 slots x 8 dims x 2 bytes.
  EXPECT_EQ(KvCache::block_bytes(small_config(), ops::DType::kBF16, 4), 3 * 2 * 2 * 4 * 8 * 2);
  EXPECT_EQ(KvCache::block_bytes(small_config(), ops::DType::kF32, 4), 3 * 2 * 2 * 4 * 8 * 4);
}

TEST(KvCache, LayersAreDisjointArraysOfTheRightShape) {
  KvCache kv(small_config(), ops::DType::kF16, 4, 10, backend());
  ASSERT_EQ(kv.layers().size(), 3u);
  std::set<const char*> starts;
  for (const auto& l : kv.layers()) {
    EXPECT_EQ(l.n_blocks, 10);
    EXPECT_EQ(l.block_size, 4);
    EXPECT_EQ(l.n_kv_heads, 2);
    EXPECT_EQ(l.head_dim, 8);
    EXPECT_EQ(l.dtype, ops::DType::kF16);
    EXPECT_EQ(l.device, backend().device());
    starts.insert(static_cast<const char*>(l.k));
    starts.insert(static_cast<const char*>(l.v));
  }
  ASSERT_EQ(starts.size(), 6u);
  const size_t array = kv.layers()[0].block_bytes() * 10;
  for (auto it = starts.begin(); std::next(it) != starts.end(); ++it) {
    EXPECT_GE(static_cast<size_t>(*std::next(it) - *it), array);
  }
  EXPECT_GE(kv.bytes(), 6 * array);
}

TEST(KvCache, AllocateAndReleaseKeepEveryBlockAccountedFor) {
  KvCache kv(small_config(), ops::DType::kF32, 4, 10, backend());
  EXPECT_EQ(kv.blocks_for(0), 0);
  EXPECT_EQ(kv.blocks_for(1), 1);
  EXPECT_EQ(kv.blocks_for(8), 2);
  EXPECT_EQ(kv.blocks_for(9), 3);
  std::vector<int32_t> a, b;
  ASSERT_TRUE(kv.allocate(3, a));
  EXPECT_EQ(a, (std::vector<int32_t>{0, 1, 2}));
  ASSERT_TRUE(kv.allocate(7, b));
  EXPECT_EQ(kv.n_free(), 0);
  EXPECT_FALSE(kv.allocate(1, a));
  EXPECT_EQ(a.size(), 3u);  // nothing taken on failure
  kv.release(a);
  EXPECT_TRUE(a.empty());
  EXPECT_EQ(kv.n_free(), 3);
  EXPECT_FALSE(kv.allocate(4, a));
  ASSERT_TRUE(kv.allocate(3, a));
  std::set<int32_t> all(a.begin(), a.end());
  all.insert(b.begin(), b.end());
  EXPECT_EQ(all.size(), 10u);  // no block handed out twice
  kv.release(a);
  kv.release(b);
  EXPECT_EQ(kv.n_free(), 10);
}

}  // namespace
}  // namespace infermark::engine

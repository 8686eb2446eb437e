#include "ops/attention.h"

#include <cmath>

#include "backends/cpu/attention.h"
#include "ops/dispatch.h"
#include "util/error.h"

namespace infermark::ops {
namespace {

cpu::PagedKv cpu_cache(const PagedKvLayer& c) {
  cpu::PagedKv kv;
  kv.k = c.k;
  kv.v = c.v;
  kv.type = detail::cpu_float_type(c.dtype);
  kv.n_blocks = c.n_blocks;
  kv.block_size = c.block_size;
  kv.n_kv_heads = c.n_kv_heads;
  kv.head_dim = c.head_dim;
  return kv;
}

cpu::SeqBatch cpu_batch(const AttentionBatch& b) {
  IM_CHECK(b.q_start.size() == b.p0.size() + 1 && b.q_start[0] == 0);
  cpu::SeqBatch s;
  s.n_seqs = static_cast<int>(b.p0.size());
  s.q_start = b.q_start.data();
  s.p0 = b.p0.data();
  s.block_tables = b.block_tables;
  s.block_table_stride = b.block_table_stride;
  return s;
}

void check_batch(const PagedKvLayer& c, const AttentionBatch& b, int64_t rows) {
  IM_CHECK(b.q_start.size() == b.p0.size() + 1 && b.q_start[0] == 0);
  IM_CHECK(b.q_start.back() == rows);
  for (size_t s = 0; s < b.p0.size(); ++s) {
    IM_CHECK(b.q_start[s + 1] >= b.q_start[s] && b.p0[s] >= 0);
    const int64_t last = int64_t{b.p0[s]} + b.q_start[s + 1] - b.q_start[s];  // positions < last
    IM_CHECK((last + c.block_size - 1) / c.block_size <= b.block_table_stride);
  }
}

}  // namespace

void kv_write(const Context& ctx, const PagedKvLayer& cache, const AttentionBatch& batch,
              const TensorView& k, const TensorView& v) {
  detail::check_matrix(k, DType::kF32, ctx);
  detail::check_matrix(v, DType::kF32, ctx);
  IM_CHECK(cache.device == ctx.device);
  IM_CHECK(k.dim(1) == int64_t{cache.n_kv_heads} * cache.head_dim && v.shape == k.shape);
  check_batch(cache, batch, k.dim(0));
  switch (ctx.device) {
    case Device::kCpu:
      return cpu::kv_write(detail::cpu_pool(ctx), cpu_cache(cache), cpu_batch(batch),
                           k.as<const float>(), k.ld(), v.as<const float>(), v.ld());
    default:
      detail::no_backend("kv_write", ctx.device);
  }
}

void attention(const Context& ctx, const PagedKvLayer& cache, const AttentionBatch& batch,
               const TensorView& q, int n_heads, const TensorView& out, float scale) {
  detail::check_matrix(q, DType::kF32, ctx);
  detail::check_matrix(out, DType::kF32, ctx);
  IM_CHECK(cache.device == ctx.device);
  IM_CHECK(q.dim(1) == int64_t{n_heads} * cache.head_dim && out.shape == q.shape);
  check_batch(cache, batch, q.dim(0));
  if (scale <= 0) scale = 1.0f / std::sqrt(static_cast<float>(cache.head_dim));
  switch (ctx.device) {
    case Device::kCpu:
      return cpu::attention(detail::cpu_pool(ctx), cpu_cache(cache), cpu_batch(batch),
                            q.as<const float>(), q.ld(), n_heads, scale, out.as<float>(), out.ld());
    default:
      detail::no_backend("attention", ctx.device);
  }
}

}  // namespace infermark::ops

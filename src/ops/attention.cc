#include "ops/attention.h"

#include <cmath>

#include "ops/checks.h"
#include "util/error.h"

namespace infermark::ops {
namespace {

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

void kv_write(Backend& backend, const PagedKvLayer& cache, const AttentionBatch& batch,
              const TensorView& k, const TensorView& v) {
  detail::check_matrix(k, DType::kF32, backend);
  detail::check_matrix(v, DType::kF32, backend);
  IM_CHECK(cache.device == backend.device() && detail::is_float(cache.dtype));
  IM_CHECK(k.dim(1) == int64_t{cache.n_kv_heads} * cache.head_dim && v.shape == k.shape);
  check_batch(cache, batch, k.dim(0));
  backend.kv_write(cache, batch, k, v);
}

void attention(Backend& backend, const PagedKvLayer& cache, const AttentionBatch& batch,
               const TensorView& q, int n_heads, const TensorView& out, float scale) {
  detail::check_matrix(q, DType::kF32, backend);
  detail::check_matrix(out, DType::kF32, backend);
  IM_CHECK(cache.device == backend.device() && detail::is_float(cache.dtype));
  IM_CHECK(q.dim(1) == int64_t{n_heads} * cache.head_dim && out.shape == q.shape);
  check_batch(cache, batch, q.dim(0));
  if (scale <= 0) scale = 1.0f / std::sqrt(static_cast<float>(cache.head_dim));
  backend.attention(cache, batch, q, n_heads, scale, out);
}

}  // namespace infermark::ops

// Rotary position embedding in the rotate_half ("NeoX") layout used by Hugging Face Llama
// checkpoints: within each head of head_dim elements, element i (i < half = head_dim/2) pairs
// with element i + half:
//   x'[i] = x[i] cos(a_i) - x[i+half] sin(a_i),  x'[i+half] = x[i+half] cos(a_i) + x[i] sin(a_i),
//   a_i = float(position) * inv_freq[i]   (the product rounded to f32, as HF computes it).
// x is f32: `rows` rows (tokens) at leading dimension ldx, each holding n_heads heads of head_dim
// elements; positions[r] is row r's position. Rotated in place. cos/sin are computed once per
// row (f64 libm, rounded to f32) and shared by its heads.
#pragma once

#include <cstdint>

#include "backends/cpu/thread_pool.h"

namespace infermark::cpu {

// Splits rows over the pool when the work is large enough; picks the variant for active_isa().
void rope(ThreadPool& pool, float* x, int64_t ldx, int64_t rows, int n_heads, int head_dim,
          const int32_t* positions, const float* inv_freq);

// cos[i], sin[i] of float(position) * inv_freq[i] for i < half.
void rope_angles(int32_t position, const float* inv_freq, int half, float* cos, float* sin);

namespace generic {
// Rotates the n_heads heads of one row with precomputed cos/sin.
void rope_row(float* x, int n_heads, int head_dim, const float* cos, const float* sin);
}  // namespace generic
namespace avx2 {
void rope_row(float* x, int n_heads, int head_dim, const float* cos, const float* sin);
}  // namespace avx2
namespace avx512 {
void rope_row(float* x, int n_heads, int head_dim, const float* cos, const float* sin);
}  // namespace avx512

}  // namespace infermark::cpu

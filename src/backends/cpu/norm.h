// RMS normalisation (Llama): out[i, :] = x[i, :] / sqrt(mean_j(x[i, j]^2) + eps) * weight[:].
// x and out are f32, `rows` rows of d elements with leading dimensions ldx / ldo; out may be x
// (in place). weight is f32 [d]. The sum of squares is accumulated in at least f32 with several
// partial sums; the generic variant uses f64 (the reference). Cost: 2 passes over each row.
#pragma once

#include <cstdint>

#include "backends/cpu/thread_pool.h"

namespace infermark::cpu {

// Splits rows over the pool when the work is large enough; picks the variant for active_isa().
void rms_norm(ThreadPool& pool, const float* x, int64_t ldx, const float* weight, float eps,
              int64_t rows, int64_t d, float* out, int64_t ldo);

// Single-threaded variants over all rows.
namespace generic {
void rms_norm(const float* x, int64_t ldx, const float* weight, float eps, int64_t rows, int64_t d,
              float* out, int64_t ldo);
}  // namespace generic
namespace avx2 {
void rms_norm(const float* x, int64_t ldx, const float* weight, float eps, int64_t rows, int64_t d,
              float* out, int64_t ldo);
}  // namespace avx2
namespace avx512 {
void rms_norm(const float* x, int64_t ldx, const float* weight, float eps, int64_t rows, int64_t d,
              float* out, int64_t ldo);
}  // namespace avx512

}  // namespace infermark::cpu

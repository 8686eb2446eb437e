// CPU matrix multiplication of f32 activations by packed weights:
//   y[i, 0:n] (+)= x[i, 0:k] · W^T   for every row i in [0, m),
// where W is a PackedWeights of n rows × k columns (f32, bf16 or f16). x and y are f32 and
// row-major with leading dimensions ldx >= k and ldy >= n (elements); y must not overlap x.
// With `accumulate` the product is added to y (fuses a residual add), otherwise y is overwritten.
//
// `matmul` picks the variant for active_isa() (AVX-512 only for m >= avx512::kMinRows, where it
// is compute-bound). Work is split over the pool's threads by panels of 16 output columns. m = 1
// streams each weight once (decode GEMV: bound by memory bandwidth); small m (batched decode)
// reuses each weight panel from cache for every row; large m (prefill) converts a cache-sized
// block of the panel to f32 once and runs a register-tiled kernel over it (6×16 AVX2, 12×32
// AVX-512). Memory: the tiled paths use up to ~260 KiB of stack per thread; the AVX-512 path for
// 16 <= m <= 48 also keeps a per-thread buffer of m × k floats, allocated on a thread's first
// call with a larger m × k and reused after (so a steady decode loop allocates nothing). Results
// of the variants differ only by float summation order; one variant gives bit-identical results
// for any thread count (each output is computed by one thread with the same code).
#pragma once

#include <cstdint>

#include "backends/cpu/packed_weights.h"
#include "backends/cpu/thread_pool.h"

namespace infermark::cpu {

void matmul(ThreadPool& pool, const float* x, int64_t m, int64_t ldx, const PackedWeights& w,
            float* y, int64_t ldy, bool accumulate);

// The operands of one call as plain values, for the variants (which then depend on no inline
// function of PackedWeights: see CMakeLists.txt on SIMD translation units).
struct MatmulArgs {
  const float* x;
  int64_t m, ldx;
  const char* panels;  // panel p starts at panels + p * panel_bytes
  int64_t panel_bytes;
  int64_t n, k, n_panels;
  FloatType type;
  float* y;
  int64_t ldy;
  bool accumulate;
};
MatmulArgs matmul_args(const float* x, int64_t m, int64_t ldx, const PackedWeights& w, float* y,
                       int64_t ldy, bool accumulate);

namespace generic {
void matmul(ThreadPool& pool, const MatmulArgs& args);
}  // namespace generic

namespace avx2 {
// Requires AVX2, FMA and F16C.
void matmul(ThreadPool& pool, const MatmulArgs& args);
}  // namespace avx2

namespace avx512 {
// Requires AVX-512 F/BW/VL plus the AVX2 set. Meant for m >= kMinRows (any m is correct).
constexpr int64_t kMinRows = 16;
void matmul(ThreadPool& pool, const MatmulArgs& args);
}  // namespace avx512

}  // namespace infermark::cpu

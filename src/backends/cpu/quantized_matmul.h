// CPU matrix multiplication of f32 activations by quantized weights (quantized_weights.h):
//   y[i, 0:n] (+)= x[i, 0:k] · W^T   for every row i in [0, m),
// x and y f32 row-major with leading dimensions ldx >= k and ldy >= n; y must not overlap x.
//
// Weights in the kRowLanes layout (int8, int4, fp8) multiply x as it is (f32 activations): per
// group, Σ x·stored is accumulated in f32 and scaled, the zero-point term uses Σ x per group.
// Weights in the kQuads layout (W8A8, W4A8) quantize each row of x first, symmetric per token
// (int8_activations.h):
// s_x = max|x| / 127, xq = round-half-even(x · (127 / max|x|)) in [-127, 127] (never -128, which
// keeps the AVX2 vpmaddubsw sign trick below the i16 limit); per group the i32 dot product of xq
// and the stored values (int8: q; int4: u = q + 8 or q) is exact, and
// y = s_x · Σ_g (s · dot + zoff · Σ xq). A row of x that is all zero gives s_x = 0.
//
// `quantized_matmul` picks the variant for active_isa() and the CPU's VNNI support (kQuads at the
// kAvx512 level needs AVX512-VNNI, else it runs the AVX2 kernel); the variants below may be
// called directly (tests, benchmarks). Work is split over the pool's threads by
// panels of 16 outputs (the SIMD variants through run_in_chunks); results do not depend on the
// thread count or on which thread ran a panel. Memory: a per-thread buffer for the quantized
// activations (m × k bytes + m × groups floats) that grows on the first calls only.
#pragma once

#include <cstdint>

#include "backends/cpu/quantized_weights.h"
#include "backends/cpu/thread_pool.h"

namespace infermark::cpu {

void quantized_matmul(ThreadPool& pool, const float* x, int64_t m, int64_t ldx,
                      const QuantizedWeights& w, float* y, int64_t ldy, bool accumulate);

// The operands of one call as plain values, for the variants (no inline functions of shared
// headers in SIMD translation units: see CMakeLists.txt).
struct QuantizedMatmulArgs {
  const float* x;
  int64_t m, ldx;
  // Weights (quantized_weights.h): panel p's values at values + p * panel_bytes; its scales,
  // zoffs and wsums at + p * n_groups * 16.
  const uint8_t* values;
  int64_t panel_bytes;
  const float* scales;
  const float* zoffs;    // null: zoff = zoff_factor · scale
  float zoff_factor;     // QuantizedWeights::zoff_factor()
  const int32_t* wsums;  // kQuads int8 only
  int64_t n, k, group_size, n_groups, n_panels;
  QuantFormat format;
  QuantLayout layout;
  // kQuads: x quantized per row. xq row i at xq + i * ldq (k rounded up to 64, zero padded),
  // each value + 128 as u8 when `xq_offset` (for vpdpbusd), else s8; its scale x_scale[i] and,
  // when zoffs or zoff_factor, Σ xq per group at xq_sums[i * n_groups + g]. kRowLanes with zoffs
  // or zoff_factor: Σ x per
  // group at x_sums[i * n_groups + g].
  const int8_t* xq;
  int64_t ldq;
  bool xq_offset;
  const float* x_scale;
  const float* xq_sums;
  const float* x_sums;
  float* y;
  int64_t ldy;
  bool accumulate;
};

// The operands of one call, with x quantized (kQuads; s8, or u8 + 128 when `xq_offset`) or its
// group sums computed (kRowLanes with zero points) into the calling thread's buffers, valid
// until its next call.
QuantizedMatmulArgs prepare_quantized_matmul(ThreadPool& pool, const float* x, int64_t m,
                                             int64_t ldx, const QuantizedWeights& w, float* y,
                                             int64_t ldy, bool accumulate, bool xq_offset);

// Whether the SIMD variants take these weights: kQuads needs groups of a multiple of 4 columns
// (int4: 8), kRowLanes int4 of a multiple of 2 (or one group per row). Others run the generic
// variant.
bool simd_supports(const QuantizedWeights& w);

// Runs panels(args, b, e) over [0, args.n_panels) on the pool's threads, in chunks of an even
// number of panels (whole panel pairs) handed to whichever thread asks next: a thread that starts
// late or loses its CPU for a while does less of the work instead of holding the others at the
// barrier. Each panel's result must not depend on which thread runs it. For the variants.
void run_in_chunks(ThreadPool& pool, const QuantizedMatmulArgs& args,
                   void (*panels)(const QuantizedMatmulArgs&, int64_t, int64_t));

namespace generic {
// Any format and layout; the reference for the SIMD variants.
void quantized_matmul(ThreadPool& pool, const QuantizedMatmulArgs& args);
}  // namespace generic

namespace avx2 {
// Requires AVX2, FMA, F16C and simd_supports(w); kQuads activations as s8 (xq_offset false).
void quantized_matmul(ThreadPool& pool, const QuantizedMatmulArgs& args);
}  // namespace avx2

namespace avx512 {
// Requires AVX-512 F/BW/VL, AVX512-VNNI for kQuads, and simd_supports(w); kQuads activations
// as u8 (xq_offset true) for int8 weights, as s8 (xq_offset false) for int4: the unsigned
// operand of vpdpbusd is the one in [0, 255].
void quantized_matmul(ThreadPool& pool, const QuantizedMatmulArgs& args);
}  // namespace avx512

}  // namespace infermark::cpu

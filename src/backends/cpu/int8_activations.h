// Per-token int8 quantization of f32 activations, the first step of a kQuads product
// (quantized_matmul.h). For each row i of x (m rows of k floats, stride ldx):
//   amax = max |x[i, c]| over the row, NaNs skipped; scale[i] = amax / 127;
//   out[i, c] = clamp(round-half-even(x[i, c] · (127 / amax)), -127, 127), 0 when amax is 0,
//   -127 for a NaN product (a NaN x, or an infinite x, where 127 / amax is 0);
//   with `offset` each value is stored as u8 (value + 128), else as s8;
//   out[i, k:ldq) is padding: 0x80 with `offset`, else 0;
//   sums (when not null): Σ value (without the +128) per group of group_size columns, as floats,
//   at sums[i * n_groups + g], n_groups = ceil(k / group_size).
// Row stride of out: ldq >= k. Every variant gives the same bytes and floats as the generic one
// (same rounding, same NaN and infinity handling); `quantize_rows` runs the best one for
// active_isa(). Single-threaded, allocates nothing.
#pragma once

#include <cstdint>

namespace infermark::cpu {

void quantize_rows(const float* x, int64_t m, int64_t ldx, int64_t k, int64_t group_size,
                   bool offset, int8_t* out, int64_t ldq, float* scale, float* sums);

// Each variant is one driver (int8_activations.cc) over two row primitives of its ISA:
//   row_amax(x, k): max |x[0, k)|, NaNs skipped;
//   quantize_span(x, n, inv, offset, q): q[0, n) = the quantized x[0, n) · inv (+ 128 as u8 when
//   offset), returning Σ of the values before the offset.
namespace generic {
void quantize_rows(const float* x, int64_t m, int64_t ldx, int64_t k, int64_t group_size,
                   bool offset, int8_t* out, int64_t ldq, float* scale, float* sums);
float row_amax(const float* x, int64_t k);
int32_t quantize_span(const float* x, int64_t n, float inv, bool offset, int8_t* q);
}  // namespace generic

namespace avx2 {
// Requires AVX2.
void quantize_rows(const float* x, int64_t m, int64_t ldx, int64_t k, int64_t group_size,
                   bool offset, int8_t* out, int64_t ldq, float* scale, float* sums);
float row_amax(const float* x, int64_t k);
int32_t quantize_span(const float* x, int64_t n, float inv, bool offset, int8_t* q);
}  // namespace avx2

namespace avx512 {
// Requires AVX-512 F/BW.
void quantize_rows(const float* x, int64_t m, int64_t ldx, int64_t k, int64_t group_size,
                   bool offset, int8_t* out, int64_t ldq, float* scale, float* sums);
float row_amax(const float* x, int64_t k);
int32_t quantize_span(const float* x, int64_t n, float inv, bool offset, int8_t* q);
}  // namespace avx512

}  // namespace infermark::cpu

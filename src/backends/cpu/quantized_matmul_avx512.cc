// AVX-512 quantized matmul (compiled with -mavx512f -mavx512bw -mavx512vl -mavx512vnni plus the
// AVX2 set; called only when the CPU has them). Same rules as matmul_avx2.cc: all internal
// linkage, no shared inline functions.
//
// kQuads (W8A8, W4A8): a tile of up to kMr rows × 2 panels keeps i32 accumulators per row,
// panel and quad of a block; per 64-byte block it loads each panel's block once (int4: and
// masks out its low and high nibbles, one vpand each; the i32 sums of a high-nibble
// accumulator stay below 2^31 for groups of up to 140,000 columns) and, per row and
// quad, broadcasts the row's 4 activation bytes and issues one vpdpbusd per panel (64
// multiply-adds, no intermediate saturation). W8A8 takes activations as u8 (xq + 128) times s8
// weights, and the panel's 128·Σq comes off at each group's end; W4A8 takes u8 weights (u in
// [0, 15] from the low nibbles, 16 · u from the high ones, masked in place) times s8
// activations, and the zoff term takes the +8 off. The exact dot product is
// then scaled into y. Rows are blocked so that a block of x stays in L2 while every panel pair
// of the thread runs over it.
// kRowLanes (f32 activations): 16 weights per column are widened in registers (int8:
// vpmovsxbd; int4: vpmovzxbd of a byte pair, mask / shift; fp8: sign and magnitude moved into
// an f32 and scaled by 2^120, exact for subnormals with DAZ off; NaN patterns set to NaN) and
// multiplied into a tile of up to 8 rows; with fewer rows, columns alternate between
// independent accumulators to hide the FMA latency. Group sums are scaled into per-row
// accumulators at each group's end.
#include <immintrin.h>

#include <cstdint>

#include "backends/cpu/quantized_matmul.h"

namespace infermark::cpu::avx512 {
namespace {

constexpr int kP = QuantizedWeights::kPanel;
constexpr int64_t kXBlockBytes = 384 << 10;  // quantized x per row block (L2)
constexpr int64_t kPrefetch = 1024;          // bytes ahead in a streamed panel

inline int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

inline __mmask16 valid_mask(const QuantizedMatmulArgs& a, int64_t p) {
  const int64_t v = min64(kP, a.n - p * kP);
  return static_cast<__mmask16>((1u << v) - 1u);
}

// y[0:16] (+)= v under mask.
inline void store(float* y, __m512 v, __mmask16 m, bool add) {
  if (add) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(m, y));
  _mm512_mask_storeu_ps(y, m, v);
}

// ---- int8 activations (kQuads: W8A8, W4A8) ----

// Quads (4 columns of 16 rows) per 64-byte block: int8 one, int4 two (low and high nibbles).
template <QuantFormat kFormat>
constexpr int kQuadsPerBlock = kFormat == QuantFormat::kInt4 ? 2 : 1;
// Rows per tile: 2 panels · kQuadsPerBlock accumulators per row, within the 32 zmm registers.
template <QuantFormat kFormat>
constexpr int kMr = kFormat == QuantFormat::kInt4 ? 6 : 12;

// The vpdpbusd weight operands of one block: int8 as stored (s8), int4 its nibbles (u8).
template <QuantFormat kFormat>
inline void unpack_block(const uint8_t* block, __m512i (&w)[kQuadsPerBlock<kFormat>]) {
  const __m512i v = _mm512_load_si512(block);
  if constexpr (kFormat == QuantFormat::kInt4) {
    // The high nibbles stay in place, as 16 · u: 4 products of at most 240 · 127 per lane, and
    // the group's sum (exactly divisible by 16) is shifted back at its end.
    w[0] = _mm512_and_si512(v, _mm512_set1_epi8(0x0f));
    w[1] = _mm512_and_si512(v, _mm512_set1_epi8(static_cast<char>(0xf0)));
  } else {
    w[0] = v;
  }
}

// acc + the 4 products per lane of one quad; the u8 operand is x + 128 (int8) or w (int4).
template <QuantFormat kFormat>
inline __m512i dot_quad(__m512i acc, __m512i x, __m512i w) {
  if constexpr (kFormat == QuantFormat::kInt4) return _mm512_dpbusd_epi32(acc, w, x);
  return _mm512_dpbusd_epi32(acc, x, w);
}

// Rows [0, kRows) of x (stride ldq) × panels p0 (and p1 when kNp == 2), every group.
template <QuantFormat kFormat, int kRows, int kNp>
void quad_tile(const QuantizedMatmulArgs& a, const uint8_t* xq, const float* x_scale,
               const float* xq_sums, int64_t p0, float* y, bool stream) {
  constexpr int kS = kQuadsPerBlock<kFormat>;
  constexpr int64_t kCols = 4 * kS;  // columns per block
  const uint8_t* w[2] = {a.values + p0 * a.panel_bytes, a.values + (p0 + kNp - 1) * a.panel_bytes};
  const __mmask16 m[2] = {valid_mask(a, p0), valid_mask(a, p0 + kNp - 1)};
  const int64_t n_blocks = (a.k + kCols - 1) / kCols;
  const int64_t blocks_per_group = a.n_groups == 1 ? n_blocks : a.group_size / kCols;
  for (int64_t g = 0; g < a.n_groups; ++g) {
    __m512i acc[kRows][kNp][kS];
#pragma GCC unroll 12
    for (int r = 0; r < kRows; ++r) {
      for (int j = 0; j < kNp; ++j) {
        for (int s = 0; s < kS; ++s) acc[r][j][s] = _mm512_setzero_si512();
      }
    }
    const int64_t b1 = min64((g + 1) * blocks_per_group, n_blocks);
    for (int64_t b = g * blocks_per_group; b < b1; ++b) {
      __m512i wv[kNp][kS];
#pragma GCC unroll 2
      for (int j = 0; j < kNp; ++j) {
        if (stream)
          _mm_prefetch(reinterpret_cast<const char*>(w[j] + b * 64 + kPrefetch), _MM_HINT_T0);
        unpack_block<kFormat>(w[j] + b * 64, wv[j]);
      }
#pragma GCC unroll 12
      for (int r = 0; r < kRows; ++r) {
#pragma GCC unroll 2
        for (int s = 0; s < kS; ++s) {
          int32_t quad;
          __builtin_memcpy(&quad, xq + r * a.ldq + b * kCols + 4 * s, 4);
          const __m512i xb = _mm512_set1_epi32(quad);
#pragma GCC unroll 2
          for (int j = 0; j < kNp; ++j)
            acc[r][j][s] = dot_quad<kFormat>(acc[r][j][s], xb, wv[j][s]);
        }
      }
    }
    const bool add = a.accumulate || g > 0;
#pragma GCC unroll 2
    for (int j = 0; j < kNp; ++j) {
      const int64_t off = ((p0 + j) * a.n_groups + g) * kP;
      const __m512 s = _mm512_loadu_ps(a.scales + off);
      const __m512 z = a.zoffs != nullptr ? _mm512_loadu_ps(a.zoffs + off) : _mm512_setzero_ps();
#pragma GCC unroll 12
      for (int r = 0; r < kRows; ++r) {
        __m512i sum = acc[r][j][0];
        if constexpr (kS == 2)
          sum = _mm512_add_epi32(sum, _mm512_maskz_srai_epi32(0xffff, acc[r][j][1], 4));
        if constexpr (kFormat == QuantFormat::kInt8) {
          sum = _mm512_sub_epi32(sum, _mm512_loadu_si512(a.wsums + off));
        }
        __m512 dot = _mm512_maskz_cvtepi32_ps(0xffff, sum);
        if (a.zoffs == nullptr && a.zoff_factor != 0) {
          // s · (dot + factor · Σxq): two integers, added exactly while below 2^24 (groups of
          // up to 8,800 columns of int4).
          dot = _mm512_add_ps(dot, _mm512_set1_ps(a.zoff_factor * xq_sums[r * a.n_groups + g]));
        }
        __m512 v = _mm512_mul_ps(s, dot);
        if (a.zoffs != nullptr) {
          v = _mm512_fmadd_ps(z, _mm512_set1_ps(xq_sums[r * a.n_groups + g]), v);
        }
        v = _mm512_mul_ps(v, _mm512_set1_ps(x_scale[r]));
        store(y + r * a.ldy + j * kP, v, m[j], add);
      }
    }
  }
}

// quad_tile for `rows` in [1, kRows].
template <QuantFormat kFormat, int kNp, int kRows = kMr<kFormat>>
void quad_tile_rows(const QuantizedMatmulArgs& a, int rows, const uint8_t* xq, const float* xs,
                    const float* sums, int64_t p, float* y, bool stream) {
  if (rows == kRows) return quad_tile<kFormat, kRows, kNp>(a, xq, xs, sums, p, y, stream);
  if constexpr (kRows > 1) {
    quad_tile_rows<kFormat, kNp, kRows - 1>(a, rows, xq, xs, sums, p, y, stream);
  }
}

template <QuantFormat kFormat, int kNp>
void quad_rows(const QuantizedMatmulArgs& a, int64_t r0, int rows, int64_t p, bool stream) {
  quad_tile_rows<kFormat, kNp>(a, rows, reinterpret_cast<const uint8_t*>(a.xq) + r0 * a.ldq,
                               a.x_scale + r0,
                               a.xq_sums != nullptr ? a.xq_sums + r0 * a.n_groups : nullptr, p,
                               a.y + r0 * a.ldy + p * kP, stream);
}

template <QuantFormat kFormat>
void run_quads(const QuantizedMatmulArgs& a, int64_t p_begin, int64_t p_end) {
  constexpr int kRows = kMr<kFormat>;
  int64_t mc = kXBlockBytes / a.ldq / kRows * kRows;
  if (mc < kRows) mc = kRows;
  for (int64_t m0 = 0; m0 < a.m; m0 += mc) {
    const int64_t m1 = min64(a.m, m0 + mc);
    for (int64_t p = p_begin; p < p_end; p += 2) {
      const bool pair = p + 1 < p_end;
      for (int64_t r = m0; r < m1; r += kRows) {
        const int rows = static_cast<int>(min64(kRows, m1 - r));
        const bool stream = r == m0;
        if (pair) {
          quad_rows<kFormat, 2>(a, r, rows, p, stream);
        } else {
          quad_rows<kFormat, 1>(a, r, rows, p, stream);
        }
      }
    }
  }
}

// ---- f32 activations ----

// Widens columns of a kRowLanes panel to 16 floats (rows in lanes).
inline __m512 widen_int8(const uint8_t* col) {
  return _mm512_maskz_cvtepi32_ps(
      0xffff,
      _mm512_maskz_cvtepi8_epi32(0xffff, _mm_load_si128(reinterpret_cast<const __m128i*>(col))));
}
inline __m512 widen_fp8(const uint8_t* col) {
  const __m512i v =
      _mm512_maskz_cvtepu8_epi32(0xffff, _mm_load_si128(reinterpret_cast<const __m128i*>(col)));
  const __m512i mag = _mm512_and_si512(v, _mm512_set1_epi32(0x7f));
  const __m512i bits =
      _mm512_or_si512(_mm512_maskz_slli_epi32(0xffff, _mm512_xor_si512(v, mag), 24),
                      _mm512_maskz_slli_epi32(0xffff, mag, 20));
  const __m512 f = _mm512_mul_ps(_mm512_castsi512_ps(bits),
                                 _mm512_castsi512_ps(_mm512_set1_epi32(0x7b800000)));  // 2^120
  const __mmask16 nan = _mm512_cmpeq_epi32_mask(mag, _mm512_set1_epi32(0x7f));
  return _mm512_mask_mov_ps(f, nan, _mm512_castsi512_ps(_mm512_set1_epi32(0x7fc00000)));
}
// Columns 2i (lo) and 2i + 1 (hi) of an int4 panel.
inline void widen_int4(const uint8_t* pair, __m512& lo, __m512& hi) {
  const __m512i v =
      _mm512_maskz_cvtepu8_epi32(0xffff, _mm_load_si128(reinterpret_cast<const __m128i*>(pair)));
  lo = _mm512_maskz_cvtepi32_ps(0xffff, _mm512_and_si512(v, _mm512_set1_epi32(0xf)));
  hi = _mm512_maskz_cvtepi32_ps(0xffff, _mm512_maskz_srli_epi32(0xffff, v, 4));
}

// Rows [0, kRows) of x × panel p, every group; kU independent accumulators per row.
template <QuantFormat kFormat, int kRows>
void float_tile(const QuantizedMatmulArgs& a, const float* x, const float* x_sums, int64_t p,
                float* y, bool stream) {
  constexpr int kU = kRows == 1 ? 4 : kRows == 2 ? 2 : 1;
  constexpr bool kInt4 = kFormat == QuantFormat::kInt4;
  const uint8_t* panel = a.values + p * a.panel_bytes;
  __m512 out[kRows];
#pragma GCC unroll 8
  for (int r = 0; r < kRows; ++r) out[r] = _mm512_setzero_ps();
  for (int64_t g = 0; g < a.n_groups; ++g) {
    const int64_t c0 = g * a.group_size, c1 = min64(c0 + a.group_size, a.k);
    __m512 acc[kRows][kU];
#pragma GCC unroll 8
    for (int r = 0; r < kRows; ++r) {
      for (int u = 0; u < kU; ++u) acc[r][u] = _mm512_setzero_ps();
    }
    int64_t c = c0;
    if constexpr (kInt4) {
      // Two columns per byte pair; with kU >= 2, pair q of a step feeds accumulators 2q, 2q + 1
      // (indices known at compile time, so the accumulators stay in registers).
      constexpr int kPairs = kU >= 2 ? kU / 2 : 1;
      for (; c + 2 <= c1; c += 2 * kPairs) {
#pragma GCC unroll 2
        for (int q = 0; q < kPairs; ++q) {
          if (c + 2 * q + 2 > c1) break;
          const int64_t cq = c + 2 * q;
          const uint8_t* col = panel + (cq / 2) * kP;
          if (stream && (cq & 7) == 0) {
            _mm_prefetch(reinterpret_cast<const char*>(col + kPrefetch), _MM_HINT_T0);
          }
          __m512 lo, hi;
          widen_int4(col, lo, hi);
          const int u = kU >= 2 ? 2 * q : 0, v = kU >= 2 ? 2 * q + 1 : 0;
#pragma GCC unroll 8
          for (int r = 0; r < kRows; ++r) {
            const float* xr = x + r * a.ldx + cq;
            acc[r][u] = _mm512_fmadd_ps(_mm512_set1_ps(xr[0]), lo, acc[r][u]);
            acc[r][v] = _mm512_fmadd_ps(_mm512_set1_ps(xr[1]), hi, acc[r][v]);
          }
        }
      }
      c = c0 + (c1 - c0) / 2 * 2;
      if (c < c1) {  // odd last column: low nibbles
        __m512 lo, hi;
        widen_int4(panel + (c / 2) * kP, lo, hi);
#pragma GCC unroll 8
        for (int r = 0; r < kRows; ++r) {
          acc[r][0] = _mm512_fmadd_ps(_mm512_set1_ps(x[r * a.ldx + c]), lo, acc[r][0]);
        }
      }
    } else {
      for (; c + kU <= c1; c += kU) {
        if (stream && (c & 3) == 0) {
          _mm_prefetch(reinterpret_cast<const char*>(panel + c * kP + kPrefetch), _MM_HINT_T0);
        }
#pragma GCC unroll 4
        for (int u = 0; u < kU; ++u) {
          const uint8_t* col = panel + (c + u) * kP;
          const __m512 w = kFormat == QuantFormat::kInt8 ? widen_int8(col) : widen_fp8(col);
#pragma GCC unroll 8
          for (int r = 0; r < kRows; ++r) {
            acc[r][u] = _mm512_fmadd_ps(_mm512_set1_ps(x[r * a.ldx + c + u]), w, acc[r][u]);
          }
        }
      }
      for (; c < c1; ++c) {
        const uint8_t* col = panel + c * kP;
        const __m512 w = kFormat == QuantFormat::kInt8 ? widen_int8(col) : widen_fp8(col);
#pragma GCC unroll 8
        for (int r = 0; r < kRows; ++r) {
          acc[r][0] = _mm512_fmadd_ps(_mm512_set1_ps(x[r * a.ldx + c]), w, acc[r][0]);
        }
      }
    }
    const int64_t off = (p * a.n_groups + g) * kP;
    const __m512 s = _mm512_loadu_ps(a.scales + off);
    const bool has_z = a.zoffs != nullptr || a.zoff_factor != 0;
    const __m512 z = a.zoffs != nullptr ? _mm512_loadu_ps(a.zoffs + off)
                                        : _mm512_mul_ps(s, _mm512_set1_ps(a.zoff_factor));
#pragma GCC unroll 8
    for (int r = 0; r < kRows; ++r) {
      __m512 sum = acc[r][0];
#pragma GCC unroll 4
      for (int u = 1; u < kU; ++u) sum = _mm512_add_ps(sum, acc[r][u]);
      out[r] = _mm512_fmadd_ps(s, sum, out[r]);
      if (has_z) {
        out[r] = _mm512_fmadd_ps(z, _mm512_set1_ps(x_sums[r * a.n_groups + g]), out[r]);
      }
    }
  }
  const __mmask16 m = valid_mask(a, p);
#pragma GCC unroll 8
  for (int r = 0; r < kRows; ++r) store(y + r * a.ldy, out[r], m, a.accumulate);
}

template <QuantFormat kFormat>
void float_rows(const QuantizedMatmulArgs& a, int64_t r0, int rows, int64_t p, bool stream) {
  const float* x = a.x + r0 * a.ldx;
  const float* sums = a.x_sums != nullptr ? a.x_sums + r0 * a.n_groups : nullptr;
  float* y = a.y + r0 * a.ldy + p * kP;
  switch (rows) {
#define IM_ROWS(R) \
  case R:          \
    return float_tile<kFormat, R>(a, x, sums, p, y, stream);
    IM_ROWS(8)
    IM_ROWS(7)
    IM_ROWS(6)
    IM_ROWS(5)
    IM_ROWS(4)
    IM_ROWS(3)
    IM_ROWS(2)
    IM_ROWS(1)
#undef IM_ROWS
    default:
      return;
  }
}

template <QuantFormat kFormat>
void run_float(const QuantizedMatmulArgs& a, int64_t p_begin, int64_t p_end) {
  constexpr int kRows = 8;
  for (int64_t p = p_begin; p < p_end; ++p) {
    for (int64_t r = 0; r < a.m; r += kRows) {
      float_rows<kFormat>(a, r, static_cast<int>(min64(kRows, a.m - r)), p, r == 0);
    }
  }
}

// Panels [b, e) of one call.
void run_panels(const QuantizedMatmulArgs& a, int64_t b, int64_t e) {
  if (a.layout == QuantLayout::kQuads) {
    return a.format == QuantFormat::kInt4 ? run_quads<QuantFormat::kInt4>(a, b, e)
                                          : run_quads<QuantFormat::kInt8>(a, b, e);
  }
  switch (a.format) {
    case QuantFormat::kInt8:
      return run_float<QuantFormat::kInt8>(a, b, e);
    case QuantFormat::kInt4:
      return run_float<QuantFormat::kInt4>(a, b, e);
    case QuantFormat::kFp8E4M3:
      return run_float<QuantFormat::kFp8E4M3>(a, b, e);
  }
}

}  // namespace

void quantized_matmul(ThreadPool& pool, const QuantizedMatmulArgs& args) {
  run_in_chunks(pool, args, &run_panels);
}

}  // namespace infermark::cpu::avx512

// AVX-512 quantized matmul (compiled with -mavx512f -mavx512bw -mavx512vl -mavx512vnni plus the
// AVX2 set; called only when the CPU has them). Same rules as matmul_avx2.cc: all internal
// linkage, no shared inline functions.
//
// kQuads (W8A8): activations arrive as u8 (xq + 128). A tile of up to kMr rows × 2 panels keeps
// 2·kMr i32 accumulators; per column quad it loads each panel's 64 bytes once and, per row,
// broadcasts the row's 4 bytes and issues one vpdpbusd per panel (64 multiply-adds, no
// intermediate saturation). At each group's end the exact dot product (accumulator minus the
// panel's 128·Σq) is scaled into y. Rows are blocked so that a block of x stays in L2 while
// every panel pair of the thread runs over it.
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
constexpr int kMr = 12;                      // rows per W8A8 tile
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

// ---- W8A8 ----

// Rows [0, kRows) of x (u8, stride ldq) × panels p0 (and p1 when kNp == 2), every group.
template <int kRows, int kNp>
void int8_tile(const QuantizedMatmulArgs& a, const uint8_t* xq, const float* x_scale,
               const float* xq_sums, int64_t p0, float* y, bool stream) {
  const uint8_t* w0 = a.values + p0 * a.panel_bytes;
  const uint8_t* w1 = w0 + a.panel_bytes;
  const __mmask16 m0 = valid_mask(a, p0), m1 = kNp == 2 ? valid_mask(a, p0 + 1) : 0;
  const int64_t quads_per_group = a.n_groups == 1 ? (a.k + 3) / 4 : a.group_size / 4;
  for (int64_t g = 0; g < a.n_groups; ++g) {
    __m512i acc[kRows][kNp];
#pragma GCC unroll 12
    for (int r = 0; r < kRows; ++r) {
      for (int j = 0; j < kNp; ++j) acc[r][j] = _mm512_setzero_si512();
    }
    const int64_t q0 = g * quads_per_group;
    const int64_t q1 = min64(q0 + quads_per_group, (a.k + 3) / 4);
    for (int64_t q = q0; q < q1; ++q) {
      if (stream) {
        _mm_prefetch(reinterpret_cast<const char*>(w0 + q * 64 + kPrefetch), _MM_HINT_T0);
        if (kNp == 2) {
          _mm_prefetch(reinterpret_cast<const char*>(w1 + q * 64 + kPrefetch), _MM_HINT_T0);
        }
      }
      const __m512i b0 = _mm512_load_si512(w0 + q * 64);
      const __m512i b1 = kNp == 2 ? _mm512_load_si512(w1 + q * 64) : b0;
#pragma GCC unroll 12
      for (int r = 0; r < kRows; ++r) {
        int32_t quad;
        __builtin_memcpy(&quad, xq + r * a.ldq + q * 4, 4);
        const __m512i xb = _mm512_set1_epi32(quad);
        acc[r][0] = _mm512_dpbusd_epi32(acc[r][0], xb, b0);
        if constexpr (kNp == 2) acc[r][1] = _mm512_dpbusd_epi32(acc[r][1], xb, b1);
      }
    }
    const bool add = a.accumulate || g > 0;
#pragma GCC unroll 2
    for (int j = 0; j < kNp; ++j) {
      const int64_t off = ((p0 + j) * a.n_groups + g) * kP;
      const __m512 s = _mm512_loadu_ps(a.scales + off);
      const __m512i wsum = _mm512_loadu_si512(a.wsums + off);
      const __m512 z = a.zoffs != nullptr ? _mm512_loadu_ps(a.zoffs + off) : _mm512_setzero_ps();
#pragma GCC unroll 12
      for (int r = 0; r < kRows; ++r) {
        const __m512 dot = _mm512_maskz_cvtepi32_ps(0xffff, _mm512_sub_epi32(acc[r][j], wsum));
        __m512 v = _mm512_mul_ps(s, dot);
        if (a.zoffs != nullptr) {
          v = _mm512_fmadd_ps(z, _mm512_set1_ps(xq_sums[r * a.n_groups + g]), v);
        }
        v = _mm512_mul_ps(v, _mm512_set1_ps(x_scale[r]));
        store(y + r * a.ldy + j * kP, v, j == 0 ? m0 : m1, add);
      }
    }
  }
}

template <int kNp>
void int8_rows(const QuantizedMatmulArgs& a, int64_t r0, int rows, int64_t p, bool stream) {
  const uint8_t* xq = reinterpret_cast<const uint8_t*>(a.xq) + r0 * a.ldq;
  const float* xs = a.x_scale + r0;
  const float* sums = a.xq_sums != nullptr ? a.xq_sums + r0 * a.n_groups : nullptr;
  float* y = a.y + r0 * a.ldy + p * kP;
  switch (rows) {
#define IM_ROWS(R) \
  case R:          \
    return int8_tile<R, kNp>(a, xq, xs, sums, p, y, stream);
    IM_ROWS(12)
    IM_ROWS(11)
    IM_ROWS(10)
    IM_ROWS(9)
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

void run_int8(const QuantizedMatmulArgs& a, int64_t p_begin, int64_t p_end) {
  int64_t mc = kXBlockBytes / a.ldq / kMr * kMr;
  if (mc < kMr) mc = kMr;
  for (int64_t m0 = 0; m0 < a.m; m0 += mc) {
    const int64_t m1 = min64(a.m, m0 + mc);
    for (int64_t p = p_begin; p < p_end; p += 2) {
      const bool pair = p + 1 < p_end;
      for (int64_t r = m0; r < m1; r += kMr) {
        const int rows = static_cast<int>(min64(kMr, m1 - r));
        const bool stream = r == m0;
        if (pair) {
          int8_rows<2>(a, r, rows, p, stream);
        } else {
          int8_rows<1>(a, r, rows, p, stream);
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
    const __m512 z = a.zoffs != nullptr ? _mm512_loadu_ps(a.zoffs + off) : _mm512_setzero_ps();
#pragma GCC unroll 8
    for (int r = 0; r < kRows; ++r) {
      __m512 sum = acc[r][0];
#pragma GCC unroll 4
      for (int u = 1; u < kU; ++u) sum = _mm512_add_ps(sum, acc[r][u]);
      out[r] = _mm512_fmadd_ps(s, sum, out[r]);
      if (a.zoffs != nullptr) {
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

void task(void* context, int i, int n_threads) {
  const QuantizedMatmulArgs& a = *static_cast<const QuantizedMatmulArgs*>(context);
  const int64_t pairs = (a.n_panels + 1) / 2;
  const int64_t b = pairs * i / n_threads * 2,
                e = min64(pairs * (i + 1) / n_threads * 2, a.n_panels);
  if (b >= e) return;
  if (a.layout == QuantLayout::kQuads) return run_int8(a, b, e);
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
  pool.run_raw(&task, const_cast<QuantizedMatmulArgs*>(&args));
}

}  // namespace infermark::cpu::avx512

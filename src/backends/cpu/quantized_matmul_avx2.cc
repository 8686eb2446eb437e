// AVX2 quantized matmul (compiled with -mavx2 -mfma -mf16c; called only when the CPU has them).
// Same rules as matmul_avx2.cc: all internal linkage, no shared inline functions.
//
// kQuads (W8A8, W4A8): activations arrive as s8 in [-127, 127]. vpmaddubsw multiplies u8 by s8
// and adds pairs with i16 saturation. For int8 weights the ggml sign trick feeds it |w| (u8;
// -128 gives 128) and x·sign(w) (s8, within ±127): a pair sums to at most 2·128·127 = 32512,
// below the i16 limit. int4 weights are u8 already (nibbles in [0, 15]): the two quads of a
// block are summed in i16 (at most 4·15·127 = 7620) before widening. vpmaddwd with ones widens
// to one i32 per row, exactly. A tile is up to kMr rows × one panel (rows 0-7 and 8-15 in two
// ymm halves).
// kRowLanes (f32 activations): as the AVX-512 kernels on two 8-lane halves, up to 3 rows per
// tile.
#include <immintrin.h>

#include <cstdint>

#include "backends/cpu/quantized_matmul.h"

namespace infermark::cpu::avx2 {
namespace {

constexpr int kP = QuantizedWeights::kPanel;
constexpr int kMr = 4;                       // rows per kQuads tile
constexpr int64_t kXBlockBytes = 384 << 10;  // quantized x per row block (L2)
constexpr int64_t kPrefetch = 1024;          // bytes ahead in a streamed panel

inline int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

// y[0:16] (+)= (lo, hi), n_valid of them.
inline void store(float* y, __m256 lo, __m256 hi, int n_valid, bool add) {
  if (n_valid == kP) {
    if (add) {
      lo = _mm256_add_ps(lo, _mm256_loadu_ps(y));
      hi = _mm256_add_ps(hi, _mm256_loadu_ps(y + 8));
    }
    _mm256_storeu_ps(y, lo);
    _mm256_storeu_ps(y + 8, hi);
    return;
  }
  alignas(32) float tmp[kP];
  _mm256_store_ps(tmp, lo);
  _mm256_store_ps(tmp + 8, hi);
  for (int j = 0; j < n_valid; ++j) y[j] = add ? y[j] + tmp[j] : tmp[j];
}

// The 8 zero-point offsets at `off` (stored, or zoff_factor · their scales s).
inline __m256 zoffs(const QuantizedMatmulArgs& a, int64_t off, __m256 s) {
  if (a.zoffs != nullptr) return _mm256_loadu_ps(a.zoffs + off);
  return _mm256_mul_ps(s, _mm256_set1_ps(a.zoff_factor));
}

inline int n_valid(const QuantizedMatmulArgs& a, int64_t p) {
  return static_cast<int>(min64(kP, a.n - p * kP));
}

// ---- int8 activations (kQuads: W8A8, W4A8) ----

// Columns per 64-byte block: int8 one quad, int4 two (low and high nibbles).
template <QuantFormat kFormat>
constexpr int64_t kBlockCols = kFormat == QuantFormat::kInt4 ? 8 : 4;

// The vpmaddubsw operands of one block's half h (rows 8h to 8h + 7): int8 {w, |w|} (the sign
// trick), int4 {low nibbles, high nibbles}.
template <QuantFormat kFormat>
inline void unpack_block(const uint8_t* block, __m256i (&w)[2][2]) {
#pragma GCC unroll 2
  for (int h = 0; h < 2; ++h) {
    const __m256i v = _mm256_load_si256(reinterpret_cast<const __m256i*>(block + 32 * h));
    if constexpr (kFormat == QuantFormat::kInt4) {
      const __m256i low4 = _mm256_set1_epi8(0x0f);
      w[h][0] = _mm256_and_si256(v, low4);
      w[h][1] = _mm256_and_si256(_mm256_srli_epi16(v, 4), low4);
    } else {
      w[h][0] = v;
      w[h][1] = _mm256_sign_epi8(v, v);
    }
  }
}

// A row's activations for a block's columns, each quad broadcast to every lane (int8: one quad,
// int4: two).
template <QuantFormat kFormat>
inline void broadcast_quads(const int8_t* x, __m256i (&xb)[2]) {
  int32_t quad[2] = {0, 0};
  __builtin_memcpy(quad, x, kBlockCols<kFormat>);
  xb[0] = _mm256_set1_epi32(quad[0]);
  xb[1] = _mm256_set1_epi32(quad[1]);
}

// The row's i16 pair sums over a block's half, within the i16 range: int8 pairs of |w| · ±x reach
// 2·128·127, int4 two pairs of u · x 2·2·15·127.
template <QuantFormat kFormat>
inline __m256i block_pairs(const __m256i (&w)[2], const __m256i (&xb)[2]) {
  if constexpr (kFormat == QuantFormat::kInt4) {
    return _mm256_add_epi16(_mm256_maddubs_epi16(w[0], xb[0]), _mm256_maddubs_epi16(w[1], xb[1]));
  }
  return _mm256_maddubs_epi16(w[1], _mm256_sign_epi8(xb[0], w[0]));
}

template <QuantFormat kFormat, int kRows>
void quad_tile(const QuantizedMatmulArgs& a, const int8_t* xq, const float* x_scale,
               const float* xq_sums, int64_t p, float* y, bool stream) {
  constexpr int64_t kCols = kBlockCols<kFormat>;
  const uint8_t* w = a.values + p * a.panel_bytes;
  const int64_t n_blocks = (a.k + kCols - 1) / kCols;
  const int64_t blocks_per_group = a.n_groups == 1 ? n_blocks : a.group_size / kCols;
  const __m256i ones = _mm256_set1_epi16(1);
  for (int64_t g = 0; g < a.n_groups; ++g) {
    __m256i acc[kRows][2];
#pragma GCC unroll 4
    for (int r = 0; r < kRows; ++r) acc[r][0] = acc[r][1] = _mm256_setzero_si256();
    const int64_t b1 = min64((g + 1) * blocks_per_group, n_blocks);
    for (int64_t b = g * blocks_per_group; b < b1; ++b) {
      if (stream) _mm_prefetch(reinterpret_cast<const char*>(w + b * 64 + kPrefetch), _MM_HINT_T0);
      __m256i wv[2][2];
      unpack_block<kFormat>(w + b * 64, wv);
#pragma GCC unroll 4
      for (int r = 0; r < kRows; ++r) {
        __m256i xb[2];
        broadcast_quads<kFormat>(xq + r * a.ldq + b * kCols, xb);
        for (int h = 0; h < 2; ++h) {
          const __m256i pairs = block_pairs<kFormat>(wv[h], xb);
          acc[r][h] = _mm256_add_epi32(acc[r][h], _mm256_madd_epi16(pairs, ones));
        }
      }
    }
    const int64_t off = (p * a.n_groups + g) * kP;
    const bool has_z = a.zoffs != nullptr || a.zoff_factor != 0;
    const __m256 s0 = _mm256_loadu_ps(a.scales + off), s1 = _mm256_loadu_ps(a.scales + off + 8);
    const __m256 z0 = zoffs(a, off, s0), z1 = zoffs(a, off + 8, s1);
#pragma GCC unroll 4
    for (int r = 0; r < kRows; ++r) {
      __m256 v0 = _mm256_mul_ps(s0, _mm256_cvtepi32_ps(acc[r][0]));
      __m256 v1 = _mm256_mul_ps(s1, _mm256_cvtepi32_ps(acc[r][1]));
      if (has_z) {
        const __m256 xs = _mm256_set1_ps(xq_sums[r * a.n_groups + g]);
        v0 = _mm256_fmadd_ps(z0, xs, v0);
        v1 = _mm256_fmadd_ps(z1, xs, v1);
      }
      const __m256 sx = _mm256_set1_ps(x_scale[r]);
      store(y + r * a.ldy, _mm256_mul_ps(v0, sx), _mm256_mul_ps(v1, sx), n_valid(a, p),
            a.accumulate || g > 0);
    }
  }
}

template <QuantFormat kFormat>
void quad_rows(const QuantizedMatmulArgs& a, int64_t r0, int rows, int64_t p, bool stream) {
  const int8_t* xq = a.xq + r0 * a.ldq;
  const float* xs = a.x_scale + r0;
  const float* sums = a.xq_sums != nullptr ? a.xq_sums + r0 * a.n_groups : nullptr;
  float* y = a.y + r0 * a.ldy + p * kP;
  switch (rows) {
    case 4:
      return quad_tile<kFormat, 4>(a, xq, xs, sums, p, y, stream);
    case 3:
      return quad_tile<kFormat, 3>(a, xq, xs, sums, p, y, stream);
    case 2:
      return quad_tile<kFormat, 2>(a, xq, xs, sums, p, y, stream);
    case 1:
      return quad_tile<kFormat, 1>(a, xq, xs, sums, p, y, stream);
    default:
      return;
  }
}

template <QuantFormat kFormat>
void run_quads(const QuantizedMatmulArgs& a, int64_t p_begin, int64_t p_end) {
  int64_t mc = kXBlockBytes / a.ldq / kMr * kMr;
  if (mc < kMr) mc = kMr;
  for (int64_t m0 = 0; m0 < a.m; m0 += mc) {
    const int64_t m1 = min64(a.m, m0 + mc);
    for (int64_t p = p_begin; p < p_end; ++p) {
      for (int64_t r = m0; r < m1; r += kMr) {
        quad_rows<kFormat>(a, r, static_cast<int>(min64(kMr, m1 - r)), p, r == m0);
      }
    }
  }
}

// ---- f32 activations ----

inline __m256 widen_int8(const uint8_t* col) {
  return _mm256_cvtepi32_ps(
      _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(col))));
}
inline __m256 widen_fp8(const uint8_t* col) {
  const __m256i v = _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(col)));
  const __m256i mag = _mm256_and_si256(v, _mm256_set1_epi32(0x7f));
  const __m256i bits =
      _mm256_or_si256(_mm256_slli_epi32(_mm256_xor_si256(v, mag), 24), _mm256_slli_epi32(mag, 20));
  const __m256 f = _mm256_mul_ps(_mm256_castsi256_ps(bits),
                                 _mm256_castsi256_ps(_mm256_set1_epi32(0x7b800000)));  // 2^120
  const __m256i nan = _mm256_cmpeq_epi32(mag, _mm256_set1_epi32(0x7f));
  return _mm256_blendv_ps(f, _mm256_castsi256_ps(_mm256_set1_epi32(0x7fc00000)),
                          _mm256_castsi256_ps(nan));
}
inline void widen_int4(const uint8_t* pair, __m256& lo, __m256& hi) {
  const __m256i v = _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(pair)));
  lo = _mm256_cvtepi32_ps(_mm256_and_si256(v, _mm256_set1_epi32(0xf)));
  hi = _mm256_cvtepi32_ps(_mm256_srli_epi32(v, 4));
}

template <QuantFormat kFormat>
inline __m256 widen(const uint8_t* col) {
  if constexpr (kFormat == QuantFormat::kInt8) return widen_int8(col);
  return widen_fp8(col);
}

// Rows [0, kRows) of x × panel p; h = 0 / 1 are rows 0-7 / 8-15 of the panel.
template <QuantFormat kFormat, int kRows>
void float_tile(const QuantizedMatmulArgs& a, const float* x, const float* x_sums, int64_t p,
                float* y, bool stream) {
  constexpr int kU = kRows == 1 ? 2 : 1;
  const uint8_t* panel = a.values + p * a.panel_bytes;
  __m256 out[kRows][2];
#pragma GCC unroll 3
  for (int r = 0; r < kRows; ++r) out[r][0] = out[r][1] = _mm256_setzero_ps();
  for (int64_t g = 0; g < a.n_groups; ++g) {
    const int64_t c0 = g * a.group_size, c1 = min64(c0 + a.group_size, a.k);
    __m256 acc[kRows][kU][2];
#pragma GCC unroll 3
    for (int r = 0; r < kRows; ++r) {
      for (int u = 0; u < kU; ++u) acc[r][u][0] = acc[r][u][1] = _mm256_setzero_ps();
    }
    int64_t c = c0;
    if constexpr (kFormat == QuantFormat::kInt4) {
      for (; c + 2 <= c1; c += 2) {
        const uint8_t* col = panel + (c / 2) * kP;
        if (stream && (c & 7) == 0) {
          _mm_prefetch(reinterpret_cast<const char*>(col + kPrefetch), _MM_HINT_T0);
        }
        __m256 lo[2], hi[2];
        widen_int4(col, lo[0], hi[0]);
        widen_int4(col + 8, lo[1], hi[1]);
#pragma GCC unroll 3
        for (int r = 0; r < kRows; ++r) {
          const __m256 x0 = _mm256_set1_ps(x[r * a.ldx + c]);
          const __m256 x1 = _mm256_set1_ps(x[r * a.ldx + c + 1]);
          for (int h = 0; h < 2; ++h) {
            acc[r][0][h] = _mm256_fmadd_ps(x0, lo[h], acc[r][0][h]);
            acc[r][kU - 1][h] = _mm256_fmadd_ps(x1, hi[h], acc[r][kU - 1][h]);
          }
        }
      }
      if (c < c1) {
        __m256 lo[2], hi[2];
        widen_int4(panel + (c / 2) * kP, lo[0], hi[0]);
        widen_int4(panel + (c / 2) * kP + 8, lo[1], hi[1]);
#pragma GCC unroll 3
        for (int r = 0; r < kRows; ++r) {
          const __m256 x0 = _mm256_set1_ps(x[r * a.ldx + c]);
          for (int h = 0; h < 2; ++h) acc[r][0][h] = _mm256_fmadd_ps(x0, lo[h], acc[r][0][h]);
        }
      }
    } else {
      for (; c < c1; ++c) {
        const uint8_t* col = panel + c * kP;
        if (stream && (c & 3) == 0) {
          _mm_prefetch(reinterpret_cast<const char*>(col + kPrefetch), _MM_HINT_T0);
        }
        const __m256 w0 = widen<kFormat>(col), w1 = widen<kFormat>(col + 8);
        const int u = kU == 2 ? static_cast<int>(c & 1) : 0;
#pragma GCC unroll 3
        for (int r = 0; r < kRows; ++r) {
          const __m256 xv = _mm256_set1_ps(x[r * a.ldx + c]);
          acc[r][u][0] = _mm256_fmadd_ps(xv, w0, acc[r][u][0]);
          acc[r][u][1] = _mm256_fmadd_ps(xv, w1, acc[r][u][1]);
        }
      }
    }
    const int64_t off = (p * a.n_groups + g) * kP;
    const bool has_z = a.zoffs != nullptr || a.zoff_factor != 0;
    const __m256 s[2] = {_mm256_loadu_ps(a.scales + off), _mm256_loadu_ps(a.scales + off + 8)};
    const __m256 z[2] = {zoffs(a, off, s[0]), zoffs(a, off + 8, s[1])};
#pragma GCC unroll 3
    for (int r = 0; r < kRows; ++r) {
      const __m256 xs = has_z ? _mm256_set1_ps(x_sums[r * a.n_groups + g]) : _mm256_setzero_ps();
      for (int h = 0; h < 2; ++h) {
        const __m256 sum = kU == 2 ? _mm256_add_ps(acc[r][0][h], acc[r][kU - 1][h]) : acc[r][0][h];
        out[r][h] = _mm256_fmadd_ps(s[h], sum, out[r][h]);
        if (has_z) out[r][h] = _mm256_fmadd_ps(z[h], xs, out[r][h]);
      }
    }
  }
#pragma GCC unroll 3
  for (int r = 0; r < kRows; ++r) {
    store(y + r * a.ldy, out[r][0], out[r][1], n_valid(a, p), a.accumulate);
  }
}

template <QuantFormat kFormat>
void run_float(const QuantizedMatmulArgs& a, int64_t p_begin, int64_t p_end) {
  constexpr int kRows = 3;
  for (int64_t p = p_begin; p < p_end; ++p) {
    for (int64_t r = 0; r < a.m; r += kRows) {
      const float* x = a.x + r * a.ldx;
      const float* sums = a.x_sums != nullptr ? a.x_sums + r * a.n_groups : nullptr;
      float* y = a.y + r * a.ldy + p * kP;
      switch (min64(kRows, a.m - r)) {
        case 3:
          float_tile<kFormat, 3>(a, x, sums, p, y, r == 0);
          break;
        case 2:
          float_tile<kFormat, 2>(a, x, sums, p, y, r == 0);
          break;
        default:
          float_tile<kFormat, 1>(a, x, sums, p, y, r == 0);
          break;
      }
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

}  // namespace infermark::cpu::avx2

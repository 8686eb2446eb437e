// AVX2 + FMA + F16C matmul over packed weights (compiled with -mavx2 -mfma -mf16c; called only
// when the CPU has them). Everything here has internal linkage and no standard-library templates
// are instantiated, so no AVX2 code can stand in for a generic symbol at link time.
//
// Three paths, all over a thread's contiguous range of 16-column panels:
// - m == 1 (decode GEMV): each panel streamed once; bf16 widened by a lane shift / mask, f16 by
//   vcvtph2ps, into 8 independent FMA accumulators; software prefetch ahead of the stream.
// - small m (batched decode): each panel (or, when x is large, each block of kKcThin columns of
//   it) is streamed from memory by the first row tile, with prefetch, and re-read from cache by
//   the others; widened in the kernel. Row tiles are balanced (8 rows = 4 + 4).
// - large m (prefill): for each block of kKcWide columns × kMc rows, the x block is packed into
//   6-row micro-panels (one contiguous broadcast stream per tile; it stays in L2), each panel
//   block is widened to an f32 scratch tile in L1 once, then a 6×16 register tile (12
//   accumulators) runs over it for every 6 rows. Scratch lives on the stack (~260 KiB).
#include <immintrin.h>

#include <cstdint>
#include <type_traits>

#include "backends/cpu/matmul.h"

namespace infermark::cpu::avx2 {
namespace {

constexpr int kP = PackedWeights::kPanel;
constexpr int kMr = 6;
constexpr int64_t kKcThin = 512;      // columns per block, small m (bf16 block: 16 KiB)
constexpr int64_t kKcWide = 256;      // columns per block, large m (f32 scratch: 16 KiB)
constexpr int64_t kMc = 240;          // rows per block, large m (x block: 240 KiB)
constexpr int64_t kWideMinRows = 16;  // m from which the large-m path is used
constexpr int64_t kPrefetch = 1024;   // bytes ahead of the GEMV stream

inline int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

// Loaders: 16 packed weights of one column group -> rows 0-7 in lo, rows 8-15 in hi.
struct Bf16 {
  using T = uint16_t;
  static inline void load(const T* p, __m256& lo, __m256& hi) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    lo = _mm256_castsi256_ps(_mm256_slli_epi32(v, 16));
    hi = _mm256_castsi256_ps(_mm256_and_si256(v, _mm256_set1_epi32(static_cast<int>(0xffff0000u))));
  }
};
struct F16 {
  using T = uint16_t;
  static inline void load(const T* p, __m256& lo, __m256& hi) {
    lo = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
    hi = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 8)));
  }
};
struct F32 {
  using T = float;
  static inline void load(const T* p, __m256& lo, __m256& hi) {
    lo = _mm256_loadu_ps(p);
    hi = _mm256_loadu_ps(p + 8);
  }
};

// Writes one row of 16 results (lo = columns 0-7, hi = 8-15), n_valid of them, to c.
inline void store_row(float* c, __m256 lo, __m256 hi, int n_valid, bool add) {
  if (n_valid == kP) {
    if (add) {
      lo = _mm256_add_ps(lo, _mm256_loadu_ps(c));
      hi = _mm256_add_ps(hi, _mm256_loadu_ps(c + 8));
    }
    _mm256_storeu_ps(c, lo);
    _mm256_storeu_ps(c + 8, hi);
    return;
  }
  alignas(32) float tmp[kP];
  _mm256_store_ps(tmp, lo);
  _mm256_store_ps(tmp + 8, hi);
  for (int j = 0; j < n_valid; ++j) c[j] = add ? c[j] + tmp[j] : tmp[j];
}

// c[r, 0:16] (+)= sum over kk < kc of a[r, kk] * b[kk, 0:16] for r < kRows. a[r, kk] is at
// a + r * lda + kk, or with kPackedA at a + kk * kMr + r (a packed micro-panel).
// With kStream the weights are prefetched ahead (the first tile over a panel streams it from
// memory; later tiles find it in cache).
template <typename L, int kRows, bool kPackedA = false, bool kStream = false>
inline void tile(const float* a, int64_t lda, const typename L::T* b, int64_t kc, float* c,
                 int64_t ldc, int n_valid, bool add) {
  __m256 acc[kRows][2];
#pragma GCC unroll 6
  for (int r = 0; r < kRows; ++r) acc[r][0] = acc[r][1] = _mm256_setzero_ps();
  auto step = [&](int64_t kk) {
    __m256 lo, hi;
    L::load(b + kk * kP, lo, hi);
#pragma GCC unroll 6
    for (int r = 0; r < kRows; ++r) {
      const __m256 av = _mm256_broadcast_ss(kPackedA ? a + kk * kMr + r : a + r * lda + kk);
      acc[r][0] = _mm256_fmadd_ps(av, lo, acc[r][0]);
      acc[r][1] = _mm256_fmadd_ps(av, hi, acc[r][1]);
    }
  };
  // Two columns per iteration: the loop overhead otherwise costs ~15% of the FMA rate.
  constexpr int64_t kAhead = kPrefetch / (kP * static_cast<int64_t>(sizeof(typename L::T)));
  int64_t kk = 0;
  for (; kk + 2 <= kc; kk += 2) {
    if constexpr (kStream) {  // two columns = 64 bytes (bf16, f16) or 128 (f32)
      const char* ahead = reinterpret_cast<const char*>(b + (kk + kAhead) * kP);
      _mm_prefetch(ahead, _MM_HINT_T0);
      if constexpr (sizeof(typename L::T) == 4) _mm_prefetch(ahead + 64, _MM_HINT_T0);
    }
    step(kk);
    step(kk + 1);
  }
  if (kk < kc) step(kk);
#pragma GCC unroll 6
  for (int r = 0; r < kRows; ++r) store_row(c + r * ldc, acc[r][0], acc[r][1], n_valid, add);
}

// Row tiles: m rows are cut into ceil(m / kMr) tiles of near-equal size (at most kMr), so
// that no small, latency-bound remainder tile is left when m >= 4 (e.g. 8 = 4 + 4).
inline int64_t n_tiles(int64_t m) { return (m + kMr - 1) / kMr; }
inline int64_t tile_start(int64_t m, int64_t t) {
  const int64_t n = n_tiles(m), base = m / n, extra = m % n;
  return t * base + (t < extra ? t : extra);
}

template <typename L, bool kPackedA, bool kStream>
inline void tile_of(int rows, const float* a, int64_t lda, const typename L::T* b, int64_t kc,
                    float* c, int64_t ldc, int n_valid, bool add) {
  switch (rows) {
    case 6:
      return tile<L, 6, kPackedA, kStream>(a, lda, b, kc, c, ldc, n_valid, add);
    case 5:
      return tile<L, 5, kPackedA, kStream>(a, lda, b, kc, c, ldc, n_valid, add);
    case 4:
      return tile<L, 4, kPackedA, kStream>(a, lda, b, kc, c, ldc, n_valid, add);
    case 3:
      return tile<L, 3, kPackedA, kStream>(a, lda, b, kc, c, ldc, n_valid, add);
    case 2:
      return tile<L, 2, kPackedA, kStream>(a, lda, b, kc, c, ldc, n_valid, add);
    case 1:
      return tile<L, 1, kPackedA, kStream>(a, lda, b, kc, c, ldc, n_valid, add);
    default:
      return;
  }
}

// Runs the row tiles over rows [0, m) of one column block; the first one prefetches the weights
// when `stream`. With kPackedA, a holds the rows packed by pack_a (lda ignored).
template <typename L, bool kPackedA = false>
inline void tiles(const float* a, int64_t lda, const typename L::T* b, int64_t kc, float* c,
                  int64_t ldc, int64_t m, int n_valid, bool add, bool stream = false) {
  for (int64_t t = 0; t < n_tiles(m); ++t) {
    const int64_t r0 = tile_start(m, t);
    const int rows = static_cast<int>(tile_start(m, t + 1) - r0);
    const float* at = kPackedA ? a + t * kMr * kc : a + r0 * lda;
    if (stream && t == 0) {
      tile_of<L, kPackedA, true>(rows, at, lda, b, kc, c + r0 * ldc, ldc, n_valid, add);
    } else {
      tile_of<L, kPackedA, false>(rows, at, lda, b, kc, c + r0 * ldc, ldc, n_valid, add);
    }
  }
}

// Packs rows [0, m) × columns [0, kc) of a (leading dimension lda) into one micro-panel per
// row tile: row r of tile t at out[(t * kc + kk) * kMr + r].
inline void pack_a(const float* a, int64_t lda, int64_t m, int64_t kc, float* out) {
  for (int64_t t = 0; t < n_tiles(m); ++t) {
    float* o = out + t * kc * kMr;
    const int64_t r0 = tile_start(m, t), rows = tile_start(m, t + 1) - r0;
    for (int64_t r = 0; r < rows; ++r) {
      const float* src = a + (r0 + r) * lda;
      for (int64_t kk = 0; kk < kc; ++kk) o[kk * kMr + r] = src[kk];
    }
  }
}

// y[0:16] (+)= x[0:k] · panel: one row, whole k, 4 columns per step into 8 accumulators.
template <typename L>
inline void gemv_panel(const float* x, const typename L::T* b, int64_t k, float* y, int n_valid,
                       bool add) {
  __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
  constexpr int64_t kAhead = kPrefetch / (kP * static_cast<int64_t>(sizeof(typename L::T)));
  int64_t kk = 0;
  for (; kk + 4 <= k; kk += 4) {
    const typename L::T* g = b + kk * kP;
    _mm_prefetch(reinterpret_cast<const char*>(g + kAhead * kP), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(g + kAhead * kP) + 64, _MM_HINT_T0);
    if constexpr (sizeof(typename L::T) == 4) {
      _mm_prefetch(reinterpret_cast<const char*>(g + kAhead * kP) + 128, _MM_HINT_T0);
      _mm_prefetch(reinterpret_cast<const char*>(g + kAhead * kP) + 192, _MM_HINT_T0);
    }
    __m256 lo, hi, xv;
    L::load(g, lo, hi);
    xv = _mm256_broadcast_ss(x + kk);
    a0 = _mm256_fmadd_ps(xv, lo, a0);
    a1 = _mm256_fmadd_ps(xv, hi, a1);
    L::load(g + kP, lo, hi);
    xv = _mm256_broadcast_ss(x + kk + 1);
    a2 = _mm256_fmadd_ps(xv, lo, a2);
    a3 = _mm256_fmadd_ps(xv, hi, a3);
    L::load(g + 2 * kP, lo, hi);
    xv = _mm256_broadcast_ss(x + kk + 2);
    a4 = _mm256_fmadd_ps(xv, lo, a4);
    a5 = _mm256_fmadd_ps(xv, hi, a5);
    L::load(g + 3 * kP, lo, hi);
    xv = _mm256_broadcast_ss(x + kk + 3);
    a6 = _mm256_fmadd_ps(xv, lo, a6);
    a7 = _mm256_fmadd_ps(xv, hi, a7);
  }
  for (; kk < k; ++kk) {
    __m256 lo, hi;
    L::load(b + kk * kP, lo, hi);
    const __m256 xv = _mm256_broadcast_ss(x + kk);
    a0 = _mm256_fmadd_ps(xv, lo, a0);
    a1 = _mm256_fmadd_ps(xv, hi, a1);
  }
  const __m256 lo = _mm256_add_ps(_mm256_add_ps(a0, a2), _mm256_add_ps(a4, a6));
  const __m256 hi = _mm256_add_ps(_mm256_add_ps(a1, a3), _mm256_add_ps(a5, a7));
  store_row(y, lo, hi, n_valid, add);
}

// Widens kc column groups of a panel block to f32 in row order.
template <typename L>
// Also prefetches the same block of the next panel into L2 (`next`, may be null): blocks of
// consecutive panels are far apart, so the hardware prefetcher would restart at each one.
inline void widen(const typename L::T* b, int64_t kc, float* out, const typename L::T* next) {
  for (int64_t kk = 0; kk < kc; ++kk) {
    if (next != nullptr && (kk & 1) == 0) {
      _mm_prefetch(reinterpret_cast<const char*>(next + kk * kP), _MM_HINT_T1);
    }
    __m256 lo, hi;
    L::load(b + kk * kP, lo, hi);
    _mm256_store_ps(out + kk * kP, lo);
    _mm256_store_ps(out + kk * kP + 8, hi);
  }
}

template <typename L>
void run_panels(const MatmulArgs& a, int64_t p_begin, int64_t p_end) {
  using T = typename L::T;
  const int64_t k = a.k, n = a.n;
  auto panel = [&](int64_t p) { return reinterpret_cast<const T*>(a.panels + p * a.panel_bytes); };
  auto valid = [&](int64_t p) { return static_cast<int>(min64(kP, n - p * kP)); };
  if (a.m == 1) {
    for (int64_t p = p_begin; p < p_end; ++p) {
      gemv_panel<L>(a.x, panel(p), k, a.y + p * kP, valid(p), a.accumulate);
    }
    return;
  }
  if (a.m < kWideMinRows) {
    // Whole rows at once when x and one panel fit in half of a 1 MiB L2: each panel is then one
    // sequential stream.
    const bool fit = (a.m * 4 + kP * static_cast<int64_t>(sizeof(T))) * k <= (512 << 10);
    const int64_t kc_thin = fit ? k : kKcThin;
    for (int64_t k0 = 0; k0 < k; k0 += kc_thin) {
      const int64_t kc = min64(kc_thin, k - k0);
      for (int64_t p = p_begin; p < p_end; ++p) {
        tiles<L>(a.x + k0, a.ldx, panel(p) + k0 * kP, kc, a.y + p * kP, a.ldy, a.m, valid(p),
                 a.accumulate || k0 > 0, /*stream=*/true);
      }
    }
    return;
  }
  alignas(64) float scratch[kKcWide * kP];
  alignas(64) float apack[kMc * kKcWide];
  for (int64_t m0 = 0; m0 < a.m; m0 += kMc) {
    const int64_t mc = min64(kMc, a.m - m0);
    for (int64_t k0 = 0; k0 < k; k0 += kKcWide) {
      const int64_t kc = min64(kKcWide, k - k0);
      pack_a(a.x + m0 * a.ldx + k0, a.ldx, mc, kc, apack);
      for (int64_t p = p_begin; p < p_end; ++p) {
        const float* b = reinterpret_cast<const float*>(panel(p) + k0 * kP);
        if constexpr (!std::is_same_v<L, F32>) {
          widen<L>(panel(p) + k0 * kP, kc, scratch,
                   p + 1 < p_end ? panel(p + 1) + k0 * kP : nullptr);
          b = scratch;
        }
        tiles<F32, true>(apack, 0, b, kc, a.y + m0 * a.ldy + p * kP, a.ldy, mc, valid(p),
                         a.accumulate || k0 > 0);
      }
    }
  }
}

void task(void* context, int i, int n_threads) {
  const MatmulArgs& a = *static_cast<const MatmulArgs*>(context);
  const int64_t n_panels = a.n_panels;
  const int64_t b = n_panels * i / n_threads, e = n_panels * (i + 1) / n_threads;
  if (b >= e) return;
  switch (a.type) {
    case FloatType::kF32:
      return run_panels<F32>(a, b, e);
    case FloatType::kBF16:
      return run_panels<Bf16>(a, b, e);
    case FloatType::kF16:
      return run_panels<F16>(a, b, e);
  }
}

}  // namespace

void matmul(ThreadPool& pool, const MatmulArgs& args) {
  pool.run_raw(&task, const_cast<MatmulArgs*>(&args));
}

}  // namespace infermark::cpu::avx2

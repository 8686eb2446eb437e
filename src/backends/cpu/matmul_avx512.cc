// AVX-512 matmul for m >= kMinRows (batched decode and prefill), over packed weights (compiled
// with -mavx512f -mavx512bw -mavx512vl -mavx2 -mfma -mf16c; called only when the CPU has them —
// smaller m is bound by memory bandwidth, which AVX2 already reaches). Same rules as
// matmul_avx2.cc: all internal linkage, no shared inline functions.
//
// The rows of x are packed into tiles of kMr rows, column-major inside a tile (a tile's
// broadcasts then read one sequential stream at constant offsets, instead of kMr rows ldx apart
// that alias in L1 and need kMr pointers), and two adjacent 16-column weight panels are widened
// to f32 one block of kKc columns at a time; a 12-row × 32-column register tile (24 zmm
// accumulators, one FMA per weight vector and row) runs over the block for every 12 rows.
// Two loop orders:
// - m <= kMaxRowsByPanel (batched decode): x is packed whole once per call (a per-thread buffer
//   of m × k floats, in L2), then each panel pair is streamed from start to end, the first row
//   tile prefetching the next block one line per column (weights come from memory: sequential
//   reads with the prefetch spread over the compute keep the stream ahead).
// - larger m (prefill): for each block of kMc rows × kKc columns, x is packed once (≤ 180 KiB,
//   on the stack, in L2) and every panel pair of the thread runs over it.
// Partial panels use masked stores.
#include <immintrin.h>

#include <cstdint>
#include <cstdlib>

#include "backends/cpu/matmul.h"
#include "util/error.h"

namespace infermark::cpu::avx512 {
namespace {

constexpr int kP = PackedWeights::kPanel;
constexpr int kMr = 12;
constexpr int64_t kKc = 192;  // columns per block: 2 panels × 192 × 64 B = 24 KiB of f32
constexpr int64_t kMc = 240;  // rows per block (a multiple of kMr): 240 × 192 × 4 B = 180 KiB

constexpr int64_t kMaxRowsByPanel = 48;  // packed x ≤ 48 × k × 4 B (1.5 MiB at k = 8192)

inline int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

// Widens kc groups of 16 weights (panel layout of `type`) to f32 in row order, prefetching the
// same block of the next panel (`next`, may be null) into L2.
void widen(const char* panel, FloatType type, int64_t kc, float* out, const char* next) {
  if (next != nullptr) {
    for (int64_t off = 0; off < kc * kP * 2; off += 64) _mm_prefetch(next + off, _MM_HINT_T1);
  }
  if (type == FloatType::kBF16) {
    const __m256i mask = _mm256_set1_epi32(static_cast<int>(0xffff0000u));
    const __m256i* p = reinterpret_cast<const __m256i*>(panel);
    for (int64_t kk = 0; kk < kc; ++kk) {
      const __m256i v = _mm256_loadu_si256(p + kk);
      _mm256_store_si256(reinterpret_cast<__m256i*>(out + kk * kP), _mm256_slli_epi32(v, 16));
      _mm256_store_si256(reinterpret_cast<__m256i*>(out + kk * kP + 8), _mm256_and_si256(v, mask));
    }
  } else {  // f16
    const __m256i* p = reinterpret_cast<const __m256i*>(panel);
    for (int64_t kk = 0; kk < kc; ++kk) {
      _mm512_store_ps(out + kk * kP, _mm512_maskz_cvtph_ps(0xffff, _mm256_loadu_si256(p + kk)));
    }
  }
}

// Packs x[0:mc, 0:kc] (row stride ldx) as row tiles of kMr rows (the last may be shorter):
// tile t holds, for each kk, its rows' x[r, kk] contiguously; tiles follow each other.
void pack_x(const float* x, int64_t ldx, int64_t mc, int64_t kc, float* out) {
  for (int64_t i = 0; i < mc; i += kMr) {
    const int64_t rows = min64(kMr, mc - i);
    for (int64_t r = 0; r < rows; ++r) {
      const float* src = x + (i + r) * ldx;
      for (int64_t kk = 0; kk < kc; ++kk) out[kk * rows + r] = src[kk];
    }
    out += rows * kc;
  }
}

// Lines to prefetch (into L1) while a tile runs, spread one per column: pf[kk % 2] + (kk / 2)
// lines, i.e. kc / 2 lines from each of two places.
struct Prefetch {
  const char* at[2] = {nullptr, nullptr};
};

// c[r, 0:16*kNp] (+)= sum_kk a[kk * kRows + r] * b_j[kk, 0:16] for r < kRows, panels j < kNp
// (a: one packed tile of pack_x).
template <int kRows, int kNp, bool kPrefetch = false>
void tile(const float* a, const float* b0, const float* b1, int64_t kc, float* c, int64_t ldc,
          __mmask16 m0, __mmask16 m1, bool add, Prefetch pf = {}) {
  __m512 acc[kRows][kNp];
#pragma GCC unroll 12
  for (int r = 0; r < kRows; ++r) {
    for (int j = 0; j < kNp; ++j) acc[r][j] = _mm512_setzero_ps();
  }
  for (int64_t kk = 0; kk < kc; ++kk) {
    const __m512 w0 = _mm512_load_ps(b0 + kk * kP);
    const __m512 w1 = kNp == 2 ? _mm512_load_ps(b1 + kk * kP) : w0;
    if constexpr (kPrefetch) _mm_prefetch(pf.at[kk & 1] + (kk >> 1) * 64, _MM_HINT_T0);
#pragma GCC unroll 12
    for (int r = 0; r < kRows; ++r) {
      const __m512 av = _mm512_set1_ps(a[kk * kRows + r]);
      acc[r][0] = _mm512_fmadd_ps(av, w0, acc[r][0]);
      if constexpr (kNp == 2) acc[r][1] = _mm512_fmadd_ps(av, w1, acc[r][1]);
    }
  }
#pragma GCC unroll 12
  for (int r = 0; r < kRows; ++r) {
    for (int j = 0; j < kNp; ++j) {
      float* cr = c + r * ldc + j * kP;
      const __mmask16 m = j == 0 ? m0 : m1;
      __m512 v = acc[r][j];
      if (add) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(m, cr));
      _mm512_mask_storeu_ps(cr, m, v);
    }
  }
}

// Every row tile of a packed x (pack_x over ktot columns) against one block of widened panels
// (columns k0 .. k0 + kc of x): c[0:m, 0:16*kNp] (+)= x[0:m, k0:k0+kc] · b^T.
template <int kNp>
void tiles(const float* a, int64_t ktot, int64_t k0, const float* b0, const float* b1, int64_t kc,
           float* c, int64_t ldc, int64_t m, __mmask16 m0, __mmask16 m1, bool add,
           Prefetch pf = {}) {
  int64_t i = 0;
  if (pf.at[0] != nullptr && m >= kMr) {
    tile<kMr, kNp, true>(a + k0 * kMr, b0, b1, kc, c, ldc, m0, m1, add, pf);
    i = kMr;
  }
  for (; i + kMr <= m; i += kMr) {
    tile<kMr, kNp>(a + i * ktot + k0 * kMr, b0, b1, kc, c + i * ldc, ldc, m0, m1, add);
  }
  a += i * ktot + k0 * (m - i);
  c += i * ldc;
  switch (m - i) {
    case 11:
      return tile<11, kNp>(a, b0, b1, kc, c, ldc, m0, m1, add);
    case 10:
      return tile<10, kNp>(a, b0, b1, kc, c, ldc, m0, m1, add);
    case 9:
      return tile<9, kNp>(a, b0, b1, kc, c, ldc, m0, m1, add);
    case 8:
      return tile<8, kNp>(a, b0, b1, kc, c, ldc, m0, m1, add);
    case 7:
      return tile<7, kNp>(a, b0, b1, kc, c, ldc, m0, m1, add);
    case 6:
      return tile<6, kNp>(a, b0, b1, kc, c, ldc, m0, m1, add);
    case 5:
      return tile<5, kNp>(a, b0, b1, kc, c, ldc, m0, m1, add);
    case 4:
      return tile<4, kNp>(a, b0, b1, kc, c, ldc, m0, m1, add);
    case 3:
      return tile<3, kNp>(a, b0, b1, kc, c, ldc, m0, m1, add);
    case 2:
      return tile<2, kNp>(a, b0, b1, kc, c, ldc, m0, m1, add);
    case 1:
      return tile<1, kNp>(a, b0, b1, kc, c, ldc, m0, m1, add);
    default:
      return;
  }
}

// Where panel p's columns k0 .. k0 + kc start, widened to f32 in `scratch` unless the weights
// are f32 already (then read in place). Prefetches `ahead` bytes further on into L2 (none if 0).
const float* panel_block(const MatmulArgs& a, int64_t p, int64_t k0, int64_t kc, float* scratch,
                         int64_t ahead) {
  const bool f32 = a.type == FloatType::kF32;
  const char* panel = a.panels + p * a.panel_bytes + k0 * kP * (f32 ? 4 : 2);
  if (f32) return reinterpret_cast<const float*>(panel);
  widen(panel, a.type, kc, scratch, ahead != 0 ? panel + ahead : nullptr);
  return scratch;
}

__mmask16 panel_mask(const MatmulArgs& a, int64_t p) {
  const int64_t valid = min64(kP, a.n - p * kP);
  return static_cast<__mmask16>((1u << valid) - 1u);
}

// Large m: for each block of kMc rows and kKc columns, x is packed once and every panel pair of
// the thread runs over it (weights are re-read once per row block; x stays in L2).
void run_panels_by_row_block(const MatmulArgs& a, int64_t p_begin, int64_t p_end) {
  alignas(64) float scratch[2][kKc * kP];
  alignas(64) float xp[kMc * kKc];
  for (int64_t m0 = 0; m0 < a.m; m0 += kMc) {
    const int64_t mc = min64(kMc, a.m - m0);
    for (int64_t k0 = 0; k0 < a.k; k0 += kKc) {
      const int64_t kc = min64(kKc, a.k - k0);
      const bool add = a.accumulate || k0 > 0;
      pack_x(a.x + m0 * a.ldx + k0, a.ldx, mc, kc, xp);
      for (int64_t p = p_begin; p < p_end; p += 2) {
        const bool pair = p + 1 < p_end;
        // Each panel prefetches its block of the next pair, two panels further on.
        const int64_t ahead = 2 * a.panel_bytes;
        const float* b0 = panel_block(a, p, k0, kc, scratch[0], p + 2 < p_end ? ahead : 0);
        const float* b1 =
            pair ? panel_block(a, p + 1, k0, kc, scratch[1], p + 3 < p_end ? ahead : 0) : b0;
        float* y = a.y + m0 * a.ldy + p * kP;
        if (pair) {
          tiles<2>(xp, kc, 0, b0, b1, kc, y, a.ldy, mc, panel_mask(a, p), panel_mask(a, p + 1),
                   add);
        } else {
          tiles<1>(xp, kc, 0, b0, b0, kc, y, a.ldy, mc, panel_mask(a, p), 0, add);
        }
      }
    }
  }
}

// A grow-only per-thread buffer of floats, 64-byte aligned (grows on the first calls only).
float* thread_scratch(int64_t floats) {
  struct Buffer {
    float* data = nullptr;
    int64_t capacity = 0;
    ~Buffer() { std::free(data); }
  };
  thread_local Buffer buf;
  if (buf.capacity < floats) {
    std::free(buf.data);
    const auto bytes = static_cast<size_t>((floats * 4 + 63) / 64 * 64);
    buf.data = static_cast<float*>(std::aligned_alloc(64, bytes));
    IM_CHECK(buf.data != nullptr);
    buf.capacity = floats;
  }
  return buf.data;
}

// Small m (batched decode): all of x is packed once (m × k floats, in L2), then each panel pair
// is streamed once from start to end, so the weights are read sequentially from memory.
void run_panels_by_panel(const MatmulArgs& a, int64_t p_begin, int64_t p_end) {
  alignas(64) float scratch[2][kKc * kP];
  float* xp = thread_scratch(a.m * a.k);
  pack_x(a.x, a.ldx, a.m, a.k, xp);
  const int64_t esize = a.type == FloatType::kF32 ? 4 : 2;
  for (int64_t p = p_begin; p < p_end; p += 2) {
    const bool pair = p + 1 < p_end;
    float* y = a.y + p * kP;
    for (int64_t k0 = 0; k0 < a.k; k0 += kKc) {
      const int64_t kc = min64(kKc, a.k - k0);
      const bool add = a.accumulate || k0 > 0;
      const float* b0 = panel_block(a, p, k0, kc, scratch[0], 0);
      const float* b1 = pair ? panel_block(a, p + 1, k0, kc, scratch[1], 0) : b0;
      // While this block runs, fetch the next one: of the same panels, else of the next pair
      // (a panel that does not exist is replaced by the first).
      Prefetch pf;
      if (k0 + kKc < a.k) {
        pf.at[0] = a.panels + p * a.panel_bytes + (k0 + kKc) * kP * esize;
        pf.at[1] = pair ? pf.at[0] + a.panel_bytes : pf.at[0];
      } else if (p + 2 < p_end) {
        pf.at[0] = a.panels + (p + 2) * a.panel_bytes;
        pf.at[1] = p + 3 < p_end ? pf.at[0] + a.panel_bytes : pf.at[0];
      }
      if (pair) {
        tiles<2>(xp, a.k, k0, b0, b1, kc, y, a.ldy, a.m, panel_mask(a, p), panel_mask(a, p + 1),
                 add, pf);
      } else {
        tiles<1>(xp, a.k, k0, b0, b0, kc, y, a.ldy, a.m, panel_mask(a, p), 0, add, pf);
      }
    }
  }
}

void task(void* context, int i, int n_threads) {
  const MatmulArgs& a = *static_cast<const MatmulArgs*>(context);
  // Split in panel pairs so that threads do not share a pair.
  const int64_t pairs = (a.n_panels + 1) / 2;
  const int64_t b = pairs * i / n_threads * 2, e = pairs * (i + 1) / n_threads * 2;
  if (b >= e) return;
  if (a.m <= kMaxRowsByPanel) {
    run_panels_by_panel(a, b, min64(e, a.n_panels));
  } else {
    run_panels_by_row_block(a, b, min64(e, a.n_panels));
  }
}

}  // namespace

void matmul(ThreadPool& pool, const MatmulArgs& args) {
  pool.run_raw(&task, const_cast<MatmulArgs*>(&args));
}

}  // namespace infermark::cpu::avx512

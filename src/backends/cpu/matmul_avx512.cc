// AVX-512 matmul for large m (prefill), over packed weights (compiled with -mavx512f -mavx512bw
// -mavx512vl -mavx2 -mfma -mf16c; called only when the CPU has them and m >= kMinRows — smaller m
// is bound by memory bandwidth, which AVX2 already reaches). Same rules as matmul_avx2.cc: all
// internal linkage, no shared inline functions.
//
// For each block of kMc rows × kKc columns, two adjacent 16-column panels are widened to f32 in
// L1 once and a 12-row × 32-column register tile (24 zmm accumulators, one FMA per weight vector
// and row) runs over them for every 12 rows. Partial panels use masked stores.
#include <immintrin.h>

#include <cstdint>

#include "backends/cpu/matmul.h"

namespace infermark::cpu::avx512 {
namespace {

constexpr int kP = PackedWeights::kPanel;
constexpr int kMr = 12;
constexpr int64_t kKc = 192;  // columns per block: 2 panels × 192 × 64 B = 24 KiB of f32
constexpr int64_t kMc = 240;  // rows per block: x block 240 × 192 × 4 B = 180 KiB

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

// c[r, 0:16*kNp] (+)= sum_kk a[r, kk] * b_j[kk, 0:16] for r < kRows, panels j < kNp.
template <int kRows, int kNp>
void tile(const float* a, int64_t lda, const float* b0, const float* b1, int64_t kc, float* c,
          int64_t ldc, __mmask16 m0, __mmask16 m1, bool add) {
  __m512 acc[kRows][kNp];
#pragma GCC unroll 12
  for (int r = 0; r < kRows; ++r) {
    for (int j = 0; j < kNp; ++j) acc[r][j] = _mm512_setzero_ps();
  }
  for (int64_t kk = 0; kk < kc; ++kk) {
    const __m512 w0 = _mm512_load_ps(b0 + kk * kP);
    const __m512 w1 = kNp == 2 ? _mm512_load_ps(b1 + kk * kP) : w0;
#pragma GCC unroll 12
    for (int r = 0; r < kRows; ++r) {
      const __m512 av = _mm512_set1_ps(a[r * lda + kk]);
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

template <int kNp>
void tiles(const float* a, int64_t lda, const float* b0, const float* b1, int64_t kc, float* c,
           int64_t ldc, int64_t m, __mmask16 m0, __mmask16 m1, bool add) {
  int64_t i = 0;
  for (; i + kMr <= m; i += kMr) {
    tile<kMr, kNp>(a + i * lda, lda, b0, b1, kc, c + i * ldc, ldc, m0, m1, add);
  }
  a += i * lda;
  c += i * ldc;
  switch (m - i) {
    case 11:
      return tile<11, kNp>(a, lda, b0, b1, kc, c, ldc, m0, m1, add);
    case 10:
      return tile<10, kNp>(a, lda, b0, b1, kc, c, ldc, m0, m1, add);
    case 9:
      return tile<9, kNp>(a, lda, b0, b1, kc, c, ldc, m0, m1, add);
    case 8:
      return tile<8, kNp>(a, lda, b0, b1, kc, c, ldc, m0, m1, add);
    case 7:
      return tile<7, kNp>(a, lda, b0, b1, kc, c, ldc, m0, m1, add);
    case 6:
      return tile<6, kNp>(a, lda, b0, b1, kc, c, ldc, m0, m1, add);
    case 5:
      return tile<5, kNp>(a, lda, b0, b1, kc, c, ldc, m0, m1, add);
    case 4:
      return tile<4, kNp>(a, lda, b0, b1, kc, c, ldc, m0, m1, add);
    case 3:
      return tile<3, kNp>(a, lda, b0, b1, kc, c, ldc, m0, m1, add);
    case 2:
      return tile<2, kNp>(a, lda, b0, b1, kc, c, ldc, m0, m1, add);
    case 1:
      return tile<1, kNp>(a, lda, b0, b1, kc, c, ldc, m0, m1, add);
    default:
      return;
  }
}

void run_panels(const MatmulArgs& a, int64_t p_begin, int64_t p_end) {
  alignas(64) float scratch[2][kKc * kP];
  const bool f32 = a.type == FloatType::kF32;
  auto mask = [&](int64_t p) {
    const int64_t valid = min64(kP, a.n - p * kP);
    return static_cast<__mmask16>((1u << valid) - 1u);
  };
  for (int64_t m0 = 0; m0 < a.m; m0 += kMc) {
    const int64_t mc = min64(kMc, a.m - m0);
    for (int64_t k0 = 0; k0 < a.k; k0 += kKc) {
      const int64_t kc = min64(kKc, a.k - k0);
      const bool add = a.accumulate || k0 > 0;
      const float* x = a.x + m0 * a.ldx + k0;
      for (int64_t p = p_begin; p < p_end; p += 2) {
        const int np = p + 1 < p_end ? 2 : 1;
        const float* b[2] = {nullptr, nullptr};
        for (int j = 0; j < np; ++j) {
          const size_t esize = f32 ? 4 : 2;
          const char* panel =
              a.panels + (p + j) * a.panel_bytes + static_cast<size_t>(k0 * kP) * esize;
          if (f32) {
            b[j] = reinterpret_cast<const float*>(panel);
          } else {
            const bool has_next = p + j + 2 < p_end;
            widen(panel, a.type, kc, scratch[j], has_next ? panel + 2 * a.panel_bytes : nullptr);
            b[j] = scratch[j];
          }
        }
        float* y = a.y + m0 * a.ldy + p * kP;
        if (np == 2) {
          tiles<2>(x, a.ldx, b[0], b[1], kc, y, a.ldy, mc, mask(p), mask(p + 1), add);
        } else {
          tiles<1>(x, a.ldx, b[0], b[0], kc, y, a.ldy, mc, mask(p), mask(p), add);
        }
      }
    }
  }
}

void task(void* context, int i, int n_threads) {
  const MatmulArgs& a = *static_cast<const MatmulArgs*>(context);
  // Split in panel pairs so that threads do not share a pair.
  const int64_t pairs = (a.n_panels + 1) / 2;
  const int64_t b = pairs * i / n_threads * 2, e = pairs * (i + 1) / n_threads * 2;
  if (b < e) run_panels(a, b, min64(e, a.n_panels));
}

}  // namespace

void matmul(ThreadPool& pool, const MatmulArgs& args) {
  pool.run_raw(&task, const_cast<MatmulArgs*>(&args));
}

}  // namespace infermark::cpu::avx512

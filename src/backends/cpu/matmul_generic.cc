// Portable matmul over packed weights: the reference the SIMD variants are tested against (with
// the plain unpacked product in the tests) and the fallback on CPUs without AVX2. Written so the
// compiler can vectorise the 16-wide inner loops with the baseline instruction set.
#include <algorithm>
#include <cstring>

#include "backends/cpu/half.h"
#include "backends/cpu/matmul.h"

namespace infermark::cpu::generic {
namespace {

constexpr int kP = PackedWeights::kPanel;
constexpr int kMr = 4;        // rows per register tile
constexpr int64_t kKc = 512;  // columns per cache block

// Widens one 16-element group of panel p to floats in row order.
template <FloatType kType>
inline void widen(const char* panel, int64_t kk, float* w) {
  if constexpr (kType == FloatType::kF32) {
    std::memcpy(w, reinterpret_cast<const float*>(panel) + kk * kP, sizeof(float) * kP);
  } else {
    const uint16_t* g = reinterpret_cast<const uint16_t*>(panel) + kk * kP;
    for (int j = 0; j < kP; ++j) {
      w[j] = kType == FloatType::kBF16 ? bf16_to_f32(g[PackedWeights::slot(kType, j)])
                                       : f16_to_f32(g[j]);
    }
  }
}

template <FloatType kType, int kRows>
void tile(const float* a, int64_t lda, const char* panel, int64_t k0, int64_t k1, float* c,
          int64_t ldc, int n_valid, bool add) {
  float acc[kRows][kP] = {};
  float w[kP];
  for (int64_t kk = k0; kk < k1; ++kk) {
    widen<kType>(panel, kk, w);
    for (int r = 0; r < kRows; ++r) {
      const float av = a[r * lda + kk];
      for (int j = 0; j < kP; ++j) acc[r][j] += av * w[j];
    }
  }
  for (int r = 0; r < kRows; ++r) {
    float* cr = c + r * ldc;
    for (int j = 0; j < n_valid; ++j) cr[j] = add ? cr[j] + acc[r][j] : acc[r][j];
  }
}

template <FloatType kType>
void run_panels(const MatmulArgs& a, int64_t p_begin, int64_t p_end) {
  const int64_t k = a.k, m = a.m, ldx = a.ldx, ldy = a.ldy;
  const float* x = a.x;
  float* y = a.y;
  for (int64_t k0 = 0; k0 < k; k0 += kKc) {
    const int64_t k1 = std::min(k, k0 + kKc);
    const bool add = a.accumulate || k0 > 0;
    for (int64_t p = p_begin; p < p_end; ++p) {
      const int n_valid = static_cast<int>(std::min<int64_t>(kP, a.n - p * kP));
      const char* panel = a.panels + p * a.panel_bytes;
      int64_t i = 0;
      for (; i + kMr <= m; i += kMr) {
        tile<kType, kMr>(x + i * ldx, ldx, panel, k0, k1, y + i * ldy + p * kP, ldy, n_valid, add);
      }
      for (; i < m; ++i) {
        tile<kType, 1>(x + i * ldx, ldx, panel, k0, k1, y + i * ldy + p * kP, ldy, n_valid, add);
      }
    }
  }
}

}  // namespace

void matmul(ThreadPool& pool, const MatmulArgs& args) {
  pool.parallel_for(args.n_panels, [&](int64_t b, int64_t e, int) {
    switch (args.type) {
      case FloatType::kF32:
        return run_panels<FloatType::kF32>(args, b, e);
      case FloatType::kBF16:
        return run_panels<FloatType::kBF16>(args, b, e);
      case FloatType::kF16:
        return run_panels<FloatType::kF16>(args, b, e);
    }
  });
}

}  // namespace infermark::cpu::generic

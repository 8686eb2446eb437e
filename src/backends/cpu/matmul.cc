#include "backends/cpu/matmul.h"

#include "backends/cpu/cpu_features.h"
#include "util/error.h"

namespace infermark::cpu {

void matmul(ThreadPool& pool, const float* x, int64_t m, int64_t ldx, const PackedWeights& w,
            float* y, int64_t ldy, bool accumulate) {
  IM_CHECK(m >= 0 && ldx >= w.k() && ldy >= w.n());
  if (m == 0) return;
  const MatmulArgs args = matmul_args(x, m, ldx, w, y, ldy, accumulate);
  const Isa isa = active_isa();
  if (isa >= Isa::kAvx512 && m >= avx512::kMinRows) {
    avx512::matmul(pool, args);
  } else if (isa >= Isa::kAvx2) {
    avx2::matmul(pool, args);
  } else {
    generic::matmul(pool, args);
  }
}

MatmulArgs matmul_args(const float* x, int64_t m, int64_t ldx, const PackedWeights& w, float* y,
                       int64_t ldy, bool accumulate) {
  const char* panels = static_cast<const char*>(w.panel(0));
  const int64_t panel_bytes = static_cast<const char*>(w.panel(1)) - panels;
  return MatmulArgs{x,        m, ldx, panels,    panel_bytes, w.n(), w.k(), w.n_panels(),
                    w.type(), y, ldy, accumulate};
}

}  // namespace infermark::cpu

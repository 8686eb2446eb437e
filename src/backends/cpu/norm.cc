#include "backends/cpu/norm.h"

#include <cmath>

#include "backends/cpu/cpu_features.h"

namespace infermark::cpu {

void rms_norm(ThreadPool& pool, const float* x, int64_t ldx, const float* weight, float eps,
              int64_t rows, int64_t d, float* out, int64_t ldo) {
  const Isa isa = active_isa();
  pool.parallel_for(
      rows,
      [&](int64_t b, int64_t e, int) {
        if (isa >= Isa::kAvx512) {
          avx512::rms_norm(x + b * ldx, ldx, weight, eps, e - b, d, out + b * ldo, ldo);
        } else if (isa >= Isa::kAvx2) {
          avx2::rms_norm(x + b * ldx, ldx, weight, eps, e - b, d, out + b * ldo, ldo);
        } else {
          generic::rms_norm(x + b * ldx, ldx, weight, eps, e - b, d, out + b * ldo, ldo);
        }
      },
      3 * d);
}

namespace generic {

void rms_norm(const float* x, int64_t ldx, const float* weight, float eps, int64_t rows, int64_t d,
              float* out, int64_t ldo) {
  for (int64_t i = 0; i < rows; ++i) {
    const float* xr = x + i * ldx;
    double ss = 0;
    for (int64_t j = 0; j < d; ++j) ss += static_cast<double>(xr[j]) * xr[j];
    const float inv = static_cast<float>(1.0 / std::sqrt(ss / static_cast<double>(d) + eps));
    float* o = out + i * ldo;
    for (int64_t j = 0; j < d; ++j) o[j] = xr[j] * inv * weight[j];
  }
}

}  // namespace generic
}  // namespace infermark::cpu

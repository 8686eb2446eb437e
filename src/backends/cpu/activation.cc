#include "backends/cpu/activation.h"

#include <cmath>

#include "backends/cpu/cpu_features.h"

namespace infermark::cpu {
namespace {
// Rough cost of one element in ThreadPool work units (a vectorised exp is ~2.5 ops per element):
// one row of 8192 runs on the caller, a batch of rows is split.
constexpr int64_t kWorkPerElement = 3;
}  // namespace

void swiglu(ThreadPool& pool, const float* gate, int64_t ldg, const float* up, int64_t ldu,
            int64_t rows, int64_t d, float* out, int64_t ldo) {
  const Isa isa = active_isa();
  // Rows are split when there are several; a single long row is split by columns.
  if (rows == 1) {
    pool.parallel_for(
        d,
        [&](int64_t b, int64_t e, int) {
          if (isa >= Isa::kAvx512) {
            avx512::swiglu(gate + b, ldg, up + b, ldu, 1, e - b, out + b, ldo);
          } else if (isa >= Isa::kAvx2) {
            avx2::swiglu(gate + b, ldg, up + b, ldu, 1, e - b, out + b, ldo);
          } else {
            generic::swiglu(gate + b, ldg, up + b, ldu, 1, e - b, out + b, ldo);
          }
        },
        kWorkPerElement);
    return;
  }
  pool.parallel_for(
      rows,
      [&](int64_t b, int64_t e, int) {
        if (isa >= Isa::kAvx512) {
          avx512::swiglu(gate + b * ldg, ldg, up + b * ldu, ldu, e - b, d, out + b * ldo, ldo);
        } else if (isa >= Isa::kAvx2) {
          avx2::swiglu(gate + b * ldg, ldg, up + b * ldu, ldu, e - b, d, out + b * ldo, ldo);
        } else {
          generic::swiglu(gate + b * ldg, ldg, up + b * ldu, ldu, e - b, d, out + b * ldo, ldo);
        }
      },
      kWorkPerElement * d);
}

namespace generic {

void swiglu(const float* gate, int64_t ldg, const float* up, int64_t ldu, int64_t rows, int64_t d,
            float* out, int64_t ldo) {
  for (int64_t i = 0; i < rows; ++i) {
    for (int64_t j = 0; j < d; ++j) {
      const float g = gate[i * ldg + j];
      out[i * ldo + j] = g / (1.0f + std::exp(-g)) * up[i * ldu + j];
    }
  }
}

}  // namespace generic
}  // namespace infermark::cpu

// AVX2 argmax (see sampling.h; compiled with -mavx2 -mfma -mf16c, internal linkage only).
// Two passes over the row: the largest non-NaN value (max_ps keeps its second operand when the
// first is NaN, so NaNs never enter the running maxima), then the first index holding it — the
// lowest index among ties, -0 and +0 comparing equal, as in the generic loop. No match at all
// means every entry is NaN: 0.
#include <immintrin.h>

#include <cstdint>

#include "backends/cpu/sampling.h"
#include "backends/cpu/simd_avx2.h"

namespace infermark::cpu::avx2 {

int32_t argmax(const float* x, int64_t n) {
  const __m256 ninf = _mm256_set1_ps(-__builtin_inff());
  __m256 m0 = ninf, m1 = ninf, m2 = ninf, m3 = ninf;
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    m0 = _mm256_max_ps(_mm256_loadu_ps(x + i), m0);
    m1 = _mm256_max_ps(_mm256_loadu_ps(x + i + 8), m1);
    m2 = _mm256_max_ps(_mm256_loadu_ps(x + i + 16), m2);
    m3 = _mm256_max_ps(_mm256_loadu_ps(x + i + 24), m3);
  }
  float best = hmax(_mm256_max_ps(_mm256_max_ps(m0, m1), _mm256_max_ps(m2, m3)));
  for (; i < n; ++i) {
    if (x[i] > best) best = x[i];  // false for NaN
  }
  const __m256 b = _mm256_set1_ps(best);
  i = 0;
  for (; i + 8 <= n; i += 8) {
    const int hit = _mm256_movemask_ps(_mm256_cmp_ps(_mm256_loadu_ps(x + i), b, _CMP_EQ_OQ));
    if (hit != 0) return static_cast<int32_t>(i + __builtin_ctz(static_cast<unsigned>(hit)));
  }
  for (; i < n; ++i) {
    if (x[i] == best) return static_cast<int32_t>(i);
  }
  return 0;
}

}  // namespace infermark::cpu::avx2

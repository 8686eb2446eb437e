// Probe kernels for ceilings.h, compiled with -mavx2 -mfma.
#include <immintrin.h>

#include "ceilings.h"

namespace infermark::bench::avx2 {

long long stream_read(const void* p, size_t bytes) {
  const __m256i* v = static_cast<const __m256i*>(p);
  __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0;
  for (size_t i = 0; i < bytes / 32; i += 8) {
    a0 = _mm256_add_epi64(a0,
                          _mm256_add_epi64(_mm256_load_si256(v + i), _mm256_load_si256(v + i + 1)));
    a1 = _mm256_add_epi64(
        a1, _mm256_add_epi64(_mm256_load_si256(v + i + 2), _mm256_load_si256(v + i + 3)));
    a2 = _mm256_add_epi64(
        a2, _mm256_add_epi64(_mm256_load_si256(v + i + 4), _mm256_load_si256(v + i + 5)));
    a3 = _mm256_add_epi64(
        a3, _mm256_add_epi64(_mm256_load_si256(v + i + 6), _mm256_load_si256(v + i + 7)));
  }
  const __m256i s = _mm256_add_epi64(_mm256_add_epi64(a0, a1), _mm256_add_epi64(a2, a3));
  alignas(32) long long out[4];
  _mm256_store_si256(reinterpret_cast<__m256i*>(out), s);
  return out[0] + out[1] + out[2] + out[3];
}

float fma_chains(long long iters) {
  __m256 a[12];
  for (int i = 0; i < 12; ++i) a[i] = _mm256_set1_ps(static_cast<float>(i) * 1e-3f);
  const __m256 m = _mm256_set1_ps(0.999999f), c = _mm256_set1_ps(1e-7f);
  for (long long it = 0; it < iters; ++it) {
#pragma GCC unroll 12
    for (int i = 0; i < 12; ++i) a[i] = _mm256_fmadd_ps(a[i], m, c);
  }
  __m256 s = a[0];
  for (int i = 1; i < 12; ++i) s = _mm256_add_ps(s, a[i]);
  return _mm256_cvtss_f32(s);
}

}  // namespace infermark::bench::avx2

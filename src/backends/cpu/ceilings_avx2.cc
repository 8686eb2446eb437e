// AVX2 + FMA probe loops (compiled with -mavx2 -mfma; called only on CPUs that have them).
#include <immintrin.h>

#include "backends/cpu/ceilings_simd.h"

namespace infermark::cpu::avx2 {

long long stream_read(const void* p, size_t bytes) {
  const auto* v = static_cast<const __m256i*>(p);
  __m256i s0 = _mm256_setzero_si256(), s1 = s0, s2 = s0, s3 = s0;
  for (size_t i = 0; i < bytes / 32; i += 8) {
    s0 = _mm256_add_epi64(s0, _mm256_add_epi64(_mm256_load_si256(v + i), v[i + 4]));
    s1 = _mm256_add_epi64(s1, _mm256_add_epi64(_mm256_load_si256(v + i + 1), v[i + 5]));
    s2 = _mm256_add_epi64(s2, _mm256_add_epi64(_mm256_load_si256(v + i + 2), v[i + 6]));
    s3 = _mm256_add_epi64(s3, _mm256_add_epi64(_mm256_load_si256(v + i + 3), v[i + 7]));
  }
  const __m256i s = _mm256_add_epi64(_mm256_add_epi64(s0, s1), _mm256_add_epi64(s2, s3));
  alignas(32) long long out[4];
  _mm256_store_si256(reinterpret_cast<__m256i*>(out), s);
  return out[0] + out[1] + out[2] + out[3];
}

long long stream_read_prefetched(const void* p, size_t bytes) {
  const auto* a = static_cast<const __m256i*>(p);
  const auto* b = a + bytes / 64;  // the second half
  __m256i s0 = _mm256_setzero_si256(), s1 = s0, s2 = s0, s3 = s0;
  for (size_t i = 0; i < bytes / 64; i += 4) {
    _mm_prefetch(reinterpret_cast<const char*>(a + i) + 1024, _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(b + i) + 1024, _MM_HINT_T0);
    s0 = _mm256_add_epi64(s0, _mm256_add_epi64(_mm256_load_si256(a + i), a[i + 2]));
    s1 = _mm256_add_epi64(s1, _mm256_add_epi64(_mm256_load_si256(a + i + 1), a[i + 3]));
    s2 = _mm256_add_epi64(s2, _mm256_add_epi64(_mm256_load_si256(b + i), b[i + 2]));
    s3 = _mm256_add_epi64(s3, _mm256_add_epi64(_mm256_load_si256(b + i + 1), b[i + 3]));
  }
  const __m256i s = _mm256_add_epi64(_mm256_add_epi64(s0, s1), _mm256_add_epi64(s2, s3));
  alignas(32) long long out[4];
  _mm256_store_si256(reinterpret_cast<__m256i*>(out), s);
  return out[0] + out[1] + out[2] + out[3];
}

float fma_chains(long long iters) {
  const __m256 m = _mm256_set1_ps(0.999999f), a = _mm256_set1_ps(1e-7f);
  __m256 c[12];
  for (int j = 0; j < 12; ++j) c[j] = _mm256_set1_ps(static_cast<float>(j));
  for (long long i = 0; i < iters; ++i) {
#pragma GCC unroll 12
    for (int j = 0; j < 12; ++j) c[j] = _mm256_fmadd_ps(c[j], m, a);
  }
  __m256 s = c[0];
  for (int j = 1; j < 12; ++j) s = _mm256_add_ps(s, c[j]);
  alignas(32) float out[8];
  _mm256_store_ps(out, s);
  return out[0] + out[7];
}

}  // namespace infermark::cpu::avx2

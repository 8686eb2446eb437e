// AVX-512 FMA probe loop (compiled with -mavx512f; called only on CPUs that have it).
#include <immintrin.h>

#include "backends/cpu/ceilings_simd.h"

namespace infermark::cpu::avx512 {

float fma_chains(long long iters) {
  const __m512 m = _mm512_set1_ps(0.999999f), a = _mm512_set1_ps(1e-7f);
  __m512 c[12];
  for (int j = 0; j < 12; ++j) c[j] = _mm512_set1_ps(static_cast<float>(j));
  for (long long i = 0; i < iters; ++i) {
#pragma GCC unroll 12
    for (int j = 0; j < 12; ++j) c[j] = _mm512_fmadd_ps(c[j], m, a);
  }
  __m512 s = c[0];
  for (int j = 1; j < 12; ++j) s = _mm512_add_ps(s, c[j]);
  alignas(64) float out[16];
  _mm512_store_ps(out, s);
  return out[0] + out[15];
}

}  // namespace infermark::cpu::avx512

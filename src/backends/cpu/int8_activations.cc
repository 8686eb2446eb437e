#include "backends/cpu/int8_activations.h"

#include <cmath>
#include <cstring>

#include "backends/cpu/cpu_features.h"

namespace infermark::cpu {

void quantize_rows(const float* x, int64_t m, int64_t ldx, int64_t k, int64_t group_size,
                   bool offset, int8_t* out, int64_t ldq, float* scale, float* sums) {
  const Isa isa = active_isa();
  if (isa >= Isa::kAvx512) {
    avx512::quantize_rows(x, m, ldx, k, group_size, offset, out, ldq, scale, sums);
  } else if (isa >= Isa::kAvx2) {
    avx2::quantize_rows(x, m, ldx, k, group_size, offset, out, ldq, scale, sums);
  } else {
    generic::quantize_rows(x, m, ldx, k, group_size, offset, out, ldq, scale, sums);
  }
}

namespace generic {

void quantize_rows(const float* x, int64_t m, int64_t ldx, int64_t k, int64_t group_size,
                   bool offset, int8_t* out, int64_t ldq, float* scale, float* sums) {
  const int64_t n_groups = (k + group_size - 1) / group_size;
  for (int64_t i = 0; i < m; ++i) {
    const float* xr = x + i * ldx;
    int8_t* q = out + i * ldq;
    float amax = 0;
    for (int64_t c = 0; c < k; ++c) amax = std::fmax(amax, std::fabs(xr[c]));
    const float inv = amax > 0 ? 127.0f / amax : 0.0f;
    scale[i] = amax / 127.0f;
    for (int64_t c = 0; c < k; ++c) {
      const float v = std::fmin(std::fmax(std::nearbyint(xr[c] * inv), -127.0f), 127.0f);
      q[c] = static_cast<int8_t>(v);
    }
    if (sums != nullptr) {
      for (int64_t g = 0; g < n_groups; ++g) {
        const int64_t c0 = g * group_size, c1 = c0 + group_size < k ? c0 + group_size : k;
        int32_t s = 0;
        for (int64_t c = c0; c < c1; ++c) s += q[c];
        sums[i * n_groups + g] = static_cast<float>(s);
      }
    }
    if (offset) {
      for (int64_t c = 0; c < k; ++c) q[c] = static_cast<int8_t>(static_cast<uint8_t>(q[c] + 128));
    }
    std::memset(q + k, offset ? 0x80 : 0, static_cast<size_t>(ldq - k));
  }
}

}  // namespace generic
}  // namespace infermark::cpu

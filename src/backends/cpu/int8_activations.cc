#include "backends/cpu/int8_activations.h"

#include <algorithm>
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

namespace {

using RowAmax = float (*)(const float*, int64_t);
using QuantizeSpan = int32_t (*)(const float*, int64_t, float, bool, int8_t*);

void quantize_rows_with(RowAmax row_amax, QuantizeSpan quantize_span, const float* x, int64_t m,
                        int64_t ldx, int64_t k, int64_t group_size, bool offset, int8_t* out,
                        int64_t ldq, float* scale, float* sums) {
  const int64_t n_groups = (k + group_size - 1) / group_size;
  for (int64_t i = 0; i < m; ++i) {
    const float* xr = x + i * ldx;
    int8_t* q = out + i * ldq;
    const float amax = row_amax(xr, k);
    const float inv = amax > 0 ? 127.0f / amax : 0.0f;
    scale[i] = amax / 127.0f;
    if (sums == nullptr) {
      quantize_span(xr, k, inv, offset, q);
    } else {
      for (int64_t g = 0; g < n_groups; ++g) {
        const int64_t c0 = g * group_size, c1 = std::min(c0 + group_size, k);
        sums[i * n_groups + g] =
            static_cast<float>(quantize_span(xr + c0, c1 - c0, inv, offset, q + c0));
      }
    }
    std::memset(q + k, offset ? 0x80 : 0, static_cast<size_t>(ldq - k));
  }
}

}  // namespace

namespace generic {

float row_amax(const float* x, int64_t k) {
  float amax = 0;
  for (int64_t c = 0; c < k; ++c) amax = std::fmax(amax, std::fabs(x[c]));
  return amax;
}

int32_t quantize_span(const float* x, int64_t n, float inv, bool offset, int8_t* q) {
  int32_t sum = 0;
  for (int64_t c = 0; c < n; ++c) {
    const auto v =
        static_cast<int8_t>(std::fmin(std::fmax(std::nearbyint(x[c] * inv), -127.0f), 127.0f));
    sum += v;
    q[c] = offset ? static_cast<int8_t>(static_cast<uint8_t>(v + 128)) : v;
  }
  return sum;
}

void quantize_rows(const float* x, int64_t m, int64_t ldx, int64_t k, int64_t group_size,
                   bool offset, int8_t* out, int64_t ldq, float* scale, float* sums) {
  quantize_rows_with(&row_amax, &quantize_span, x, m, ldx, k, group_size, offset, out, ldq, scale,
                     sums);
}

}  // namespace generic

void avx2::quantize_rows(const float* x, int64_t m, int64_t ldx, int64_t k, int64_t group_size,
                         bool offset, int8_t* out, int64_t ldq, float* scale, float* sums) {
  quantize_rows_with(&avx2::row_amax, &avx2::quantize_span, x, m, ldx, k, group_size, offset, out,
                     ldq, scale, sums);
}

void avx512::quantize_rows(const float* x, int64_t m, int64_t ldx, int64_t k, int64_t group_size,
                           bool offset, int8_t* out, int64_t ldq, float* scale, float* sums) {
  quantize_rows_with(&avx512::row_amax, &avx512::quantize_span, x, m, ldx, k, group_size, offset,
                     out, ldq, scale, sums);
}

}  // namespace infermark::cpu

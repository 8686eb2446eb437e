#include "backends/cpu/rope.h"

#include <cmath>

#include "backends/cpu/cpu_features.h"
#include "util/error.h"

namespace infermark::cpu {
namespace {
constexpr int kMaxHalf = 512;
}

void rope_angles(int32_t position, const float* inv_freq, int half, float* cos, float* sin) {
  const float pos = static_cast<float>(position);
  for (int i = 0; i < half; ++i) {
    const double a = static_cast<double>(pos * inv_freq[i]);
    cos[i] = static_cast<float>(std::cos(a));
    sin[i] = static_cast<float>(std::sin(a));
  }
}

void rope(ThreadPool& pool, float* x, int64_t ldx, int64_t rows, int n_heads, int head_dim,
          const int32_t* positions, const float* inv_freq) {
  IM_CHECK(head_dim % 2 == 0 && head_dim / 2 <= kMaxHalf);
  const int half = head_dim / 2;
  const Isa isa = active_isa();
  pool.parallel_for(
      rows,
      [&](int64_t b, int64_t e, int) {
        float cos[kMaxHalf], sin[kMaxHalf];
        for (int64_t r = b; r < e; ++r) {
          rope_angles(positions[r], inv_freq, half, cos, sin);
          if (isa >= Isa::kAvx512) {
            avx512::rope_row(x + r * ldx, n_heads, head_dim, cos, sin);
          } else if (isa >= Isa::kAvx2) {
            avx2::rope_row(x + r * ldx, n_heads, head_dim, cos, sin);
          } else {
            generic::rope_row(x + r * ldx, n_heads, head_dim, cos, sin);
          }
        }
      },
      40 * half + 6 * int64_t{n_heads} * head_dim);
}

namespace generic {

void rope_row(float* x, int n_heads, int head_dim, const float* cos, const float* sin) {
  const int half = head_dim / 2;
  for (int h = 0; h < n_heads; ++h) {
    float* v = x + static_cast<int64_t>(h) * head_dim;
    for (int i = 0; i < half; ++i) {
      const float a = v[i], b = v[i + half];
      v[i] = a * cos[i] - b * sin[i];
      v[i + half] = b * cos[i] + a * sin[i];
    }
  }
}

}  // namespace generic
}  // namespace infermark::cpu

#include "ops/rope.h"

#include <cmath>

#include "ops/checks.h"
#include "util/error.h"

namespace infermark::ops {

RopeTable::RopeTable(int head_dim, float theta, std::optional<Llama3RopeScaling> scaling)
    : head_dim_(head_dim) {
  IM_CHECK(head_dim > 0 && head_dim % 2 == 0);
  const int half = head_dim / 2;
  inv_freq_.resize(static_cast<size_t>(half));
  for (int i = 0; i < half; ++i) {
    // 1 / theta^(2i / d): exponent and quotient in f32, the power rounded to f32.
    const float e = static_cast<float>(2 * i) / static_cast<float>(head_dim);
    const float p =
        static_cast<float>(std::pow(static_cast<double>(theta), static_cast<double>(e)));
    inv_freq_[static_cast<size_t>(i)] = 1.0f / p;
  }
  if (!scaling) return;
  const Llama3RopeScaling& s = *scaling;
  const float low_freq_wavelen = s.original_max_position / s.low_freq_factor;
  const float high_freq_wavelen = s.original_max_position / s.high_freq_factor;
  const float two_pi = static_cast<float>(2.0 * M_PI);
  for (float& f : inv_freq_) {
    const float wavelen = two_pi / f;
    const float scaled = wavelen > low_freq_wavelen ? f / s.factor : f;
    const float smooth = (s.original_max_position / wavelen - s.low_freq_factor) /
                         (s.high_freq_factor - s.low_freq_factor);
    const float smoothed = (1 - smooth) * scaled / s.factor + smooth * scaled;
    const bool medium = !(wavelen < high_freq_wavelen) && !(wavelen > low_freq_wavelen);
    f = medium ? smoothed : scaled;
  }
}

void rope(Backend& backend, const RopeTable& table, std::span<const int32_t> positions,
          const TensorView& x) {
  detail::check_matrix(x, DType::kF32, backend);
  IM_CHECK(x.dim(1) % table.head_dim() == 0);
  IM_CHECK(static_cast<int64_t>(positions.size()) == x.dim(0));
  backend.rope(table, positions, x);
}

}  // namespace infermark::ops

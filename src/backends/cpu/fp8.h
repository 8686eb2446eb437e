// Scalar decoding of FP8 e4m3 ("e4m3fn", safetensors F8_E4M3): S.EEEE.MMM with exponent bias 7,
// no infinities, NaN only for S.1111.111; normal values 2^(E-7)·(1 + M/8), subnormals (E = 0)
// M/8 · 2^-6; largest finite 448. Exact (every e4m3 value is a float). `static inline` for the
// same reason as half.h.
#pragma once

#include <cstdint>
#include <limits>

namespace infermark::cpu {

static inline float e4m3_to_f32(uint8_t b) {
  const float sign = (b & 0x80u) != 0 ? -1.0f : 1.0f;
  const unsigned e = (b >> 3) & 0xfu, m = b & 0x7u;
  if (e == 0xf && m == 0x7) return sign * std::numeric_limits<float>::quiet_NaN();
  if (e == 0) return sign * static_cast<float>(m) * (1.0f / 512);  // M/8 · 2^-6
  const float mant = 1.0f + static_cast<float>(m) / 8;
  const float scale =
      e >= 7 ? static_cast<float>(1u << (e - 7)) : 1.0f / static_cast<float>(1u << (7 - e));
  return sign * mant * scale;
}

}  // namespace infermark::cpu

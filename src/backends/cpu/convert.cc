#include "backends/cpu/convert.h"

#include <cstring>

#include "backends/cpu/cpu_features.h"
#include "backends/cpu/half.h"

namespace infermark::cpu {

void to_f32(const void* src, FloatType type, int64_t n, float* dst) {
  if (type != FloatType::kF32 && n >= 8) {
    const Isa isa = active_isa();
    const auto* half = static_cast<const uint16_t*>(src);
    if (isa >= Isa::kAvx512) return avx512::to_f32_half(half, type, n, dst);
    if (isa >= Isa::kAvx2) return avx2::to_f32_half(half, type, n, dst);
  }
  switch (type) {
    case FloatType::kF32:
      std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(float));
      return;
    case FloatType::kBF16: {
      const uint16_t* s = static_cast<const uint16_t*>(src);
      for (int64_t i = 0; i < n; ++i) dst[i] = bf16_to_f32(s[i]);
      return;
    }
    case FloatType::kF16: {
      const uint16_t* s = static_cast<const uint16_t*>(src);
      for (int64_t i = 0; i < n; ++i) dst[i] = f16_to_f32(s[i]);
      return;
    }
  }
}

void from_f32(const float* src, int64_t n, FloatType type, void* dst) {
  switch (type) {
    case FloatType::kF32:
      std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(float));
      return;
    case FloatType::kBF16: {
      uint16_t* d = static_cast<uint16_t*>(dst);
      for (int64_t i = 0; i < n; ++i) d[i] = f32_to_bf16(src[i]);
      return;
    }
    case FloatType::kF16: {
      uint16_t* d = static_cast<uint16_t*>(dst);
      for (int64_t i = 0; i < n; ++i) d[i] = f32_to_f16(src[i]);
      return;
    }
  }
}

void embedding(ThreadPool& pool, const void* table, FloatType type, int64_t ld, int64_t d,
               const int32_t* ids, int64_t n, float* out, int64_t ldo) {
  const size_t row_bytes = static_cast<size_t>(ld) * float_type_size(type);
  pool.parallel_for(
      n,
      [&](int64_t b, int64_t e, int) {
        for (int64_t i = b; i < e; ++i) {
          const char* row =
              static_cast<const char*>(table) + static_cast<size_t>(ids[i]) * row_bytes;
          to_f32(row, type, d, out + i * ldo);
        }
      },
      2 * d);
}

}  // namespace infermark::cpu

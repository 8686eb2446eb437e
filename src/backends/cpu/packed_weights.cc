#include "backends/cpu/packed_weights.h"

#include <cstring>
#include <vector>

#include "backends/cpu/half.h"
#include "backends/cpu/thread_pool.h"
#include "util/error.h"

namespace infermark::cpu {
namespace {

template <typename T>
void pack_panels(const std::vector<const char*>& rows, int64_t k, T* out, int64_t p_begin,
                 int64_t p_end, FloatType type) {
  constexpr int kP = PackedWeights::kPanel;
  int slots[kP];
  for (int j = 0; j < kP; ++j) slots[j] = PackedWeights::slot(type, j);
  for (int64_t p = p_begin; p < p_end; ++p) {
    T* dst = out + p * k * kP;
    // Blocks of columns keep the destination block in L1 while the 16 rows are read.
    constexpr int64_t kBlock = 256;
    for (int64_t k0 = 0; k0 < k; k0 += kBlock) {
      const int64_t k1 = k0 + kBlock < k ? k0 + kBlock : k;
      for (int j = 0; j < kP; ++j) {
        const size_t r = static_cast<size_t>(p * kP + j);
        if (r >= rows.size()) break;  // storage is zero-initialised
        const T* src = reinterpret_cast<const T*>(rows[r]);
        for (int64_t kk = k0; kk < k1; ++kk) dst[kk * kP + slots[j]] = src[kk];
      }
    }
  }
}

}  // namespace

PackedWeights::PackedWeights(FloatType type, std::span<const WeightPart> parts, int64_t k,
                             ThreadPool* pool)
    : type_(type), k_(k) {
  IM_CHECK(k > 0);
  const size_t esize = float_type_size(type);
  std::vector<const char*> rows;
  for (const WeightPart& part : parts) {
    IM_CHECK(part.rows >= 0 && part.row_stride >= k && part.data != nullptr);
    for (int64_t r = 0; r < part.rows; ++r) {
      rows.push_back(static_cast<const char*>(part.data) +
                     static_cast<size_t>(r * part.row_stride) * esize);
    }
  }
  n_ = static_cast<int64_t>(rows.size());
  IM_CHECK(n_ > 0);
  storage_ = AlignedBuffer(static_cast<size_t>(n_panels() * k_ * kPanel) * esize);
  auto pack_range = [&](int64_t b, int64_t e) {
    if (type == FloatType::kF32) {
      pack_panels(rows, k_, static_cast<float*>(storage_.data()), b, e, type);
    } else {
      pack_panels(rows, k_, static_cast<uint16_t*>(storage_.data()), b, e, type);
    }
  };
  if (pool != nullptr) {
    pool->parallel_for(n_panels(), [&](int64_t b, int64_t e, int) { pack_range(b, e); });
  } else {
    pack_range(0, n_panels());
  }
}

float PackedWeights::at(int64_t row, int64_t col) const {
  IM_CHECK(row >= 0 && row < n_ && col >= 0 && col < k_);
  const int64_t idx = col * kPanel + slot(type_, static_cast<int>(row % kPanel));
  const void* p = panel(row / kPanel);
  switch (type_) {
    case FloatType::kF32:
      return static_cast<const float*>(p)[idx];
    case FloatType::kBF16:
      return bf16_to_f32(static_cast<const uint16_t*>(p)[idx]);
    case FloatType::kF16:
      return f16_to_f32(static_cast<const uint16_t*>(p)[idx]);
  }
  return 0;
}

}  // namespace infermark::cpu

#include "backends/cpu/quantized_weights.h"

#include <cmath>
#include <cstring>
#include <vector>

#include "backends/cpu/fp8.h"
#include "backends/cpu/thread_pool.h"
#include "util/error.h"

namespace infermark::cpu {

// One source row: its values, and its scales / zero points (per_tensor: one of each for all).
struct QuantizedWeights::RowSource {
  const int8_t* q;
  const float* s;
  const int8_t* z;  // null: symmetric
  bool per_tensor;
};

namespace {

constexpr int kP = QuantizedWeights::kPanel;

// The range ops/quantized.h lets kernels assume for a stored value.
void check_value(QuantFormat format, bool has_zero_point, int8_t q) {
  if (format == QuantFormat::kInt4) {
    IM_CHECK_MSG(has_zero_point ? (q >= 0 && q <= 15) : (q >= -8 && q <= 7),
                 "int4 value out of range");
  }
}

}  // namespace

QuantizedWeights::QuantizedWeights(QuantFormat format, QuantLayout layout,
                                   std::span<const QuantizedPart> parts, int64_t k,
                                   int64_t group_size, ThreadPool* pool)
    : format_(format), layout_(layout), k_(k), group_size_(group_size) {
  IM_CHECK(k > 0 && group_size >= 1 && group_size <= k);
  IM_CHECK(layout == QuantLayout::kRowLanes || format != QuantFormat::kFp8E4M3);
  const int64_t n_groups = this->n_groups();
  std::vector<RowSource> rows;
  for (const QuantizedPart& part : parts) {
    IM_CHECK(part.rows > 0 && part.values != nullptr && part.scales != nullptr);
    const bool per_tensor = part.n_scales == 1 && n_groups == 1;
    IM_CHECK(per_tensor || part.n_scales == static_cast<size_t>(part.rows * n_groups));
    for (int64_t r = 0; r < part.rows; ++r) {
      const int64_t si = per_tensor ? 0 : r * n_groups;
      rows.push_back({part.values + r * k, part.scales + si,
                      part.zero_points != nullptr ? part.zero_points + si : nullptr, per_tensor});
      if (part.zero_points != nullptr) has_zoffs_ = true;
    }
  }
  n_ = static_cast<int64_t>(rows.size());
  IM_CHECK(n_ > 0);
  switch (layout) {
    case QuantLayout::kRowLanes:
      panel_bytes_ = (format == QuantFormat::kInt4 ? (k + 1) / 2 : k) * kP;
      break;
    case QuantLayout::kQuads:
      panel_bytes_ = format == QuantFormat::kInt4 ? (k + 7) / 8 * 64 : (k + 3) / 4 * 64;
      break;
  }
  const auto per_panel = static_cast<size_t>(n_groups * kP);
  values_ = AlignedBuffer(static_cast<size_t>(n_panels() * panel_bytes_));
  scales_ = AlignedBuffer(static_cast<size_t>(n_panels()) * per_panel * sizeof(float));
  if (has_zoffs_)
    zoffs_ = AlignedBuffer(static_cast<size_t>(n_panels()) * per_panel * sizeof(float));
  if (layout == QuantLayout::kQuads && format == QuantFormat::kInt8) {
    wsums_ = AlignedBuffer(static_cast<size_t>(n_panels()) * per_panel * sizeof(int32_t));
  }
  auto pack_range = [&](int64_t b, int64_t e) {
    for (int64_t p = b; p < e; ++p) pack_panel(p, rows);
  };
  if (pool != nullptr) {
    pool->parallel_for(n_panels(), [&](int64_t b, int64_t e, int) { pack_range(b, e); });
  } else {
    pack_range(0, n_panels());
  }
}

void QuantizedWeights::pack_panel(int64_t p, std::span<const RowSource> rows) {
  const int64_t n_groups = this->n_groups();
  uint8_t* dst = static_cast<uint8_t*>(values_.data()) + p * panel_bytes_;
  float* scales = static_cast<float*>(scales_.data()) + p * n_groups * kP;
  float* zoffs = has_zoffs_ ? static_cast<float*>(zoffs_.data()) + p * n_groups * kP : nullptr;
  int32_t* wsums =
      wsums_.size() > 0 ? static_cast<int32_t*>(wsums_.data()) + p * n_groups * kP : nullptr;
  for (int j = 0; j < kP; ++j) {
    const auto r = static_cast<size_t>(p * kP + j);
    if (r >= rows.size()) break;  // storage is zero-initialised
    const RowSource& src = rows[r];
    for (int64_t g = 0; g < n_groups; ++g) {
      const int64_t gi = src.per_tensor ? 0 : g;
      const float s = src.s[gi];
      IM_CHECK_MSG(std::isfinite(s) && s > 0, "quantized weight scale not finite and > 0");
      const int z = src.z != nullptr ? src.z[gi] : 0;
      if (format_ == QuantFormat::kInt4) {
        IM_CHECK_MSG(src.z == nullptr || (z >= 0 && z <= 15), "int4 zero point out of range");
      }
      const int z_eff = format_ == QuantFormat::kInt4 && src.z == nullptr ? 8 : z;
      scales[g * kP + j] = s;
      if (zoffs != nullptr) zoffs[g * kP + j] = -static_cast<float>(z_eff) * s;
      int32_t sum = 0;
      const int64_t c1 = g * group_size_ + group_size_ < k_ ? g * group_size_ + group_size_ : k_;
      for (int64_t c = g * group_size_; c < c1; ++c) {
        const int8_t q = src.q[c];
        check_value(format_, src.z != nullptr, q);
        sum += q;
        const auto u = static_cast<uint8_t>(src.z == nullptr ? q + 8 : q);  // int4 stored
        if (layout_ == QuantLayout::kQuads && format_ == QuantFormat::kInt4) {
          dst[(c / 8) * 64 + j * 4 + c % 4] |= static_cast<uint8_t>(c % 8 < 4 ? u : u << 4);
        } else if (layout_ == QuantLayout::kQuads) {
          dst[(c / 4) * 64 + j * 4 + c % 4] = static_cast<uint8_t>(q);
        } else if (format_ == QuantFormat::kInt4) {
          dst[(c / 2) * kP + j] |= static_cast<uint8_t>(c % 2 == 0 ? u : u << 4);
        } else {
          dst[c * kP + j] = static_cast<uint8_t>(q);
        }
      }
      if (wsums != nullptr) wsums[g * kP + j] = 128 * sum;
    }
  }
}

int QuantizedWeights::stored(int64_t row, int64_t col) const {
  IM_CHECK(row >= 0 && row < n_ && col >= 0 && col < k_);
  const uint8_t* panel = values() + (row / kP) * panel_bytes_;
  const int64_t j = row % kP;
  if (layout_ == QuantLayout::kQuads && format_ == QuantFormat::kInt4) {
    const uint8_t b = panel[(col / 8) * 64 + j * 4 + col % 4];
    return col % 8 < 4 ? b & 0xf : b >> 4;
  }
  if (layout_ == QuantLayout::kQuads) {
    return static_cast<int8_t>(panel[(col / 4) * 64 + j * 4 + col % 4]);
  }
  switch (format_) {
    case QuantFormat::kInt8:
      return static_cast<int8_t>(panel[col * kP + j]);
    case QuantFormat::kInt4: {
      const uint8_t b = panel[(col / 2) * kP + j];
      return col % 2 == 0 ? b & 0xf : b >> 4;
    }
    case QuantFormat::kFp8E4M3:
      return panel[col * kP + j];
  }
  return 0;
}

float QuantizedWeights::at(int64_t row, int64_t col) const {
  const int v = stored(row, col);
  const int64_t i = ((row / kP) * n_groups() + col / group_size_) * kP + row % kP;
  const float q = format_ == QuantFormat::kFp8E4M3 ? e4m3_to_f32(static_cast<uint8_t>(v))
                                                   : static_cast<float>(v);
  const float zoff = zoffs() != nullptr ? zoffs()[i] : zoff_factor() * scales()[i];
  return q * scales()[i] + zoff;
}

}  // namespace infermark::cpu

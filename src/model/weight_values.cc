#include "model/weight_values.h"

#include <algorithm>
#include <cstring>

namespace infermark::model {
namespace {

template <typename T>
T load(const std::byte* data, uint64_t i) {
  T v;
  std::memcpy(&v, data + i * sizeof(T), sizeof(T));
  return v;
}

// First element of `data[0, n)` (type T, read unaligned) whose `mask` bits are all set. Blocks
// without one (all of them, normally) are checked by a branch-free loop.
template <typename T>
std::optional<uint64_t> first_with_exponent_all_ones(const std::byte* data, uint64_t n, T mask) {
  constexpr uint64_t kBlock = 4096;
  for (uint64_t start = 0; start < n; start += kBlock) {
    const uint64_t end = std::min(start + kBlock, n);
    bool any = false;
    for (uint64_t i = start; i < end; ++i) any |= (load<T>(data, i) & mask) == mask;
    if (!any) continue;
    for (uint64_t i = start; i < end; ++i) {
      if ((load<T>(data, i) & mask) == mask) return i;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<uint64_t> first_non_finite(DType dtype, const std::byte* data, uint64_t n) {
  switch (dtype) {
    case DType::kF32:
      return first_with_exponent_all_ones<uint32_t>(data, n, 0x7f800000u);
    case DType::kF16:
      return first_with_exponent_all_ones<uint16_t>(data, n, 0x7c00u);
    case DType::kBF16:
      return first_with_exponent_all_ones<uint16_t>(data, n, 0x7f80u);
    default:
      return std::nullopt;
  }
}

}  // namespace infermark::model

// ops/memory.h on the CPU backend: buffers are zeroed, aligned and bounded; upload converts (or,
// with nothing to convert, computes on the host memory in place); to_host reads strided rows;
// compact_rows moves the selected rows up in order.
#include "ops/memory.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "ops/op_test_util.h"

namespace infermark::ops {
namespace {

using testing::HostMatrix;
using testing::random_floats;

TEST(Buffer, ZeroedAlignedAndMovedNotCopied) {
  CpuBackend backend(1);
  Buffer a = backend.allocate(1000);
  ASSERT_NE(a.data(), nullptr);
  EXPECT_EQ(a.bytes(), 1000u);
  EXPECT_EQ(a.device(), Device::kCpu);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(a.data()) % 64, 0u);
  const auto* bytes = static_cast<const uint8_t*>(a.data());
  for (size_t i = 0; i < a.bytes(); ++i) ASSERT_EQ(bytes[i], 0) << i;
  void* const data = a.data();
  Buffer b = std::move(a);
  EXPECT_EQ(b.data(), data);
  EXPECT_EQ(a.data(), nullptr);
  EXPECT_EQ(a.bytes(), 0u);
}

TEST(Buffer, ViewsAreOnTheDeviceAndInsideTheBuffer) {
  CpuBackend backend(1);
  const Buffer b = backend.allocate(4 * 24);
  const TensorView v = b.view(16, DType::kF32, {4, 5});
  EXPECT_EQ(v.data, static_cast<char*>(b.data()) + 16);
  EXPECT_EQ(v.device, Device::kCpu);
  EXPECT_TRUE(v.is_matrix());
  EXPECT_DEATH(b.view(16, DType::kF32, {4, 6}), "");
}

TEST(Upload, ConvertsToTheRequestedDtypeIntoOwnedMemory) {
  CpuBackend backend(2);
  for (DType dt : {DType::kBF16, DType::kF16}) {
    HostMatrix host(dt, 3, 70, random_floats(210, -4, 4, 1));
    const Tensor t = upload(backend, host.view(), DType::kF32);
    EXPECT_EQ(t.view().dtype, DType::kF32);
    EXPECT_EQ(t.view().shape, host.view().shape);
    EXPECT_GE(t.owned_bytes(), 210 * sizeof(float));
    for (int64_t r = 0; r < 3; ++r) {
      for (int64_t c = 0; c < 70; ++c) {
        ASSERT_EQ(t.view().as<const float>()[r * t.view().ld() + c], host.at(r, c));
      }
    }
  }
}

TEST(Upload, SameDtypeIsUsedInPlaceOnTheCpuUnlessMisaligned) {
  CpuBackend backend(1);
  std::vector<uint16_t> bits(2 * 9 + 1);
  for (size_t i = 0; i < bits.size(); ++i) bits[i] = static_cast<uint16_t>(0x3f80 + i);
  const TensorView aligned = TensorView::of(bits.data(), DType::kBF16, {2, 9});
  const Tensor in_place = upload(backend, aligned, DType::kBF16);
  EXPECT_EQ(in_place.view().data, aligned.data);
  EXPECT_EQ(in_place.owned_bytes(), 0u);

  // One byte in: not a valid bf16 address, so the data is copied.
  const TensorView odd =
      TensorView::of(reinterpret_cast<char*>(bits.data()) + 1, DType::kBF16, {2, 9});
  const Tensor copy = upload(backend, odd, DType::kBF16);
  EXPECT_NE(copy.view().data, odd.data);
  EXPECT_EQ(std::memcmp(copy.view().data, odd.data, 2 * 9 * 2), 0);
}

TEST(ToHost, CopiesTheRowsOfAStridedView) {
  CpuBackend backend(1);
  const auto src = random_floats(4 * 10, -1, 1, 2);
  const TensorView v =
      TensorView::of(src.data(), DType::kF32, {4, 10}).slice(1, 3, 8);  // ld 10, 5 columns
  std::vector<float> dst(20);
  to_host(backend, v, dst);
  for (size_t r = 0; r < 4; ++r) {
    for (size_t c = 0; c < 5; ++c) ASSERT_EQ(dst[r * 5 + c], src[r * 10 + 3 + c]);
  }
}

TEST(CompactRows, MovesTheSelectedRowsToTheTopInOrder) {
  CpuBackend backend(1);
  const int64_t rows = 7, cols = 5, ld = 6;
  const auto original = random_floats(static_cast<size_t>(rows * ld), -1, 1, 3);
  std::vector<float> x = original;
  const TensorView v = TensorView::of(x.data(), DType::kF32, {rows, ld}).slice(1, 0, cols);
  const std::vector<int32_t> keep = {0, 2, 3, 6};
  compact_rows(backend, v, keep);
  for (size_t i = 0; i < keep.size(); ++i) {
    for (int64_t c = 0; c < ld; ++c) {
      const size_t from = static_cast<size_t>(keep[i] * ld + c), to = i * ld + c;
      // The view's columns move; the padding column past it is not touched.
      ASSERT_EQ(x[to], c < cols ? original[from] : original[to]) << i << "," << c;
    }
  }
  const std::vector<int32_t> unordered = {1, 0};
  EXPECT_DEATH(compact_rows(backend, v, unordered), "");
}

}  // namespace
}  // namespace infermark::ops

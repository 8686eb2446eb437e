// ops::TensorView: contiguous construction, slicing, matrix predicates.
#include "ops/tensor.h"

#include <gtest/gtest.h>

namespace infermark::ops {
namespace {

TEST(TensorView, ContiguousRowMajorStrides) {
  float buf[24];
  const TensorView v = TensorView::of(buf, DType::kF32, {2, 3, 4});
  EXPECT_EQ(v.rank, 3);
  EXPECT_EQ(v.stride[0], 12);
  EXPECT_EQ(v.stride[1], 4);
  EXPECT_EQ(v.stride[2], 1);
  EXPECT_EQ(v.numel(), 24);
  EXPECT_TRUE(v.is_contiguous());
  EXPECT_FALSE(v.is_matrix());
}

TEST(TensorView, ColumnSliceIsAStridedMatrix) {
  uint16_t buf[5 * 10];
  const TensorView m = TensorView::of(buf, DType::kBF16, {5, 10});
  const TensorView c = m.slice(1, 3, 7);
  EXPECT_EQ(c.data, static_cast<void*>(buf + 3));
  EXPECT_EQ(c.dim(0), 5);
  EXPECT_EQ(c.dim(1), 4);
  EXPECT_EQ(c.ld(), 10);
  EXPECT_TRUE(c.is_matrix());
  EXPECT_FALSE(c.is_contiguous());
  const TensorView r = m.slice(0, 2, 4);
  EXPECT_EQ(r.data, static_cast<void*>(buf + 20));
  EXPECT_TRUE(r.is_contiguous());
}

TEST(TensorView, DtypeSizesAndNames) {
  EXPECT_EQ(dtype_size(DType::kF32), 4u);
  EXPECT_EQ(dtype_size(DType::kBF16), 2u);
  EXPECT_EQ(dtype_size(DType::kF16), 2u);
  EXPECT_EQ(dtype_size(DType::kI32), 4u);
  EXPECT_EQ(dtype_name(DType::kBF16), "bf16");
  EXPECT_EQ(device_name(Device::kCuda), "cuda");
}

TEST(TensorViewDeathTest, SliceOutOfRangeAborts) {
  float buf[4];
  const TensorView m = TensorView::of(buf, DType::kF32, {2, 2});
  EXPECT_DEATH(m.slice(1, 1, 3), "");
}

}  // namespace
}  // namespace infermark::ops

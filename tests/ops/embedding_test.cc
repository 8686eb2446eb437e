// ops::embedding (gather + widen) and ops::convert, exact against the scalar conversions.
#include "ops/embedding.h"

#include <gtest/gtest.h>

#include "ops/op_test_util.h"

namespace infermark::ops {
namespace {

using testing::HostMatrix;
using testing::random_floats;

class Embedding : public testing::IsaTest {};

TEST_P(Embedding, GathersRowsExactlyInEveryDtype) {
  Backend& backend = backend_;
  const int64_t vocab = 50, d = 37;  // rows of 2 full vectors and a tail for every variant
  for (DType dt : {DType::kF32, DType::kBF16, DType::kF16}) {
    HostMatrix table(dt, vocab, d, random_floats(static_cast<size_t>(vocab * d), -3, 3, 1));
    const std::vector<int32_t> ids = {0, 49, 7, 7, 23};
    std::vector<float> out(ids.size() * static_cast<size_t>(d));
    embedding(backend, table.view(), ids,
              TensorView::of(out.data(), DType::kF32, {static_cast<int64_t>(ids.size()), d}));
    for (size_t i = 0; i < ids.size(); ++i) {
      for (int64_t j = 0; j < d; ++j) {
        ASSERT_EQ(out[i * static_cast<size_t>(d) + static_cast<size_t>(j)], table.at(ids[i], j));
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Isa, Embedding, ::testing::ValuesIn(testing::isas()),
                         testing::isa_param_name);

TEST(EmbeddingDeathTest, OutOfRangeIdAborts) {
  CpuBackend backend(1);
  std::vector<float> table(20), out(4);
  const std::vector<int32_t> ids = {5};
  EXPECT_DEATH(embedding(backend, TensorView::of(table.data(), DType::kF32, {5, 4}), ids,
                         TensorView::of(out.data(), DType::kF32, {1, 4})),
               "");
}

TEST(Convert, RoundTripsThroughHalfTypes) {
  CpuBackend backend(2);
  const int64_t rows = 300, cols = 129;
  const auto src = random_floats(static_cast<size_t>(rows * cols), -100, 100, 2);
  for (DType dt : {DType::kBF16, DType::kF16, DType::kF32}) {
    HostMatrix expected(dt, rows, cols, src);
    std::vector<uint32_t> half(static_cast<size_t>(rows * cols));  // big enough for f32 too
    const auto dst = TensorView::of(half.data(), dt, {rows, cols});
    convert(backend, TensorView::of(src.data(), DType::kF32, {rows, cols}), dst);
    std::vector<float> back(src.size());
    convert(backend, dst, TensorView::of(back.data(), DType::kF32, {rows, cols}));
    for (int64_t r = 0; r < rows; ++r) {
      for (int64_t c = 0; c < cols; ++c) {
        ASSERT_EQ(back[static_cast<size_t>(r * cols + c)], expected.at(r, c));
      }
    }
  }
}

}  // namespace
}  // namespace infermark::ops

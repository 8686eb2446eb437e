#include "ops/matmul.h"

#include <utility>

#include "ops/checks.h"
#include "util/error.h"

namespace infermark::ops {

PackedMatrix::PackedMatrix(Device device, DType dtype, int64_t rows, int64_t cols,
                           std::unique_ptr<const Data> data)
    : device_(device), dtype_(dtype), rows_(rows), cols_(cols), data_(std::move(data)) {
  IM_CHECK(data_ != nullptr);
}

PackedMatrix::PackedMatrix(Device device, WeightFormat weights, ActivationFormat activations,
                           int64_t rows, int64_t cols, std::unique_ptr<const Data> data)
    : device_(device),
      weight_format_(weights),
      activation_format_(activations),
      rows_(rows),
      cols_(cols),
      data_(std::move(data)) {
  IM_CHECK(data_ != nullptr && weights != WeightFormat::kFloat);
}

const PackedMatrix::Data& PackedMatrix::data() const {
  IM_CHECK(data_ != nullptr);
  return *data_;
}

PackedMatrix pack(Backend& backend, std::span<const TensorView> parts) {
  IM_CHECK(!parts.empty());
  const DType dtype = parts[0].dtype;
  const int64_t cols = parts[0].dim(1);
  int64_t rows = 0;
  IM_CHECK(detail::is_float(dtype));
  for (const TensorView& p : parts) {
    IM_CHECK(p.is_matrix() && p.dtype == dtype && p.dim(1) == cols);
    IM_CHECK(p.device == Device::kCpu);  // weights are loaded to host memory first
    rows += p.dim(0);
  }
  PackedMatrix out = backend.pack(parts);
  IM_CHECK(out.device() == backend.device() && out.dtype() == dtype);
  IM_CHECK(out.rows() == rows && out.cols() == cols);
  return out;
}

void matmul(Backend& backend, const TensorView& x, const PackedMatrix& w, const TensorView& y,
            bool accumulate) {
  detail::check_matrix(x, DType::kF32, backend);
  detail::check_matrix(y, DType::kF32, backend);
  IM_CHECK(w.device() == backend.device());
  IM_CHECK(x.dim(1) == w.cols() && y.dim(1) == w.rows() && y.dim(0) == x.dim(0));
  backend.matmul(x, w, y, accumulate);
}

}  // namespace infermark::ops

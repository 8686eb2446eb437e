#include "ops/tensor.h"

#include "util/error.h"

namespace infermark::ops {

size_t dtype_size(DType dtype) {
  switch (dtype) {
    case DType::kF32:
      return 4;
    case DType::kBF16:
      return 2;
    case DType::kF16:
      return 2;
    case DType::kI32:
      return 4;
  }
  return 0;
}

std::string_view dtype_name(DType dtype) {
  switch (dtype) {
    case DType::kF32:
      return "f32";
    case DType::kBF16:
      return "bf16";
    case DType::kF16:
      return "f16";
    case DType::kI32:
      return "i32";
  }
  return "?";
}

std::string_view device_name(Device device) {
  switch (device) {
    case Device::kCpu:
      return "cpu";
    case Device::kCuda:
      return "cuda";
  }
  return "?";
}

TensorView TensorView::of(void* data, DType dtype, std::initializer_list<int64_t> shape,
                          Device device) {
  IM_CHECK(shape.size() <= static_cast<size_t>(kMaxRank));
  TensorView v;
  v.data = data;
  v.dtype = dtype;
  v.device = device;
  v.rank = static_cast<int>(shape.size());
  int i = 0;
  for (int64_t s : shape) v.shape[static_cast<size_t>(i++)] = s;
  int64_t stride = 1;
  for (int d = v.rank - 1; d >= 0; --d) {
    v.stride[static_cast<size_t>(d)] = stride;
    stride *= v.shape[static_cast<size_t>(d)];
  }
  return v;
}

int64_t TensorView::numel() const {
  int64_t n = 1;
  for (int d = 0; d < rank; ++d) n *= shape[static_cast<size_t>(d)];
  return n;
}

bool TensorView::is_contiguous() const {
  int64_t expected = 1;
  for (int d = rank - 1; d >= 0; --d) {
    if (shape[static_cast<size_t>(d)] != 1 && stride[static_cast<size_t>(d)] != expected) {
      return false;
    }
    expected *= shape[static_cast<size_t>(d)];
  }
  return true;
}

TensorView TensorView::slice(int d, int64_t begin, int64_t end) const {
  IM_CHECK(d >= 0 && d < rank);
  IM_CHECK(0 <= begin && begin <= end && end <= shape[static_cast<size_t>(d)]);
  TensorView v = *this;
  v.data =
      static_cast<char*>(data) + static_cast<ptrdiff_t>(begin * stride[static_cast<size_t>(d)]) *
                                     static_cast<ptrdiff_t>(dtype_size(dtype));
  v.shape[static_cast<size_t>(d)] = end - begin;
  return v;
}

}  // namespace infermark::ops

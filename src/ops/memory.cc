#include "ops/memory.h"

#include <utility>

#include "ops/backend.h"
#include "ops/checks.h"
#include "util/error.h"

namespace infermark::ops {

Buffer::Buffer(void* data, size_t bytes, Device device, Release release)
    : data_(data), bytes_(bytes), device_(device), release_(release) {}

Buffer::~Buffer() { reset(); }

Buffer::Buffer(Buffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      bytes_(std::exchange(other.bytes_, 0)),
      device_(other.device_),
      release_(std::exchange(other.release_, nullptr)) {}

Buffer& Buffer::operator=(Buffer&& other) noexcept {
  if (this != &other) {
    reset();
    data_ = std::exchange(other.data_, nullptr);
    bytes_ = std::exchange(other.bytes_, 0);
    device_ = other.device_;
    release_ = std::exchange(other.release_, nullptr);
  }
  return *this;
}

void Buffer::reset() {
  if (release_ != nullptr && data_ != nullptr) release_(data_, bytes_);
  data_ = nullptr;
  bytes_ = 0;
  release_ = nullptr;
}

TensorView Buffer::view(size_t offset, DType dtype, std::initializer_list<int64_t> shape) const {
  TensorView v = TensorView::of(static_cast<char*>(data_) + offset, dtype, shape, device_);
  IM_CHECK(offset + static_cast<size_t>(v.numel()) * dtype_size(dtype) <= bytes_);
  return v;
}

Tensor upload(Backend& backend, const TensorView& host, DType dtype) {
  IM_CHECK(host.is_matrix() && host.device == Device::kCpu);
  IM_CHECK(detail::is_float(host.dtype) && detail::is_float(dtype));
  IM_CHECK(host.dtype == dtype || host.dtype == DType::kF32 || dtype == DType::kF32);
  Tensor t = backend.upload(host, dtype);
  IM_CHECK(t.view().shape == host.shape && t.view().dtype == dtype);
  IM_CHECK(t.view().device == backend.device());
  return t;
}

void to_host(Backend& backend, const TensorView& src, std::span<float> dst) {
  detail::check_matrix(src, DType::kF32, backend);
  IM_CHECK(static_cast<int64_t>(dst.size()) == src.dim(0) * src.dim(1));
  backend.to_host(src, dst);
}

void compact_rows(Backend& backend, const TensorView& x, std::span<const int32_t> rows) {
  IM_CHECK(x.is_matrix() && x.device == backend.device());
  for (size_t i = 0; i < rows.size(); ++i) {
    IM_CHECK(rows[i] < x.dim(0) && (i == 0 ? rows[i] >= 0 : rows[i] > rows[i - 1]));
  }
  backend.compact_rows(x, rows);
}

}  // namespace infermark::ops

// Device memory and moving data to and from it: Buffer (owned device memory), Tensor (a tensor
// kept on a device, such as a resident weight), and the ops that copy between host and device or
// move rows within a device tensor.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <utility>

#include "ops/tensor.h"

namespace infermark::ops {

class Backend;

// Memory on one device, made by Backend::allocate. Move-only; the memory is released with the
// buffer (the backend that made it may be gone by then). Thread-compatible.
class Buffer {
 public:
  // How the maker releases the memory; null for memory the buffer does not own.
  using Release = void (*)(void* data, size_t bytes);

  Buffer() = default;
  Buffer(void* data, size_t bytes, Device device, Release release);
  ~Buffer();
  Buffer(Buffer&& other) noexcept;
  Buffer& operator=(Buffer&& other) noexcept;
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  void* data() const { return data_; }
  size_t bytes() const { return bytes_; }
  Device device() const { return device_; }

  // A contiguous row-major view of `shape` elements of `dtype` starting `offset` bytes in; it
  // must fit in the buffer (checked).
  TensorView view(size_t offset, DType dtype, std::initializer_list<int64_t> shape) const;

 private:
  void reset();

  void* data_ = nullptr;
  size_t bytes_ = 0;
  Device device_ = Device::kCpu;
  Release release_ = nullptr;
};

// A tensor kept on a device for as long as its owner lives (weights that are not matmul
// operands: norms, the embedding table): its view and the memory behind it. Made by upload.
class Tensor {
 public:
  Tensor() = default;
  // `view` over `storage`, or over memory someone else keeps alive when storage owns nothing.
  Tensor(TensorView view, Buffer storage) : view_(view), storage_(std::move(storage)) {}

  const TensorView& view() const { return view_; }
  // Bytes of device memory this tensor owns (0 when it is a view of the caller's host memory).
  size_t owned_bytes() const { return storage_.bytes(); }

 private:
  TensorView view_;
  Buffer storage_;
};

// host (a matrix in host memory: f32, bf16 or f16) as a matrix of `dtype` on the backend's device
// (converting when the dtypes differ: one of them must be f32; rounding to nearest even). A
// backend that computes in host memory may return a view of `host` itself when no conversion is
// needed (the CPU backend does, for suitably aligned data): the caller keeps `host` alive for
// the tensor's life. Cost: one pass over the data, or none.
Tensor upload(Backend& backend, const TensorView& host, DType dtype);

// dst = src, row after row: src is an f32 matrix on the backend's device (rows may be strided),
// dst holds exactly its rows × cols values. For debug dumps and tests, not for hot paths.
void to_host(Backend& backend, const TensorView& src, std::span<float> dst);

// Moves selected rows of x (a matrix on the backend's device) to its top, in place:
// x[i, :] = x[rows[i], :] for i = 0, 1, ... in order. rows is strictly increasing (so
// rows[i] >= i and no row is overwritten before it is read) and within x. Rows from rows.size()
// on are left unspecified.
void compact_rows(Backend& backend, const TensorView& x, std::span<const int32_t> rows);

}  // namespace infermark::ops

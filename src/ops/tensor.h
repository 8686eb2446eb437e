// Device-neutral description of tensors passed to ops: element type, device, shape and strides
// over memory owned by someone else. A TensorView never owns or allocates; copying it is cheap.
// Ops take matrices as rank-2 views whose last dimension is contiguous (stride 1) and whose
// rows may be strided, so a column range of a fused output (q, k and v of one matmul) is a view.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string_view>

namespace infermark::ops {

enum class DType : uint8_t { kF32, kBF16, kF16, kI32 };
enum class Device : uint8_t { kCpu, kCuda };

size_t dtype_size(DType dtype);
std::string_view dtype_name(DType dtype);
std::string_view device_name(Device device);

struct TensorView {
  static constexpr int kMaxRank = 4;

  void* data = nullptr;
  DType dtype = DType::kF32;
  Device device = Device::kCpu;
  int rank = 0;
  std::array<int64_t, kMaxRank> shape{};
  std::array<int64_t, kMaxRank> stride{};  // in elements

  // A contiguous row-major view of `shape` at data.
  static TensorView of(void* data, DType dtype, std::initializer_list<int64_t> shape,
                       Device device = Device::kCpu);
  static TensorView of(const void* data, DType dtype, std::initializer_list<int64_t> shape,
                       Device device = Device::kCpu) {
    return of(const_cast<void*>(data), dtype, shape, device);
  }

  int64_t dim(int i) const { return shape[static_cast<size_t>(i)]; }
  int64_t numel() const;
  bool is_contiguous() const;
  // Rank 2 with a contiguous last dimension: what matrix ops take.
  bool is_matrix() const { return rank == 2 && stride[1] == 1 && stride[0] >= shape[1]; }
  // Elements between consecutive rows of a matrix.
  int64_t ld() const { return stride[0]; }

  // The view of indices [begin, end) along dimension `d`, sharing the data.
  TensorView slice(int d, int64_t begin, int64_t end) const;

  template <typename T>
  T* as() const {
    return static_cast<T*>(data);
  }
};

}  // namespace infermark::ops

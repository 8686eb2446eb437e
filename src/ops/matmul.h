// Linear layers: y[m, n] (+)= x[m, k] · W[n, k]^T with f32 activations and f32, bf16 or f16
// weights, for any number of rows m (1 for single-sequence decode, tens for batched decode,
// thousands for prefill).
//
// Weights are prepared once at load with `pack` into a PackedMatrix in the layout the device's
// kernels read (CPU: panels of 16 rows, dtype kept — see backends/cpu/packed_weights.h), possibly
// concatenating several weights that share k (q/k/v, gate/up) so one call computes them all.
#pragma once

#include <span>

#include "backends/cpu/packed_weights.h"
#include "ops/context.h"
#include "ops/tensor.h"

namespace infermark::ops {

class PackedMatrix {
 public:
  PackedMatrix() = default;

  Device device() const { return device_; }
  DType dtype() const { return dtype_; }
  int64_t rows() const { return rows_; }  // n: outputs
  int64_t cols() const { return cols_; }  // k: inputs
  size_t bytes() const { return cpu_.bytes(); }
  bool empty() const { return rows_ == 0; }

  // The CPU layout (for CPU kernels and tests).
  const cpu::PackedWeights& cpu_weights() const { return cpu_; }

 private:
  friend PackedMatrix pack(const Context& ctx, std::span<const TensorView> parts);

  Device device_ = Device::kCpu;
  DType dtype_ = DType::kF32;
  int64_t rows_ = 0;
  int64_t cols_ = 0;
  cpu::PackedWeights cpu_;
};

// Packs the parts, each a [rows_i, k] matrix (row-major, rows may be strided) of the same float
// dtype, concatenated along rows, for ctx's device. The sources are only read; they may be
// released afterwards. Cost: one pass over the weights, split over the pool.
PackedMatrix pack(const Context& ctx, std::span<const TensorView> parts);
inline PackedMatrix pack(const Context& ctx, const TensorView& w) {
  return pack(ctx, std::span<const TensorView>(&w, 1));
}

// y = x · W^T, or y += x · W^T with `accumulate`. x: f32 [m, k]; y: f32 [m, n] not overlapping x.
void matmul(const Context& ctx, const TensorView& x, const PackedMatrix& w, const TensorView& y,
            bool accumulate = false);

}  // namespace infermark::ops

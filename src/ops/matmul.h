// Linear layers: y[m, n] (+)= x[m, k] · W[n, k]^T with f32 activations and f32, bf16 or f16
// weights, or quantized ones (int8, int4, fp8; ops/quantized.h, packed by pack_quantized), for any
// number of rows m (1 for single-sequence decode, tens for batched decode, thousands for prefill).
//
// Weights are prepared once at load with `pack` into a PackedMatrix in the layout the backend's
// kernels read (CPU: panels of 16 rows, dtype kept — see backends/cpu/packed_weights.h), possibly
// concatenating several weights that share k (q/k/v, gate/up) so one call computes them all.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "ops/backend.h"
#include "ops/quantized.h"
#include "ops/tensor.h"

namespace infermark::ops {

// A weight matrix packed by a backend. What the backend keeps is a Data of a kind it defines
// (the CPU backend's: panels of the source dtype, or of quantized values with their scales); the
// shape, the source dtype and the weight / activation formats are common.
// Move-only, immutable; safe to share between threads. Valid after its backend is destroyed.
class PackedMatrix {
 public:
  // The backend's packed form of one matrix. A new layout or weight format (a quantised one,
  // say) is a new subclass, made by the backend's pack and read by its matmul; nothing above
  // ops sees the difference.
  class Data {
   public:
    virtual ~Data() = default;
    // Device memory the packed matrix occupies.
    virtual size_t bytes() const = 0;
  };

  PackedMatrix() = default;
  // Float weights (WeightFormat::kFloat, ActivationFormat::kFloat).
  PackedMatrix(Device device, DType dtype, int64_t rows, int64_t cols,
               std::unique_ptr<const Data> data);
  // Quantized weights (pack_quantized); dtype() is then kF32, the activations' type.
  PackedMatrix(Device device, WeightFormat weights, ActivationFormat activations, int64_t rows,
               int64_t cols, std::unique_ptr<const Data> data);

  Device device() const { return device_; }
  // Of the float weights it was packed from (kF32 for quantized weights).
  DType dtype() const { return dtype_; }
  // How the weights are stored and how matmul treats the activations (what reports state).
  WeightFormat weight_format() const { return weight_format_; }
  ActivationFormat activation_format() const { return activation_format_; }
  int64_t rows() const { return rows_; }  // n: outputs
  int64_t cols() const { return cols_; }  // k: inputs
  size_t bytes() const { return data_ ? data_->bytes() : 0; }
  bool empty() const { return rows_ == 0; }

  // The backend's data, for the kernels of the backend that packed it.
  const Data& data() const;

 private:
  Device device_ = Device::kCpu;
  DType dtype_ = DType::kF32;
  WeightFormat weight_format_ = WeightFormat::kFloat;
  ActivationFormat activation_format_ = ActivationFormat::kFloat;
  int64_t rows_ = 0;
  int64_t cols_ = 0;
  std::unique_ptr<const Data> data_;
};

// Packs the parts, each a [rows_i, k] matrix in host memory (row-major, rows may be strided) of
// the same float dtype, concatenated along rows, for the backend's device. The sources are only
// read; they may be released afterwards. Cost: one pass over the weights.
PackedMatrix pack(Backend& backend, std::span<const TensorView> parts);
inline PackedMatrix pack(Backend& backend, const TensorView& w) {
  return pack(backend, std::span<const TensorView>(&w, 1));
}

// y = x · W^T, or y += x · W^T with `accumulate`. x: f32 [m, k]; y: f32 [m, n] not overlapping x.
// For quantized weights W is the dequantized matrix (ops/quantized.h); with
// ActivationFormat::kInt8PerToken each row of x is first rounded to int8 with its own scale.
void matmul(Backend& backend, const TensorView& x, const PackedMatrix& w, const TensorView& y,
            bool accumulate = false);

}  // namespace infermark::ops

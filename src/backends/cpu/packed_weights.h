// Weights of a linear layer repacked once at load into the layout the CPU matmul kernels read.
//
// A linear layer's weight W is [n, k] row-major (Hugging Face nn.Linear: out_features ×
// in_features), and the layer computes y[m, n] = x[m, k] · W[n, k]^T. Packing groups the n rows
// into panels of kPanel = 16 consecutive rows; panel p is stored as k groups of 16 elements, the
// group for column kk holding W[16p + j, kk] for j = 0..15 (rows past n are zero). A kernel
// therefore reads one panel as a single contiguous stream and gets 16 outputs' weights per
// column. Element order inside a group: natural (j) for f32 and f16; for bf16, rows j and j+8
// are adjacent (slot 2*(j%8) + j/8), so that shifting / masking the 32-bit lanes of a vector
// yields rows 0-7 and 8-15 as floats with no shuffle. Values keep their dtype (bf16 stays
// 16-bit: decode is bound by memory traffic).
//
// Several weights with the same k (q/k/v, gate/up) can be packed into one matrix, their rows
// concatenated, so one pass over the activations computes all of them.
// Immutable after construction; safe to share between threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "backends/cpu/aligned_buffer.h"
#include "backends/cpu/float_type.h"

namespace infermark::cpu {

class ThreadPool;

// One row-major source matrix: `rows` rows of k elements, row r starting at
// data + r * row_stride elements. Not owned.
struct WeightPart {
  const void* data = nullptr;
  int64_t rows = 0;
  int64_t row_stride = 0;
};

class PackedWeights {
 public:
  static constexpr int kPanel = 16;

  PackedWeights() = default;
  // Packs the parts' rows, concatenated in order, each with k columns. Uses `pool` (may be null)
  // to copy in parallel. Cost: one pass over the source weights.
  PackedWeights(FloatType type, std::span<const WeightPart> parts, int64_t k,
                ThreadPool* pool = nullptr);

  FloatType type() const { return type_; }
  int64_t n() const { return n_; }
  int64_t k() const { return k_; }
  int64_t n_panels() const { return (n_ + kPanel - 1) / kPanel; }
  size_t bytes() const { return storage_.size(); }

  // Start of panel p: k groups of kPanel elements of type().
  const void* panel(int64_t p) const {
    return static_cast<const char*>(storage_.data()) +
           static_cast<size_t>(p) * static_cast<size_t>(k_) * kPanel * float_type_size(type_);
  }

  // W[row, col] widened to float. Slow; for tests and debugging.
  float at(int64_t row, int64_t col) const;

  // Position of row j (0..15) inside a 16-element group for this type.
  static int slot(FloatType type, int j) {
    return type == FloatType::kBF16 ? 2 * (j % 8) + j / 8 : j;
  }

 private:
  FloatType type_ = FloatType::kF32;
  int64_t n_ = 0;
  int64_t k_ = 0;
  AlignedBuffer storage_;
};

}  // namespace infermark::cpu

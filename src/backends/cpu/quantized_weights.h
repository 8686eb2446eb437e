// Quantized weights of a linear layer (int8, int4, fp8 e4m3) repacked once at load into the
// layout the CPU quantized matmul kernels read (quantized_matmul.h), with their scales.
//
// The source (QuantizedPart) is one value per byte, row-major [rows, k], with scales and
// optional zero points per (row, group of `group_size` columns); the real weight is
// W[r, c] = (q[r, c] - z[r, g]) · s[r, g] (see ops/quantized.h, the contract this implements).
//
// Rows are grouped into panels of kPanel = 16 consecutive rows (rows past n are zero, with zero
// scales). One panel is one contiguous byte stream in one of two layouts:
// - kRowLanes (f32 activations: int8, int4, fp8 weights): for each column kk, the 16 rows'
//   bytes, byte kk * 16 + j = row 16p + j — one 16-byte load widens to the 16 rows' lanes. int4
//   packs two columns per byte: byte (kk / 2) * 16 + j holds column kk in its low nibble when kk
//   is even, in its high nibble when odd. int4 values are stored offset-unsigned, u = q + 8
//   (symmetric) or u = q (with zero points, q in [0, 15]).
// - kQuads (int8 activations: W8A8, W4A8): columns in quads, byte (kk / 4) * 64 + j * 4 + kk % 4
//   = row 16p + j, column kk (k padded to a multiple of 4 with zeros): one 64-byte block holds 4
//   columns of 16 rows, what vpdpbusd / vpmaddubsw + vpmaddwd reduce into one i32 per row.
//   int4 packs two quads per block as nibbles: byte (kk / 8) * 64 + j * 4 + kk % 4 holds column
//   kk in its low nibble when kk % 8 < 4, in its high nibble otherwise (k padded to a multiple
//   of 8 with u = 0), so one load and a mask (low) or a 16-bit shift and mask (high) give two
//   u8 operands in [0, 15]; values offset-unsigned as in kRowLanes.
//
// Per panel and group g, 16 floats each (rows in order): scale s[r, g] and offset
// zoff[r, g] = -z_eff · s[r, g], where z_eff is the zero point (int8, fp8: z; int4: z, or 8 for
// the symmetric offset). A row's product with x is then
//   Σ_g ( s[r, g] · Σ_{c in g} x[c] · stored[r, c]  +  zoff[r, g] · Σ_{c in g} x[c] ).
// zoffs() is null when no row has a zero point: then zoff = zoff_factor() · s, with
// zoff_factor() -8 for int4 (the symmetric offset) and 0 otherwise, and the offsets cost no
// bytes (a panel's group of 128 int4 columns is 1,088 bytes instead of 1,152, 5.6% fewer).
// kQuads int8 also keeps, per panel, group and row, 128 · Σ_{c in g} q[r, c] as i32 (for
// vpdpbusd, which multiplies u8 by s8: activations are shifted by +128, and this term takes the
// shift back out exactly). kQuads int4 needs no such term: the weights are the u8 operand, and
// the zoff term (with Σ xq per group) takes out the +8 (or the zero point) exactly as for f32
// activations.
//
// Immutable after construction; safe to share between threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "backends/cpu/aligned_buffer.h"

namespace infermark::cpu {

class ThreadPool;

enum class QuantFormat : uint8_t { kInt8, kInt4, kFp8E4M3 };
enum class QuantLayout : uint8_t { kRowLanes, kQuads };

// One source matrix in host memory, not owned: rows × k values (row-major, one byte each; fp8:
// the e4m3 bit patterns), `scales` rows × n_groups floats or a single per-tensor scale, and
// `zero_points` null (symmetric) or one per scale.
struct QuantizedPart {
  const int8_t* values = nullptr;
  int64_t rows = 0;
  const float* scales = nullptr;
  size_t n_scales = 0;
  const int8_t* zero_points = nullptr;
};

class QuantizedWeights {
 public:
  static constexpr int kPanel = 16;

  QuantizedWeights() = default;
  // Packs the parts' rows, concatenated in order, each with k columns and scales per
  // group_size columns (group_size in [1, k]; the last group may be shorter). Checks the value
  // ranges of ops/quantized.h (IM_CHECK). Uses `pool` (may be null) to pack in parallel.
  // Cost: one pass over the source values.
  QuantizedWeights(QuantFormat format, QuantLayout layout, std::span<const QuantizedPart> parts,
                   int64_t k, int64_t group_size, ThreadPool* pool = nullptr);

  QuantFormat format() const { return format_; }
  QuantLayout layout() const { return layout_; }
  int64_t n() const { return n_; }
  int64_t k() const { return k_; }
  int64_t group_size() const { return group_size_; }
  int64_t n_groups() const { return (k_ + group_size_ - 1) / group_size_; }
  int64_t n_panels() const { return (n_ + kPanel - 1) / kPanel; }
  // Bytes of one panel's values (panels follow each other).
  int64_t panel_bytes() const { return panel_bytes_; }
  size_t bytes() const { return values_.size() + scales_.size() + zoffs_.size() + wsums_.size(); }

  const uint8_t* values() const { return static_cast<const uint8_t*>(values_.data()); }
  // [n_panels][n_groups][16] each; zoffs() null when no row has a zero point (see above),
  // wsums() null unless kQuads int8.
  const float* scales() const { return static_cast<const float*>(scales_.data()); }
  const float* zoffs() const {
    return has_zoffs_ ? static_cast<const float*>(zoffs_.data()) : nullptr;
  }
  // zoff = zoff_factor() · s where zoffs() is null.
  float zoff_factor() const { return !has_zoffs_ && format_ == QuantFormat::kInt4 ? -8.0f : 0.0f; }
  const int32_t* wsums() const { return static_cast<const int32_t*>(wsums_.data()); }

  // The stored value of W[row, col] (int8: q; int4: u; fp8: the byte) and W[row, col] as a
  // float. Slow; for tests and debugging.
  int stored(int64_t row, int64_t col) const;
  float at(int64_t row, int64_t col) const;

 private:
  struct RowSource;
  void pack_panel(int64_t p, std::span<const RowSource> rows);

  QuantFormat format_ = QuantFormat::kInt8;
  QuantLayout layout_ = QuantLayout::kRowLanes;
  int64_t n_ = 0, k_ = 0, group_size_ = 0, panel_bytes_ = 0;
  bool has_zoffs_ = false;
  AlignedBuffer values_, scales_, zoffs_, wsums_;
};

}  // namespace infermark::cpu

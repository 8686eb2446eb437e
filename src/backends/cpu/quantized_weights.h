// Quantized weights of a linear layer (int8, int4, fp8 e4m3) repacked once at load into the
// layout the CPU quantized matmul kernels read (quantized_matmul.h), with their scales.
//
// The source (QuantizedPart) is one value per byte, row-major [rows, k], with scales and
// optional zero points per (row, group of `group_size` columns); the real weight is
// W[r, c] = (q[r, c] - z[r, g]) · s[r, g] (see ops/quantized.h, the contract this implements).
//
// Rows are grouped into panels of kPanel = 16 consecutive rows (rows past n are zero, with zero
// scales). One panel is one contiguous byte stream in one of three layouts:
// - kRowLanes (f32 activations: int8, int4, fp8 weights): for each column kk, the 16 rows'
//   bytes, byte kk * 16 + j = row 16p + j — one 16-byte load widens to the 16 rows' lanes. int4
//   packs two columns per byte: byte (kk / 2) * 16 + j holds column kk in its low nibble when kk
//   is even, in its high nibble when odd. int4 values are stored offset-unsigned, u = q + 8
//   (symmetric) or u = q (with zero points, q in [0, 15]).
// - kNibbleBlocks (int4 × f32 activations, when every group is whole blocks of kBlock = 128
//   columns, or one group spans each row; see float_layout() for when it is chosen): the columns
//   in B = ceil(k / 128) blocks (the last one zero padded), each row's block as 64 bytes = 16
//   little-endian u32 words, word t of row j holding column 128b + t + 16i in its bits
//   [4i, 4i + 4), i = 0..7 (u as above). So one 64-byte load holds a row's block, a shift right
//   by 4i puts 16 consecutive columns' values in the low 4 bits of 16 lanes (what vpermps uses as
//   the index into a 16-entry table of dequantized values), and x's matching 16 columns are
//   contiguous. The panel holds rows 0-7 for every block, then rows 8-15 (two sequential streams
//   of 8 rows): byte (j / 8) · 512 · B + b · 512 + (j % 8) · 64 + 4t + i / 2, low nibble when i
//   is even.
// - kQuads (int8 activations, W8A8): columns in quads, byte (kk / 4) * 64 + j * 4 + kk % 4 =
//   row 16p + j, column kk (k padded to a multiple of 4 with zeros): one 64-byte load holds 4
//   columns of 16 rows, what vpdpbusd / vpmaddubsw + vpmaddwd reduce into one i32 per row.
//
// Per panel and group g, 16 floats each (rows in order): scale s[r, g] and offset
// zoff[r, g] = -z_eff · s[r, g], where z_eff is the zero point (int8, fp8: z; int4: z, or 8 for
// the symmetric offset). A row's product with x is then
//   Σ_g ( s[r, g] · Σ_{c in g} x[c] · stored[r, c]  +  zoff[r, g] · Σ_{c in g} x[c] ).
// zoffs() is null when every zoff is zero. kQuads also keeps, per panel, group and row,
// 128 · Σ_{c in g} q[r, c] as i32 (for vpdpbusd, which multiplies u8 by s8: activations are
// shifted by +128, and this term takes the shift back out exactly).
//
// Immutable after construction; safe to share between threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "backends/cpu/aligned_buffer.h"
#include "backends/cpu/cpu_features.h"

namespace infermark::cpu {

class ThreadPool;

enum class QuantFormat : uint8_t { kInt8, kInt4, kFp8E4M3 };
enum class QuantLayout : uint8_t { kRowLanes, kQuads, kNibbleBlocks };

// The layout for weights multiplied by f32 activations by kernels of level `isa`: kNibbleBlocks
// for int4 whose groups are multiples of 128 columns (or one group per row) where AVX-512 runs
// (its vpermps table lookup makes it the faster int4 layout there; the AVX2 kernels widen
// kRowLanes with fewer instructions per weight), else kRowLanes. Every kernel variant takes
// every layout.
QuantLayout float_layout(QuantFormat format, int64_t k, int64_t group_size, Isa isa);
// Whether kNibbleBlocks can hold these weights (int4, groups of whole 128-column blocks).
bool nibble_blocks_fit(QuantFormat format, int64_t k, int64_t group_size);

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
  static constexpr int kBlock = 128;  // columns per kNibbleBlocks block

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
  // [n_panels][n_groups][16] each; zoffs() null when all zero, wsums() null unless kQuads.
  const float* scales() const { return static_cast<const float*>(scales_.data()); }
  const float* zoffs() const {
    return has_zoffs_ ? static_cast<const float*>(zoffs_.data()) : nullptr;
  }
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

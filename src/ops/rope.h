// Rotary position embedding (RoPE) for Llama, with Llama-3 frequency scaling and the rotate_half
// layout of Hugging Face checkpoints (element i of a head pairs with element i + head_dim/2).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "ops/backend.h"
#include "ops/tensor.h"

namespace infermark::ops {

// config.json "rope_scaling" with "rope_type": "llama3".
struct Llama3RopeScaling {
  float factor = 8.0f;
  float low_freq_factor = 1.0f;
  float high_freq_factor = 4.0f;
  float original_max_position = 8192.0f;
};

// The per-pair inverse frequencies, computed once at load in f32 as transformers does
// (`_compute_default_rope_parameters`, then `_compute_llama3_parameters` when scaled).
class RopeTable {
 public:
  RopeTable(int head_dim, float theta, std::optional<Llama3RopeScaling> scaling = std::nullopt);

  int head_dim() const { return head_dim_; }
  std::span<const float> inv_freq() const { return inv_freq_; }  // head_dim / 2 values

 private:
  int head_dim_;
  std::vector<float> inv_freq_;
};

// Rotates, in place, every head of every row of x: f32 [rows, n_heads * head_dim] (a column range
// of a fused q/k/v output works: q and k heads are adjacent). Row r is at positions[r].
void rope(Backend& backend, const RopeTable& table, std::span<const int32_t> positions,
          const TensorView& x);

}  // namespace infermark::ops

// Per-step activation memory of the Llama forward pass, allocated once from the backend for the
// largest step the engine will run (max tokens per step, max logit rows) so a step allocates
// nothing.
//
// Owned by one engine (or test); used by one forward call at a time. Device memory from the
// backend (one buffer); the row positions are host memory (ops take index arrays on the host).
// Sizes for T tokens: f32 [T, H] twice (residual, normalised), [T, Q + 2 KV] (fused q/k/v),
// [T, Q] (attention output), [T, 2 I] (fused gate/up), plus [R, V] logits.
#pragma once

#include <cstdint>
#include <vector>

#include "model/config.h"
#include "ops/backend.h"
#include "ops/memory.h"
#include "ops/tensor.h"

namespace infermark::model {

class LlamaWorkspace {
 public:
  // max_tokens >= 1 rows per step; max_logit_rows >= 1 rows of logits per step.
  LlamaWorkspace(const Config& config, ops::Backend& backend, int64_t max_tokens,
                 int64_t max_logit_rows);

  int64_t max_tokens() const { return max_tokens_; }
  int64_t max_logit_rows() const { return max_logit_rows_; }
  size_t bytes() const { return storage_.bytes(); }

  // f32 [rows, vocab]: the logits of the last forward (rows <= max_logit_rows), on the backend's
  // device. Writable, so the sampler may suppress entries in place.
  ops::TensorView logits(int64_t rows) const;

 private:
  friend class Llama;

  // f32 [rows, cols] view of the buffer at element offset `at`.
  ops::TensorView matrix(int64_t at, int64_t rows, int64_t cols) const;

  int64_t max_tokens_;
  int64_t max_logit_rows_;
  int64_t hidden_, qkv_cols_, q_cols_, ffn_cols_, vocab_;
  // Element offsets of each buffer in storage_.
  int64_t h_at_ = 0, x_at_ = 0, qkv_at_ = 0, attn_at_ = 0, ffn_at_ = 0, logits_at_ = 0;
  std::vector<int32_t> positions_;  // [max_tokens]
  ops::Buffer storage_;
};

}  // namespace infermark::model

#include "model/llama_workspace.h"

#include "util/error.h"

namespace infermark::model {
namespace {

// Rounds an element count up to a multiple of 16 floats (64 bytes).
int64_t aligned(int64_t n) { return (n + 15) / 16 * 16; }

}  // namespace

LlamaWorkspace::LlamaWorkspace(const Config& config, ops::Backend& backend, int64_t max_tokens,
                               int64_t max_logit_rows)
    : max_tokens_(max_tokens),
      max_logit_rows_(max_logit_rows),
      hidden_(config.hidden_size),
      qkv_cols_(config.q_dim() + 2 * config.kv_dim()),
      q_cols_(config.q_dim()),
      ffn_cols_(2 * config.intermediate_size),
      vocab_(config.vocab_size) {
  IM_CHECK(max_tokens >= 1 && max_logit_rows >= 1);
  int64_t at = 0;
  auto take = [&](int64_t elements) {
    const int64_t here = at;
    at += aligned(elements);
    return here;
  };
  h_at_ = take(max_tokens * hidden_);
  x_at_ = take(max_tokens * hidden_);
  qkv_at_ = take(max_tokens * qkv_cols_);
  attn_at_ = take(max_tokens * q_cols_);
  ffn_at_ = take(max_tokens * ffn_cols_);
  logits_at_ = take(max_logit_rows * vocab_);
  positions_.resize(static_cast<size_t>(max_tokens));
  storage_ = backend.allocate(static_cast<size_t>(at) * sizeof(float));
}

ops::TensorView LlamaWorkspace::matrix(int64_t at, int64_t rows, int64_t cols) const {
  return storage_.view(static_cast<size_t>(at) * sizeof(float), ops::DType::kF32, {rows, cols});
}

ops::TensorView LlamaWorkspace::logits(int64_t rows) const {
  IM_CHECK(rows >= 0 && rows <= max_logit_rows_);
  return matrix(logits_at_, rows, vocab_);
}

}  // namespace infermark::model

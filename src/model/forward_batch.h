// The flat batch one forward step takes: tokens of many sequences (prefill chunks and decode
// tokens mixed), each sequence a contiguous run of rows with its starting position and its block
// table into the paged KV cache, and the rows whose logits are wanted.
#pragma once

#include <cstdint>
#include <span>

#include "ops/attention.h"

namespace infermark::model {

// Not owned; valid for the duration of one forward call.
struct ForwardBatch {
  // [T] token ids, each in [0, vocab_size) (validated by the engine at submission).
  std::span<const int32_t> tokens;
  // Sequences: q_start [n_seqs + 1] (sequence s owns rows [q_start[s], q_start[s+1]) of
  // tokens; q_start.back() == T), p0 [n_seqs] (tokens of s already cached = position of its
  // first row; row i of s is at position p0[s] + i), block tables (see ops/attention.h).
  ops::AttentionBatch seqs;
  // [R] rows whose logits are computed, strictly increasing (typically the last row of each
  // sequence that samples a token this step). May be empty (a prefill chunk that is not last).
  std::span<const int32_t> logit_rows;

  int64_t n_tokens() const { return static_cast<int64_t>(tokens.size()); }
  int64_t n_seqs() const { return static_cast<int64_t>(seqs.p0.size()); }
};

}  // namespace infermark::model

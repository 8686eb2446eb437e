// Choosing the next token from logits: greedy argmax, and sampling with temperature, top-k and
// top-p as Hugging Face `generate` applies them (temperature, then top-k, then top-p), with the
// random draw supplied by the caller (the engine's per-request RNG) so runs are reproducible.
#pragma once

#include <cstdint>
#include <span>

#include "ops/backend.h"
#include "ops/tensor.h"

namespace infermark::ops {

struct SamplingParams {
  float temperature = 1.0f;  // <= 0: greedy
  int top_k = 0;             // 0: no top-k filter; ties with the k-th logit are kept (as HF)
  float top_p = 1.0f;        // >= 1: no nucleus filter; at least one token is always kept
};

// logits[r, id] = -inf for every row r and every id of `ids` in [0, vocab) (others are ignored):
// the tokens can then never be chosen (a stop id before min_new_tokens). logits: f32 [rows, vocab].
void suppress_tokens(Backend& backend, const TensorView& logits, std::span<const int32_t> ids);

// out[b] = index of the largest logit of row b (ties: lowest index). logits: f32 [batch, vocab].
void argmax(Backend& backend, const TensorView& logits, std::span<int32_t> out);

// out[b] = token sampled from row b with params[b] and the uniform draw u[b] in [0, 1): the kept
// tokens in descending probability (ties: lower id first; in id order when nothing is filtered)
// partition [0, 1) by renormalised probability, and u picks one. Greedy rows ignore u.
void sample(Backend& backend, const TensorView& logits, std::span<const SamplingParams> params,
            std::span<const float> u, std::span<int32_t> out);

}  // namespace infermark::ops

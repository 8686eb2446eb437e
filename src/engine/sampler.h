// Token choice for the rows of one step: greedy or temperature / top-k / top-p sampling per
// request, with draws that depend only on the request's seed and the token's index (so a
// request gives the same tokens alone, in any batch, and after preemption), and the stop ids
// masked out while a request is below its min_new_tokens.
//
// Engine thread only; buffers are sized once for max_rows.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "engine/sequence.h"
#include "ops/backend.h"
#include "ops/sampling.h"
#include "ops/tensor.h"

namespace infermark::engine {

// The uniform draw in [0, 1) for token `index` of a request with `seed` (24 random bits).
float uniform_draw(uint64_t seed, int64_t index);

class Sampler {
 public:
  explicit Sampler(int64_t max_rows);

  // out[r] = the next token of seqs[r] from logits row r (f32 [rows, vocab] on the backend's
  // device, modified: stop ids of sequences below their minimum are set to -inf).
  void sample(ops::Backend& backend, const ops::TensorView& logits, std::span<Sequence* const> seqs,
              std::span<int32_t> out);

 private:
  std::vector<ops::SamplingParams> params_;
  std::vector<float> draws_;
};

}  // namespace infermark::engine

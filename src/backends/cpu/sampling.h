// Token selection from one row of logits: argmax (greedy) and sampling with temperature, top-k
// and top-p, following Hugging Face `generate` (warpers applied in the order temperature, top-k,
// top-p), with the random draw supplied by the caller so results are reproducible.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace infermark::cpu {

// Index of the largest of x[0..n) (n >= 1); ties go to the lowest index, like torch.argmax.
// NaN entries are ignored unless all are NaN (then 0). Dispatches on active_isa() to the
// variants below (same result).
int32_t argmax(const float* x, int64_t n);

// The unnormalised softmax of logits * inv_t (inv_t > 0): w[i] = exp(logits[i] * inv_t - max)
// where max is the largest scaled logit that is not NaN; NaN and -inf logits weigh exactly 0.
// Returns max (-inf when every logit is NaN or -inf) and the sum of the weights (in double).
// Dispatches on active_isa(); the SIMD variants' exp is within 2e-7 relative of std::exp.
struct SoftmaxWeights {
  float max = 0;
  double total = 0;
};
SoftmaxWeights softmax_weights(const float* logits, int64_t n, float inv_t, float* w);

namespace generic {
int32_t argmax(const float* x, int64_t n);
SoftmaxWeights softmax_weights(const float* logits, int64_t n, float inv_t, float* w);
}  // namespace generic
namespace avx2 {  // require AVX2 + FMA
int32_t argmax(const float* x, int64_t n);
SoftmaxWeights softmax_weights(const float* logits, int64_t n, float inv_t, float* w);
}  // namespace avx2
namespace avx512 {  // require AVX-512 F/BW/VL
int32_t argmax(const float* x, int64_t n);
SoftmaxWeights softmax_weights(const float* logits, int64_t n, float inv_t, float* w);
}  // namespace avx512

struct SamplingParams {
  float temperature = 1.0f;  // <= 0 means greedy (argmax)
  int top_k = 0;             // keep the top_k largest logits (ties with the k-th kept); 0 = all
  float top_p = 1.0f;        // nucleus: keep the smallest set, in descending probability, whose
                             // cumulative probability reaches top_p (>= 1 keeps all; always >= 1)
};

// Reusable buffers for `sample`; grows to the vocabulary size once. Not thread-safe: one per
// thread.
struct SamplingScratch {
  std::vector<std::pair<float, int32_t>> candidates;
  std::vector<float> weights;
};

// Samples a token id from softmax(logits / temperature) restricted by top-k and top-p. `u` is a
// uniform draw in [0, 1): the kept tokens, in descending probability (ties: lower id first),
// partition [0, 1) by their renormalised probabilities and the token whose interval holds u is
// returned. With no filter at all (top_k = 0, top_p >= 1) the tokens are taken in id order
// instead (same distribution, no sort). Cost: O(n) plus a partial sort of the nucleus.
int32_t sample(const float* logits, int64_t n, const SamplingParams& params, float u,
               SamplingScratch& scratch);

}  // namespace infermark::cpu

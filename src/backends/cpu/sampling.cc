#include "backends/cpu/sampling.h"

#include <algorithm>
#include <cmath>

#include "backends/cpu/cpu_features.h"
#include "util/error.h"

namespace infermark::cpu {
namespace {

// Descending value, then ascending id.
bool before(const std::pair<float, int32_t>& a, const std::pair<float, int32_t>& b) {
  return a.first > b.first || (a.first == b.first && a.second < b.second);
}

}  // namespace

int32_t argmax(const float* x, int64_t n) {
  IM_CHECK(n >= 1);
  const Isa isa = active_isa();
  if (isa >= Isa::kAvx512) return avx512::argmax(x, n);
  if (isa >= Isa::kAvx2) return avx2::argmax(x, n);
  return generic::argmax(x, n);
}

int32_t generic::argmax(const float* x, int64_t n) {
  int64_t best = -1;
  for (int64_t i = 0; i < n; ++i) {
    if (std::isnan(x[i])) continue;
    if (best < 0 || x[i] > x[best]) best = i;
  }
  return static_cast<int32_t>(best < 0 ? 0 : best);
}

SoftmaxWeights softmax_weights(const float* logits, int64_t n, float inv_t, float* w) {
  const Isa isa = active_isa();
  if (isa >= Isa::kAvx512) return avx512::softmax_weights(logits, n, inv_t, w);
  if (isa >= Isa::kAvx2) return avx2::softmax_weights(logits, n, inv_t, w);
  return generic::softmax_weights(logits, n, inv_t, w);
}

SoftmaxWeights generic::softmax_weights(const float* logits, int64_t n, float inv_t, float* w) {
  SoftmaxWeights r{-INFINITY, 0.0};
  for (int64_t i = 0; i < n; ++i) {
    const float v = logits[i] * inv_t;
    if (v > r.max) r.max = v;  // false for NaN
  }
  for (int64_t i = 0; i < n; ++i) {
    const float v = logits[i] * inv_t;
    w[i] = v > -INFINITY ? std::exp(v - r.max) : 0.0f;  // NaN and -inf weigh 0
    r.total += w[i];
  }
  return r;
}

int32_t sample(const float* logits, int64_t n, const SamplingParams& params, float u,
               SamplingScratch& scratch) {
  IM_CHECK(n >= 1);
  if (!(params.temperature > 0)) return argmax(logits, n);
  auto& c = scratch.candidates;
  c.resize(static_cast<size_t>(n));
  const float inv_t = 1.0f / params.temperature;
  size_t kept = c.size();
  double total = 0;
  if (params.top_k > 0 && static_cast<size_t>(params.top_k) < c.size()) {
    for (int64_t i = 0; i < n; ++i) {
      const float v = logits[i] * inv_t;
      c[static_cast<size_t>(i)] = {std::isnan(v) ? -INFINITY : v, static_cast<int32_t>(i)};
    }
    // Top-k: keep every logit >= the k-th largest.
    const size_t k = static_cast<size_t>(params.top_k);
    std::nth_element(c.begin(), c.begin() + static_cast<std::ptrdiff_t>(k - 1), c.end(), before);
    const float kth = c[k - 1].first;
    kept = static_cast<size_t>(
        std::partition(c.begin(), c.end(), [&](const auto& e) { return e.first >= kth; }) -
        c.begin());
    const float max_logit =
        std::max_element(c.begin(), c.begin() + static_cast<std::ptrdiff_t>(kept),
                         [](const auto& a, const auto& b) { return a.first < b.first; })
            ->first;
    if (!(max_logit > -INFINITY)) return argmax(logits, n);  // nothing finite to sample from
    for (size_t i = 0; i < kept; ++i) {
      c[i].first = std::exp(c[i].first - max_logit);  // now an unnormalised probability
      total += c[i].first;
    }
  } else {
    // Every token is a candidate: the weights come from one vectorised pass over the logits.
    scratch.weights.resize(static_cast<size_t>(n));
    const SoftmaxWeights sw = softmax_weights(logits, n, inv_t, scratch.weights.data());
    if (!(sw.max > -INFINITY)) return argmax(logits, n);  // nothing finite to sample from
    for (int64_t i = 0; i < n; ++i) {
      c[static_cast<size_t>(i)] = {scratch.weights[static_cast<size_t>(i)],
                                   static_cast<int32_t>(i)};
    }
    total = sw.total;
  }
  if (params.top_p >= 1.0f && kept == c.size()) {
    // No filter at all: draw in id order (the candidates are still in it); no sort needed.
    const double target = static_cast<double>(u) * total;
    double acc = 0;
    for (size_t i = 0; i < kept; ++i) {
      acc += c[i].first;
      if (target < acc) return c[i].second;
    }
    return c[kept - 1].second;
  }
  // Sort a growing prefix of the candidates until it covers top_p of the mass.
  const double need = params.top_p < 1.0f ? static_cast<double>(params.top_p) * total : total;
  size_t sorted = std::min<size_t>(kept, 256);
  for (;;) {
    std::partial_sort(c.begin(), c.begin() + static_cast<std::ptrdiff_t>(sorted),
                      c.begin() + static_cast<std::ptrdiff_t>(kept), before);
    double mass = 0;
    size_t keep = 0;
    while (keep < sorted && (keep == 0 || mass < need)) mass += c[keep++].first;
    if (mass >= need || sorted == kept) {
      // Tokens [0, keep) are the nucleus: the first whose preceding mass reaches `need` ends it.
      const double target = static_cast<double>(u) * mass;
      double acc = 0;
      for (size_t i = 0; i < keep; ++i) {
        acc += c[i].first;
        if (target < acc) return c[i].second;
      }
      return c[keep - 1].second;
    }
    sorted = std::min(kept, sorted * 4);
  }
}

}  // namespace infermark::cpu

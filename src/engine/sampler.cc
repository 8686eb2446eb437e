#include "engine/sampler.h"

#include "util/error.h"

namespace infermark::engine {
namespace {

uint64_t mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

}  // namespace

float uniform_draw(uint64_t seed, int64_t index) {
  const uint64_t bits = mix64(mix64(seed) ^ static_cast<uint64_t>(index));
  return static_cast<float>(bits >> 40) * (1.0f / 16777216.0f);
}

Sampler::Sampler(int64_t max_rows) {
  params_.reserve(static_cast<size_t>(max_rows));
  draws_.reserve(static_cast<size_t>(max_rows));
}

void Sampler::sample(ops::Backend& backend, const ops::TensorView& logits,
                     std::span<Sequence* const> seqs, std::span<int32_t> out) {
  IM_CHECK(static_cast<int64_t>(seqs.size()) == logits.dim(0) && out.size() == seqs.size());
  IM_CHECK(seqs.size() <= params_.capacity());
  params_.clear();
  draws_.clear();
  for (size_t r = 0; r < seqs.size(); ++r) {
    const Sequence& s = *seqs[r];
    if (s.generated() < s.params.min_new_tokens) {
      const auto row = static_cast<int64_t>(r);
      ops::suppress_tokens(backend, logits.slice(0, row, row + 1), s.stop_ids);
    }
    params_.push_back({s.params.temperature, s.params.top_k, s.params.top_p});
    draws_.push_back(uniform_draw(s.params.seed, s.generated()));
  }
  ops::sample(backend, logits, params_, draws_, out);
}

}  // namespace infermark::engine

// The sampler: reproducible uniform draws, greedy and sampled rows, and stop ids masked below
// min_new_tokens.
#include "engine/sampler.h"

#include <gtest/gtest.h>

#include <cmath>

#include "ops/backend.h"

namespace infermark::engine {
namespace {

TEST(UniformDraw, DependsOnlyOnSeedAndIndexAndIsUniform) {
  EXPECT_EQ(uniform_draw(42, 7), uniform_draw(42, 7));
  EXPECT_NE(uniform_draw(42, 7), uniform_draw(43, 7));
  EXPECT_NE(uniform_draw(42, 7), uniform_draw(42, 8));
  double sum = 0;
  int buckets[10] = {};
  for (int i = 0; i < 100000; ++i) {
    const float u = uniform_draw(1, i);
    ASSERT_GE(u, 0.0f);
    ASSERT_LT(u, 1.0f);
    sum += u;
    ++buckets[static_cast<int>(u * 10)];
  }
  EXPECT_NEAR(sum / 100000, 0.5, 0.01);
  for (int b : buckets) EXPECT_NEAR(b, 10000, 500);
}

TEST(Sampler, GreedyRowsAndMaskedStopIds) {
  const auto backend = ops::create_backend({.threads = 2});
  std::vector<float> logits = {0, 5, 1, 2,   // row 0: argmax 1
                               0, 5, 1, 2};  // row 1: 1 is a stop id below the minimum -> 3
  Sequence a, b;
  a.tokens = {0}, a.prompt_len = 1;
  b.tokens = {0}, b.prompt_len = 1;
  const std::vector<int32_t> stops = {1};
  a.stop_ids = stops, b.stop_ids = stops;
  a.params.min_new_tokens = 0;
  b.params.min_new_tokens = 2;
  Sampler s(4);
  std::vector<Sequence*> seqs = {&a, &b};
  std::vector<int32_t> out(2);
  s.sample(*backend, ops::TensorView::of(logits.data(), ops::DType::kF32, {2, 4}), seqs, out);
  EXPECT_EQ(out, (std::vector<int32_t>{1, 3}));
  EXPECT_TRUE(std::isinf(logits[5]) && logits[5] < 0);
  EXPECT_EQ(logits[1], 5);
}

TEST(Sampler, SampledRowsFollowTheDrawOfTheirSeedAndIndex) {
  const auto backend = ops::create_backend({.threads = 1});
  // Two equally likely tokens: the draw (< 0.5 or not) decides, in id order (no filter).
  Sequence s;
  s.tokens = {0, 0, 0}, s.prompt_len = 1;  // two generated: index 2
  s.params.temperature = 1;
  Sampler sampler(1);
  std::vector<Sequence*> seqs = {&s};
  int seen[2] = {};
  for (uint64_t seed = 0; seed < 200; ++seed) {
    s.params.seed = seed;
    std::vector<float> logits = {3, 3, -100, -100};
    std::vector<int32_t> out(1);
    sampler.sample(*backend, ops::TensorView::of(logits.data(), ops::DType::kF32, {1, 4}), seqs,
                   out);
    EXPECT_EQ(out[0], uniform_draw(seed, 2) < 0.5f ? 0 : 1);
    ++seen[out[0]];
  }
  EXPECT_GT(seen[0], 60);
  EXPECT_GT(seen[1], 60);
}

}  // namespace
}  // namespace infermark::engine

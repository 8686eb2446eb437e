// ops::suppress_tokens, ops::argmax and ops::sample: suppressed ids, tie and NaN rules, greedy
// equivalences, and the exact distribution of top-k / top-p sampling (a fine sweep of u must hit
// each kept token with its renormalised probability, computed here in float64 from a full sort,
// as Hugging Face's warpers define it).
#include "ops/sampling.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include "backends/cpu/cpu_features.h"
#include "backends/cpu/sampling.h"
#include "ops/op_test_util.h"

namespace infermark::ops {
namespace {

using testing::random_floats;

class SamplingTest : public ::testing::Test {
 protected:
  int32_t sample_one(const std::vector<float>& logits, SamplingParams p, float u) {
    int32_t out = -1;
    sample(backend_,
           TensorView::of(logits.data(), DType::kF32, {1, static_cast<int64_t>(logits.size())}),
           {&p, 1}, {&u, 1}, {&out, 1});
    return out;
  }
  CpuBackend backend_{2};
};

// Expected probabilities per HF: temperature, top-k (keep >= k-th value), top-p on the
// renormalised remainder (keep while the mass before a token is < p).
std::map<int32_t, double> expected(const std::vector<float>& logits, SamplingParams p) {
  std::vector<int32_t> order(logits.size());
  std::iota(order.begin(), order.end(), 0);
  std::vector<double> l(logits.begin(), logits.end());
  for (double& v : l) v /= p.temperature;
  std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
    return l[static_cast<size_t>(a)] > l[static_cast<size_t>(b)] ||
           (l[static_cast<size_t>(a)] == l[static_cast<size_t>(b)] && a < b);
  });
  size_t kept = order.size();
  if (p.top_k > 0 && static_cast<size_t>(p.top_k) < kept) {
    const double kth = l[static_cast<size_t>(order[static_cast<size_t>(p.top_k) - 1])];
    kept = 0;
    while (kept < order.size() && l[static_cast<size_t>(order[kept])] >= kth) ++kept;
  }
  const double mx = l[static_cast<size_t>(order[0])];
  double total = 0;
  for (size_t i = 0; i < kept; ++i) total += std::exp(l[static_cast<size_t>(order[i])] - mx);
  size_t nucleus = 0;
  double mass = 0;
  while (nucleus < kept && (nucleus == 0 || mass < p.top_p * total)) {
    mass += std::exp(l[static_cast<size_t>(order[nucleus++])] - mx);
  }
  std::map<int32_t, double> probs;
  for (size_t i = 0; i < nucleus; ++i) {
    probs[order[i]] = std::exp(l[static_cast<size_t>(order[i])] - mx) / mass;
  }
  return probs;
}

TEST_F(SamplingTest, ArgmaxTiesGoToLowestIndexAndNanIsIgnored) {
  const std::vector<float> logits = {1,   5,   NAN, 5,   -2, 5,  3,  // row 0: three 5s
                                     NAN, NAN, -1,  NAN, -1, -7, -3};
  std::vector<int32_t> out(2);
  argmax(backend_, TensorView::of(logits.data(), DType::kF32, {2, 7}), out);
  EXPECT_EQ(out[0], 1);
  EXPECT_EQ(out[1], 2);
}

TEST_F(SamplingTest, SuppressedTokensAreNeverChosen) {
  std::vector<float> logits = {1, 9, 3, 8,         // row 0: 9 then 8 suppressed -> 3 at id 2
                               7, 2, 2, 2};        // row 1
  const std::vector<int32_t> ids = {1, 3, -1, 4};  // out-of-range ids are ignored
  suppress_tokens(backend_, TensorView::of(logits.data(), DType::kF32, {2, 4}), ids);
  for (size_t i : {1, 3, 5, 7}) EXPECT_TRUE(std::isinf(logits[i]) && logits[i] < 0) << i;
  EXPECT_EQ(logits[0], 1);
  EXPECT_EQ(logits[4], 7);
  std::vector<int32_t> out(2);
  argmax(backend_, TensorView::of(logits.data(), DType::kF32, {2, 4}), out);
  EXPECT_EQ(out, (std::vector<int32_t>{2, 0}));
}

TEST_F(SamplingTest, ArgmaxOfLargeRandomRows) {
  const int64_t rows = 5, vocab = 128256;
  const auto logits = random_floats(static_cast<size_t>(rows * vocab), -10, 10, 1);
  std::vector<int32_t> out(static_cast<size_t>(rows));
  argmax(backend_, TensorView::of(logits.data(), DType::kF32, {rows, vocab}), out);
  for (int64_t r = 0; r < rows; ++r) {
    const auto row = logits.begin() + r * vocab;
    EXPECT_EQ(out[static_cast<size_t>(r)], std::max_element(row, row + vocab) - row);
  }
}

TEST_F(SamplingTest, GreedyEquivalents) {
  const auto logits = random_floats(1000, -5, 5, 2);
  const int32_t best =
      static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
  for (float u : {0.0f, 0.5f, 0.999f}) {
    EXPECT_EQ(sample_one(logits, {0.0f, 0, 1.0f}, u), best);   // temperature 0
    EXPECT_EQ(sample_one(logits, {0.7f, 1, 1.0f}, u), best);   // top-k 1
    EXPECT_EQ(sample_one(logits, {1.0f, 0, 1e-6f}, u), best);  // tiny top-p keeps one
  }
}

TEST_F(SamplingTest, DistributionMatchesHuggingFaceWarpers) {
  const std::vector<SamplingParams> params = {{1.0f, 0, 1.0f},  {0.6f, 0, 0.9f},  {1.3f, 10, 1.0f},
                                              {1.0f, 50, 0.5f}, {2.0f, 0, 0.99f}, {1.0f, 3, 0.95f}};
  // Logits with exact ties at the top-k boundary too.
  auto logits = random_floats(700, -4, 4, 3);
  logits[10] = logits[11] = logits[12] = 6.0f;
  constexpr int kDraws = 20000;
  for (cpu::Isa isa : testing::isas()) {  // every variant of the softmax-weights pass
    cpu::set_max_isa(isa);
    for (const SamplingParams& p : params) {
      const auto probs = expected(logits, p);
      std::map<int32_t, int> hits;
      for (int i = 0; i < kDraws; ++i) {
        ++hits[sample_one(logits, p, (static_cast<float>(i) + 0.5f) / kDraws)];
      }
      for (const auto& [id, n] : hits) {
        ASSERT_TRUE(probs.count(id))
            << "token " << id << " outside the kept set, T=" << p.temperature << " k=" << p.top_k
            << " p=" << p.top_p;
      }
      for (const auto& [id, prob] : probs) {
        // A regular grid of u gives each interval its length to within one grid step.
        EXPECT_NEAR(hits[id] / double{kDraws}, prob, 1.5 / kDraws + 1e-5)
            << "token " << id << " T=" << p.temperature << " k=" << p.top_k << " p=" << p.top_p
            << " isa " << cpu::isa_name(isa);
      }
    }
  }
  cpu::set_max_isa(cpu::Isa::kAvx512);
}

TEST_F(SamplingTest, TopKKeepsTiesWithTheKthLogit) {
  const std::vector<float> logits = {0, 3, 3, 3, 1};
  std::map<int32_t, int> hits;
  for (int i = 0; i < 300; ++i) ++hits[sample_one(logits, {1.0f, 2, 1.0f}, (i + 0.5f) / 300)];
  EXPECT_EQ(hits.size(), 3u);
  EXPECT_EQ(hits[1], 100);
  EXPECT_EQ(hits[2], 100);
  EXPECT_EQ(hits[3], 100);
}

TEST_F(SamplingTest, BatchedRowsUseTheirOwnParams) {
  const int64_t vocab = 2000;
  const auto logits = random_floats(static_cast<size_t>(3 * vocab), -3, 3, 4);
  const SamplingParams p[] = {{0.0f, 0, 1.0f}, {1.0f, 1, 1.0f}, {0.8f, 20, 0.8f}};
  const float u[] = {0.3f, 0.3f, 0.3f};
  std::vector<int32_t> out(3);
  sample(backend_, TensorView::of(logits.data(), DType::kF32, {3, vocab}), p, u, out);
  for (int r = 0; r < 3; ++r) {
    std::vector<float> row(logits.begin() + r * vocab, logits.begin() + (r + 1) * vocab);
    EXPECT_EQ(out[static_cast<size_t>(r)], sample_one(row, p[r], u[r]));
  }
  EXPECT_EQ(out[0], std::max_element(logits.begin(), logits.begin() + vocab) - logits.begin());
}

// The softmax-weights pass of every variant against the generic one: the same maximum, weights
// and total within the vector exp's 2e-7 relative error, exactly 0 for NaN and -inf logits,
// all-NaN / all -inf rows giving max -inf, lengths with tails.
TEST(SoftmaxWeightsVariants, AgreeWithGeneric) {
  for (int64_t n : {1, 5, 8, 16, 17, 100, 128256}) {
    auto logits = random_floats(static_cast<size_t>(n), -20, 20, static_cast<uint32_t>(n + 1));
    for (size_t i = 0; i < logits.size(); i += 5) logits[i] = i % 2 ? NAN : -INFINITY;
    for (const auto& row : {logits, std::vector<float>(static_cast<size_t>(n), NAN),
                            std::vector<float>(static_cast<size_t>(n), -INFINITY)}) {
      for (float inv_t : {1.0f, 1.7f, 0.25f}) {
        std::vector<float> wg(row.size()), wv(row.size());
        const cpu::SoftmaxWeights g =
            cpu::generic::softmax_weights(row.data(), n, inv_t, wg.data());
        for (cpu::Isa isa : {cpu::Isa::kAvx2, cpu::Isa::kAvx512}) {
          if (isa > cpu::detected_isa()) continue;
          const cpu::SoftmaxWeights v =
              isa == cpu::Isa::kAvx2
                  ? cpu::avx2::softmax_weights(row.data(), n, inv_t, wv.data())
                  : cpu::avx512::softmax_weights(row.data(), n, inv_t, wv.data());
          const std::string what = std::string(cpu::isa_name(isa)) + " n " + std::to_string(n) +
                                   " inv_t " + std::to_string(inv_t);
          ASSERT_EQ(v.max, g.max) << what;
          ASSERT_NEAR(v.total, g.total, 1e-6 * g.total) << what;
          for (size_t i = 0; i < row.size(); ++i) {
            if (wg[i] == 0.0f && !(row[i] * inv_t > -INFINITY)) {
              ASSERT_EQ(wv[i], 0.0f) << what << " at " << i;
            } else {
              ASSERT_NEAR(wv[i], wg[i], 1e-6 * wg[i] + 1e-37) << what << " at " << i;
            }
          }
        }
      }
    }
  }
}

// Every argmax variant this CPU has gives the generic loop's index: ties (lowest index), NaNs
// anywhere (ignored), all-NaN rows (0), rows of -inf, -0 beside +0, and lengths that leave
// tails after the vector loops.
TEST(ArgmaxVariants, AgreeWithGenericOnEdgeCases) {
  std::vector<std::vector<float>> rows;
  for (int64_t n : {1, 7, 8, 15, 16, 31, 33, 64, 65, 100, 1000, 128256}) {
    std::vector<float> r = random_floats(static_cast<size_t>(n), -3, 3, static_cast<uint32_t>(n));
    rows.push_back(r);
    for (size_t i = 0; i < r.size(); i += 3) r[i] = NAN;
    rows.push_back(r);                                        // NaNs among values
    rows.push_back(std::vector<float>(r.size(), NAN));        // all NaN
    rows.push_back(std::vector<float>(r.size(), -INFINITY));  // all -inf
    std::vector<float> ties(r.size(), 1.0f);
    ties.back() = 2.0f;
    if (ties.size() > 2) ties[ties.size() / 2] = 2.0f;
    rows.push_back(ties);  // tie at the top
    std::vector<float> zeros(r.size(), -1.0f);
    zeros.back() = 0.0f;
    zeros[0] = -0.0f;
    rows.push_back(zeros);  // -0 first, +0 last
  }
  for (const auto& r : rows) {
    const auto n = static_cast<int64_t>(r.size());
    const int32_t want = cpu::generic::argmax(r.data(), n);
    if (cpu::detected_isa() >= cpu::Isa::kAvx2) {
      ASSERT_EQ(cpu::avx2::argmax(r.data(), n), want) << "avx2, n " << n;
    }
    if (cpu::detected_isa() >= cpu::Isa::kAvx512) {
      ASSERT_EQ(cpu::avx512::argmax(r.data(), n), want) << "avx512, n " << n;
    }
  }
}

}  // namespace
}  // namespace infermark::ops

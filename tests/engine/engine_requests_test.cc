// Per-request behaviour of the engine on a tiny generated model: bad input fails that request
// only, stop ids (explicit and the model's eos default) end generation with the stop token
// included and never more than one, min_new_tokens suppresses them, max_new_tokens and the
// context bound the length, sampling is reproducible from the seed.
#include <gtest/gtest.h>

#include <algorithm>

#include "engine/engine.h"
#include "engine_test_util.h"

namespace infermark::engine {
namespace {

using testing::Collector;
using testing::random_prompt;
using testing::test_options;
using testing::TinyModel;

// Greedy continuation of `prompt`, n tokens, no stop ids that could fire.
std::vector<TokenId> greedy(Engine& e, const std::vector<TokenId>& prompt, int n) {
  Collector c;
  GenerationParams p;
  p.max_new_tokens = n;
  p.stop_ids = {-1};
  const RequestId id = c.submit(e, prompt, p);
  e.wait_idle();
  return c.get(id).tokens;
}

TEST(EngineRequests, BadInputFailsThatRequestOnlyWithAClearMessage) {
  Engine e(TinyModel::get().model(), test_options());  // context 512
  Collector c;
  GenerationParams ok;
  ok.max_new_tokens = 6;
  const RequestId good1 = c.submit(e, random_prompt(8, 1), ok);
  struct Bad {
    std::vector<TokenId> prompt;
    GenerationParams params;
    const char* message;
  };
  GenerationParams zero_max = ok, bad_top_p = ok, bad_min = ok, bad_temp = ok;
  zero_max.max_new_tokens = 0;
  bad_top_p.top_p = 0;
  bad_min.min_new_tokens = 7;
  bad_temp.temperature = -1;
  const std::vector<Bad> bad = {
      {{}, ok, "prompt is empty"},
      {random_prompt(513, 2), ok, "prompt has 513 tokens, more than the context of 512 tokens"},
      {{1, 2, 128256}, ok, "prompt token 2 is 128256, outside the vocabulary [0, 128256)"},
      {{-5}, ok, "prompt token 0 is -5"},
      {{1}, zero_max, "max_new_tokens = 0"},
      {{1}, bad_top_p, "top_p = 0"},
      {{1}, bad_min, "min_new_tokens = 7"},
      {{1}, bad_temp, "temperature = -1"},
  };
  std::vector<RequestId> ids;
  for (const Bad& b : bad) ids.push_back(c.submit(e, b.prompt, b.params));
  const RequestId good2 = c.submit(e, random_prompt(512, 3), ok);  // exactly the context
  e.wait_idle();
  for (size_t i = 0; i < bad.size(); ++i) {
    const auto r = c.get(ids[i]);
    EXPECT_EQ(r.finish.reason, FinishReason::kError);
    EXPECT_NE(r.finish.error.find(bad[i].message), std::string::npos) << r.finish.error;
    EXPECT_TRUE(r.tokens.empty());
  }
  EXPECT_EQ(c.get(good1).tokens.size(), 6u);
  EXPECT_EQ(c.get(good1).finish.reason, FinishReason::kLength);
  // A prompt filling the context gets one token, then stops for length.
  EXPECT_EQ(c.get(good2).tokens.size(), 1u);
  EXPECT_EQ(c.get(good2).finish.reason, FinishReason::kLength);
  EXPECT_EQ(e.stats().errors, static_cast<int64_t>(bad.size()));
}

TEST(EngineRequests, StopIdEndsGenerationAndIsIncludedOnce) {
  Engine e(TinyModel::get().model(), test_options());
  const auto prompt = random_prompt(12, 4);
  const auto g = greedy(e, prompt, 20);
  // Stop on the token at index 6 (its first occurrence: generation stops there).
  const auto at = std::find(g.begin(), g.end(), g[6]) - g.begin();
  ASSERT_GE(at, 1) << "the stop token must not be the first (min_new_tokens = 1)";
  Collector c;
  GenerationParams p;
  p.max_new_tokens = 20;
  p.stop_ids = {999999, g[6]};
  const RequestId id = c.submit(e, prompt, p);
  e.wait_idle();
  const auto r = c.get(id);
  EXPECT_EQ(r.finish.reason, FinishReason::kStop);
  EXPECT_EQ(r.tokens, std::vector<TokenId>(g.begin(), g.begin() + at + 1));
  EXPECT_EQ(std::count(r.tokens.begin(), r.tokens.end(), g[6]), 1);
}

TEST(EngineRequests, MinNewTokensSuppressesStopIds) {
  Engine e(TinyModel::get().model(), test_options());
  const auto prompt = random_prompt(12, 5);
  const auto g = greedy(e, prompt, 10);
  Collector c;
  GenerationParams p;
  p.max_new_tokens = 10;
  p.min_new_tokens = 4;
  p.stop_ids = {g[0]};  // the greedy first token, forbidden until 4 tokens exist
  const RequestId id = c.submit(e, prompt, p);
  e.wait_idle();
  const auto r = c.get(id);
  ASSERT_GE(r.tokens.size(), 4u);
  EXPECT_NE(r.tokens[0], g[0]);
  for (size_t i = 0; i < 3; ++i) EXPECT_NE(r.tokens[i], g[0]);
  const auto stops = std::count(r.tokens.begin(), r.tokens.end(), g[0]);
  EXPECT_LE(stops, 1);
  EXPECT_EQ(r.finish.reason, stops == 1 ? FinishReason::kStop : FinishReason::kLength);
  if (stops == 1) {
    EXPECT_EQ(r.tokens.back(), g[0]);
  }
}

TEST(EngineRequests, DefaultStopIdsAreTheModelsEosIds) {
  EXPECT_EQ(std::vector<int32_t>(TinyModel::get().model()->eos_token_ids().begin(),
                                 TinyModel::get().model()->eos_token_ids().end()),
            (std::vector<int32_t>{128001, 128008, 128009}));
  const auto prompt = random_prompt(12, 6);
  std::vector<TokenId> g;
  {
    Engine e(TinyModel::get().model(), test_options());
    g = greedy(e, prompt, 10);
  }
  auto model = TinyModel::get().load_copy();
  model->set_eos_token_ids({g[3]});
  Engine e(model, test_options());
  Collector c;
  GenerationParams p;
  p.max_new_tokens = 10;
  p.min_new_tokens = 0;
  const RequestId id = c.submit(e, prompt, p);
  e.wait_idle();
  const auto at = std::find(g.begin(), g.end(), g[3]) - g.begin();
  EXPECT_EQ(c.get(id).tokens, std::vector<TokenId>(g.begin(), g.begin() + at + 1));
  EXPECT_EQ(c.get(id).finish.reason, FinishReason::kStop);
}

TEST(EngineRequests, IgnoreEosLeavesOnlyTheExplicitStopIds) {
  const auto prompt = random_prompt(12, 6);
  std::vector<TokenId> g;
  {
    Engine e(TinyModel::get().model(), test_options());
    g = greedy(e, prompt, 10);
  }
  auto model = TinyModel::get().load_copy();
  model->set_eos_token_ids({g[2]});
  Engine e(model, test_options());
  Collector c;
  GenerationParams none;
  none.max_new_tokens = 10;
  none.min_new_tokens = 0;
  none.ignore_eos = true;
  GenerationParams explicit_stop = none;
  explicit_stop.stop_ids = {g[5]};
  const RequestId a = c.submit(e, prompt, none), b = c.submit(e, prompt, explicit_stop);
  e.wait_idle();
  EXPECT_EQ(c.get(a).tokens, g);
  EXPECT_EQ(c.get(a).finish.reason, FinishReason::kLength);
  const auto at = std::find(g.begin(), g.end(), g[5]) - g.begin();
  EXPECT_EQ(c.get(b).tokens, std::vector<TokenId>(g.begin(), g.begin() + at + 1));
  EXPECT_EQ(c.get(b).finish.reason, FinishReason::kStop);
}

TEST(EngineRequests, SamplingIsReproducibleFromTheSeedAloneOrBatched) {
  // Batched rows go through other matmul kernels (other summation orders) than a lone row, so
  // logits agree to float rounding only; with a bf16 KV cache an occasional K/V element rounds
  // to the neighbouring bf16 value, enough to move a sampled token across a draw boundary once
  // in a while. An f32 cache keeps the differences at ~1e-6, far below any boundary here.
  EngineOptions o = test_options();
  o.kv_dtype = ops::DType::kF32;
  Engine e(TinyModel::get().model(), o);
  const auto prompt = random_prompt(10, 7);
  GenerationParams p;
  p.max_new_tokens = 16;
  p.temperature = 1.5f;
  p.top_p = 0.95f;
  p.top_k = 50;
  p.seed = 42;
  Collector c;
  const RequestId a = c.submit(e, prompt, p);
  e.wait_idle();
  const RequestId b = c.submit(e, prompt, p);
  for (int i = 0; i < 5; ++i) c.submit(e, random_prompt(20, 50 + i), p);  // batched with others
  GenerationParams other = p;
  other.seed = 43;
  const RequestId d = c.submit(e, prompt, other);
  p.temperature = 0;
  const RequestId greedy_id = c.submit(e, prompt, p);
  p.temperature = 1.5f, p.top_k = 1;
  const RequestId top1 = c.submit(e, prompt, p);
  e.wait_idle();
  EXPECT_EQ(c.get(a).tokens, c.get(b).tokens);
  EXPECT_NE(c.get(a).tokens, c.get(d).tokens);
  EXPECT_NE(c.get(a).tokens, c.get(greedy_id).tokens);
  EXPECT_EQ(c.get(top1).tokens, c.get(greedy_id).tokens);  // top_k = 1 is greedy
}

TEST(EngineRequests, GenerationStopsWhenTheContextIsFull) {
  EngineOptions o = test_options();
  o.max_context = 40;
  Engine e(TinyModel::get().model(), o);
  EXPECT_EQ(e.max_context(), 40);
  Collector c;
  GenerationParams p;
  p.max_new_tokens = 100;
  const RequestId id = c.submit(e, random_prompt(30, 8), p);
  e.wait_idle();
  EXPECT_EQ(c.get(id).tokens.size(), 10u);
  EXPECT_EQ(c.get(id).finish.reason, FinishReason::kLength);
}

TEST(EngineRequests, StatsCountTokensAndSteps) {
  Engine e(TinyModel::get().model(), test_options());
  Collector c;
  GenerationParams p;
  p.max_new_tokens = 4;
  c.submit(e, random_prompt(10, 9), p);
  c.submit(e, random_prompt(20, 10), p);
  e.wait_idle();
  const Stats s = e.stats();
  EXPECT_EQ(s.submitted, 2);
  EXPECT_EQ(s.finished, 2);
  EXPECT_EQ(s.generated_tokens, 8);
  EXPECT_EQ(s.prefill_tokens, 30);
  EXPECT_EQ(s.decode_tokens, 6);
  EXPECT_EQ(s.running + s.waiting, 0);
  EXPECT_GT(s.busy_seconds, 0);
}

TEST(EngineOptionsTest, PresetsAndBadValues) {
  EXPECT_LT(EngineOptions::server().prefill_chunk, EngineOptions::offline().prefill_chunk);
  EXPECT_EQ(EngineOptions::preset("server").max_batch_tokens, 512);
  EXPECT_THROW(EngineOptions::preset("fast"), Error);
  EngineOptions o = test_options();
  o.kv_cache_bytes = 100;
  EXPECT_THROW(Engine(TinyModel::get().model(), o), Error);
  o = test_options();
  o.max_batch_tokens = o.max_seqs - 1;
  EXPECT_THROW(Engine(TinyModel::get().model(), o), Error);
}

TEST(EngineOptionsTest, TheDeviceMustBeTheModels) {
  EngineOptions o = test_options();
  o.device = ops::Device::kCuda;
  try {
    Engine e(TinyModel::get().model(), o);
    FAIL() << "an engine on another device than its model's";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "engine options: device cuda differs from the model's (cpu)");
  }
  EXPECT_THROW(load_model(TinyModel::get().dir(), 2, ops::Device::kCuda), Error);
}

}  // namespace
}  // namespace infermark::engine

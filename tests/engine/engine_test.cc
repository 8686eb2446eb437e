// The engine end to end on a tiny generated model: greedy output of a request is the same alone,
// in a batch of 16 mixed-length requests, with block sizes 1 / 16 / one block per sequence, and
// after preemption and recompute under a tiny KV budget; cancellation frees every block; stop
// ids, min/max new tokens and sampling seeds behave as documented.
#include "engine/engine.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "engine_test_util.h"

namespace infermark::engine {
namespace {

using testing::Collector;
using testing::random_prompt;
using testing::test_options;
using testing::TinyModel;

struct Job {
  std::vector<TokenId> prompt;
  GenerationParams params;
};

// 16 requests: prompts of 1..61 tokens, 5..35 new tokens, all greedy.
std::vector<Job> mixed_jobs() {
  std::vector<Job> jobs;
  for (int i = 0; i < 16; ++i) {
    Job j;
    j.prompt = random_prompt(static_cast<size_t>(1 + (i * 37) % 61), 100 + i);
    j.params.max_new_tokens = 5 + (i * 7) % 31;
    jobs.push_back(j);
  }
  return jobs;
}

// Runs jobs together (or one at a time) and returns each one's tokens.
std::vector<std::vector<TokenId>> run(const std::vector<Job>& jobs, const EngineOptions& o,
                                      bool together, Stats* stats = nullptr) {
  Engine e(TinyModel::get().model(), o);
  Collector c;
  for (const Job& j : jobs) {
    c.submit(e, j.prompt, j.params);
    if (!together) e.wait_idle();
  }
  e.wait_idle();
  std::vector<std::vector<TokenId>> out;
  for (RequestId id : c.ids()) {
    const auto r = c.get(id);
    EXPECT_TRUE(r.finished);
    EXPECT_EQ(r.first_calls, 1);
    EXPECT_EQ(r.finish.reason, FinishReason::kLength) << r.finish.error;
    EXPECT_EQ(r.finish.generated_tokens, static_cast<int32_t>(r.tokens.size()));
    out.push_back(r.tokens);
  }
  if (stats) *stats = e.stats();
  EXPECT_EQ(e.stats().kv_blocks_free, e.stats().kv_blocks_total);
  return out;
}

class EngineGreedy : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { alone_ = new auto(run(mixed_jobs(), test_options(), false)); }
  static void TearDownTestSuite() { delete alone_; }
  static std::vector<std::vector<TokenId>>* alone_;
};
std::vector<std::vector<TokenId>>* EngineGreedy::alone_ = nullptr;

TEST_F(EngineGreedy, AloneGivesTheRequestedLengths) {
  const auto jobs = mixed_jobs();
  for (size_t i = 0; i < jobs.size(); ++i) {
    EXPECT_EQ((*alone_)[i].size(), static_cast<size_t>(jobs[i].params.max_new_tokens));
  }
}

TEST_F(EngineGreedy, SameInABatchOf16MixedRequestsWithChunkedPrefill) {
  EngineOptions o = test_options();
  o.max_batch_tokens = 48;  // several steps mix prefill chunks with decode tokens
  o.prefill_chunk = 16;
  Stats s;
  EXPECT_EQ(run(mixed_jobs(), o, true, &s), *alone_);
  EXPECT_LT(s.steps, 200);  // batched: far fewer steps than the 16 requests alone
}

TEST_F(EngineGreedy, SameWithBlockSizeOneAndOneBlockPerSequence) {
  for (int block : {1, 512}) {
    EngineOptions o = test_options();
    o.block_size = block;
    EXPECT_EQ(run(mixed_jobs(), o, true), *alone_) << "block size " << block;
  }
}

TEST_F(EngineGreedy, SameAfterPreemptionAndRecomputeWithATinyKvCache) {
  EngineOptions o = test_options();
  o.block_size = 4;
  // 30 blocks of 4 tokens: room for about two of the longer sequences at once.
  o.kv_cache_bytes =
      30 * KvCache::block_bytes(TinyModel::get().model()->config(), ops::DType::kBF16, 4);
  Stats s;
  EXPECT_EQ(run(mixed_jobs(), o, true, &s), *alone_);
  EXPECT_GT(s.preemptions, 0);
}

TEST_F(EngineGreedy, ServerAndOfflinePresetsGiveTheSameTokens) {
  for (EngineOptions o : {EngineOptions::server(), EngineOptions::offline()}) {
    o.threads = 2, o.kv_cache_bytes = 4 << 20, o.max_context = 512;
    EXPECT_EQ(run(mixed_jobs(), o, true), *alone_);
  }
}

TEST(EngineCancel, CancellingRunningAndWaitingRequestsFreesEveryBlock) {
  EngineOptions o = test_options();
  o.max_seqs = 2;  // the third request waits
  Engine e(TinyModel::get().model(), o);
  Collector c;
  GenerationParams long_run;
  long_run.max_new_tokens = 100000;
  long_run.min_new_tokens = 100000 - 1;  // never stops by itself before the context is full
  std::vector<RequestId> ids;
  for (int i = 0; i < 3; ++i) ids.push_back(c.submit(e, random_prompt(40, i), long_run));
  while (c.get(ids[1]).tokens.size() < 3) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_LT(e.stats().kv_blocks_free, e.stats().kv_blocks_total);
  std::thread canceller([&] {
    for (RequestId id : ids) e.cancel(id);
  });
  canceller.join();
  e.wait_idle();
  for (RequestId id : ids) {
    const auto r = c.get(id);
    EXPECT_EQ(r.finish.reason, FinishReason::kCancelled);
    EXPECT_EQ(r.finish.generated_tokens, static_cast<int32_t>(r.tokens.size()));
  }
  EXPECT_TRUE(c.get(ids[2]).tokens.empty());
  EXPECT_EQ(e.stats().kv_blocks_free, e.stats().kv_blocks_total);
  EXPECT_EQ(e.stats().cancelled, 3);
  e.cancel(ids[0]);  // already finished: ignored
  e.cancel(12345);   // unknown: ignored
  // The engine keeps serving.
  GenerationParams p;
  p.max_new_tokens = 3;
  const RequestId after = c.submit(e, random_prompt(5, 9), p);
  e.wait_idle();
  EXPECT_EQ(c.get(after).tokens.size(), 3u);
}

TEST(EngineCancel, DestroyingTheEngineCancelsOutstandingRequests) {
  Collector c;
  RequestId id;
  {
    Engine e(TinyModel::get().model(), test_options());
    GenerationParams p;
    p.max_new_tokens = 100000;
    id = c.submit(e, random_prompt(10, 1), p);
  }
  EXPECT_TRUE(c.get(id).finished);
  EXPECT_EQ(c.get(id).finish.reason, FinishReason::kCancelled);
}

}  // namespace
}  // namespace infermark::engine

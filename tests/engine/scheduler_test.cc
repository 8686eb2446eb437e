// The scheduler on its own (no model): chunked prefill under the token budget, decode first,
// FCFS admission bounded by max_seqs and free blocks, preemption of the latest admitted
// sequence when blocks run out, and removal.
#include "engine/scheduler.h"

#include <gtest/gtest.h>

#include <memory>

namespace infermark::engine {
namespace {

// The KV memory's backend (the default device, one thread).
ops::Backend& backend() {
  static const std::unique_ptr<ops::Backend> b = ops::create_backend({.threads = 1});
  return *b;
}

model::Config small_config() {
  model::Config c;
  c.num_layers = 1, c.num_kv_heads = 1, c.head_dim = 2, c.hidden_size = 2, c.num_heads = 1;
  c.vocab_size = 10, c.intermediate_size = 4;
  return c;
}

std::unique_ptr<Sequence> seq(RequestId id, int prompt) {
  auto s = std::make_unique<Sequence>();
  s->id = id;
  s->tokens.assign(static_cast<size_t>(prompt), 1);
  s->prompt_len = prompt;
  return s;
}

// Applies a planned step as the engine would: cache the chunks, append a token where sampled.
void apply(const std::vector<ScheduledChunk>& plan) {
  for (const ScheduledChunk& c : plan) {
    c.seq->n_cached += c.n_tokens;
    if (c.samples) c.seq->tokens.push_back(2);
  }
}

struct Planned {
  RequestId id;
  int32_t n;
  bool samples;
  bool operator==(const Planned&) const = default;
};
std::vector<Planned> ids(const std::vector<ScheduledChunk>& plan) {
  std::vector<Planned> v;
  for (const auto& c : plan) v.push_back({c.seq->id, c.n_tokens, c.samples});
  return v;
}
void PrintTo(const Planned& p, std::ostream* os) {
  *os << "{" << p.id << "," << p.n << "," << p.samples << "}";
}

TEST(Scheduler, ChunkedPrefillThenDecodeFirst) {
  KvCache kv(small_config(), ops::DType::kF32, 4, 100, backend());
  Scheduler s({/*max_seqs=*/4, /*max_batch_tokens=*/10, /*prefill_chunk=*/6, true}, kv);
  s.add(seq(1, 9));
  s.add(seq(2, 3));
  auto p = s.plan();
  // 1 gets a 6-token chunk, 2 its whole prompt (3 tokens) within the budget of 10... 4 left.
  EXPECT_EQ(ids(p), (std::vector<Planned>{{1, 6, false}, {2, 3, true}}));
  apply(p);
  p = s.plan();
  // Decode of 2 first, then the rest of 1's prompt.
  EXPECT_EQ(ids(p), (std::vector<Planned>{{2, 1, true}, {1, 3, true}}));
  apply(p);
  p = s.plan();
  EXPECT_EQ(ids(p), (std::vector<Planned>{{1, 1, true}, {2, 1, true}}));
}

TEST(Scheduler, AdmissionIsFcfsAndBoundedBySeqsAndBlocks) {
  KvCache kv(small_config(), ops::DType::kF32, 4, 5, backend());  // 20 token slots
  Scheduler s({2, 100, 100, true}, kv);
  s.add(seq(1, 8));  // 2 blocks
  s.add(seq(2, 4));  // 1 block
  s.add(seq(3, 1));  // waits: max_seqs = 2
  auto p = s.plan();
  EXPECT_EQ(ids(p), (std::vector<Planned>{{1, 8, true}, {2, 4, true}}));
  EXPECT_EQ(s.n_running(), 2);
  EXPECT_EQ(s.n_waiting(), 1);
  EXPECT_EQ(kv.n_free(), 2);
  apply(p);
  auto done = s.finish(p[1].seq);
  EXPECT_EQ(done->id, 2u);
  p = s.plan();  // 1 decodes (needs a 3rd block at position 8), 3 admitted
  EXPECT_EQ(ids(p), (std::vector<Planned>{{1, 1, true}, {3, 1, true}}));
  EXPECT_EQ(kv.n_free(), 1);
  // A big prompt does not overtake... and is not admitted without its blocks.
  s.add(seq(4, 12));
  apply(p);
  s.finish(p[1].seq);
  p = s.plan();
  EXPECT_EQ(ids(p), (std::vector<Planned>{{1, 1, true}}));
  EXPECT_EQ(s.n_waiting(), 1);
}

TEST(Scheduler, PreemptsTheLatestAdmittedWhenBlocksRunOut) {
  KvCache kv(small_config(), ops::DType::kF32, 2, 4, backend());  // 8 token slots
  Scheduler s({4, 100, 100, true}, kv);
  s.add(seq(1, 4));  // 2 blocks
  s.add(seq(2, 4));  // 2 blocks: cache full
  auto p = s.plan();
  ASSERT_EQ(p.size(), 2u);
  apply(p);
  // Both need a new block for position 4: 1 goes first and evicts 2 (admitted later).
  p = s.plan();
  EXPECT_EQ(ids(p), (std::vector<Planned>{{1, 1, true}}));
  EXPECT_EQ(s.last_preemptions(), 1);
  EXPECT_EQ(s.n_waiting(), 1);
  apply(p);
  // 2 waits for blocks; once 1 finishes it is readmitted and recomputes prompt + its token.
  s.finish(p[0].seq);
  p = s.plan();
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].seq->id, 2u);
  EXPECT_EQ(p[0].n_tokens, 5);
  EXPECT_TRUE(p[0].samples);
  EXPECT_EQ(p[0].seq->preemptions, 1);
}

TEST(Scheduler, ASequenceThatCannotGrowPreemptsItselfWhenLast) {
  KvCache kv(small_config(), ops::DType::kF32, 2, 3, backend());
  Scheduler s({4, 100, 100, true}, kv);
  s.add(seq(1, 2));
  s.add(seq(2, 4));
  auto p = s.plan();
  apply(p);
  // 1 needs a block (position 2) and 2 needs one (position 4); none free. 1 evicts 2 and takes
  // one of its blocks.
  p = s.plan();
  EXPECT_EQ(ids(p), (std::vector<Planned>{{1, 1, true}}));
  EXPECT_EQ(kv.n_free(), 1);
}

TEST(Scheduler, RemoveFreesBlocksOfRunningAndWaitingSequences) {
  KvCache kv(small_config(), ops::DType::kF32, 4, 10, backend());
  Scheduler s({1, 100, 100, true}, kv);
  s.add(seq(1, 8));
  s.add(seq(2, 8));
  s.plan();
  EXPECT_EQ(kv.n_free(), 8);
  EXPECT_EQ(s.remove(2)->id, 2u);
  EXPECT_EQ(s.remove(1)->id, 1u);
  EXPECT_EQ(s.remove(1), nullptr);
  EXPECT_EQ(kv.n_free(), 10);
  EXPECT_TRUE(s.idle());
}

}  // namespace
}  // namespace infermark::engine

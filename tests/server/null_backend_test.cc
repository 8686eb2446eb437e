// The null backend: the documented ids, every way a request ends, cancellation, max_seqs with a
// first-come first-served queue, the pace (a lower bound only: speed is not asserted here), and
// bad input failing that request alone.
#include "server/null_backend.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <map>
#include <mutex>

#include "util/error.h"

namespace infermark::server {
namespace {

using engine::FinishReason;
using engine::GenerationParams;

struct Outcome {
  std::vector<TokenId> ids;
  engine::Finish finish;
};

// Submits and collects; get() waits (bounded) for on_finish.
class Collector {
 public:
  engine::RequestId submit(NullBackend& b, std::vector<TokenId> prompt, GenerationParams p) {
    auto done = std::make_shared<std::promise<Outcome>>();
    auto out = std::make_shared<Outcome>();
    engine::RequestCallbacks cb;
    cb.on_tokens = [out](std::span<const TokenId> t, bool) {
      out->ids.insert(out->ids.end(), t.begin(), t.end());
    };
    cb.on_finish = [out, done](const engine::Finish& f) {
      out->finish = f;
      done->set_value(*out);
    };
    const engine::RequestId id = b.submit(std::move(prompt), std::move(p), std::move(cb));
    futures_[id] = done->get_future().share();
    return id;
  }
  Outcome get(engine::RequestId id) {
    auto& f = futures_.at(id);
    if (f.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
      ADD_FAILURE() << "request " << id << " did not finish";
      return {};
    }
    return f.get();
  }

 private:
  std::map<engine::RequestId, std::shared_future<Outcome>> futures_;
};

GenerationParams max_tokens(int n) {
  GenerationParams p;
  p.max_new_tokens = n;
  return p;
}

TEST(NullBackend, GivesTheDocumentedIdsAndEndsAtMaxTokens) {
  NullBackend b({});
  Collector c;
  const auto id = c.submit(b, {1, 2, 3}, max_tokens(5));
  const Outcome o = c.get(id);
  ASSERT_EQ(o.ids.size(), 5u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(o.ids[static_cast<size_t>(i)], 1000 + (3 + 7 * i) % 20000);
  EXPECT_EQ(null_token_id(3, 4, 128256), o.ids[4]);
  EXPECT_EQ(o.finish.reason, FinishReason::kLength);
  EXPECT_EQ(o.finish.prompt_tokens, 3);
  EXPECT_EQ(o.finish.generated_tokens, 5);
  EXPECT_EQ(b.info().kind, "null");
}

TEST(NullBackend, OutputLenEndsWithStopAndStopIdsEndEarlier) {
  NullBackendOptions opt;
  opt.output_len = 4;
  NullBackend b(opt);
  Collector c;
  const auto a = c.submit(b, {7}, max_tokens(10));
  GenerationParams p = max_tokens(10);
  p.stop_ids = {null_token_id(1, 1, 128256)};
  const auto s = c.submit(b, {7}, p);
  EXPECT_EQ(c.get(a).ids.size(), 4u);
  EXPECT_EQ(c.get(a).finish.reason, FinishReason::kStop);
  EXPECT_EQ(c.get(s).ids.size(), 2u);
  EXPECT_EQ(c.get(s).finish.reason, FinishReason::kStop);
}

TEST(NullBackend, CancelEndsAPacedRequestEarly) {
  NullBackendOptions opt;
  opt.tokens_per_s = 50;
  NullBackend b(opt);
  Collector c;
  const auto id = c.submit(b, {1}, max_tokens(1000));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  b.cancel(id);
  b.cancel(12345);  // unknown: ignored
  const Outcome o = c.get(id);
  EXPECT_EQ(o.finish.reason, FinishReason::kCancelled);
  EXPECT_LT(o.ids.size(), 1000u);
}

TEST(NullBackend, AtMostMaxSeqsRunTheRestWaitInOrder) {
  NullBackendOptions opt;
  opt.tokens_per_s = 100;
  opt.max_seqs = 2;
  NullBackend b(opt);
  Collector c;
  std::vector<engine::RequestId> ids;
  for (int i = 0; i < 4; ++i) ids.push_back(c.submit(b, {1}, max_tokens(5)));
  BackendLoad seen;
  for (int i = 0; i < 200 && seen.running < 2; ++i) {
    seen = b.load();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(seen.running, 2);
  EXPECT_EQ(seen.waiting, 2);
  std::vector<double> queued;
  for (auto id : ids) queued.push_back(c.get(id).finish.queue_seconds);
  EXPECT_LT(queued[1], queued[2]);  // the third waited for a slot
  EXPECT_EQ(b.load().running, 0);
  EXPECT_EQ(b.load().waiting, 0);
}

TEST(NullBackend, KeepsThePaceAsALowerBound) {
  NullBackendOptions opt;
  opt.tokens_per_s = 200;
  opt.ttft_ms = 20;
  NullBackend b(opt);
  Collector c;
  const auto id = c.submit(b, {1}, max_tokens(10));
  const Outcome o = c.get(id);
  EXPECT_GE(o.finish.first_token_seconds, 0.019);
  EXPECT_GE(o.finish.total_seconds, 0.019 + 9 * 0.005 - 0.001);
}

TEST(NullBackend, BadInputFailsThatRequestAlone) {
  NullBackendOptions opt;
  opt.vocab_size = 100;
  opt.max_context = 8;
  NullBackend b(opt);
  Collector c;
  const auto empty = c.submit(b, {}, max_tokens(2));
  const auto outside = c.submit(b, {5, 100}, max_tokens(2));
  const auto longer = c.submit(b, std::vector<TokenId>(9, 1), max_tokens(2));
  const auto good = c.submit(b, {5}, max_tokens(2));
  EXPECT_EQ(c.get(empty).finish.reason, FinishReason::kError);
  EXPECT_NE(c.get(outside).finish.error.find("prompt token 1 is 100"), std::string::npos);
  EXPECT_EQ(c.get(longer).finish.reason, FinishReason::kError);
  EXPECT_EQ(c.get(good).finish.reason, FinishReason::kLength);
  for (TokenId id : c.get(good).ids) EXPECT_LT(id, 100);
}

TEST(NullBackend, RejectsBadOptions) {
  NullBackendOptions o;
  o.tokens_per_s = -1;
  EXPECT_THROW(NullBackend{o}, Error);
  o = {};
  o.max_seqs = 0;
  EXPECT_THROW(NullBackend{o}, Error);
}

TEST(NullBackend, DestroyingItCancelsWhatIsLeft) {
  Collector c;
  engine::RequestId id;
  {
    NullBackendOptions opt;
    opt.tokens_per_s = 1;
    NullBackend b(opt);
    id = c.submit(b, {1}, max_tokens(100));
  }
  EXPECT_EQ(c.get(id).finish.reason, FinishReason::kCancelled);
}

}  // namespace
}  // namespace infermark::server

// A generation backend without a model (`serve --null`): every request is answered with
// deterministic token ids at a set pace, so that clients, the harness and the server itself can
// be measured without an engine.
//
// Output id i (from 0) of a request whose prompt has P tokens is 1000 + (P + 7 i) mod 20000
// (then mod vocab_size). The first id comes ttft_ms after the request starts, each next one
// 1 / tokens_per_s seconds after the previous (0: no pause; each id is still its own on_tokens
// call, as engine steps deliver them). A request ends after output_len ids ("stop"; 0 = no such
// end), at max_new_tokens or the context ("length"), or at one of its stop_ids ("stop"). At most
// max_seqs requests generate at once; the rest wait first-come first-served.
//
// One worker thread runs every callback. Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <queue>
#include <thread>
#include <unordered_map>
#include <vector>

#include "server/backend.h"

namespace infermark::server {

struct NullBackendOptions {
  double tokens_per_s = 0;  // per request; 0 = no pause between ids
  double ttft_ms = 0;       // start -> first id
  int output_len = 0;       // ids per request; 0 = max_new_tokens
  int max_seqs = 256;       // requests generating at once
  int32_t vocab_size = 128256;
  int64_t max_context = 131072;
};

// The id the null backend gives at output position `i` for a prompt of `prompt_len` tokens.
TokenId null_token_id(size_t prompt_len, int64_t i, int32_t vocab_size);

class NullBackend final : public GenerationBackend {
 public:
  // Throws Error naming the option when a value is out of range.
  explicit NullBackend(const NullBackendOptions& options);
  ~NullBackend() override;

  const BackendInfo& info() const override { return info_; }
  engine::RequestId submit(std::vector<TokenId> prompt, engine::GenerationParams params,
                           engine::RequestCallbacks callbacks) override;
  void cancel(engine::RequestId id) override;
  BackendLoad load() const override;

 private:
  using Clock = std::chrono::steady_clock;
  struct Request {
    engine::RequestId id = 0;
    size_t prompt_len = 0;
    engine::GenerationParams params;
    engine::RequestCallbacks callbacks;
    std::string error;
    int64_t generated = 0;
    Clock::time_point submitted{}, started{}, first_token{}, due{};
  };
  struct Due {
    Clock::time_point at;
    engine::RequestId id;
    bool operator>(const Due& o) const { return at > o.at; }
  };

  void loop();
  void start_waiting(Clock::time_point now);
  void emit_due(Clock::time_point now);
  // Delivers the next id; the finish reason once the request has ended.
  std::optional<engine::FinishReason> emit_one(Request& r);
  void finish(std::unique_ptr<Request> r, engine::FinishReason reason);
  void publish();
  std::string validate(const std::vector<TokenId>& prompt, const engine::GenerationParams& p) const;

  const NullBackendOptions options_;
  BackendInfo info_;
  Clock::duration interval_{};
  Clock::duration ttft_{};

  // Worker thread only.
  std::deque<std::unique_ptr<Request>> waiting_;
  std::unordered_map<engine::RequestId, std::unique_ptr<Request>> active_;
  std::priority_queue<Due, std::vector<Due>, std::greater<>> due_;

  mutable std::mutex mu_;  // guards the inbox, cancels, stop_ and next_id_
  std::condition_variable wake_;
  std::vector<std::unique_ptr<Request>> inbox_;
  std::vector<engine::RequestId> cancels_;
  engine::RequestId next_id_ = 1;
  bool stop_ = false;

  std::atomic<int64_t> running_{0};
  std::atomic<int64_t> queued_{0};  // waiting, inbox included
  std::thread thread_;
};

}  // namespace infermark::server

// A well-behaved OpenAI-compatible server for the HTTP SUT's tests, on TestServer: /health,
// /v1/models, /version, /metrics and completions in the shapes of serving.md §2 — vLLM-like by
// default (`return_token_ids`), TRT-LLM-like (`owned_by: tensorrt_llm`: token_ids always, 400 for
// a field outside its schema), llama.cpp-like (native /completion, `tokens`, `"stop": true`), or
// plain OpenAI (text only). Answers are deterministic functions of the prompt (fake_answer), so a
// test can check the ids that came back, at a configurable pace and bundling.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "sut/http/support/test_server.h"

namespace infermark::test_support {

struct FakeServerOptions {
  std::string model = "fake-llama";
  std::string owned_by = "vllm";  // vllm | sglang | tensorrt_llm | llamacpp | infermark | openai
  int output_tokens = 24;         // answer length, capped by max_tokens
  int tokens_per_event = 1;       // bundling
  std::chrono::milliseconds ttft{0};
  std::chrono::milliseconds per_event{0};
  std::string address = "127.0.0.1";  // a loopback address
  uint16_t port = 0;                  // 0: the kernel picks one
};

inline constexpr int32_t kFakeEos = 128009;

// The answer to `prompt`: `n` ids taken from the prompt from position 5 on, ending in EOS when
// n < max_tokens.
std::vector<int32_t> fake_answer(std::span<const int32_t> prompt, int n, int max_tokens);

class FakeOpenAiServer {
 public:
  explicit FakeOpenAiServer(FakeServerOptions options = {});
  std::string url() const { return server_.url(); }
  uint16_t port() const { return server_.port(); }
  void kill() { server_.kill(); }
  // Kills the server (like kill -9) when its `n`-th completion request arrives, before answering.
  void kill_at(uint64_t n) { kill_at_ = n; }
  uint64_t completions() const { return completions_.load(); }
  // The most completion requests it was answering at once.
  uint64_t max_concurrent() const { return max_concurrent_.load(); }
  uint64_t connections() const { return server_.connections(); }
  bool killed() const { return server_.killed(); }
  // The body of the last completion request.
  util::Json last_request() const;

 private:
  void handle(const HttpRequest& request, Reply& reply);
  // `done` is called just before the answer's last piece is written.
  void complete(const HttpRequest& request, Reply& reply, const std::function<void()>& done);

  const FakeServerOptions options_;
  std::atomic<uint64_t> completions_{0}, tokens_{0};
  std::atomic<uint64_t> kill_at_{0};
  std::atomic<uint64_t> concurrent_{0}, max_concurrent_{0};
  mutable std::mutex mu_;
  util::Json last_request_;
  TestServer server_;  // last: stopped first
};

}  // namespace infermark::test_support

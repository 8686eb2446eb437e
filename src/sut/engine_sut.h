// The in-process system under test: every issued sample becomes one engine request on its
// prompt; the first generated token is reported as int32 data (outside Offline), and the whole
// generation is completed with its int32 token ids and n_tokens, as MLPerf's reference SUT does
// with vLLM. Engine callbacks run on the engine thread and go straight to the load generator's
// responder (thread-safe, cheap), so no extra thread or queue is involved.
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <unordered_set>

#include "engine/engine.h"
#include "loadgen/interfaces.h"
#include "sut/prompt_source.h"

namespace infermark::sut {

struct EngineSutOptions {
  engine::GenerationParams generation;  // MLPerf: greedy, max 128 new tokens, min 1
  bool report_first_token = true;       // false for Offline
  std::string name = "infermark-cpu";
};

class EngineSut final : public loadgen::SystemUnderTest {
 public:
  // `engine` and `prompts` must outlive the SUT and every issued request.
  EngineSut(engine::Engine& engine, const PromptSource& prompts, EngineSutOptions options);

  std::string name() const override { return options_.name; }
  void issue(std::span<const loadgen::QuerySample> samples, loadgen::Responder& r) override;
  // Cancels every request still in the engine; each completes its sample with the tokens it has.
  void cancel() override;

  // Requests the engine failed (bad input); each still completed its sample with 0 tokens.
  uint64_t failed_requests() const { return failed_.load(); }
  // The first failure's message, for the user.
  std::string first_error() const;

 private:
  engine::Engine& engine_;
  const PromptSource& prompts_;
  const EngineSutOptions options_;
  std::atomic<uint64_t> failed_{0};
  std::mutex outstanding_mu_;
  std::unordered_set<engine::RequestId> outstanding_;
  mutable std::mutex error_mu_;
  std::string first_error_;
};

}  // namespace infermark::sut

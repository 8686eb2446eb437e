#include "sut/engine_sut.h"

#include <memory>
#include <vector>

namespace infermark::sut {

EngineSut::EngineSut(engine::Engine& engine, const PromptSource& prompts,
                     EngineSutOptions options)
    : engine_(engine), prompts_(prompts), options_(std::move(options)) {}

void EngineSut::cancel() {
  std::vector<engine::RequestId> ids;
  {
    std::lock_guard lock(outstanding_mu_);
    ids.assign(outstanding_.begin(), outstanding_.end());
  }
  for (engine::RequestId id : ids) engine_.cancel(id);
}

std::string EngineSut::first_error() const {
  std::lock_guard lock(error_mu_);
  return first_error_;
}

void EngineSut::issue(std::span<const loadgen::QuerySample> samples, loadgen::Responder& r) {
  for (const loadgen::QuerySample& sample : samples) {
    const std::span<const int32_t> prompt = prompts_.prompt(sample.index);
    // Tokens generated so far; owned by the callbacks, touched only on the engine thread.
    auto tokens = std::make_shared<std::vector<int32_t>>();
    tokens->reserve(static_cast<size_t>(options_.generation.max_new_tokens) + 1);
    engine::RequestCallbacks callbacks;
    callbacks.on_tokens = [this, tokens, id = sample.id, &r](
                              std::span<const engine::TokenId> new_tokens, bool first) {
      tokens->insert(tokens->end(), new_tokens.begin(), new_tokens.end());
      if (first && options_.report_first_token) {
        const loadgen::SampleResponse response{
            id, std::as_bytes(std::span<const int32_t>(tokens->data(), 1)), 1};
        r.first_token({&response, 1});
      }
    };
    callbacks.on_finish = [this, tokens, id = sample.id, &r](const engine::Finish& finish) {
      {
        std::lock_guard lock(outstanding_mu_);
        outstanding_.erase(finish.id);
      }
      if (finish.reason == engine::FinishReason::kError) {
        if (failed_.fetch_add(1) == 0) {
          std::lock_guard lock(error_mu_);
          first_error_ = finish.error;
        }
      }
      const loadgen::SampleResponse response{
          id, std::as_bytes(std::span<const int32_t>(*tokens)),
          static_cast<int64_t>(tokens->size())};
      r.complete({&response, 1});
    };
    // Held across submit so that on_finish (possibly before submit returns) sees the id.
    std::lock_guard lock(outstanding_mu_);
    outstanding_.insert(engine_.submit(std::vector<engine::TokenId>(prompt.begin(), prompt.end()),
                                       options_.generation, std::move(callbacks)));
  }
}

}  // namespace infermark::sut

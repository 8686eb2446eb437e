// A Responder for driving a SUT without the load generator: records every first token,
// completion and note, and lets a test wait (bounded) for a number of completions.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "loadgen/interfaces.h"
#include "sut/prompt_source.h"

namespace infermark::test_support {

class RecordingResponder final : public loadgen::Responder {
 public:
  struct Completion {
    std::vector<int32_t> ids;
    int64_t n_tokens;
  };

  void first_token(std::span<const loadgen::SampleResponse> responses) override {
    std::lock_guard lock(mu_);
    for (const auto& r : responses) first_tokens[r.id].push_back(ids_of(r));
  }
  void complete(std::span<const loadgen::SampleResponse> responses) override {
    std::lock_guard lock(mu_);
    for (const auto& r : responses) completions[r.id].push_back({ids_of(r), r.n_tokens});
    total_completions += responses.size();
    cv_.notify_all();
  }
  void note(loadgen::SutNote kind, std::string_view text) override {
    std::lock_guard lock(mu_);
    notes.emplace_back(kind, std::string(text));
  }

  // Waits until `n` completions arrived or `limit` passed; true if they did.
  bool wait_for(size_t n, std::chrono::milliseconds limit = std::chrono::seconds(20)) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, limit, [&] { return total_completions >= n; });
  }
  // All notes joined by newlines (for substring checks).
  std::string notes_text() const {
    std::lock_guard lock(mu_);
    std::string out;
    for (const auto& [kind, text] : notes) out += text + "\n";
    return out;
  }
  bool has_note(loadgen::SutNote kind) const {
    std::lock_guard lock(mu_);
    for (const auto& n : notes) {
      if (n.first == kind) return true;
    }
    return false;
  }

  mutable std::mutex mu_;
  std::map<loadgen::ResponseId, std::vector<std::vector<int32_t>>> first_tokens;
  std::map<loadgen::ResponseId, std::vector<Completion>> completions;
  std::vector<std::pair<loadgen::SutNote, std::string>> notes;
  size_t total_completions = 0;

 private:
  static std::vector<int32_t> ids_of(const loadgen::SampleResponse& r) {
    std::vector<int32_t> ids(r.data.size() / sizeof(int32_t));
    if (!ids.empty()) std::memcpy(ids.data(), r.data.data(), ids.size() * sizeof(int32_t));
    return ids;
  }
  std::condition_variable cv_;
};

// Prompts by index, for driving a SUT without a dataset.
class VectorPrompts final : public sut::PromptSource {
 public:
  explicit VectorPrompts(std::vector<std::vector<int32_t>> prompts)
      : prompts_(std::move(prompts)) {}
  std::span<const int32_t> prompt(loadgen::SampleIndex i) const override { return prompts_[i]; }

 private:
  std::vector<std::vector<int32_t>> prompts_;
};

}  // namespace infermark::test_support

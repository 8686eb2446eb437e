// One generation request in flight: its choices submitted to the backend, the backend's
// callbacks gathered for the connection's strand, and what came back turned into chunks
// (choice_stream.h). The callbacks (backend thread) only append to a mutex-guarded inbox and, the
// first time since the last poll, call `wake` — which posts to the strand — so they stay cheap;
// they also give back the admission slot and record metrics when a choice finishes.
//
//   Generation g(backend, std::move(request), settings);
//   g.start();
//   while (!g.done()) { wait for wake; g.poll(chunks); write chunks; }
//
// Destroying a Generation cancels the choices that have not finished (a client that went away).
// All methods on the strand; the object is not thread-safe, its inbox is.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "server/admission.h"
#include "server/backend.h"
#include "server/choice_stream.h"
#include "server/generation_request.h"
#include "server/metrics.h"

namespace infermark::server {

// A request that failed after it was accepted (the engine failed it, or cancelled it on
// shutdown).
struct GenerationFailure {
  int status = 500;
  std::string code;
  std::string message;
};

struct GenerationSettings {
  GenerationBackend* backend = nullptr;
  const text::Tokenizer* tokenizer = nullptr;
  Metrics* metrics = nullptr;      // must outlive the backend's callbacks
  Admission* admission = nullptr;  // the request holds one slot per choice; given back here
  int stream_interval = 1;
  std::function<void()> wake;  // thread-safe, cheap; called from backend threads
};

class Generation {
 public:
  Generation(GenerationRequest request, GenerationSettings settings);
  ~Generation();
  Generation(const Generation&) = delete;
  Generation& operator=(const Generation&) = delete;

  // Submits every choice.
  void start();
  // Appends the chunks of everything the backend reported since the last poll; false if it
  // reported nothing. A wake after a poll always follows a report made after that poll, so
  // "poll, and wait only if it returned false" never misses one.
  bool poll(std::vector<Chunk>& out);
  // Every choice has ended, or the request failed.
  bool done() const;
  const std::optional<GenerationFailure>& failure() const { return failure_; }
  // Cancels every choice that has not ended (the backend frees its KV blocks before its next
  // step).
  void cancel();

  const GenerationRequest& request() const { return request_; }
  size_t n_choices() const { return choices_.size(); }
  const ChoiceStream& choice(size_t i) const { return choices_[i]; }
  int64_t prompt_tokens() const;
  int64_t completion_tokens() const;

  // The state shared with the backend's callbacks (defined in generation.cc).
  struct Inbox;

 private:
  void take_finish(size_t i, const engine::Finish& f, std::vector<Chunk>& out);

  GenerationRequest request_;
  GenerationSettings settings_;
  ChoiceSettings choice_settings_;
  std::vector<ChoiceStream> choices_;
  std::vector<engine::RequestId> ids_;
  std::vector<bool> backend_done_;  // on_finish seen
  std::vector<bool> cancel_sent_;
  std::shared_ptr<Inbox> inbox_;
  std::vector<std::vector<TokenId>> tokens_;  // poll's buffers, reused
  std::vector<std::optional<engine::Finish>> finishes_;
  std::optional<GenerationFailure> failure_;
};

}  // namespace infermark::server

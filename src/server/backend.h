// What the HTTP/API code generates with: the engine (engine_backend.h) or the null backend
// (null_backend.h), behind one interface so that the server does not know which it talks to.
//
// Requests and callbacks are the engine's own types (engine/request.h): a backend runs a
// request's callbacks on its own thread, on_tokens any number of times and on_finish exactly
// once (also after cancel, with FinishReason::kCancelled). Callbacks must be cheap. submit,
// cancel and load are thread-safe; info() is immutable after construction.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/request.h"

namespace infermark::server {

using engine::TokenId;

// Fixed facts of a backend, for validation and /v1/models.
struct BackendInfo {
  std::string kind;              // "engine" or "null"
  int32_t vocab_size = 0;        // token ids must be in [0, vocab_size)
  int64_t max_context = 0;       // prompt + generated tokens a request may reach
  int max_seqs = 0;              // requests generating at once
  std::vector<TokenId> eos_ids;  // the model's default stop ids
};

// The backend's load now (for /metrics).
struct BackendLoad {
  int64_t running = 0;  // generating (holding KV blocks)
  int64_t waiting = 0;  // queued
  double kv_usage = 0;  // KV blocks in use / total, 0..1
};

class GenerationBackend {
 public:
  virtual ~GenerationBackend() = default;
  virtual const BackendInfo& info() const = 0;
  // Queues a request; callbacks may run before this returns. Invalid input is reported through
  // on_finish with FinishReason::kError (the API layer validates first).
  virtual engine::RequestId submit(std::vector<TokenId> prompt, engine::GenerationParams params,
                                   engine::RequestCallbacks callbacks) = 0;
  // Stops a request (on_finish reports kCancelled unless it already finished); unknown ids are
  // ignored.
  virtual void cancel(engine::RequestId id) = 0;
  virtual BackendLoad load() const = 0;
};

}  // namespace infermark::server

// What the API handlers share: the server's options, metrics, admission, and — once the model is
// loaded — the backend and tokenizer. `ready` is set (release) after backend and tokenizer are,
// and handlers read them only after seeing it (acquire); they never change afterwards, so no
// lock is needed. Owned by the Server (server.h).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "server/admission.h"
#include "server/backend.h"
#include "server/http_server.h"
#include "server/metrics.h"
#include "text/tokenizer.h"

namespace infermark::server {

struct ServerOptions {
  HttpServerOptions http;
  std::string served_model_name = "infermark";
  std::string api_key;               // empty: no authentication
  std::optional<int64_t> max_queue;  // requests waiting beyond --max-seqs; nullopt: unbounded
  int stream_interval = 1;           // tokens per SSE chunk after the first (>= 1)
  std::chrono::milliseconds shutdown_grace{30'000};
  bool handle_signals = false;  // SIGTERM / SIGINT start the shutdown
};

struct ServerState {
  explicit ServerState(ServerOptions o)
      : options(std::move(o)), metrics(options.served_model_name) {}

  ServerOptions options;
  Metrics metrics;
  int64_t started_unix = 0;
  std::string id_prefix;  // random per process: response ids are unique across restarts
  std::atomic<uint64_t> next_id{1};

  std::atomic<bool> ready{false};
  std::unique_ptr<GenerationBackend> backend;
  std::optional<text::Tokenizer> tokenizer;
  std::optional<Admission> admission;

  const text::Tokenizer* tokenizer_or_null() const { return tokenizer ? &*tokenizer : nullptr; }
};

}  // namespace infermark::server

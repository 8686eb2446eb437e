// `infermark serve`: the OpenAI-compatible HTTP server over a generation backend (the engine, or
// the null backend). It listens before the model is loaded (/health answers 503 until
// set_backend), serves until shutdown is asked for (SIGTERM/SIGINT with handle_signals, or
// request_shutdown), then drains: the listener closes, idle connections close, requests in
// flight get up to shutdown_grace to finish, the rest are ended (streams with an error event).
// A second signal ends them at once.
//
//   Server s(options);
//   s.start();                                  // binds; s.address() is "host:port"
//   s.set_backend(std::move(backend), tokenizer);
//   s.wait();                                   // returns after the drain
//
// Thread-safe; the HTTP work runs on the I/O threads (HttpServerOptions::io_threads).
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "server/router.h"
#include "server/server_state.h"

namespace infermark::server {

class Server {
 public:
  explicit Server(ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts serving; throws Error naming the address when it cannot bind.
  void start();
  uint16_t port() const { return http_->port(); }
  std::string address() const { return http_->address(); }

  // Makes the generation routes live. Once, after start().
  void set_backend(std::unique_ptr<GenerationBackend> backend,
                   std::optional<text::Tokenizer> tokenizer);

  // From any thread (or a signal, with handle_signals): starts the shutdown.
  void request_shutdown();
  // Blocks until shutdown is asked for, then drains and stops. Returns true when every request
  // finished within the grace period.
  bool wait();

  ServerState& state() { return *state_; }

 private:
  std::unique_ptr<ServerState> state_;
  std::unique_ptr<ApiRouter> router_;
  std::unique_ptr<HttpServer> http_;
  std::optional<asio::signal_set> signals_;

  std::mutex mu_;
  std::condition_variable shutdown_cv_;
  bool shutdown_requested_ = false;
  bool stopped_ = false;
};

}  // namespace infermark::server

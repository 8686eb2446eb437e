// Test helper: an in-process `serve` (server/server.h) on 127.0.0.1 and a free port, with the
// backend and tokenizer a test gives it, shut down (drained) when the helper goes away.
#pragma once

#include <memory>
#include <optional>

#include "server/null_backend.h"
#include "server/server.h"

namespace infermark::server::testing {

// Port 0, one I/O thread, short limits so that limit tests run quickly.
inline ServerOptions test_server_options() {
  ServerOptions o;
  o.http.port = 0;
  o.http.limits.idle_timeout = std::chrono::seconds(10);
  o.http.limits.request_timeout = std::chrono::seconds(10);
  o.http.limits.write_timeout = std::chrono::seconds(10);
  o.shutdown_grace = std::chrono::seconds(10);
  o.served_model_name = "test-model";
  return o;
}

class TestServer {
 public:
  // Starts without a backend: /health is 503 until set_backend.
  explicit TestServer(ServerOptions options = test_server_options())
      : server_(std::make_unique<Server>(std::move(options))) {
    server_->start();
  }
  TestServer(ServerOptions options, std::unique_ptr<GenerationBackend> backend,
             std::optional<text::Tokenizer> tokenizer = std::nullopt)
      : TestServer(std::move(options)) {
    server_->set_backend(std::move(backend), std::move(tokenizer));
  }
  ~TestServer() { shutdown(); }

  uint16_t port() const { return server_->port(); }
  Server& server() { return *server_; }
  // Drains and stops; true if every request finished within the grace period.
  bool shutdown() {
    if (!server_) return true;
    server_->request_shutdown();
    const bool clean = server_->wait();
    server_.reset();
    return clean;
  }

 private:
  std::unique_ptr<Server> server_;
};

inline std::unique_ptr<NullBackend> null_backend(NullBackendOptions o = {}) {
  return std::make_unique<NullBackend>(o);
}

}  // namespace infermark::server::testing

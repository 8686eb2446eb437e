// The HTTP/1.1 server: a listening socket, N I/O threads running one io_context, and one
// Connection (http_connection.h) per client, each on its own strand — an event loop, no thread
// per connection, so thousands of open streams cost memory, not threads.
//
//   HttpServer s(options, handler);
//   s.start();                       // binds (port 0: a free one) and starts the I/O threads
//   ... s.port() ...
//   s.drain();                       // stop accepting; idle connections close
//   s.wait_closed(deadline);         // in-flight responses finish
//   s.stop_connections();            // the rest are told to end now
//   s.stop();                        // threads joined
//
// All public methods are thread-safe; the handler runs on the I/O threads.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "server/asio.h"
#include "server/http_connection.h"

namespace infermark::server {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8000;  // 0: any free port
  int io_threads = 1;
  HttpLimits limits;
};

class HttpServer {
 public:
  // `on_response` (may be empty) is called with the status of every response.
  HttpServer(HttpServerOptions options, HttpHandler& handler,
             std::function<void(unsigned)> on_response = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds host:port and starts the I/O threads. Throws Error naming the address on failure.
  void start();
  uint16_t port() const { return port_; }
  std::string address() const;  // "host:port"
  asio::io_context& io_context() { return io_; }

  // Stops accepting; idle connections close, busy ones after their current response.
  void drain();
  // Waits until every connection has closed or `deadline` passed; true if all closed.
  bool wait_closed(std::chrono::steady_clock::time_point deadline);
  // Tells every connection to end its response now.
  void stop_connections();
  // Closes every connection's socket.
  void abort_connections();
  // Stops the I/O threads (and with them every connection). Idempotent.
  void stop();
  size_t connections() const;

 private:
  asio::awaitable<void> accept_loop();
  template <typename F>
  void for_each_connection(F f);

  HttpServerOptions options_;
  // Connections unregister from their destructors, which may run while io_ is destroyed: the
  // registry and the context they use are declared before io_, so destroyed after it.
  ConnectionContext context_;
  mutable std::mutex mu_;
  std::condition_variable closed_;
  std::unordered_map<Connection*, std::weak_ptr<Connection>> connections_;

  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  asio::strand<asio::io_context::executor_type> accept_strand_;
  tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::vector<std::thread> threads_;
};

}  // namespace infermark::server

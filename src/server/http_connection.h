// One client connection of the HTTP/1.1 server (http_server.h): reads requests one after the
// other (keep-alive), hands each to the HttpHandler as an Exchange, and writes what the handler
// answers — a whole response, or a stream of chunks (SSE). It enforces the limits: header size
// (431), body size (413, declared or chunked), a deadline for the whole request (408), an idle
// keep-alive timeout, and a per-write timeout for clients that stop reading.
//
// Everything of a connection runs on its strand, as one coroutine. While the handler works, a
// read stays open on the socket: if the client goes away the Exchange says so at once (and
// wait() returns), so the handler can cancel its work. The same read then serves as the wait for
// the next request. Handlers may be woken from any thread through Exchange::waker().
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/asio.h"

namespace infermark::server {

using HttpRequest = http::request<http::string_body>;

struct HttpLimits {
  uint64_t max_body_bytes = 8 << 20;
  uint32_t max_header_bytes = 16 << 10;
  std::chrono::milliseconds idle_timeout{60'000};     // keep-alive connection without a request
  std::chrono::milliseconds request_timeout{30'000};  // first byte -> whole request read
  std::chrono::milliseconds write_timeout{60'000};    // one write to the client
};

struct HttpResponse {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra header fields
  bool close = false;                                        // close the connection afterwards
};

class Connection;

// One request and its response, on the connection's strand.
class Exchange {
 public:
  Exchange(Connection& connection, const HttpRequest& request);

  const HttpRequest& request() const { return request_; }

  // Sends a whole response. Once per exchange, and not after stream().
  asio::awaitable<void> respond(HttpResponse response);
  // Sends `data` as the next piece of a streamed 200 response (text/event-stream); the first
  // call sends the head with it, in one write. False when the client is gone.
  asio::awaitable<bool> stream(std::string_view data);
  // Ends a stream; `close` closes the connection afterwards.
  asio::awaitable<void> end_stream(bool close);

  // Suspends until waker() is called, the client goes away, or the server stops the
  // connection; spurious returns are possible, so callers loop on their own condition.
  asio::awaitable<void> wait();
  // Thread-safe and cheap: posts a wake-up to the connection's strand.
  std::function<void()> waker() const;

  bool client_gone() const;
  // The server's shutdown grace ran out: end the response now.
  bool stopping() const;
  // The server is shutting down: this is the connection's last response.
  bool draining() const;
  bool responded() const { return responded_; }
  bool streaming() const { return streaming_; }
  bool close_after() const { return close_after_; }

 private:
  Connection& connection_;
  const HttpRequest& request_;
  bool responded_ = false;
  bool streaming_ = false;
  bool close_after_ = false;
};

class HttpHandler {
 public:
  virtual ~HttpHandler() = default;
  // Answers one request; must respond (or stream and end) before returning.
  virtual asio::awaitable<void> handle(Exchange& exchange) = 0;
};

// What connections share: set up by the server, outlives them.
struct ConnectionContext {
  HttpLimits limits;
  HttpHandler* handler = nullptr;
  std::function<void(unsigned status)> on_response;  // counts responses; may be empty
  std::function<void(Connection*)> on_closed;        // unregisters; called from the destructor
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  // `socket` must use a strand as its executor.
  Connection(tcp::socket socket, const ConnectionContext& context);
  ~Connection();

  void start();
  // From any thread: no further requests (idle connections close now).
  void drain();
  // From any thread: the handler is told to end its response now.
  void stop();
  // From any thread: closes the socket (every pending operation fails).
  void abort();

 private:
  friend class Exchange;
  asio::awaitable<void> run();
  asio::awaitable<bool> await_request_start();
  asio::awaitable<std::optional<HttpRequest>> read_request();
  asio::awaitable<void> reject_request(error_code ec, bool got_bytes);
  asio::awaitable<bool> write(std::span<const asio::const_buffer> buffers);
  // Writes response_ (set just before): coroutines here take no by-value parameter of a class
  // type — GCC 12 has bit-copied such a parameter (a std::string pointing into the caller's
  // coroutine frame, then freed: found by a starved soak under ASan).
  asio::awaitable<void> write_response(unsigned version, bool keep_alive);
  asio::awaitable<void> linger_close();
  asio::awaitable<void> wait_until(std::chrono::steady_clock::time_point deadline);
  void start_read();
  void close();

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  HttpResponse response_;  // the whole response being written (write_response)
  asio::steady_timer wake_;
  // The request deadline: on expiry the pending read is cancelled (not the socket closed, as
  // Beast's own timeouts do), so that a 408 can still be written.
  asio::steady_timer request_deadline_;
  uint64_t request_serial_ = 0;  // which request the deadline belongs to
  bool request_timed_out_ = false;
  const ConnectionContext& context_;
  std::optional<http::request_parser<http::string_body>> parser_;
  bool reading_ = false;      // the watch / next-request read is pending
  bool client_gone_ = false;  // the read or a write failed
  bool draining_ = false;
  bool stopping_ = false;
  bool chunked_ = false;  // the current stream uses chunked transfer encoding
};

}  // namespace infermark::server

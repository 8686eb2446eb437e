#include "server/http_connection.h"

#include <array>
#include <cstdio>

#include "server/api_error.h"
#include "util/error.h"
#include "util/log.h"

namespace infermark::server {
namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kReadSize = 16 << 10;
constexpr size_t kLingerBytes = 1 << 20;
constexpr std::chrono::milliseconds kLingerTime{1000};

auto on_error(error_code& ec) { return asio::redirect_error(asio::use_awaitable, ec); }

bool is_disconnect(error_code ec) {
  return ec == http::error::end_of_stream || ec == http::error::partial_message ||
         ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::operation_aborted || ec == asio::error::broken_pipe;
}

}  // namespace

// ---- Exchange ----

Exchange::Exchange(Connection& connection, const HttpRequest& request)
    : connection_(connection), request_(request) {}

// Not a coroutine: the response is moved into the connection here, by ordinary C++ (see
// Connection::write_response).
asio::awaitable<void> Exchange::respond(HttpResponse response) {
  IM_CHECK(!responded_ && !streaming_);
  responded_ = true;
  close_after_ = response.close || !request_.keep_alive() || connection_.draining_;
  if (connection_.context_.on_response) connection_.context_.on_response(response.status);
  connection_.response_ = std::move(response);
  return connection_.write_response(request_.version(), !close_after_);
}

asio::awaitable<bool> Exchange::stream(std::string_view data) {
  IM_CHECK(!responded_);
  std::string head;
  if (!streaming_) {
    streaming_ = true;
    close_after_ = !request_.keep_alive() || connection_.draining_;
    connection_.chunked_ = request_.version() >= 11;
    if (connection_.context_.on_response) connection_.context_.on_response(200);
    head =
        "HTTP/1.1 200 OK\r\nServer: infermark\r\nContent-Type: text/event-stream\r\n"
        "Cache-Control: no-cache\r\n";
    head += close_after_ ? "Connection: close\r\n" : "Connection: keep-alive\r\n";
    if (connection_.chunked_) head += "Transfer-Encoding: chunked\r\n";
    head += "\r\n";
  }
  if (connection_.chunked_ && !data.empty()) {
    char size[20];
    const int n = std::snprintf(size, sizeof size, "%zx\r\n", data.size());
    head.append(size, static_cast<size_t>(n));
  }
  static constexpr char kCrlf[] = "\r\n";
  const bool framed = connection_.chunked_ && !data.empty();
  const std::array<asio::const_buffer, 3> buffers = {asio::buffer(head),
                                                     asio::buffer(data.data(), data.size()),
                                                     asio::buffer(kCrlf, framed ? 2 : 0)};
  const bool written = co_await connection_.write(buffers);
  co_return written;
}

asio::awaitable<void> Exchange::end_stream(bool close) {
  IM_CHECK(streaming_ && !responded_);
  responded_ = true;
  close_after_ = close_after_ || close || !connection_.chunked_;
  if (connection_.chunked_ && !connection_.client_gone_) {
    static constexpr std::string_view kLast = "0\r\n\r\n";
    const std::array<asio::const_buffer, 1> b = {asio::buffer(kLast.data(), kLast.size())};
    co_await connection_.write(b);
  }
}

asio::awaitable<void> Exchange::wait() {
  if (connection_.client_gone_ || connection_.stopping_) co_return;
  co_await connection_.wait_until(Clock::time_point::max());
}

std::function<void()> Exchange::waker() const {
  return [c = connection_.shared_from_this()] {
    asio::post(c->stream_.get_executor(), [c] { c->wake_.cancel(); });
  };
}

bool Exchange::client_gone() const { return connection_.client_gone_; }
bool Exchange::stopping() const { return connection_.stopping_; }
bool Exchange::draining() const { return connection_.draining_; }

// ---- Connection ----

Connection::Connection(tcp::socket socket, const ConnectionContext& context)
    : stream_(std::move(socket)),
      wake_(stream_.get_executor()),
      request_deadline_(stream_.get_executor()),
      context_(context) {}

Connection::~Connection() {
  if (context_.on_closed) context_.on_closed(this);
}

void Connection::start() {
  asio::co_spawn(
      stream_.get_executor(), [self = shared_from_this()] { return self->run(); },
      [](std::exception_ptr e) {
        if (!e) return;
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& x) {
          IM_LOG_ERROR("serve: connection failed: {}", x.what());
        }
      });
}

void Connection::drain() {
  asio::post(stream_.get_executor(), [self = shared_from_this()] {
    self->draining_ = true;
    self->wake_.cancel();
  });
}

void Connection::stop() {
  asio::post(stream_.get_executor(), [self = shared_from_this()] {
    self->draining_ = self->stopping_ = true;
    self->wake_.cancel();
  });
}

void Connection::abort() {
  asio::post(stream_.get_executor(), [self = shared_from_this()] {
    self->draining_ = self->stopping_ = self->client_gone_ = true;
    self->close();
  });
}

asio::awaitable<void> Connection::run() {
  for (;;) {
    // (co_await results go through named locals: GCC 12 has miscompiled co_await inside an
    // if-condition in one of our coroutines.)
    const bool more = co_await await_request_start();
    if (!more) break;
    std::optional<HttpRequest> request = co_await read_request();
    if (!request) break;
    // Watches for a disconnect, then waits for the next request (unless one is buffered).
    if (buffer_.size() == 0) start_read();
    Exchange exchange(*this, *request);
    co_await context_.handler->handle(exchange);
    IM_CHECK(exchange.responded());
    if (exchange.close_after() || draining_ || client_gone_) break;
  }
  close();
}

asio::awaitable<bool> Connection::await_request_start() {
  if (buffer_.size() > 0) co_return true;
  if (!reading_ && !client_gone_) start_read();
  const auto deadline = Clock::now() + context_.limits.idle_timeout;
  while (reading_) {
    if (draining_ || Clock::now() >= deadline) co_return false;
    co_await wait_until(deadline);
  }
  co_return buffer_.size() > 0;
}

void Connection::start_read() {
  reading_ = true;
  stream_.expires_never();
  stream_.async_read_some(buffer_.prepare(kReadSize),
                          [self = shared_from_this()](error_code ec, size_t n) {
                            self->reading_ = false;
                            if (ec) {
                              self->client_gone_ = true;
                            } else {
                              self->buffer_.commit(n);
                            }
                            self->wake_.cancel();
                          });
}

asio::awaitable<void> Connection::wait_until(Clock::time_point deadline) {
  error_code ec;
  wake_.expires_at(deadline);
  co_await wake_.async_wait(on_error(ec));
}

asio::awaitable<std::optional<HttpRequest>> Connection::read_request() {
  parser_.emplace();
  parser_->header_limit(context_.limits.max_header_bytes);
  parser_->body_limit(context_.limits.max_body_bytes);
  error_code ec;
  const uint64_t serial = ++request_serial_;
  request_timed_out_ = false;
  request_deadline_.expires_after(context_.limits.request_timeout);
  request_deadline_.async_wait([self = shared_from_this(), serial](error_code e) {
    if (e || serial != self->request_serial_) return;
    self->request_timed_out_ = true;
    self->stream_.socket().cancel(e);
  });
  co_await http::async_read_header(stream_, buffer_, *parser_, on_error(ec));
  if (!ec && beast::iequals(parser_->get()[http::field::expect], "100-continue")) {
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    co_await asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                               on_error(ec));
  }
  if (!ec && !parser_->is_done())
    co_await http::async_read(stream_, buffer_, *parser_, on_error(ec));
  ++request_serial_;  // a deadline that fires from now on is stale
  request_deadline_.cancel();
  if (request_timed_out_) ec = beast::error::timeout;
  if (ec) {
    co_await reject_request(ec, parser_->got_some());
    co_return std::nullopt;
  }
  co_return parser_->release();
}

asio::awaitable<void> Connection::reject_request(error_code ec, bool got_bytes) {
  if (is_disconnect(ec) || (ec == beast::error::timeout && !got_bytes)) co_return;
  HttpResponse r;
  r.close = true;
  if (ec == http::error::header_limit) {
    r.status = 431;
    r.body = error_body(431, "header_too_large",
                        fmt::format("the request header is larger than {} bytes",
                                    context_.limits.max_header_bytes));
  } else if (ec == http::error::body_limit) {
    r.status = 413;
    r.body = error_body(
        413, "request_too_large",
        fmt::format("the request body is larger than {} bytes", context_.limits.max_body_bytes));
  } else if (ec == beast::error::timeout) {
    r.status = 408;
    r.body = error_body(408, "request_timeout",
                        fmt::format("the request did not arrive whole within {} ms",
                                    context_.limits.request_timeout.count()));
  } else {
    r.status = 400;
    r.body = error_body(400, "bad_http", "malformed HTTP request: " + ec.message());
  }
  if (context_.on_response) context_.on_response(r.status);
  response_ = std::move(r);
  co_await write_response(11, /*keep_alive=*/false);
  co_await linger_close();
}

asio::awaitable<bool> Connection::write(std::span<const asio::const_buffer> buffers) {
  if (client_gone_) co_return false;
  error_code ec;
  stream_.expires_after(context_.limits.write_timeout);
  co_await asio::async_write(stream_, buffers, on_error(ec));
  if (ec) client_gone_ = true;
  co_return !ec;
}

asio::awaitable<void> Connection::write_response(unsigned version, bool keep_alive) {
  HttpResponse response = std::move(response_);
  if (client_gone_) co_return;
  http::response<http::string_body> res{static_cast<http::status>(response.status), version};
  res.set(http::field::server, "infermark");
  res.set(http::field::content_type, response.content_type);
  for (const auto& [name, value] : response.headers) res.set(name, value);
  res.keep_alive(keep_alive);
  res.body() = std::move(response.body);
  res.prepare_payload();
  error_code ec;
  stream_.expires_after(context_.limits.write_timeout);
  co_await http::async_write(stream_, res, on_error(ec));
  if (ec) client_gone_ = true;
}

// After an error response to a request that was not read whole: stop sending, then read and
// drop what the client still sends for a moment, so that closing with unread data (which makes
// the kernel send a reset) does not destroy the response before the client reads it.
asio::awaitable<void> Connection::linger_close() {
  error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  if (reading_) co_return;
  std::array<char, 8192> sink;
  size_t dropped = 0;
  stream_.expires_after(kLingerTime);
  while (!ec && dropped < kLingerBytes) {
    dropped += co_await stream_.async_read_some(asio::buffer(sink), on_error(ec));
  }
  stream_.expires_never();
}

void Connection::close() {
  error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
  stream_.socket().close(ec);
}

}  // namespace infermark::server

#include "server/http_server.h"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>

#include "server/api_error.h"
#include "util/error.h"
#include "util/log.h"

namespace infermark::server {

HttpServer::HttpServer(HttpServerOptions options, HttpHandler& handler,
                       std::function<void(unsigned)> on_response)
    : options_(std::move(options)),
      io_(std::max(1, options_.io_threads)),
      work_(io_.get_executor()),
      accept_strand_(asio::make_strand(io_)),
      acceptor_(accept_strand_) {
  context_.limits = options_.limits;
  context_.handler = &handler;
  context_.on_response = std::move(on_response);
  context_.on_closed = [this](Connection* c) {
    std::lock_guard lock(mu_);
    connections_.erase(c);
    if (connections_.empty()) closed_.notify_all();
  };
}

HttpServer::~HttpServer() {
  stop();
  if (spare_fd_ >= 0) ::close(spare_fd_);
}

void HttpServer::start() {
  error_code ec;
  const auto ip = asio::ip::make_address(options_.host, ec);
  if (ec) throw Error::format("serve: --host '{}' is not an IP address", options_.host);
  const tcp::endpoint endpoint(ip, options_.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw Error::format("serve: cannot listen on {}: {}", address(), ec.message());
  port_ = acceptor_.local_endpoint().port();
  spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  asio::co_spawn(accept_strand_, accept_loop(), asio::detached);
  const int n = std::max(1, options_.io_threads);
  for (int i = 0; i < n; ++i) threads_.emplace_back([this] { io_.run(); });
}

std::string HttpServer::address() const {
  const uint16_t port = port_ ? port_ : options_.port;
  if (options_.host.find(':') != std::string::npos)
    return fmt::format("[{}]:{}", options_.host, port);
  return fmt::format("{}:{}", options_.host, port);
}

asio::awaitable<void> HttpServer::accept_loop() {
  for (;;) {
    error_code ec;
    tcp::socket socket = co_await acceptor_.async_accept(
        asio::make_strand(io_), asio::redirect_error(asio::use_awaitable, ec));
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
    const bool out_of_fds = ec == asio::error::no_descriptors ||
                            ec == error_code(ENFILE, boost::system::system_category());
    if (out_of_fds) {
      if (!out_of_fds_) IM_LOG_WARN("serve: out of file descriptors; refusing connections (503)");
      out_of_fds_ = true;
      if (spare_fd_ >= 0) {
        // accept() fails with EMFILE before it looks at the queue: wait until a client is there,
        // or this loop spins a core for as long as the server sits at its limit.
        co_await acceptor_.async_wait(tcp::acceptor::wait_read,
                                      asio::redirect_error(asio::use_awaitable, ec));
        if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
        co_await refuse_one();
        continue;
      }
    }
    if (ec) {
      // No spare descriptor, or another failure: back off a little instead of spinning.
      IM_LOG_WARN("serve: accept failed: {}", ec.message());
      asio::steady_timer t(accept_strand_, std::chrono::milliseconds(50));
      co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    if (out_of_fds_) IM_LOG_INFO("serve: file descriptors available again; accepting");
    out_of_fds_ = false;
    if (spare_fd_ < 0) spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);  // lost in a refusal
    socket.set_option(tcp::no_delay(true), ec);
    auto c = std::make_shared<Connection>(std::move(socket), context_);
    {
      std::lock_guard lock(mu_);
      connections_.emplace(c.get(), c);
    }
    c->start();
  }
}

// Gives up the spare descriptor to take the waiting connection, answers it 503 and closes it
// (after reading what the client sends for a moment, as Connection::linger_close does, so that
// the answer is not lost to a reset), then takes the spare again. One at a time, on the accept
// strand; each takes at most kRefusalTime, so that clients that never close cannot hold up the
// queue behind them for long.
asio::awaitable<void> HttpServer::refuse_one() {
  static constexpr std::chrono::milliseconds kRefusalTime{200};
  ::close(spare_fd_);
  spare_fd_ = -1;
  error_code ec;
  tcp::socket socket(accept_strand_);
  acceptor_.non_blocking(true, ec);
  if (!ec) acceptor_.accept(socket, ec);  // would_block: the client gave up meanwhile
  if (!ec) {
    static const std::string kResponse = [] {
      const std::string body = error_body(503, "service_unavailable",
                                          "the server is out of file descriptors; retry later");
      return fmt::format(
          "HTTP/1.1 503 Service Unavailable\r\nServer: infermark\r\n"
          "Content-Type: application/json\r\nRetry-After: 1\r\nConnection: close\r\n"
          "Content-Length: {}\r\n\r\n{}",
          body.size(), body);
    }();
    if (context_.on_response) context_.on_response(503);
    beast::tcp_stream stream(std::move(socket));
    stream.expires_after(kRefusalTime);
    co_await asio::async_write(stream, asio::buffer(kResponse),
                               asio::redirect_error(asio::use_awaitable, ec));
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    std::array<char, 4096> sink;
    for (size_t dropped = 0; !ec && dropped < (64 << 10);) {
      dropped += co_await stream.async_read_some(asio::buffer(sink),
                                                 asio::redirect_error(asio::use_awaitable, ec));
    }
    stream.socket().close(ec);
  }
  spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
}

template <typename F>
void HttpServer::for_each_connection(F f) {
  std::vector<std::shared_ptr<Connection>> live;
  {
    std::lock_guard lock(mu_);
    for (auto& [ptr, weak] : connections_) {
      if (auto c = weak.lock()) live.push_back(std::move(c));
    }
  }
  for (auto& c : live) f(*c);
}

void HttpServer::drain() {
  asio::post(accept_strand_, [this] {
    error_code ec;
    acceptor_.close(ec);
  });
  for_each_connection([](Connection& c) { c.drain(); });
}

bool HttpServer::wait_closed(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mu_);
  return closed_.wait_until(lock, deadline, [this] { return connections_.empty(); });
}

void HttpServer::stop_connections() {
  for_each_connection([](Connection& c) { c.stop(); });
}

void HttpServer::abort_connections() {
  for_each_connection([](Connection& c) { c.abort(); });
}

void HttpServer::stop() {
  work_.reset();
  io_.stop();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

size_t HttpServer::connections() const {
  std::lock_guard lock(mu_);
  return connections_.size();
}

}  // namespace infermark::server

#include "server/http_server.h"

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

HttpServer::~HttpServer() { stop(); }

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
    if (ec) {
      // Out of file descriptors, say: back off a little instead of spinning.
      IM_LOG_WARN("serve: accept failed: {}", ec.message());
      asio::steady_timer t(accept_strand_, std::chrono::milliseconds(50));
      co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    auto c = std::make_shared<Connection>(std::move(socket), context_);
    {
      std::lock_guard lock(mu_);
      connections_.emplace(c.get(), c);
    }
    c->start();
  }
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

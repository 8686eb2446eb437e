#include "sut/http/support/test_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <stdexcept>

namespace infermark::test_support {
namespace bhttp = boost::beast::http;

bool Reply::write(std::string_view bytes) {
  while (!bytes.empty() && !closed_) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) {
      closed_ = true;
      return false;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return !closed_;
}

bool Reply::sleep(std::chrono::milliseconds d) {
  std::unique_lock lock(mu_);
  return !cv_.wait_for(lock, d, [&] { return killed_.load(); });
}

void Reply::reset() {
  const linger l{1, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  closed_ = true;  // the server closes the socket when the handler returns: an RST
}

void Reply::close() {
  ::shutdown(fd_, SHUT_WR);
  closed_ = true;
}

void Reply::send(int status, std::string_view content_type, std::string_view body,
                 std::string_view extra_headers) {
  write(fmt::format("HTTP/1.1 {} X\r\nContent-Type: {}\r\nContent-Length: {}\r\n{}\r\n", status,
                    content_type, body.size(), extra_headers));
  write(body);
}

void Reply::send_json(int status, const infermark::util::Json& body) {
  send(status, "application/json", body.dump());
}

void Reply::start_stream() {
  write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n");
}

bool Reply::chunk(std::string_view bytes) {
  return write(fmt::format("{:x}\r\n{}\r\n", bytes.size(), bytes));
}

bool Reply::event(std::string_view data) { return chunk(fmt::format("data: {}\n\n", data)); }

void Reply::end_stream() { write("0\r\n\r\n"); }

TestServer::TestServer(Handler handler, std::string address, uint16_t port)
    : handler_(std::move(handler)), address_(std::move(address)) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) throw std::runtime_error("socket() failed");
  const int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  if (::inet_pton(AF_INET, address_.c_str(), &addr.sin_addr) != 1 ||
      ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 512) != 0) {
    ::close(listen_fd_);
    throw std::runtime_error(fmt::format("bind/listen on {}:{} failed", address_, port));
  }
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

TestServer::~TestServer() {
  kill();
  if (acceptor_.joinable()) acceptor_.join();
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mu_);
    threads.swap(threads_);
  }
  for (auto& t : threads) t.join();
  ::close(listen_fd_);
}

void TestServer::kill() {
  std::lock_guard lock(mu_);
  if (killed_.exchange(true)) return;
  ::shutdown(listen_fd_, SHUT_RDWR);
  for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
  cv_.notify_all();
}

void TestServer::accept_loop() {
  while (!killed_.load()) {
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (killed_.load()) return;
      continue;
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    std::lock_guard lock(mu_);
    if (killed_.load()) {
      ::close(fd);
      return;
    }
    ++connections_;
    open_fds_.push_back(fd);
    threads_.emplace_back([this, fd] { serve(fd); });
  }
}

void TestServer::serve(int fd) {
  std::string pending;
  char buf[16384];
  bool open = true;
  while (open && !killed_.load()) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.eager(true);
    parser.body_limit(64 << 20);
    while (open && !parser.is_done()) {
      boost::system::error_code ec;
      size_t used = 0;
      if (!pending.empty()) used = parser.put(boost::asio::buffer(pending), ec);
      if (ec && ec != bhttp::error::need_more) {
        open = false;
        break;
      }
      pending.erase(0, used);
      if (parser.is_done() || (used > 0 && !pending.empty())) continue;
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0)
        open = false;
      else
        pending.append(buf, static_cast<size_t>(n));
    }
    if (!open) break;
    HttpRequest request;
    const auto& m = parser.get();
    request.method = std::string(m.method_string());
    request.target = std::string(m.target());
    request.body = m.body();
    request.json = infermark::util::Json::parse(request.body, nullptr, false);
    if (request.json.is_discarded()) request.json = nullptr;
    Reply reply(fd, killed_, mu_, cv_);
    handler_(request, reply);
    if (reply.closed()) open = false;
  }
  std::lock_guard lock(mu_);
  std::erase(open_fds_, fd);
  ::close(fd);
}

}  // namespace infermark::test_support

#include "http_test_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <stdexcept>

namespace infermark::server::testing {
namespace {

using Clock = std::chrono::steady_clock;

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(std::string_view s) {
  const size_t a = s.find_first_not_of(" \t");
  if (a == std::string_view::npos) return {};
  const size_t b = s.find_last_not_of(" \t");
  return std::string(s.substr(a, b - a + 1));
}

}  // namespace

TestConnection::TestConnection(uint16_t port, std::chrono::milliseconds timeout, int receive_buffer)
    : timeout_(timeout) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  if (receive_buffer > 0) {
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
  }
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    const std::string e = std::strerror(errno);
    ::close(fd_);
    fd_ = -1;
    throw std::runtime_error("connect to port " + std::to_string(port) + ": " + e);
  }
  const int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

TestConnection::~TestConnection() { close(); }

void TestConnection::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool TestConnection::send(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool TestConnection::fill(Clock::time_point deadline) {
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) throw std::runtime_error("test client: timed out waiting for the server");
    pollfd p{fd_, POLLIN, 0};
    const int r = ::poll(&p, 1, static_cast<int>(left));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) continue;
    char buf[65536];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    buffer_.append(buf, static_cast<size_t>(n));
    return true;
  }
}

std::string TestConnection::read_until(std::string_view needle) {
  const auto deadline = Clock::now() + timeout_;
  while (buffer_.find(needle) == std::string::npos) {
    if (!fill(deadline)) throw std::runtime_error("test client: connection closed early");
  }
  return buffer_;
}

std::string TestConnection::read_until_close() {
  const auto deadline = Clock::now() + timeout_;
  while (fill(deadline)) {
  }
  std::string all;
  all.swap(buffer_);
  return all;
}

bool TestConnection::closed_within(std::chrono::milliseconds wait) {
  const auto deadline = Clock::now() + wait;
  try {
    while (fill(deadline)) buffer_.clear();
    return true;
  } catch (const std::runtime_error&) {
    return false;
  }
}

HttpReply TestConnection::read_reply() {
  const auto deadline = Clock::now() + timeout_;
  auto need = [&](auto done) {
    while (!done()) {
      if (!fill(deadline)) throw std::runtime_error("test client: connection closed mid-reply");
    }
  };
  HttpReply r;
  for (;;) {
    need([&] { return buffer_.find("\r\n\r\n") != std::string::npos; });
    const size_t end = buffer_.find("\r\n\r\n");
    const std::string head = buffer_.substr(0, end);
    buffer_.erase(0, end + 4);
    r = HttpReply{};
    if (head.size() < 12 || head.compare(0, 5, "HTTP/") != 0) {
      throw std::runtime_error("test client: bad status line: " + head.substr(0, 40));
    }
    r.status = std::stoi(head.substr(9, 3));
    size_t pos = head.find("\r\n");
    while (pos != std::string::npos) {
      const size_t next = head.find("\r\n", pos + 2);
      const std::string line =
          head.substr(pos + 2, next == std::string::npos ? std::string::npos : next - pos - 2);
      const size_t colon = line.find(':');
      if (colon != std::string::npos) {
        r.headers[lower(line.substr(0, colon))] = trim(std::string_view(line).substr(colon + 1));
      }
      pos = next;
    }
    if (r.status != 100) break;
  }
  if (lower(r.headers["transfer-encoding"]) == "chunked") {
    r.chunked = true;
    size_t at = 0;
    for (;;) {
      need([&] { return buffer_.find("\r\n", at) != std::string::npos; });
      const size_t eol = buffer_.find("\r\n", at);
      const size_t size = std::stoul(buffer_.substr(at, eol - at), nullptr, 16);
      need([&] { return buffer_.size() >= eol + 2 + size + 2; });
      r.body.append(buffer_, eol + 2, size);
      at = eol + 2 + size + 2;
      if (size == 0) break;
    }
    r.raw_body = buffer_.substr(0, at);
    buffer_.erase(0, at);
  } else if (r.headers.count("content-length")) {
    const size_t n = std::stoul(r.headers["content-length"]);
    need([&] { return buffer_.size() >= n; });
    r.body = buffer_.substr(0, n);
    buffer_.erase(0, n);
    r.raw_body = r.body;
  } else {
    while (fill(deadline)) {
    }
    r.body.swap(buffer_);
    r.raw_body = r.body;
  }
  return r;
}

std::string post_text(std::string_view path, std::string_view body,
                      const std::vector<std::string>& extra_headers) {
  std::string s = "POST " + std::string(path) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  s += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  for (const auto& h : extra_headers) s += h + "\r\n";
  s += "\r\n";
  s += body;
  return s;
}

HttpReply post(uint16_t port, std::string_view path, std::string_view body,
               const std::vector<std::string>& extra_headers) {
  TestConnection c(port);
  c.send(post_text(path, body, extra_headers));
  return c.read_reply();
}

HttpReply get(uint16_t port, std::string_view path, const std::vector<std::string>& extra_headers) {
  TestConnection c(port);
  std::string s = "GET " + std::string(path) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (const auto& h : extra_headers) s += h + "\r\n";
  c.send(s + "\r\n");
  return c.read_reply();
}

std::vector<std::string> sse_data(std::string_view body) {
  std::vector<std::string> out;
  size_t at = 0;
  while (at < body.size()) {
    size_t end = body.find("\n\n", at);
    if (end == std::string_view::npos) end = body.size();
    std::string_view event = body.substr(at, end - at);
    if (event.substr(0, 5) == "data:") {
      event.remove_prefix(5);
      if (!event.empty() && event[0] == ' ') event.remove_prefix(1);
      out.emplace_back(event);
    }
    at = end + 2;
  }
  return out;
}

std::vector<util::Json> sse_json(std::string_view body) {
  std::vector<util::Json> out;
  for (const std::string& d : sse_data(body)) {
    if (d != "[DONE]") out.push_back(util::Json::parse(d));
  }
  return out;
}

double metric_value(std::string_view exposition, std::string_view series) {
  size_t at = 0;
  while (at < exposition.size()) {
    size_t end = exposition.find('\n', at);
    if (end == std::string_view::npos) end = exposition.size();
    const std::string_view line = exposition.substr(at, end - at);
    if (line.substr(0, series.size()) == series) {
      return std::stod(std::string(line.substr(line.rfind(' ') + 1)));
    }
    at = end + 1;
  }
  return std::nan("");
}

}  // namespace infermark::server::testing

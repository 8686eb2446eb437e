// A loopback HTTP/1.1 server for the HTTP SUT's tests, on 127.0.0.1 (or another loopback
// address, so that several servers can share one port as the pods behind a DNS name do) and a
// port the kernel picks (port 0) unless one is given. It
// parses requests with Beast and hands each to a handler that writes the answer as raw bytes, so
// a test can misbehave in every way a server can: split events at any byte, stall, reset,
// answer with an HTML page, end a stream early. One thread per connection (tests open few);
// keep-alive until the handler closes or the client leaves.
//
// kill() behaves like a killed server process: the listener stops (new connects are refused)
// and every open connection is shut down at once.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "util/json.h"

namespace infermark::test_support {

struct HttpRequest {
  std::string method, target, body;
  infermark::util::Json json;  // the body parsed, or null
};

// Writes one answer on the connection. Every write is sent at once (TCP_NODELAY).
class Reply {
 public:
  Reply(int fd, const std::atomic<bool>& killed, std::mutex& mu, std::condition_variable& cv)
      : fd_(fd), killed_(killed), mu_(mu), cv_(cv) {}

  bool write(std::string_view bytes);  // false once the connection is gone
  // Sleeps, waking early if the server is killed. False if it was.
  bool sleep(std::chrono::milliseconds d);
  void reset();  // sends RST (SO_LINGER 0) and closes
  void close();  // sends FIN and closes
  bool closed() const { return closed_; }

  // A whole answer with Content-Length (keep-alive).
  void send(int status, std::string_view content_type, std::string_view body,
            std::string_view extra_headers = "");
  void send_json(int status, const infermark::util::Json& body);
  // A chunked text/event-stream answer: the header, then chunks, then the terminator.
  void start_stream();
  bool chunk(std::string_view bytes);  // one HTTP chunk holding `bytes`
  bool event(std::string_view data);   // a chunk holding "data: <data>\n\n"
  void end_stream();

 private:
  int fd_;
  const std::atomic<bool>& killed_;
  std::mutex& mu_;
  std::condition_variable& cv_;
  bool closed_ = false;
};

using Handler = std::function<void(const HttpRequest&, Reply&)>;

class TestServer {
 public:
  // Throws std::runtime_error when the address and port cannot be bound.
  explicit TestServer(Handler handler, std::string address = "127.0.0.1", uint16_t port = 0);
  ~TestServer();
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  uint16_t port() const { return port_; }
  const std::string& address() const { return address_; }
  std::string url() const { return "http://" + address_ + ":" + std::to_string(port_); }
  void kill();
  bool killed() const { return killed_.load(); }
  uint64_t connections() const { return connections_.load(); }

 private:
  void accept_loop();
  void serve(int fd);

  Handler handler_;
  const std::string address_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> killed_{false};
  std::atomic<uint64_t> connections_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<int> open_fds_;
  std::vector<std::thread> threads_;
  std::thread acceptor_;
};

}  // namespace infermark::test_support

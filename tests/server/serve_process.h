// Test helper: `infermark serve ...` as a child process ($INFERMARK_BIN), for tests of the
// command itself (signals, exit codes, the printed address) and for peers that need a real
// server. Waits (bounded) for its "listening on HOST:PORT" and "ready" lines; the child is
// killed if the helper goes away while it still runs.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace infermark::server::testing {

class ServeProcess {
 public:
  // Runs `infermark serve <args>`; `env` entries ("NAME=value") are added to the environment.
  // Throws std::runtime_error if it exits or does not say "ready" within `timeout`.
  explicit ServeProcess(const std::vector<std::string>& args,
                        const std::vector<std::string>& env = {},
                        std::chrono::milliseconds timeout = std::chrono::seconds(120));
  ~ServeProcess();
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  uint16_t port() const { return port_; }
  void signal(int sig);
  // The exit code once the child exits within `timeout`; -1 if it did not (or died by a signal).
  int wait_exit(std::chrono::milliseconds timeout);
  // stdout so far, and the stderr file's contents.
  const std::string& out() const { return out_; }
  std::string err() const;

 private:
  bool read_line(std::string& line, std::chrono::steady_clock::time_point deadline);

  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string out_;
  size_t consumed_ = 0;
  std::string err_path_;
  uint16_t port_ = 0;
};

}  // namespace infermark::server::testing

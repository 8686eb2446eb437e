#include "serve_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace infermark::server::testing {

using Clock = std::chrono::steady_clock;

ServeProcess::ServeProcess(const std::vector<std::string>& args,
                           const std::vector<std::string>& env, std::chrono::milliseconds timeout) {
  const char* bin = std::getenv("INFERMARK_BIN");
  if (!bin) throw std::runtime_error("INFERMARK_BIN is not set");
  char err_path[] = "/tmp/infermark_serve_stderr_XXXXXX";
  const int err_fd = ::mkstemp(err_path);
  if (err_fd < 0) throw std::runtime_error("mkstemp failed");
  err_path_ = err_path;
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) throw std::runtime_error("pipe failed");
  std::vector<std::string> argv_s = {bin, "serve"};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_s;
  for (char** e = environ; *e; ++e) env_s.emplace_back(*e);
  env_s.insert(env_s.end(), env.begin(), env.end());
  std::vector<char*> envp;
  for (auto& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    ::dup2(pipe_fds[1], 1);
    ::dup2(err_fd, 2);
    ::close(pipe_fds[0]);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(pipe_fds[1]);
  ::close(err_fd);
  out_fd_ = pipe_fds[0];
  const auto deadline = Clock::now() + timeout;
  std::string line;
  while (read_line(line, deadline)) {
    constexpr std::string_view kListening = "listening on ";
    if (line.rfind(kListening, 0) == 0)
      port_ = static_cast<uint16_t>(std::stoi(line.substr(line.rfind(':') + 1)));
    if (line == "ready" && port_ != 0) return;
  }
  const std::string e = err();
  ::kill(pid_, SIGKILL);
  wait_exit(std::chrono::seconds(5));
  throw std::runtime_error("infermark serve did not become ready: " + e);
}

ServeProcess::~ServeProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    wait_exit(std::chrono::seconds(10));
  }
  if (out_fd_ >= 0) ::close(out_fd_);
  std::remove(err_path_.c_str());
}

bool ServeProcess::read_line(std::string& line, Clock::time_point deadline) {
  for (;;) {
    const size_t eol = out_.find('\n', consumed_);
    if (eol != std::string::npos) {
      line = out_.substr(consumed_, eol - consumed_);
      consumed_ = eol + 1;
      return true;
    }
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{out_fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
    char buf[4096];
    const ssize_t n = ::read(out_fd_, buf, sizeof buf);
    if (n <= 0) return false;
    out_.append(buf, static_cast<size_t>(n));
  }
}

void ServeProcess::signal(int sig) {
  if (pid_ > 0) ::kill(pid_, sig);
}

int ServeProcess::wait_exit(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return -1;
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      pid_ = -1;
      char buf[4096];
      ssize_t n;
      while ((n = ::read(out_fd_, buf, sizeof buf)) > 0) out_.append(buf, static_cast<size_t>(n));
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    if (Clock::now() >= deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::string ServeProcess::err() const {
  std::ifstream in(err_path_, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace infermark::server::testing

// Watching an endpoints file (`--endpoints FILE`: one URL a line) during a run: every `interval`
// the file is read and parsed on the watcher's own thread, and the list handed to `on_list` —
// every time, not only when it changed, so the receiver can retry endpoints that were not ready
// yet. A file that cannot be read or parsed is reported to `on_error` once per distinct message,
// and the previous list stays in force.
#pragma once

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "sut/http/url.h"

namespace infermark::sut::http {

class EndpointsFileWatcher {
 public:
  using OnList = std::function<void(const std::vector<Url>&)>;
  using OnError = std::function<void(const std::string&)>;

  EndpointsFileWatcher(std::filesystem::path path, std::chrono::milliseconds interval,
                       OnList on_list, OnError on_error);
  ~EndpointsFileWatcher();  // stops and joins the thread
  EndpointsFileWatcher(const EndpointsFileWatcher&) = delete;
  EndpointsFileWatcher& operator=(const EndpointsFileWatcher&) = delete;

 private:
  void loop();
  void read_once();

  const std::filesystem::path path_;
  const std::chrono::milliseconds interval_;
  const OnList on_list_;
  const OnError on_error_;
  std::string last_error_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;  // last: started once everything else is set
};

}  // namespace infermark::sut::http

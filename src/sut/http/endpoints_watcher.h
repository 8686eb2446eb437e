// Watching a changing list of endpoints during a run — an endpoints file (`--endpoints FILE`) or
// the addresses of a DNS name (`--sut dns+http://…`, discovery.h): every `interval` the list is
// read on the watcher's own thread and handed to `on_list` — every time, not only when it
// changed, so the receiver can retry endpoints that were not ready yet. A read that throws Error
// (a file that cannot be read or parsed, a name that does not resolve) is reported to `on_error`
// once per distinct message, and the previous list stays in force.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "sut/http/url.h"

namespace infermark::sut::http {

class EndpointsWatcher {
 public:
  using ReadList = std::function<std::vector<Url>()>;  // throws Error when the list is unreadable
  using OnList = std::function<void(const std::vector<Url>&)>;
  using OnError = std::function<void(const std::string&)>;

  EndpointsWatcher(ReadList read, std::chrono::milliseconds interval, OnList on_list,
                   OnError on_error);
  ~EndpointsWatcher();  // stops and joins the thread
  EndpointsWatcher(const EndpointsWatcher&) = delete;
  EndpointsWatcher& operator=(const EndpointsWatcher&) = delete;

 private:
  void loop();
  void read_once();

  const ReadList read_;
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

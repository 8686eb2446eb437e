#include "sut/http/endpoints_file.h"

#include "util/atomic_file.h"
#include "util/error.h"

namespace infermark::sut::http {

EndpointsFileWatcher::EndpointsFileWatcher(std::filesystem::path path,
                                           std::chrono::milliseconds interval, OnList on_list,
                                           OnError on_error)
    : path_(std::move(path)),
      interval_(interval),
      on_list_(std::move(on_list)),
      on_error_(std::move(on_error)),
      thread_([this] { loop(); }) {}

EndpointsFileWatcher::~EndpointsFileWatcher() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void EndpointsFileWatcher::loop() {
  std::unique_lock lock(mu_);
  while (!cv_.wait_for(lock, interval_, [&] { return stop_; })) {
    lock.unlock();
    read_once();
    lock.lock();
  }
}

void EndpointsFileWatcher::read_once() {
  std::vector<Url> urls;
  try {
    urls = parse_endpoints_file(util::read_file(path_), path_.string());
  } catch (const Error& e) {
    if (e.what() != last_error_) on_error_(e.what());
    last_error_ = e.what();
    return;
  }
  last_error_.clear();
  on_list_(urls);
}

}  // namespace infermark::sut::http

#include "sut/http/endpoints_watcher.h"

#include "util/error.h"

namespace infermark::sut::http {

EndpointsWatcher::EndpointsWatcher(ReadList read, std::chrono::milliseconds interval,
                                   OnList on_list, OnError on_error)
    : read_(std::move(read)),
      interval_(interval),
      on_list_(std::move(on_list)),
      on_error_(std::move(on_error)),
      thread_([this] { loop(); }) {}

EndpointsWatcher::~EndpointsWatcher() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void EndpointsWatcher::loop() {
  std::unique_lock lock(mu_);
  while (!cv_.wait_for(lock, interval_, [&] { return stop_; })) {
    lock.unlock();
    read_once();
    lock.lock();
  }
}

void EndpointsWatcher::read_once() {
  std::vector<Url> urls;
  try {
    urls = read_();
  } catch (const Error& e) {
    if (e.what() != last_error_) on_error_(e.what());
    last_error_ = e.what();
    return;
  }
  last_error_.clear();
  on_list_(urls);
}

}  // namespace infermark::sut::http

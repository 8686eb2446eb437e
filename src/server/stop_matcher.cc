#include "server/stop_matcher.h"

#include <algorithm>

namespace infermark::server {

StopMatcher::StopMatcher(std::vector<std::string> stops) : stops_(std::move(stops)) {}

StopMatcher::Released StopMatcher::push(std::string_view text, bool check) {
  Released r;
  held_.append(text);
  if (stops_.empty() || !check) {
    r.text.swap(held_);
    return r;
  }
  size_t first = std::string::npos;
  for (size_t i = 0; i < stops_.size(); ++i) {
    const size_t at = held_.find(stops_[i]);
    if (at < first) {
      first = at;
      r.matched = i;
    }
  }
  if (r.matched) {
    r.text = held_.substr(0, first);
    held_.clear();
    return r;
  }
  // Hold the longest end of the text that is a proper prefix of some stop string.
  size_t keep = 0;
  for (const std::string& s : stops_) {
    for (size_t k = std::min(s.size() - 1, held_.size()); k > keep; --k) {
      if (std::string_view(held_).substr(held_.size() - k) == std::string_view(s).substr(0, k)) {
        keep = k;
        break;
      }
    }
  }
  r.text = held_.substr(0, held_.size() - keep);
  held_.erase(0, held_.size() - keep);
  return r;
}

std::string StopMatcher::finish() {
  std::string rest;
  rest.swap(held_);
  return rest;
}

}  // namespace infermark::server

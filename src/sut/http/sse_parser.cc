#include "sut/http/sse_parser.h"

namespace infermark::sut::http {

void SseParser::reset() {
  line_.clear();
  data_.clear();
  name_.clear();
  has_data_ = false;
  skip_lf_ = false;
  comments_ = 0;
}

SseParser::Event SseParser::event() const { return {name_, data_}; }

SseParser::LineResult SseParser::take_line(std::string_view line) {
  if (line.empty()) {  // the blank line that ends an event
    if (has_data_) return LineResult::kEvent;
    name_.clear();  // an event without data is dropped
    return LineResult::kNone;
  }
  if (line.front() == ':') {
    ++comments_;
    return LineResult::kNone;
  }
  const size_t colon = line.find(':');
  const std::string_view field = line.substr(0, colon);
  std::string_view value;
  if (colon != std::string_view::npos) {
    value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  }
  if (field == "data" || field == "error") {
    if (field == "error") name_ = "error";
    if (data_.size() + value.size() + 1 > kMaxEventBytes) return LineResult::kTooLarge;
    if (has_data_) data_.push_back('\n');
    // Room for the value and the padding that readers of the data may touch.
    if (data_.capacity() < data_.size() + value.size() + kPadding) {
      data_.reserve(2 * (data_.size() + value.size()) + kPadding);
    }
    data_.append(value);
    has_data_ = true;
  } else if (field == "event") {
    name_ = std::string(value);
  }
  return LineResult::kNone;
}

}  // namespace infermark::sut::http

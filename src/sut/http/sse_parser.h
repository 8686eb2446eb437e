// Incremental parser of a `text/event-stream` body (the WHATWG server-sent events format as LLM
// servers write it): bytes in, in pieces of any size, whole events out.
//
// Events end at a blank line; lines end in "\n", "\r\n" or "\r", and a "\r\n" split between two
// pieces is one line end. `data:` lines (with or without the space after the colon) are joined
// with "\n"; `event:` names the event; lines starting with ':' are comments (keep-alive pings)
// and are counted; `id:`, `retry:` and unknown fields are ignored, except `error:`, which
// llama.cpp's server writes for a failure inside a stream: it is delivered as an event named
// "error". An event with no data is dropped, as the format says.
//
// The data handed to the callback lives in the parser until the next feed() or reset(), with at
// least kPadding readable bytes after its end (simdjson reads ahead). One parser per stream; not
// thread-safe. Cost: one scan and one copy per byte.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace infermark::sut::http {

class SseParser {
 public:
  static constexpr size_t kPadding = 64;  // >= SIMDJSON_PADDING
  static constexpr size_t kMaxEventBytes = 1 << 20;

  struct Event {
    std::string_view name;  // "" for unnamed events (the usual case), "error", ...
    std::string_view data;  // followed by >= kPadding readable bytes
  };

  enum class Status { kOk, kStopped, kTooLarge };

  // Feeds the next piece of the body. Calls `on_event(const Event&)` for every event completed
  // in it, in order; the callback returns false to stop (the rest of `bytes` is then dropped and
  // kStopped returned). kTooLarge: an event exceeded kMaxEventBytes (the stream is broken).
  template <typename OnEvent>
  Status feed(std::string_view bytes, OnEvent&& on_event);

  // Bytes of an unfinished event are held (the stream ended mid-event if this is true at EOF).
  bool in_event() const { return !line_.empty() || has_data_ || !name_.empty(); }
  uint64_t comments() const { return comments_; }
  void reset();

 private:
  enum class LineResult { kNone, kEvent, kTooLarge };
  LineResult take_line(std::string_view line);
  Event event() const;

  std::string line_;  // an unfinished line from earlier pieces
  std::string data_;
  std::string name_;
  bool has_data_ = false;
  bool skip_lf_ = false;  // the last piece ended in '\r'
  uint64_t comments_ = 0;
};

template <typename OnEvent>
SseParser::Status SseParser::feed(std::string_view bytes, OnEvent&& on_event) {
  size_t pos = 0;
  if (skip_lf_ && !bytes.empty()) {
    skip_lf_ = false;
    if (bytes.front() == '\n') pos = 1;
  }
  while (pos < bytes.size()) {
    size_t end = pos;
    while (end < bytes.size() && bytes[end] != '\n' && bytes[end] != '\r') ++end;
    if (end == bytes.size()) {  // an unfinished line: keep it for the next piece
      if (line_.size() + (end - pos) > kMaxEventBytes) return Status::kTooLarge;
      line_.append(bytes.substr(pos, end - pos));
      return Status::kOk;
    }
    LineResult r;
    if (line_.empty()) {
      r = take_line(bytes.substr(pos, end - pos));
    } else {
      line_.append(bytes.substr(pos, end - pos));
      r = take_line(line_);
      line_.clear();
    }
    pos = end + 1;
    if (bytes[end] == '\r') {
      if (pos == bytes.size()) {
        skip_lf_ = true;
      } else if (bytes[pos] == '\n') {
        ++pos;
      }
    }
    if (r == LineResult::kTooLarge) return Status::kTooLarge;
    if (r == LineResult::kEvent) {
      const bool go_on = on_event(event());
      data_.clear();
      name_.clear();
      has_data_ = false;
      if (!go_on) return Status::kStopped;
    }
  }
  return Status::kOk;
}

}  // namespace infermark::sut::http

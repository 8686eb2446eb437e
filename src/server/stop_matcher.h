// Stop strings over streamed text: text goes in piece by piece, and what comes out is final —
// never part of a stop string. A possible start of a stop string at the end of the text is held
// back until the next piece decides it; a match ends the stream with the text before it.
//
// Text must arrive in whole UTF-8 characters (the streaming detokenizer's output), so released
// text splits only at character boundaries. One instance per choice; not thread-safe. Cost per
// push: O(total stop-string length × longest stop string).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace infermark::server {

class StopMatcher {
 public:
  explicit StopMatcher(std::vector<std::string> stops);

  struct Released {
    std::string text;               // final text, in order
    std::optional<size_t> matched;  // index of the stop string found; text ends before it
  };
  // Adds `text`; with check false (before min_tokens) nothing is matched and nothing held.
  Released push(std::string_view text, bool check = true);
  // The end of the stream: everything still held.
  std::string finish();

  bool empty() const { return stops_.empty(); }

 private:
  std::vector<std::string> stops_;
  std::string held_;
};

}  // namespace infermark::server

// Incremental decoding for streamed generation: token ids go in one or a few at a time and text
// comes out as soon as it is final. It never emits part of a UTF-8 character (bytes of an
// unfinished character are held back), and with clean-up on it holds back the few characters
// that could still become " n't"-style patterns. The concatenation of everything push() and
// finish() return is exactly Tokenizer::decode(all ids, options).
//
// One instance per request; not thread-safe. Holds a copy of the Tokenizer (cheap, shared).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>

#include "text/tokenizer.h"

namespace infermark::text {

class StreamingDetokenizer {
 public:
  explicit StreamingDetokenizer(Tokenizer tokenizer, const DecodeOptions& options = {});

  // Adds ids; returns the text that became final (possibly empty).
  std::string push(std::span<const int32_t> ids);
  std::string push(int32_t id) { return push(std::span<const int32_t>(&id, 1)); }

  // Ends the stream: returns everything held back (an unfinished character becomes U+FFFD) and
  // resets the detokenizer for a new stream.
  std::string finish();

 private:
  static constexpr size_t kStages = 10;  // one per clean_up_tokenization replacement
  // Runs `text` through clean-up stages `stage`.. and appends the final text to `out`.
  void run_stages(size_t stage, std::string text, bool final, std::string& out);

  Tokenizer tokenizer_;
  bool skip_special_;
  bool clean_up_;
  std::string pending_bytes_;              // an unfinished UTF-8 character
  std::array<std::string, kStages> held_;  // per stage: a possible start of its pattern
};

}  // namespace infermark::text

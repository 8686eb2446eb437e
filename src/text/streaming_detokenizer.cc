// Each clean-up replacement is a left-to-right, non-overlapping str.replace; as a streaming
// transducer it emits everything except the longest tail that is a proper prefix of its pattern.
// Chaining the ten transducers in order reproduces the ten sequential passes exactly.
#include "text/streaming_detokenizer.h"

#include <string_view>
#include <utility>

#include "text/utf8.h"

namespace infermark::text {
namespace {

constexpr std::pair<std::string_view, std::string_view> kStagePatterns[] = {
    {" .", "."},     {" ?", "?"},   {" !", "!"},   {" ,", ","},     {" ' ", "'"},
    {" n't", "n't"}, {" 'm", "'m"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"},
};

// Length of the longest suffix of `tail` that is a proper prefix of `pattern`.
size_t held_suffix(std::string_view tail, std::string_view pattern) {
  for (size_t n = std::min(tail.size(), pattern.size() - 1); n > 0; --n) {
    if (tail.substr(tail.size() - n) == pattern.substr(0, n)) return n;
  }
  return 0;
}

}  // namespace

StreamingDetokenizer::StreamingDetokenizer(Tokenizer tokenizer, const DecodeOptions& options)
    : tokenizer_(std::move(tokenizer)),
      skip_special_(options.skip_special_tokens),
      clean_up_(options.clean_up_spaces.value_or(tokenizer_.clean_up_spaces_default())) {}

std::string StreamingDetokenizer::push(std::span<const int32_t> ids) {
  for (int32_t id : ids) {
    if (skip_special_ && tokenizer_.is_special(id)) continue;
    pending_bytes_.append(tokenizer_.token_bytes(id));
  }
  const size_t keep = incomplete_utf8_suffix(pending_bytes_);
  std::string text;
  append_utf8_lossy(std::string_view(pending_bytes_).substr(0, pending_bytes_.size() - keep), text);
  pending_bytes_.erase(0, pending_bytes_.size() - keep);
  if (!clean_up_) return text;
  std::string out;
  run_stages(0, std::move(text), false, out);
  return out;
}

std::string StreamingDetokenizer::finish() {
  std::string text = utf8_lossy(pending_bytes_);
  pending_bytes_.clear();
  if (!clean_up_) return text;
  std::string out;
  run_stages(0, std::move(text), true, out);
  return out;
}

void StreamingDetokenizer::run_stages(size_t stage, std::string text, bool final,
                                      std::string& out) {
  if (stage == kStages) {
    out.append(text);
    return;
  }
  const auto [from, to] = kStagePatterns[stage];
  std::string buffer = std::move(held_[stage]);
  buffer.append(text);
  held_[stage].clear();
  std::string result;
  result.reserve(buffer.size());
  size_t done = 0;
  for (size_t pos = buffer.find(from); pos != std::string::npos; pos = buffer.find(from, done)) {
    result.append(buffer, done, pos - done);
    result.append(to);
    done = pos + from.size();
  }
  const std::string_view tail = std::string_view(buffer).substr(done);
  const size_t hold = final ? 0 : held_suffix(tail, from);
  result.append(tail.substr(0, tail.size() - hold));
  held_[stage] = std::string(tail.substr(tail.size() - hold));
  run_stages(stage + 1, std::move(result), final, out);
}

}  // namespace infermark::text

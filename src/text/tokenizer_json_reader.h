// Streaming reader for tokenizer.json: one SAX pass that hands back the vocab and the merges as
// flat lists and everything else as a small JSON tree. A DOM of the whole file would hold the
// 128k-entry vocab in a std::map and cost several times longer to build than the tokenizer itself.
//
// Pure function of its input; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/json.h"

namespace infermark::text {

struct TokenizerJsonParts {
  // The whole document except model.vocab and model.merges, which are left out.
  util::Json root;
  bool has_vocab = false;
  bool has_merges = false;
  // model.vocab entries in file order: byte-level spelling and id (validated >= 0, < 2^31).
  std::vector<std::pair<std::string, int32_t>> vocab;
  // model.merges in rank order, both formats ("a b" or ["a", "b"]) as (left, right); a legacy
  // "#version" first line is dropped.
  std::vector<std::pair<std::string, std::string>> merges;
};

// Parses `text`. Throws infermark::Error "<origin>: ..." naming the field for invalid JSON, a
// non-integer or out-of-range vocab id, or a malformed merge.
TokenizerJsonParts read_tokenizer_json(std::string_view text, std::string_view origin);

}  // namespace infermark::text

// Added tokens (tokenizer.json "added_tokens", e.g. <|eot_id|>): strings matched in the raw text
// before pre-tokenization, leftmost-longest, as tokenizers' AddedVocabulary does. Tokens with
// normalized=false are matched first; the text between them is then searched for the
// normalized=true ones (there is no normalizer in the files this loader accepts, so both passes
// see the raw text).
//
// Built once, then immutable: split() may run concurrently.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace infermark::text {

struct AddedToken {
  int32_t id = -1;
  std::string content;      // UTF-8, non-empty
  bool special = false;     // skipped by decode(skip_special_tokens)
  bool lstrip = false;      // the match absorbs white space to its left
  bool rstrip = false;      // ... and to its right
  bool normalized = false;  // matched in the second pass
};

// A stretch of text after splitting: plain text (id -1) or exactly one added token.
struct Segment {
  std::string_view text;
  int32_t id;
};

class AddedVocabulary {
 public:
  AddedVocabulary() = default;
  explicit AddedVocabulary(const std::vector<AddedToken>& tokens);

  // Appends the segments of `text` to `out`, in order, covering all of it. Plain segments are
  // never empty.
  void split(std::string_view text, std::vector<Segment>& out) const;
  bool empty() const { return first_pass_.empty() && second_pass_.empty(); }

 private:
  // A byte trie over the contents of one pass.
  class Matcher {
   public:
    void add(const AddedToken& token);
    bool empty() const { return nodes_.size() <= 1; }
    // Appends segments of `text`; `out` gets only non-empty plain segments.
    void split(std::string_view text, std::vector<Segment>& out) const;

   private:
    struct Node {
      std::vector<std::pair<uint8_t, int32_t>> children;  // byte -> node index
      int32_t token = -1;                                 // index into tokens_ if terminal
    };
    // Longest token that starts at text[pos]: its end, token index in `*token`, or 0.
    size_t longest_at(std::string_view text, size_t pos, int32_t* token) const;

    std::vector<Node> nodes_{Node{}};
    std::vector<AddedToken> tokens_;
    std::array<bool, 256> first_byte_{};
  };

  Matcher first_pass_;
  Matcher second_pass_;
};

}  // namespace infermark::text

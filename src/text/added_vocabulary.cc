// Matching scans for a byte that can start a token, then walks the trie from there; the first
// position with a match wins and the longest token there is taken (leftmost-longest).
#include "text/added_vocabulary.h"

#include <algorithm>

#include "text/unicode.h"
#include "text/utf8.h"

namespace infermark::text {
namespace {

// Start of the white space run that ends at `end`, not going below `floor`.
size_t white_space_start(std::string_view text, size_t floor, size_t end) {
  size_t pos = end;
  while (pos > floor) {
    size_t lead = pos - 1;
    while (lead > floor && (static_cast<uint8_t>(text[lead]) & 0xC0) == 0x80) --lead;
    const Utf8Char c = decode_utf8(text.data() + lead, pos - lead);
    if (c.status != Utf8Status::kOk || c.len != pos - lead || !is_white_space(c.cp)) break;
    pos = lead;
  }
  return pos;
}

// End of the white space run that starts at `pos`.
size_t white_space_end(std::string_view text, size_t pos) {
  while (pos < text.size()) {
    const Utf8Char c = next_utf8(text.data() + pos, text.data() + text.size());
    if (c.status != Utf8Status::kOk || !is_white_space(c.cp)) break;
    pos += c.len;
  }
  return pos;
}

}  // namespace

AddedVocabulary::AddedVocabulary(const std::vector<AddedToken>& tokens) {
  for (const AddedToken& t : tokens) (t.normalized ? second_pass_ : first_pass_).add(t);
}

void AddedVocabulary::split(std::string_view text, std::vector<Segment>& out) const {
  if (second_pass_.empty()) {
    first_pass_.split(text, out);
    return;
  }
  std::vector<Segment> first;
  first_pass_.split(text, first);
  for (const Segment& s : first) {
    if (s.id >= 0) {
      out.push_back(s);
    } else {
      second_pass_.split(s.text, out);
    }
  }
}

void AddedVocabulary::Matcher::add(const AddedToken& token) {
  int32_t node = 0;
  for (char ch : token.content) {
    const auto b = static_cast<uint8_t>(ch);
    auto& kids = nodes_[node].children;
    auto it = std::find_if(kids.begin(), kids.end(), [b](const auto& e) { return e.first == b; });
    if (it != kids.end()) {
      node = it->second;
    } else {
      const auto next = static_cast<int32_t>(nodes_.size());
      kids.emplace_back(b, next);
      nodes_.emplace_back();
      node = next;
    }
  }
  first_byte_[static_cast<uint8_t>(token.content[0])] = true;
  if (nodes_[node].token >= 0) {
    tokens_[nodes_[node].token] = token;  // a later duplicate content wins, as in a hash map
  } else {
    nodes_[node].token = static_cast<int32_t>(tokens_.size());
    tokens_.push_back(token);
  }
}

size_t AddedVocabulary::Matcher::longest_at(std::string_view text, size_t pos,
                                            int32_t* token) const {
  size_t best = 0;
  int32_t node = 0;
  for (size_t i = pos; i < text.size(); ++i) {
    const auto b = static_cast<uint8_t>(text[i]);
    const auto& kids = nodes_[node].children;
    auto it = std::find_if(kids.begin(), kids.end(), [b](const auto& e) { return e.first == b; });
    if (it == kids.end()) break;
    node = it->second;
    if (nodes_[node].token >= 0) {
      best = i + 1;
      *token = nodes_[node].token;
    }
  }
  return best;
}

void AddedVocabulary::Matcher::split(std::string_view text, std::vector<Segment>& out) const {
  size_t plain_start = 0;  // start of the pending plain text
  size_t pos = 0;
  while (pos < text.size()) {
    if (!first_byte_[static_cast<uint8_t>(text[pos])]) {
      ++pos;
      continue;
    }
    int32_t t = -1;
    const size_t end = longest_at(text, pos, &t);
    if (end == 0) {
      ++pos;
      continue;
    }
    const AddedToken& token = tokens_[t];
    const size_t start = token.lstrip ? white_space_start(text, plain_start, pos) : pos;
    const size_t stop = token.rstrip ? white_space_end(text, end) : end;
    if (start > plain_start) out.push_back({text.substr(plain_start, start - plain_start), -1});
    out.push_back({text.substr(start, stop - start), token.id});
    plain_start = pos = stop;
  }
  if (text.size() > plain_start) out.push_back({text.substr(plain_start), -1});
}

}  // namespace infermark::text

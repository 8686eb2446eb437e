// One left-to-right pass over code points. At each position the alternatives of the pattern are
// tried in their order; each is resolved with at most a few code points of look-ahead, which is
// what the regex's backtracking amounts to for this pattern.
#include "text/pre_tokenizer.h"

#include <cstdint>

#include "text/unicode.h"
#include "text/utf8.h"

namespace infermark::text {
namespace {

constexpr uint8_t kLetterOrNumber = kLetter | kNumber;
constexpr uint8_t kSpaceLetterOrNumber = kWhiteSpace | kLetter | kNumber;

// A decoded character at a byte position.
struct Char {
  uint32_t cp = 0;
  uint32_t len = 0;  // 0 at the end of the text
  uint8_t cls = 0;
};

class Cursor {
 public:
  explicit Cursor(std::string_view text) : end_(text.data() + text.size()) {}

  // The character starting at byte offset `pos`; len 0 at the end.
  Char at(const char* pos) const {
    if (pos >= end_) return {};
    const auto b = static_cast<unsigned char>(*pos);
    if (b < 0x80) return {b, 1, detail::kBmpClass[b]};
    const Utf8Char c = decode_utf8(pos, static_cast<size_t>(end_ - pos));
    const uint8_t cls = c.status == Utf8Status::kOk ? unicode_class(c.cp) : uint8_t{0};
    return {c.cp, c.len, cls};
  }
  const char* end() const { return end_; }

  // Advances over characters whose class has any bit of `mask`; returns the new position.
  const char* skip_class(const char* pos, uint8_t mask) const {
    for (Char c = at(pos); c.len && (c.cls & mask); c = at(pos)) pos += c.len;
    return pos;
  }
  // Advances over characters with no bit of `mask`.
  const char* skip_not_class(const char* pos, uint8_t mask) const {
    for (Char c = at(pos); c.len && !(c.cls & mask); c = at(pos)) pos += c.len;
    return pos;
  }

 private:
  const char* end_;
};

bool is_cr_lf(uint32_t cp) { return cp == '\r' || cp == '\n'; }

// (?i:'s|'t|'re|'ve|'m|'ll|'d) at `pos` (which holds an apostrophe): end of the match or null.
const char* match_contraction(const Cursor& cur, const char* pos) {
  const char* p1 = pos + 1;
  const Char c1 = cur.at(p1);
  if (!c1.len) return nullptr;
  const char f1 = contraction_fold(c1.cp);
  if (f1 == 's' || f1 == 't' || f1 == 'm' || f1 == 'd') return p1 + c1.len;
  if (f1 != 'r' && f1 != 'v' && f1 != 'l') return nullptr;
  const Char c2 = cur.at(p1 + c1.len);
  if (!c2.len) return nullptr;
  const char f2 = contraction_fold(c2.cp);
  if ((f1 == 'l' && f2 == 'l') || (f1 != 'l' && f2 == 'e')) return p1 + c1.len + c2.len;
  return nullptr;
}

// The whitespace alternatives \s*[\r\n]+ | \s+(?!\S) | \s+ at `pos` (which holds whitespace).
const char* match_white_space(const Cursor& cur, const char* pos) {
  const char* after_last_cr_lf = nullptr;
  const char* last_start = pos;
  const char* p = pos;
  int count = 0;
  for (Char c = cur.at(p); c.len && (c.cls & kWhiteSpace); c = cur.at(p)) {
    last_start = p;
    p += c.len;
    ++count;
    if (is_cr_lf(c.cp)) after_last_cr_lf = p;
  }
  if (after_last_cr_lf) return after_last_cr_lf;
  if (count > 1 && p < cur.end()) return last_start;
  return p;
}

// The end of the piece that starts at `pos` (< end).
const char* match_piece(const Cursor& cur, const char* pos) {
  const Char c = cur.at(pos);
  if (c.cp == '\'') {
    if (const char* e = match_contraction(cur, pos)) return e;
  }
  // [^\r\n\p{L}\p{N}]?\p{L}+
  if (c.cls & kLetter) return cur.skip_class(pos + c.len, kLetter);
  if (!(c.cls & kLetterOrNumber) && !is_cr_lf(c.cp)) {
    const Char n = cur.at(pos + c.len);
    if (n.cls & kLetter) return cur.skip_class(pos + c.len + n.len, kLetter);
  }
  // \p{N}{1,3}
  if (c.cls & kNumber) {
    const char* p = pos + c.len;
    for (int i = 1; i < 3; ++i) {
      const Char n = cur.at(p);
      if (!(n.cls & kNumber)) break;
      p += n.len;
    }
    return p;
  }
  // ` ?[^\s\p{L}\p{N}]+[\r\n]*`
  const char* run = nullptr;
  if (!(c.cls & kSpaceLetterOrNumber)) {
    run = pos;
  } else if (c.cp == ' ') {
    const Char n = cur.at(pos + 1);
    if (n.len && !(n.cls & kSpaceLetterOrNumber)) run = pos + 1;
  }
  if (run) {
    const char* p = cur.skip_not_class(run, kSpaceLetterOrNumber);
    for (Char n = cur.at(p); n.len && is_cr_lf(n.cp); n = cur.at(p)) p += n.len;
    return p;
  }
  if (c.cls & kWhiteSpace) return match_white_space(cur, pos);
  return pos + c.len;  // unreachable for this pattern: every class is covered above
}

}  // namespace

void pre_tokenize_llama3(std::string_view text, std::vector<std::string_view>& pieces) {
  const Cursor cur(text);
  const char* pos = text.data();
  while (pos < cur.end()) {
    const char* end = match_piece(cur, pos);
    pieces.emplace_back(pos, static_cast<size_t>(end - pos));
    pos = end;
  }
}

}  // namespace infermark::text

// PunktLanguageVars.word_tokenize: nltk's _word_tokenize_fmt regular expression, scanned by hand.
#include "accuracy/punkt.h"
#include "accuracy/punkt_internal.h"
#include "accuracy/python_unicode.h"

namespace infermark::accuracy {
namespace {

using punkt_internal::is_non_word_char;

// The characters _re_word_start excludes: ("`{[:;&#*@)}]-,
bool is_excluded_word_start(char32_t c) {
  return std::u32string_view(U"(\"`{[:;&#*@)}]-,").find(c) != std::u32string_view::npos;
}

// Length of _re_multi_char_punct, (?:\-{2,}|\.{2,}|(?:\.\s){2,}\.), matched at s[pos], or 0.
size_t multi_char_length(std::u32string_view s, size_t pos) {
  const size_t n = s.size();
  if (pos >= n) return 0;
  if (s[pos] == '-' || s[pos] == '.') {
    size_t end = pos;
    while (end < n && s[end] == s[pos]) ++end;
    if (end - pos >= 2) return end - pos;
  }
  if (s[pos] != '.') return 0;
  size_t repeats = 0;
  size_t p = pos;
  while (p + 1 < n && s[p] == '.' && is_space(s[p + 1])) {
    ++repeats;
    p += 2;
  }
  if (repeats >= 2 && p < n && s[p] == '.') return p + 1 - pos;
  if (repeats >= 3) return p - 1 - pos;  // give back one ". " and end on its period
  return 0;
}

// The lookahead that ends a word in _word_tokenize_fmt, tested at s[q]:
// \s | $ | NonWord | MultiChar | ,(?=$|\s|NonWord|MultiChar)
bool word_ends_at(std::u32string_view s, size_t q) {
  const size_t n = s.size();
  if (q >= n) return true;
  const char32_t c = s[q];
  if (is_space(c) || is_non_word_char(c) || multi_char_length(s, q) > 0) return true;
  if (c != ',') return false;
  return q + 1 >= n || is_space(s[q + 1]) || is_non_word_char(s[q + 1]) ||
         multi_char_length(s, q + 1) > 0;
}

}  // namespace

std::vector<std::u32string> PunktSentenceTokenizer::word_tokenize(std::u32string_view s) {
  std::vector<std::u32string> out;
  const size_t n = s.size();
  size_t pos = 0;
  while (pos < n) {
    if (const size_t len = multi_char_length(s, pos); len > 0) {
      out.emplace_back(s.substr(pos, len));
      pos += len;
      continue;
    }
    const char32_t c = s[pos];
    if (is_space(c)) {
      ++pos;  // findall skips characters where no alternative matches
      continue;
    }
    size_t len = 1;
    if (!is_excluded_word_start(c)) {
      // (?=WordStart)\S+?(?=end): the shortest run of non-space characters that ends a word.
      while (!word_ends_at(s, pos + len)) ++len;
    }
    out.emplace_back(s.substr(pos, len));
    pos += len;
  }
  return out;
}

}  // namespace infermark::accuracy

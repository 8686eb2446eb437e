#include "accuracy/python_unicode.h"

#include <algorithm>

#include "text/utf8.h"

namespace infermark::accuracy {
namespace unicode_detail {
extern const char kUnicodeVersion[];
extern const CodeRange kSpace[];
extern const size_t kSpace_size;
extern const CodeRange kWordNonDigit[];
extern const size_t kWordNonDigit_size;
extern const CodeRange kDecimal[];
extern const size_t kDecimal_size;
extern const CodeRange kUpper[];
extern const size_t kUpper_size;
extern const CodeRange kLower[];
extern const size_t kLower_size;
extern const LowerRun kLowerRuns[];
extern const size_t kLowerRuns_size;
}  // namespace unicode_detail

namespace {

using namespace unicode_detail;

constexpr char32_t kReplacement = 0xFFFD;

bool in_ranges(const CodeRange* table, size_t size, char32_t c) {
  const CodeRange* end = table + size;
  const CodeRange* it =
      std::upper_bound(table, end, c, [](char32_t v, const CodeRange& r) { return v < r.first; });
  return it != table && c < (it - 1)->last;
}

// Length of the valid UTF-8 sequence starting at s[i] and its value, or 0 if invalid.
size_t decode_one(std::string_view s, size_t i, char32_t* cp) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    *cp = b0;
    return 1;
  }
  size_t len;
  char32_t value;
  char32_t min;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2, value = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, value = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, value = b0 & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    value = (value << 6) | (b & 0x3F);
  }
  if (value < min || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return 0;
  *cp = value;
  return len;
}

}  // namespace

std::u32string utf8_decode(std::string_view text, std::vector<size_t>* byte_offsets) {
  std::u32string out;
  out.reserve(text.size());
  if (byte_offsets) {
    byte_offsets->clear();
    byte_offsets->reserve(text.size() + 1);
  }
  size_t i = 0;
  while (i < text.size()) {
    char32_t cp;
    size_t len = decode_one(text, i, &cp);
    if (len == 0) {
      cp = kReplacement;
      len = 1;
    }
    if (byte_offsets) byte_offsets->push_back(i);
    out.push_back(cp);
    i += len;
  }
  if (byte_offsets) byte_offsets->push_back(text.size());
  return out;
}

void utf8_append(char32_t cp, std::string& out) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = kReplacement;
  text::append_utf8(cp, out);
}

std::string utf8_encode(std::u32string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char32_t c : text) utf8_append(c, out);
  return out;
}

size_t count_code_points(std::string_view text) {
  size_t n = 0;
  size_t i = 0;
  while (i < text.size()) {
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      ++i;
    } else {
      char32_t cp;
      size_t len = decode_one(text, i, &cp);
      i += len == 0 ? 1 : len;
    }
    ++n;
  }
  return n;
}

bool is_space(char32_t c) {
  if (c < 0x80) return c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F);
  return in_ranges(kSpace, kSpace_size, c);
}

bool is_word_non_digit(char32_t c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  return in_ranges(kWordNonDigit, kWordNonDigit_size, c);
}

bool is_decimal(char32_t c) {
  if (c < 0x80) return c >= '0' && c <= '9';
  return in_ranges(kDecimal, kDecimal_size, c);
}

bool is_upper(char32_t c) {
  if (c < 0x80) return c >= 'A' && c <= 'Z';
  return in_ranges(kUpper, kUpper_size, c);
}

bool is_lower(char32_t c) {
  if (c < 0x80) return c >= 'a' && c <= 'z';
  return in_ranges(kLower, kLower_size, c);
}

void append_lower(char32_t c, std::u32string& out) {
  if (c < 0x80) {
    out.push_back(c >= 'A' && c <= 'Z' ? c + 32 : c);
    return;
  }
  if (c == 0x130) {
    out.push_back(U'i');
    out.push_back(0x307);
    return;
  }
  const LowerRun* end = kLowerRuns + kLowerRuns_size;
  const LowerRun* it = std::upper_bound(kLowerRuns, end, c,
                                        [](char32_t v, const LowerRun& r) { return v < r.first; });
  if (it != kLowerRuns) {
    const LowerRun& run = *(it - 1);
    if (c <= run.last && (c - run.first) % static_cast<char32_t>(run.stride) == 0) {
      out.push_back(static_cast<char32_t>(static_cast<int64_t>(c) + run.delta));
      return;
    }
  }
  out.push_back(c);
}

std::u32string to_lower(std::u32string_view text) {
  std::u32string out;
  out.reserve(text.size());
  for (char32_t c : text) append_lower(c, out);
  return out;
}

std::string_view unicode_version() { return unicode_detail::kUnicodeVersion; }

}  // namespace infermark::accuracy

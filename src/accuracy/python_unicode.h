// Code-point level text helpers that reproduce CPython's character semantics.
//
// MLPerf's accuracy pipeline runs in Python, so "whitespace", "letter", "upper case" and
// "lower-casing" there mean what CPython 3's `re` module and `str` methods say. These functions
// answer the same questions for a single code point from tables generated out of CPython
// (gen_python_unicode_tables.py; see kUnicodeVersion). All functions are pure and thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace infermark::accuracy {

// A half-open range [first, last) of code points.
struct CodeRange {
  char32_t first;
  char32_t last;
};

// Code points first, first+stride, ..., last lower-case to cp + delta.
struct LowerRun {
  char32_t first;
  char32_t last;
  int32_t delta;
  int32_t stride;
};

// Decodes UTF-8. Each byte that does not start a valid, shortest-form sequence decodes to
// U+FFFD on its own. If `byte_offsets` is given it receives, per code point, the offset of its
// first byte, plus one final entry equal to text.size().
std::u32string utf8_decode(std::string_view text, std::vector<size_t>* byte_offsets = nullptr);

// Encodes code points as UTF-8 (surrogates and values above U+10FFFF become U+FFFD).
std::string utf8_encode(std::u32string_view text);
void utf8_append(char32_t cp, std::string& out);

// Python's len() of the decoded string: the number of code points utf8_decode would return.
size_t count_code_points(std::string_view text);

// `re.match(r"\s", c)` for str patterns, identical to str.isspace().
bool is_space(char32_t c);
// `re.match(r"[^\W\d]", c)`: a word character that is not a decimal digit (letters, '_', and
// non-decimal numerics such as U+00B2).
bool is_word_non_digit(char32_t c);
// `re.match(r"\d", c)`: a Unicode decimal digit (category Nd).
bool is_decimal(char32_t c);
// `c.isupper()` / `c.islower()` for a single character.
bool is_upper(char32_t c);
bool is_lower(char32_t c);

// Appends `c.lower()` to `out`. U+0130 becomes "i" + U+0307 as in CPython. Final-sigma context
// is not applied: U+03A3 always becomes U+03C3 (CPython picks U+03C2 at the end of a word).
void append_lower(char32_t c, std::u32string& out);
std::u32string to_lower(std::u32string_view text);

// Unicode version of the tables ("14.0.0" when generated from CPython 3.11).
std::string_view unicode_version();

}  // namespace infermark::accuracy

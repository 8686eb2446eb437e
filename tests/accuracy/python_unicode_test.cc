// UTF-8 handling and a few CPython character classes that the splitter and stemmer rely on.
#include "accuracy/python_unicode.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace infermark::accuracy {
namespace {

TEST(Unicode, DecodeEncodeRoundTrip) {
  const std::string text = "a\xC3\xA9\xE2\x80\x94\xF0\x9F\x98\x80z";  // a é — 😀 z
  std::vector<size_t> offsets;
  const std::u32string cps = utf8_decode(text, &offsets);
  EXPECT_EQ(cps, (std::u32string{U'a', 0xE9, 0x2014, 0x1F600, U'z'}));
  EXPECT_EQ(offsets, (std::vector<size_t>{0, 1, 3, 6, 10, 11}));
  EXPECT_EQ(utf8_encode(cps), text);
  EXPECT_EQ(count_code_points(text), 5u);
}

TEST(Unicode, InvalidBytesBecomeOneReplacementEach) {
  const std::string text = "a\xFF\xC3(\xE2\x80";  // stray byte, truncated 2- and 3-byte sequences
  const std::u32string cps = utf8_decode(text);
  EXPECT_EQ(cps, (std::u32string{U'a', 0xFFFD, 0xFFFD, U'(', 0xFFFD, 0xFFFD}));
  EXPECT_EQ(count_code_points(text), cps.size());
  EXPECT_EQ(utf8_decode("\xC0\xAF").size(), 2u);      // overlong form
  EXPECT_EQ(utf8_decode("\xED\xA0\x80").size(), 3u);  // surrogate
}

TEST(Unicode, PythonWhitespace) {
  for (char32_t c : {U' ', U'\t', U'\n', U'\r', U'\v', U'\f', char32_t{0x1C}, char32_t{0x85},
                     char32_t{0xA0}, char32_t{0x2009}, char32_t{0x3000}}) {
    EXPECT_TRUE(is_space(c)) << static_cast<uint32_t>(c);
  }
  for (char32_t c : {U'a', U'_', char32_t{0x200B}, char32_t{0xFEFF}}) {
    EXPECT_FALSE(is_space(c)) << static_cast<uint32_t>(c);
  }
}

TEST(Unicode, LettersDigitsAndCase) {
  EXPECT_TRUE(is_word_non_digit(U'_'));
  EXPECT_TRUE(is_word_non_digit(0xE9));  // é
  EXPECT_TRUE(is_word_non_digit(0xB2));  // superscript two is \w but not \d
  EXPECT_FALSE(is_word_non_digit(U'7'));
  EXPECT_FALSE(is_word_non_digit(0x201C));  // left double quotation mark
  EXPECT_TRUE(is_decimal(0x663));           // Arabic-Indic digit three
  EXPECT_FALSE(is_decimal(0xB2));
  EXPECT_TRUE(is_upper(0xC9));
  EXPECT_TRUE(is_lower(0xE9));
  EXPECT_FALSE(is_upper(0x1C5));  // title-case Dž is neither
  EXPECT_FALSE(is_lower(0x1C5));
}

TEST(Unicode, LowerCaseLikePython) {
  EXPECT_EQ(to_lower(U"ÀÉÎ ÅNGSTRÖM Ω Ж"), U"àéî ångström ω ж");
  EXPECT_EQ(to_lower(U"\u0130"), U"i\u0307");
  EXPECT_EQ(to_lower(U"\u212A"), U"k");  // Kelvin sign
  EXPECT_EQ(to_lower(U"\u0100\u0101\u0102"), U"\u0101\u0101\u0103");
}

}  // namespace
}  // namespace infermark::accuracy

// The GPT-2 byte alphabet: the mappings listed in tokenizer-model-rouge.md §1.4, bijectivity
// over all 256 bytes, and rejection of code points outside the alphabet.
#include "text/byte_level.h"

#include <gtest/gtest.h>

#include <set>

namespace infermark::text {
namespace {

TEST(ByteLevel, KnownMappings) {
  EXPECT_EQ(byte_to_code_point(0x00), 0x100u);
  EXPECT_EQ(byte_to_code_point(0x09), 0x109u);  // ĉ
  EXPECT_EQ(byte_to_code_point(0x0A), 0x10Au);  // Ċ
  EXPECT_EQ(byte_to_code_point(0x0D), 0x10Du);  // č
  EXPECT_EQ(byte_to_code_point(0x20), 0x120u);  // Ġ
  EXPECT_EQ(byte_to_code_point(0x7F), 0x121u);  // ġ
  EXPECT_EQ(byte_to_code_point(0x80), 0x122u);  // Ģ
  EXPECT_EQ(byte_to_code_point(0xA0), 0x142u);  // ł
  EXPECT_EQ(byte_to_code_point(0xAD), 0x143u);  // Ń
  EXPECT_EQ(byte_to_code_point('A'), static_cast<uint32_t>('A'));
  EXPECT_EQ(byte_to_code_point(0xE9), 0xE9u);
}

TEST(ByteLevel, IsABijection) {
  std::set<uint32_t> seen;
  for (int b = 0; b < 256; ++b) {
    const uint32_t cp = byte_to_code_point(static_cast<uint8_t>(b));
    EXPECT_TRUE(seen.insert(cp).second);
    EXPECT_EQ(code_point_to_byte(cp), b);
  }
  EXPECT_EQ(code_point_to_byte(0x20), -1);  // space itself is not in the alphabet
  EXPECT_EQ(code_point_to_byte(0x144), -1);
  EXPECT_EQ(code_point_to_byte(0x4E00), -1);
}

TEST(ByteLevel, StringsRoundTrip) {
  std::string all;
  for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
  EXPECT_EQ(from_byte_level(to_byte_level(all)), all);
  EXPECT_EQ(to_byte_level(" the"), "\xC4\xA0the");  // "Ġthe"
  EXPECT_EQ(from_byte_level("\xC4\xA0the"), " the");
  EXPECT_EQ(from_byte_level("a b"), std::nullopt);           // raw space is not a byte-level char
  EXPECT_EQ(from_byte_level("\xE4\xB8\x80"), std::nullopt);  // U+4E00
  EXPECT_EQ(from_byte_level("\xC4"), std::nullopt);          // not UTF-8
}

}  // namespace
}  // namespace infermark::text

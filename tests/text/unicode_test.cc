// Code point classes from the generated tables: known members and non-members of each class,
// agreement of the BMP fast table with the run list, the Unicode 14.0 cut-off, case folds.
#include "text/unicode.h"

#include <gtest/gtest.h>

#include <initializer_list>

namespace infermark::text {
namespace {

TEST(Unicode, Letters) {
  for (uint32_t cp : std::initializer_list<uint32_t>{'a', 'Z', 0xAA, 0xB5, 0xE9, 0x17F, 0x3A9,
                                                     0x416, 0x5D0, 0x627, 0x905, 0x1780, 0x3042,
                                                     0x4E00, 0x9FFF, 0xAC00, 0x1D400, 0x20000}) {
    EXPECT_TRUE(is_letter(cp)) << std::hex << cp;
    EXPECT_FALSE(is_number(cp)) << std::hex << cp;
  }
  for (uint32_t cp : std::initializer_list<uint32_t>{
           '0', ' ', '\'', '_', 0x300 /* combining grave: Mn */, 0x200D, 0x1F600}) {
    EXPECT_FALSE(is_letter(cp)) << std::hex << cp;
  }
}

TEST(Unicode, Numbers) {
  // Nd, Nl (Roman numerals), No (superscripts, fractions, circled digits).
  for (uint32_t cp : std::initializer_list<uint32_t>{'0', '9', 0xB2, 0xBD, 0x660, 0x966, 0x2160,
                                                     0x2188, 0x2460, 0xFF10, 0x1D7CE}) {
    EXPECT_TRUE(is_number(cp)) << std::hex << cp;
    EXPECT_FALSE(is_letter(cp)) << std::hex << cp;
  }
}

TEST(Unicode, WhiteSpaceIsTheWhiteSpaceProperty) {
  for (uint32_t cp :
       std::initializer_list<uint32_t>{0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680,
                                       0x2000, 0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000}) {
    EXPECT_TRUE(is_white_space(cp)) << std::hex << cp;
  }
  // Not White_Space: zero width space, BOM (JS \s has it), Mongolian vowel separator, controls.
  for (uint32_t cp :
       std::initializer_list<uint32_t>{0x200B, 0xFEFF, 0x180E, 0x1C, 0x1F, 0x00, 'a'}) {
    EXPECT_FALSE(is_white_space(cp)) << std::hex << cp;
  }
}

TEST(Unicode, PythonSpaceAddsInformationSeparators) {
  for (uint32_t cp : std::initializer_list<uint32_t>{0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0x85, 0x3000}) {
    EXPECT_TRUE(unicode_class(cp) & kPySpace) << std::hex << cp;
  }
  EXPECT_FALSE(unicode_class(0xFEFF) & kPySpace);
  EXPECT_FALSE(unicode_class(0x200B) & kPySpace);
}

TEST(Unicode, AssignmentsFollowUnicode14) {
  EXPECT_EQ(unicode_version(), "14.0");
  EXPECT_TRUE(unicode_class(0x1E290) & kLetter);     // Toto, added in 14.0
  EXPECT_FALSE(unicode_class(0x1E4D0) & kLetter);    // Nag Mundari, added in 15.0
  EXPECT_FALSE(unicode_class(0x1D2C0) & kNumber);    // Kaktovik numerals, added in 15.0
  EXPECT_FALSE(unicode_class(0x31350) & kAssigned);  // CJK extension H, added in 15.0
  EXPECT_FALSE(unicode_class(0x0378) & kAssigned);   // never assigned
  EXPECT_TRUE(unicode_class(0x0377) & kAssigned);
  EXPECT_EQ(unicode_class(0x110000), 0);
  EXPECT_EQ(unicode_class(0xFFFFFFFF), 0);
}

TEST(Unicode, BmpTableAgreesWithSearch) {
  // The flat BMP table and the binary search over runs must give the same classes; the search
  // is what astral code points use, so probe both sides of the boundary too.
  for (uint32_t cp = 0; cp < 0x10000; ++cp) {
    ASSERT_EQ(unicode_class(cp), detail::kBmpClass[cp]) << std::hex << cp;
  }
  EXPECT_EQ(detail::astral_class(0x10000), unicode_class(0x10000));
  EXPECT_TRUE(detail::astral_class(0x10000) & kLetter);  // LINEAR B SYLLABLE B008 A
}

TEST(Unicode, ContractionFolds) {
  EXPECT_EQ(contraction_fold('s'), 's');
  EXPECT_EQ(contraction_fold('S'), 's');
  EXPECT_EQ(contraction_fold('L'), 'l');
  EXPECT_EQ(contraction_fold(0x17F), 's');  // LATIN SMALL LETTER LONG S folds to s
  EXPECT_EQ(contraction_fold('k'), 0);
  EXPECT_EQ(contraction_fold(0x212A), 0);  // KELVIN SIGN folds to k: not a contraction letter
  EXPECT_EQ(contraction_fold(0x130), 0);
}

}  // namespace
}  // namespace infermark::text

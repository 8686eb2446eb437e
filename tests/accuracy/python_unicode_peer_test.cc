// Peer test: the generated Unicode tables answer exactly as the installed CPython does, for
// every code point (whitespace, letters, decimal digits, upper/lower case, lower-casing).
#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "accuracy/python_unicode.h"
#include "python_peer.h"

namespace infermark::accuracy {
namespace {

TEST(UnicodePeer, PropertiesAndLowerCaseMatchCPython) {
  const std::string out = testing::run_python(testing::peer_script("unicode_props.py"), "");
  std::istringstream in(out);
  std::string masks;
  std::getline(in, masks);
  ASSERT_EQ(masks.size(), 2u * 0x110000);
  size_t mismatches = 0;
  for (char32_t cp = 0; cp < 0x110000; ++cp) {
    const int expected = std::stoi(masks.substr(2 * cp, 2), nullptr, 16);
    const int got = (is_space(cp) ? 1 : 0) | (is_word_non_digit(cp) ? 2 : 0) |
                    (is_decimal(cp) ? 4 : 0) | (is_upper(cp) ? 8 : 0) | (is_lower(cp) ? 16 : 0);
    if (got != expected && ++mismatches <= 10) {
      ADD_FAILURE() << "U+" << std::hex << static_cast<uint32_t>(cp) << ": python " << expected
                    << ", ours " << got;
    }
  }
  EXPECT_EQ(mismatches, 0u);
  // Every code point not listed lower-cases to itself.
  std::u32string expected_lower(0x110000, 0);
  for (char32_t cp = 0; cp < 0x110000; ++cp) expected_lower[cp] = cp;
  size_t listed = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    std::istringstream fields(line);
    uint32_t cp;
    fields >> cp;
    std::u32string low;
    for (uint32_t v; fields >> v;) low.push_back(v);
    std::u32string ours;
    append_lower(cp, ours);
    EXPECT_EQ(ours, low) << "lower of U+" << std::hex << cp;
    expected_lower[cp] = 0;
    ++listed;
  }
  EXPECT_GT(listed, 1000u);
  for (char32_t cp = 0; cp < 0x110000; ++cp) {
    if (expected_lower[cp] == 0 && cp != 0) continue;
    std::u32string ours;
    append_lower(cp, ours);
    if (ours != std::u32string(1, cp) && ++mismatches <= 20) {
      ADD_FAILURE() << "U+" << std::hex << static_cast<uint32_t>(cp) << " should not change";
    }
  }
  EXPECT_EQ(mismatches, 0u);
}

}  // namespace
}  // namespace infermark::accuracy

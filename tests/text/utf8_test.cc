// UTF-8 decoding and repair: well-formed sequences of every length, the ill-formed cases of
// Unicode's table 3-8 (one U+FFFD per maximal subpart), truncation, and held-back suffixes.
#include "text/utf8.h"

#include <gtest/gtest.h>

namespace infermark::text {
namespace {

// U+FFFD REPLACEMENT CHARACTER, for adjacent-literal concatenation.
#define FFFD "\xEF\xBF\xBD"

TEST(Utf8, DecodesEveryLength) {
  const std::string_view s = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\xA6\x99";  // a é € 🦙
  const uint32_t expected[] = {'a', 0xE9, 0x20AC, 0x1F999};
  const char* p = s.data();
  for (uint32_t cp : expected) {
    const Utf8Char c = next_utf8(p, s.data() + s.size());
    EXPECT_EQ(c.status, Utf8Status::kOk);
    EXPECT_EQ(c.cp, cp);
    p += c.len;
  }
  EXPECT_EQ(p, s.data() + s.size());
}

TEST(Utf8, RejectsOverlongSurrogateAndOutOfRange) {
  for (std::string_view bad : {"\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80",
                               "\xF5\x80\x80\x80", "\x80", "\xFF"}) {
    EXPECT_EQ(decode_utf8(bad.data(), bad.size()).status, Utf8Status::kInvalid) << bad.size();
    EXPECT_FALSE(is_valid_utf8(bad));
  }
}

TEST(Utf8, TruncatedAtEnd) {
  const std::string_view s = "\xF0\x9F\xA6";
  const Utf8Char c = decode_utf8(s.data(), s.size());
  EXPECT_EQ(c.status, Utf8Status::kTruncated);
  EXPECT_EQ(c.len, 3u);
}

TEST(Utf8, LossyUsesMaximalSubparts) {
  // Unicode 15 §3.9 table 3-8: "61 F1 80 80 E1 80 C2 62 80 63 80 BF 64" -> a FFFD FFFD FFFD b
  // FFFD c FFFD FFFD d.
  EXPECT_EQ(utf8_lossy("\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64"),
            "a" FFFD FFFD FFFD "b" FFFD "c" FFFD FFFD "d");
  EXPECT_EQ(utf8_lossy("\xC0\xAF"), FFFD FFFD);
  EXPECT_EQ(utf8_lossy("\xED\xA0\x80"), FFFD FFFD FFFD);
  EXPECT_EQ(utf8_lossy("ok \xF0\x9F\xA6"), "ok " FFFD);
  EXPECT_EQ(utf8_lossy("plain ascii and \xC3\xA9"), "plain ascii and \xC3\xA9");
}

TEST(Utf8, FindInvalid) {
  EXPECT_EQ(find_invalid_utf8("abc"), std::string_view::npos);
  EXPECT_EQ(find_invalid_utf8("ab\xC3"), 2u);
  EXPECT_EQ(find_invalid_utf8("\xE2\x82\xAC\xFFx"), 3u);
}

TEST(Utf8, IncompleteSuffix) {
  EXPECT_EQ(incomplete_utf8_suffix(""), 0u);
  EXPECT_EQ(incomplete_utf8_suffix("abc"), 0u);
  EXPECT_EQ(incomplete_utf8_suffix("a\xC3"), 1u);
  EXPECT_EQ(incomplete_utf8_suffix("a\xE2\x82"), 2u);
  EXPECT_EQ(incomplete_utf8_suffix("\xF0\x9F\xA6"), 3u);
  EXPECT_EQ(incomplete_utf8_suffix("\xF0\x9F\xA6\x99"), 0u);  // complete
  EXPECT_EQ(incomplete_utf8_suffix("a\xE0\x80"), 0u);         // already ill-formed: emit now
  EXPECT_EQ(incomplete_utf8_suffix("a\x80\x80"), 0u);
}

TEST(Utf8, AppendRoundTrips) {
  for (uint32_t cp : {0x0u, 0x7Fu, 0x80u, 0x7FFu, 0x800u, 0xFFFFu, 0x10000u, 0x10FFFFu}) {
    std::string s;
    append_utf8(cp, s);
    const Utf8Char c = decode_utf8(s.data(), s.size());
    EXPECT_EQ(c.status, Utf8Status::kOk);
    EXPECT_EQ(c.cp, cp);
    EXPECT_EQ(c.len, s.size());
  }
}

}  // namespace
}  // namespace infermark::text

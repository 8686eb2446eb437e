// StopMatcher: text released as soon as it cannot be part of a stop string, matches found across
// pieces, the earliest match wins, nothing is held before min_tokens (check = false).
#include "server/stop_matcher.h"

#include <gtest/gtest.h>

namespace infermark::server {
namespace {

std::string run(StopMatcher& m, const std::vector<std::string>& pieces,
                std::optional<size_t>* matched = nullptr) {
  std::string out;
  for (const auto& p : pieces) {
    StopMatcher::Released r = m.push(p);
    out += r.text;
    if (r.matched) {
      if (matched) *matched = r.matched;
      return out;
    }
  }
  return out + m.finish();
}

TEST(StopMatcher, WithoutStopStringsEverythingGoesOutAtOnce) {
  StopMatcher m({});
  EXPECT_EQ(m.push("abc").text, "abc");
  EXPECT_EQ(m.finish(), "");
}

TEST(StopMatcher, HoldsOnlyAPossibleStartOfAStopString) {
  StopMatcher m({"END"});
  EXPECT_EQ(m.push("the E").text, "the ");  // "E" may start "END"
  EXPECT_EQ(m.push("x").text, "Ex");        // it did not
  EXPECT_EQ(m.push("EN").text, "");
  EXPECT_EQ(m.finish(), "EN");  // the stream ended without a match
}

TEST(StopMatcher, FindsAMatchSplitOverPiecesAndCutsBeforeIt) {
  StopMatcher m({"\n\n", "STOP"});
  std::optional<size_t> matched;
  EXPECT_EQ(run(m, {"Hello S", "TO", "P and more"}, &matched), "Hello ");
  EXPECT_EQ(matched, 1u);
}

TEST(StopMatcher, TheEarliestMatchWins) {
  StopMatcher m({"world", "lo"});
  std::optional<size_t> matched;
  EXPECT_EQ(run(m, {"hello world"}, &matched), "hel");
  EXPECT_EQ(matched, 1u);
}

TEST(StopMatcher, MultiByteCharactersAreReleasedWhole) {
  StopMatcher m({"é!"});
  EXPECT_EQ(m.push("caf").text, "caf");
  EXPECT_EQ(m.push("é").text, "");  // could start "é!"
  StopMatcher::Released r = m.push("é!");
  EXPECT_EQ(r.text, "é");
  EXPECT_EQ(r.matched, 0u);
}

TEST(StopMatcher, NothingIsMatchedOrHeldBeforeMinTokens) {
  StopMatcher m({"ab"});
  EXPECT_EQ(m.push("xab", /*check=*/false).text, "xab");
  EXPECT_EQ(m.push("a").text, "");
  EXPECT_TRUE(m.push("b").matched);
}

}  // namespace
}  // namespace infermark::server

// The hand-written Llama-3 pre-tokenizer. The expected pieces below were produced by Oniguruma
// 6.9.8 (the regex engine of Hugging Face tokenizers) running the Llama-3 Split pattern; they
// cover each alternative of the pattern, its backtracking corners and exotic white space.
#include "text/pre_tokenizer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace infermark::text {
namespace {

std::vector<std::string> pieces_of(std::string_view text) {
  std::vector<std::string_view> views;
  pre_tokenize_llama3(text, views);
  return {views.begin(), views.end()};
}

struct Case {
  std::string text;
  std::vector<std::string> pieces;
};

TEST(PreTokenizer, MatchesOnigurumaOnHandPickedCases) {
  const std::vector<Case> cases = {
      {"Hello world", {"Hello", " world"}},
      {"  Hello", {" ", " Hello"}},
      {"   a  b", {"  ", " a", " ", " b"}},
      {"x   ", {"x", "   "}},
      {"it's", {"it", "'s"}},
      {"IT'S", {"IT", "'S"}},
      {"they'RE", {"they", "'RE"}},
      {"we'Ll", {"we", "'Ll"}},
      {"x'\xC5\xBF", {"x", "'\xC5\xBF"}},
      {"'sa", {"'s", "a"}},
      {"'x", {"'x"}},
      {"a'b", {"a", "'b"}},
      {"don't", {"don", "'t"}},
      {"12345678", {"123", "456", "78"}},
      {"\xEF\xBC\x93\xEF\xBC\x94\xEF\xBC\x95", {"\xEF\xBC\x93\xEF\xBC\x94\xEF\xBC\x95"}},
      {"\xE2\x85\xA0\xE2\x85\xA1\xE2\x85\xA2\xE2\x85\xA3",
       {"\xE2\x85\xA0\xE2\x85\xA1\xE2\x85\xA2", "\xE2\x85\xA3"}},
      {"abc123def", {"abc", "123", "def"}},
      {"!!abc", {"!!", "abc"}},
      {"!abc", {"!abc"}},
      {" !!", {" !!"}},
      {" !!\n\n", {" !!\n\n"}},
      {"a!\r\nb", {"a", "!\r\n", "b"}},
      {"\n\n\n", {"\n\n\n"}},
      {"\t\n", {"\t\n"}},
      {" \n x", {" \n", " x"}},
      {"a \t\nb", {"a", " \t\n", "b"}},
      {"a\xC2\xA0"
       "b",
       {"a",
        "\xC2\xA0"
        "b"}},
      {"\xE3\x80\x80\xE3\x80\x80x", {"\xE3\x80\x80", "\xE3\x80\x80x"}},
      {"x\xE2\x80\xA8y", {"x", "\xE2\x80\xA8y"}},
      {"a\xC2\x85"
       "b",
       {"a",
        "\xC2\x85"
        "b"}},
      {"emoji \xF0\x9F\xA6\x99.cpp", {"emoji", " \xF0\x9F\xA6\x99.", "cpp"}},
      {"na\xC3\xAFve caf\xC3\xA9", {"na\xC3\xAFve", " caf\xC3\xA9"}},
      {"e\xCC\x81t\xCC\x81", {"e", "\xCC\x81t", "\xCC\x81"}},
      {"\xCC\x81x", {"\xCC\x81x"}},
      {"\xE4\xB8\xAD\xE6\x96\x87\xE5\xAD\x97\xE7\xAC\xA6",
       {"\xE4\xB8\xAD\xE6\x96\x87\xE5\xAD\x97\xE7\xAC\xA6"}},
      {"a\xE2\x80\x8B"
       "b",
       {"a",
        "\xE2\x80\x8B"
        "b"}},
      {"a\xEF\xBB\xBF"
       "b",
       {"a",
        "\xEF\xBB\xBF"
        "b"}},
      {"\r\n\r\n", {"\r\n\r\n"}},
      {"  \n  ", {"  \n", "  "}},
      {"a  ", {"a", "  "}},
      {"$100,000", {"$", "100", ",", "000"}},
      {"don''t", {"don", "''", "t"}},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(pieces_of(c.text), c.pieces) << "text: " << c.text;
  }
}

TEST(PreTokenizer, EmptyTextHasNoPieces) { EXPECT_TRUE(pieces_of("").empty()); }

TEST(PreTokenizer, PiecesCoverTheTextWithInvalidUtf8) {
  // Not valid UTF-8 (never seen by Hugging Face): bytes still end up in exactly one piece each.
  const std::string text = "ab\xFF\xFE cd\xE2\x82 \xC3";
  std::string joined;
  for (const auto& p : pieces_of(text)) {
    EXPECT_FALSE(p.empty());
    joined += p;
  }
  EXPECT_EQ(joined, text);
  EXPECT_EQ(pieces_of("a\xFF"
                      "b"),
            (std::vector<std::string>{"a",
                                      "\xFF"
                                      "b"}));
}

TEST(PreTokenizer, AppendsToExistingPieces) {
  std::vector<std::string_view> views = {"keep"};
  pre_tokenize_llama3("a b", views);
  ASSERT_EQ(views.size(), 3u);
  EXPECT_EQ(views[0], "keep");
  EXPECT_EQ(views[2], " b");
}

}  // namespace
}  // namespace infermark::text

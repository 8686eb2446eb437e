// Splitting on added tokens: leftmost-longest matching, adjacent tokens, lstrip/rstrip absorbing
// white space, and the normalized=true tokens matched only in what the first pass left.
#include "text/added_vocabulary.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace infermark::text {
namespace {

using Split = std::vector<std::pair<std::string, int32_t>>;

Split split(const AddedVocabulary& v, std::string_view text) {
  std::vector<Segment> segments;
  v.split(text, segments);
  Split out;
  for (const auto& s : segments) out.emplace_back(std::string(s.text), s.id);
  return out;
}

AddedToken token(int32_t id, std::string content) {
  AddedToken t;
  t.id = id;
  t.content = std::move(content);
  return t;
}

TEST(AddedVocabulary, LeftmostLongest) {
  const AddedVocabulary v({token(1, "<a>"), token(2, "<a>b"), token(3, "a>b>"), token(4, "<|x|>")});
  EXPECT_EQ(split(v, "x<a>by"), (Split{{"x", -1}, {"<a>b", 2}, {"y", -1}}));
  EXPECT_EQ(split(v, "<a>c"), (Split{{"<a>", 1}, {"c", -1}}));
  // "<a>b>" : the match starting leftmost ("<a>b" at 0) wins over "a>b>" at 1.
  EXPECT_EQ(split(v, "<a>b>"), (Split{{"<a>b", 2}, {">", -1}}));
  EXPECT_EQ(split(v, "<|x|><|x|>"), (Split{{"<|x|>", 4}, {"<|x|>", 4}}));
  EXPECT_EQ(split(v, "<|x|"), (Split{{"<|x|", -1}}));
  EXPECT_EQ(split(v, ""), Split{});
  EXPECT_EQ(split(v, "plain"), (Split{{"plain", -1}}));
}

TEST(AddedVocabulary, LstripAndRstripAbsorbWhiteSpace) {
  AddedToken l = token(1, "<l>");
  l.lstrip = true;
  AddedToken r = token(2, "<r>");
  r.rstrip = true;
  const AddedVocabulary v({l, r});
  EXPECT_EQ(split(v, "a \t<l> b"), (Split{{"a", -1}, {" \t<l>", 1}, {" b", -1}}));
  EXPECT_EQ(split(v,
                  "a <r> \xE3\x80\x80"
                  "b"),
            (Split{{"a ", -1}, {"<r> \xE3\x80\x80", 2}, {"b", -1}}));
  // lstrip never reaches into the previous token.
  EXPECT_EQ(split(v, "<r> <l>"), (Split{{"<r> ", 2}, {"<l>", 1}}));
}

TEST(AddedVocabulary, NormalizedTokensAreMatchedInTheSecondPass) {
  AddedToken n = token(2, "ab");
  n.normalized = true;
  const AddedVocabulary v({token(1, "b<"), n});
  // The first pass takes "b<" although "ab" starts further left.
  EXPECT_EQ(split(v, "ab<ab"), (Split{{"a", -1}, {"b<", 1}, {"ab", 2}}));
}

TEST(AddedVocabulary, EmptyVocabularyKeepsTextWhole) {
  const AddedVocabulary v;
  EXPECT_TRUE(v.empty());
  EXPECT_EQ(split(v, "<|eot_id|>"), (Split{{"<|eot_id|>", -1}}));
}

}  // namespace
}  // namespace infermark::text

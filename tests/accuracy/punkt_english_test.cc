// Known splits of nltk.sent_tokenize with NLTK's English punkt_tab parameters, which only the
// workplace's ../shared folder holds (label `shared`: skipped with the reason when it is absent,
// failed under CI=true; see tests/support/shared_data.h).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "accuracy/punkt.h"
#include "accuracy/sentence_splitter.h"
#include "support/shared_data.h"

namespace infermark::accuracy {
namespace {

using Sentences = std::vector<std::string>;

constexpr const char* kEnglish = "data/punkt_tab/english";

TEST(PunktEnglish, LoadsTheEnglishParameters) {
  IM_REQUIRE_SHARED_FILE(dir, kEnglish);
  const PunktParameters p = load_punkt_parameters(dir);
  EXPECT_EQ(p.abbrev_types.size(), 156u);
  EXPECT_EQ(p.collocations.size(), 37u);
  EXPECT_EQ(p.sent_starters.size(), 39u);
  EXPECT_EQ(p.ortho_context.size(), 20366u);
  EXPECT_TRUE(p.abbrev_types.count(U"u.s"));
  EXPECT_TRUE(p.abbrev_types.count(U". . "));  // kept verbatim, trailing space included
  EXPECT_TRUE(p.sent_starters.count(U"however"));
  EXPECT_EQ(p.ortho_context.at(U"a"), 126);
}

TEST(PunktEnglish, KnownSplits) {
  IM_REQUIRE_SHARED_FILE(dir, kEnglish);
  const PunktSentenceTokenizer p(load_punkt_parameters(dir));
  EXPECT_EQ(p.tokenize("Mr. Smith went to Washington. He arrived at 3 p.m. on Monday."),
            (Sentences{"Mr. Smith went to Washington.", "He arrived at 3 p.m. on Monday."}));
  EXPECT_EQ(p.tokenize("The U.S. economy grew 3.5 percent. Analysts were surprised."),
            (Sentences{"The U.S. economy grew 3.5 percent.", "Analysts were surprised."}));
  EXPECT_EQ(p.tokenize("J. K. Rowling wrote it. She lives in Edinburgh."),
            (Sentences{"J. K. Rowling wrote it.", "She lives in Edinburgh."}));
  EXPECT_EQ(p.tokenize("He said, \"I will be there.\" Then he left."),
            (Sentences{"He said, \"I will be there.\"", "Then he left."}));
  EXPECT_EQ(p.tokenize("Wait... what happened? Nobody knows!"),
            (Sentences{"Wait... what happened?", "Nobody knows!"}));
  EXPECT_EQ(p.tokenize("(The company declined to comment.) Shares fell."),
            (Sentences{"(The company declined to comment.)", "Shares fell."}));
  // An abbreviation before a capitalised word that is not a frequent sentence starter.
  EXPECT_EQ(p.tokenize("They moved to the U.S. Their children were born there."),
            (Sentences{"They moved to the U.S. Their children were born there."}));
  EXPECT_EQ(p.tokenize("He paused . . . Then he continued."),
            (Sentences{"He paused .", ".", ".", "Then he continued."}));
}

TEST(PunktEnglish, PostprocessAsMlperfDoes) {
  IM_REQUIRE_SHARED_FILE(dir, kEnglish);
  const SentenceSplitter s = SentenceSplitter::punkt(load_punkt_parameters(dir));
  EXPECT_EQ(s.postprocess("  Mr. Smith arrived. He sat down.\n\nThen he left!  "),
            "Mr. Smith arrived.\nHe sat down.\nThen he left!");
}

}  // namespace
}  // namespace infermark::accuracy

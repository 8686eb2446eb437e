// Splits of nltk.sent_tokenize with the small parameter set in tests/fixtures/punkt_tab (the
// expected sentences are NLTK's own output for those files), the Punkt word tokenizer, and the
// parameter loader's errors and search path. NLTK's English parameters: punkt_english_test.cc.
#include "accuracy/punkt.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "accuracy/python_unicode.h"
#include "python_peer.h"
#include "util/error.h"

namespace infermark::accuracy {
namespace {

using Sentences = std::vector<std::string>;

const PunktSentenceTokenizer& mini() {
  static const PunktSentenceTokenizer punkt(
      load_punkt_parameters(testing::source_dir() / "tests/fixtures/punkt_tab/english"));
  return punkt;
}

std::vector<std::string> words(std::string_view line) {
  std::vector<std::string> out;
  for (const auto& w : PunktSentenceTokenizer::word_tokenize(utf8_decode(line))) {
    out.push_back(utf8_encode(w));
  }
  return out;
}

TEST(Punkt, LoadsTheParameterFiles) {
  const PunktParameters& p = mini().params();
  EXPECT_EQ(p.abbrev_types.size(), 6u);
  EXPECT_EQ(p.collocations.size(), 1u);
  EXPECT_EQ(p.sent_starters.size(), 3u);
  EXPECT_EQ(p.ortho_context.size(), 11u);
  EXPECT_TRUE(p.abbrev_types.count(U"u.s"));
  EXPECT_TRUE(p.sent_starters.count(U"however"));
  EXPECT_EQ(p.ortho_context.at(U"the"), 94);
}

TEST(Punkt, SplitsAsNltkDoesWithTheSameParameters) {
  const PunktSentenceTokenizer& p = mini();
  EXPECT_EQ(p.tokenize("Mr. Smith went to Washington. He arrived at 3 p.m. on Monday."),
            (Sentences{"Mr. Smith went to Washington.", "He arrived at 3 p.m. on Monday."}));
  EXPECT_EQ(p.tokenize("The U.S. economy grew 3.5 percent. Analysts were surprised."),
            (Sentences{"The U.S. economy grew 3.5 percent.", "Analysts were surprised."}));
  EXPECT_EQ(p.tokenize("J. K. Rowling wrote it. She lives in Edinburgh."),
            (Sentences{"J. K. Rowling wrote it.", "She lives in Edinburgh."}));
  EXPECT_EQ(p.tokenize("He said, \"I will be there.\" Then he left."),
            (Sentences{"He said, \"I will be there.\"", "Then he left."}));
  EXPECT_EQ(p.tokenize("(The company declined to comment.) Shares fell."),
            (Sentences{"(The company declined to comment.)", "Shares fell."}));
  // "then" is a sentence starter: the abbreviation "U.S." ends a sentence before it.
  EXPECT_EQ(p.tokenize("They moved to the U.S. Then they left. St. Louis is nice."),
            (Sentences{"They moved to the U.S.", "Then they left.", "St. Louis is nice."}));
  EXPECT_EQ(p.tokenize("No final period"), (Sentences{"No final period"}));
}

TEST(Punkt, WhitespaceAndEmptyText) {
  const PunktSentenceTokenizer& p = mini();
  EXPECT_TRUE(p.tokenize("").empty());
  EXPECT_TRUE(p.tokenize("  \n ").empty());
  EXPECT_EQ(p.tokenize("  Leading space. Trailing space.  "),
            (Sentences{"  Leading space.", "Trailing space."}));
  // U+00A0 is whitespace to Python's \s, so it separates sentences too.
  EXPECT_EQ(p.tokenize("One sentence.\xC2\xA0"
                       "Another one."),
            (Sentences{"One sentence.", "Another one."}));
  const std::string text = "First one.  Second one.";
  const auto spans = p.span_tokenize(text);
  ASSERT_EQ(spans.size(), 2u);
  EXPECT_EQ(spans[0].begin, 0u);
  EXPECT_EQ(spans[0].end, 10u);
  EXPECT_EQ(spans[1].begin, 12u);
  EXPECT_EQ(spans[1].end, text.size());
}

TEST(Punkt, WordTokenizer) {
  EXPECT_EQ(words("Hello, world!"), (Sentences{"Hello", ",", "world", "!"}));
  EXPECT_EQ(words("U.S. economy..."), (Sentences{"U.S.", "economy", "..."}));
  EXPECT_EQ(words("He said \"no.\""), (Sentences{"He", "said", "\"", "no.", "\""}));
  EXPECT_EQ(words("don't stop -- ever"), (Sentences{"don", "'t", "stop", "--", "ever"}));
  EXPECT_EQ(words(". . . x"), (Sentences{". . .", "x"}));
  EXPECT_EQ(words("3.5% (approx.)"), (Sentences{"3.5%", "(", "approx.", ")"}));
  EXPECT_EQ(words("a,b, c,"), (Sentences{"a,b", ",", "c", ","}));
}

TEST(PunktParams, MissingFileNamesThePath) {
  testing::TempDir tmp;
  try {
    load_punkt_parameters(tmp.path());
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("abbrev_types.txt"), std::string::npos) << e.what();
  }
}

TEST(PunktParams, BadLinesAreRejectedWithFileAndLine) {
  testing::TempDir tmp;
  testing::write_text(tmp.path() / "abbrev_types.txt", "dr\nmr\n");
  testing::write_text(tmp.path() / "sent_starters.txt", "however\n");
  testing::write_text(tmp.path() / "collocations.tab", "##number##\tbusiness\n");
  testing::write_text(tmp.path() / "ortho_context.tab", "a\t126\nb\tlots\n");
  try {
    load_punkt_parameters(tmp.path());
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("ortho_context.tab:2"), std::string::npos) << e.what();
  }
  testing::write_text(tmp.path() / "ortho_context.tab", "a\t126\r\n");
  testing::write_text(tmp.path() / "collocations.tab", "no tab here\n");
  EXPECT_THROW(load_punkt_parameters(tmp.path()), Error);
  testing::write_text(tmp.path() / "collocations.tab", "\n##number##\tbusiness\n\n");
  const PunktParameters p = load_punkt_parameters(tmp.path());
  EXPECT_EQ(p.ortho_context.at(U"a"), 126);
  EXPECT_EQ(p.collocations.size(), 1u);
  EXPECT_EQ(p.abbrev_types.size(), 2u);
}

TEST(PunktParams, SearchOrder) {
  testing::TempDir tmp;
  const auto english_dir = tmp.path() / "tokenizers/punkt_tab/english";
  std::filesystem::create_directories(english_dir);
  for (const char* name :
       {"abbrev_types.txt", "collocations.tab", "ortho_context.tab", "sent_starters.txt"}) {
    testing::write_text(english_dir / name, "");
  }
  // An explicit folder may be the nltk_data root or the language folder itself.
  EXPECT_EQ(find_punkt_dir(tmp.path()), english_dir);
  EXPECT_EQ(find_punkt_dir(english_dir), english_dir);
  EXPECT_FALSE(find_punkt_dir(tmp.path() / "nowhere").has_value());
  ::setenv("NLTK_DATA", ("/does/not/exist:" + tmp.path().string()).c_str(), 1);
  EXPECT_EQ(find_punkt_dir(std::nullopt), english_dir);
  const auto dirs = punkt_search_dirs(std::nullopt);
  ASSERT_GE(dirs.size(), 6u);
  EXPECT_EQ(dirs[0], std::filesystem::path("/does/not/exist/tokenizers/punkt_tab/english"));
  EXPECT_EQ(dirs.back(),
            std::filesystem::path("/usr/local/lib/nltk_data/tokenizers/punkt_tab/english"));
  ::unsetenv("NLTK_DATA");
}

}  // namespace
}  // namespace infermark::accuracy

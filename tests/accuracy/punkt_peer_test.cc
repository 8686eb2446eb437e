// Peer test: our Punkt splitter against nltk's PunktSentenceTokenizer with the same English
// punkt_tab parameters, on hand-written sentences (abbreviations, initials, numbers, quotes,
// ellipses, brackets, Unicode) alone and run together into paragraphs.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "accuracy/punkt.h"
#include "python_peer.h"
#include "support/shared_data.h"
#include "util/json.h"

namespace infermark::accuracy {
namespace {

using testing::read_text;

std::vector<std::string> peer_texts() {
  std::vector<std::string> lines;
  const std::string data =
      read_text(testing::source_dir() / "tests/accuracy/data/punkt_sentences.txt");
  size_t start = 0;
  while (start < data.size()) {
    size_t end = data.find('\n', start);
    if (end == std::string::npos) end = data.size();
    if (end > start) lines.push_back(data.substr(start, end - start));
    start = end + 1;
  }
  std::vector<std::string> texts = lines;
  const char* const separators[] = {" ", "  ", "\n", "\n\n", " \n ", "\t"};
  size_t round = 0;
  for (size_t k = 2; k <= 6; ++k) {
    for (size_t i = 0; i + k <= lines.size(); i += k - 1, ++round) {
      std::string text = lines[i];
      for (size_t j = 1; j < k; ++j) text += separators[(round + j) % 6] + lines[i + j];
      texts.push_back(text);
    }
  }
  texts.push_back("");
  texts.push_back("   ");
  texts.push_back("  Leading and trailing whitespace.  Second one.  ");
  return texts;
}

TEST(PunktPeer, MatchesNltkSentTokenize) {
  IM_REQUIRE_SHARED_FILE(dir, "data/punkt_tab/english");
  const PunktSentenceTokenizer punkt(load_punkt_parameters(dir));
  const std::vector<std::string> texts = peer_texts();
  ASSERT_GT(texts.size(), 500u);
  testing::TempDir tmp;
  testing::write_text(tmp.path() / "texts.json", util::Json(texts).dump());
  const std::string out =
      testing::run_python(testing::peer_script("punkt_split.py"),
                          testing::quoted(dir) + " " + testing::quoted(tmp.path() / "texts.json"));
  ASSERT_FALSE(out.empty());
  const util::Json expected = util::parse_json(out, "punkt peer output");
  ASSERT_EQ(expected.size(), texts.size());
  size_t mismatches = 0;
  for (size_t i = 0; i < texts.size(); ++i) {
    const auto want = expected[i].get<std::vector<std::string>>();
    const auto got = punkt.tokenize(texts[i]);
    if (got != want && ++mismatches <= 15) {
      ADD_FAILURE() << "text: " << util::Json(texts[i]).dump()
                    << "\n nltk: " << util::Json(want).dump()
                    << "\n ours: " << util::Json(got).dump();
    }
  }
  EXPECT_EQ(mismatches, 0u) << "of " << texts.size() << " texts";
}

}  // namespace
}  // namespace infermark::accuracy

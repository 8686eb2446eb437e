// Known stems of NLTK's PorterStemmer() (NLTK_EXTENSIONS), including the rules where that mode
// differs from the original algorithm and from Martin Porter's variant.
#include "accuracy/porter_stemmer.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace infermark::accuracy {
namespace {

TEST(PorterStemmer, StemsFromTheFactSheet) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"running", "run"},      {"generously", "gener"},   {"caresses", "caress"},
      {"ponies", "poni"},      {"dying", "die"},          {"lying", "lie"},
      {"sky", "sky"},          {"news", "news"},          {"summaries", "summari"},
      {"relational", "relat"}, {"conditional", "condit"}, {"happy", "happi"},
      {"agreed", "agre"},      {"hopping", "hop"},        {"university", "univers"},
      {"was", "wa"},           {"this", "thi"},           {"says", "say"},
  };
  for (const auto& [word, stem] : cases) EXPECT_EQ(porter_stem(word), stem) << word;
}

TEST(PorterStemmer, NltkExtensions) {
  EXPECT_EQ(porter_stem("dies"), "die");  // 4-letter "ies" -> "ie"
  EXPECT_EQ(porter_stem("flies"), "fli");
  EXPECT_EQ(porter_stem("died"), "die");  // 4-letter "ied" -> "ie"
  EXPECT_EQ(porter_stem("spied"), "spi");
  EXPECT_EQ(porter_stem("enjoy"), "enjoy");  // y -> i only after a consonant
  EXPECT_EQ(porter_stem("fly"), "fli");
  EXPECT_EQ(porter_stem("skies"), "sky");  // irregular forms
  EXPECT_EQ(porter_stem("innings"), "inning");
  EXPECT_EQ(porter_stem("proceed"), "proceed");
  EXPECT_EQ(porter_stem("exceed"), "exceed");
  EXPECT_EQ(porter_stem("tying"), "tie");
  EXPECT_EQ(porter_stem("howe"), "howe");
}

TEST(PorterStemmer, IrregularFormsMatchOnlyTheGivenSpelling) {
  // NLTK looks the word up before lower-casing it.
  EXPECT_EQ(porter_stem("Skies"), "ski");
  EXPECT_EQ(porter_stem("News"), "new");
}

TEST(PorterStemmer, ShortWordsAreOnlyLowerCased) {
  EXPECT_EQ(porter_stem("As"), "as");
  EXPECT_EQ(porter_stem("is"), "is");
  EXPECT_EQ(porter_stem("a"), "a");
  EXPECT_EQ(porter_stem(""), "");
}

TEST(PorterStemmer, Step2And3Suffixes) {
  EXPECT_EQ(porter_stem("radically"), "radic");  // "alli" -> "al", then step 2 again
  EXPECT_EQ(porter_stem("hopefully"), "hope");   // "fulli" -> "ful"
  EXPECT_EQ(porter_stem("geology"), "geolog");   // "logi" -> "log" measured with the 'l'
  EXPECT_EQ(porter_stem("sensibility"), "sensibl");
  EXPECT_EQ(porter_stem("triplicate"), "triplic");
  EXPECT_EQ(porter_stem("adoption"), "adopt");
  EXPECT_EQ(porter_stem("controlling"), "control");
  EXPECT_EQ(porter_stem("filing"), "file");
}

TEST(PorterStemmer, DigitsAndMixedCase) {
  EXPECT_EQ(porter_stem("1990s"), "1990");
  EXPECT_EQ(porter_stem("RUNNING"), "run");
  EXPECT_EQ(porter_stem("McDonald's"), "mcdonald'");
}

TEST(PorterStemmer, NonAsciiWordsAreLowerCasedLikePython) {
  EXPECT_EQ(porter_stem("Ångström"), "ångström");
  EXPECT_EQ(porter_stem("ÉMIGRÉS"), "émigré");
  EXPECT_EQ(porter_stem("caféing"), "café");
}

}  // namespace
}  // namespace infermark::accuracy

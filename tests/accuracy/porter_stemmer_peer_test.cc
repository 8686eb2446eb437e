// Peer test: every word of Debian's wamerican list (plus hand-picked tricky words) must stem
// exactly as NLTK's PorterStemmer() does.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "accuracy/porter_stemmer.h"
#include "python_peer.h"

namespace infermark::accuracy {
namespace {

using testing::peer_script;
using testing::read_text;
using testing::run_python;
using testing::TempDir;
using testing::write_text;

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::vector<std::string> tricky_words() {
  return {"sky",
          "skies",
          "Skies",
          "dying",
          "lying",
          "tying",
          "news",
          "innings",
          "inning",
          "outings",
          "cannings",
          "howe",
          "proceed",
          "exceed",
          "succeed",
          "dies",
          "died",
          "spied",
          "ties",
          "feed",
          "agreed",
          "bled",
          "sing",
          "hopping",
          "falling",
          "hissing",
          "fizzed",
          "failing",
          "filing",
          "conflated",
          "troubled",
          "sized",
          "happy",
          "enjoy",
          "by",
          "say",
          "syzygy",
          "yyyy",
          "yoyo",
          "toy",
          "relational",
          "conditional",
          "rational",
          "valenci",
          "hesitanci",
          "digitizer",
          "conformabli",
          "radicalli",
          "differentli",
          "vileli",
          "analogousli",
          "vietnamization",
          "predication",
          "operator",
          "feudalism",
          "decisiveness",
          "hopefulness",
          "callousness",
          "formaliti",
          "sensitiviti",
          "sensibiliti",
          "geology",
          "theology",
          "archaeology",
          "triplicate",
          "formative",
          "formalize",
          "electriciti",
          "electrical",
          "hopeful",
          "goodness",
          "revival",
          "allowance",
          "inference",
          "airliner",
          "gyroscopic",
          "adjustable",
          "defensible",
          "irritant",
          "replacement",
          "adjustment",
          "dependent",
          "adoption",
          "homologou",
          "communism",
          "activate",
          "angulariti",
          "homologous",
          "effective",
          "bowdlerize",
          "probate",
          "rate",
          "cease",
          "controll",
          "roll",
          "generalization",
          "oscillators",
          "1990s",
          "3rd",
          "a1b2",
          "x",
          "xy",
          "xyz",
          "ies",
          "ied",
          "eed",
          "ing",
          "ed",
          "ss",
          "s",
          "",
          "Ångström",
          "ÉMIGRÉS",
          "İstanbul",
          "ΣΟΦΙΑ",
          "naïveté",
          "MCDONALD'S",
          "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaing",
          "yyyyyyyyyyyyyyyyyyyyyyyyyyyying"};
}

TEST(PorterStemmerPeer, MatchesNltkOnTheWholeWordList) {
  std::vector<std::string> words = split_lines(read_text("/usr/share/dict/american-english"));
  ASSERT_GT(words.size(), 100000u) << "install Debian wamerican (/usr/share/dict/american-english)";
  const size_t list_size = words.size();
  for (const std::string& w : tricky_words()) words.push_back(w);
  // Upper-cased copies exercise the lower-casing and the irregular-forms lookup.
  for (size_t i = 0; i < list_size; i += 7) {
    std::string upper = words[i];
    for (char& c : upper) {
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
    }
    words.push_back(upper);
  }
  TempDir tmp;
  std::string input;
  for (const std::string& w : words) input += w + "\n";
  write_text(tmp.path() / "words.txt", input);
  const std::vector<std::string> expected = split_lines(
      run_python(peer_script("stem_words.py"), testing::quoted(tmp.path() / "words.txt")));
  ASSERT_EQ(expected.size(), words.size());
  size_t mismatches = 0;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string got = porter_stem(words[i]);
    if (got != expected[i] && ++mismatches <= 20) {
      ADD_FAILURE() << "word '" << words[i] << "': nltk '" << expected[i] << "', ours '" << got
                    << "'";
    }
  }
  EXPECT_EQ(mismatches, 0u) << "of " << words.size() << " words";
}

}  // namespace
}  // namespace infermark::accuracy

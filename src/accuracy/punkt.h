// NLTK's Punkt sentence splitter (nltk.sent_tokenize for English), reproduced exactly.
//
// MLPerf post-processes every prediction and reference with "\n".join(nltk.sent_tokenize(text))
// before ROUGE-Lsum, so the split decides that score and gen_len. This is
// PunktSentenceTokenizer.tokenize of nltk 3.8 / 3.8.1 (the ReDoS-fixed matcher), driven by the
// trained English parameters in NLTK's `punkt_tab` text format. Characters are classified as
// CPython does (unicode.h). The parameters are immutable after loading; tokenize() is const and
// may be called from many threads at once.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace infermark::accuracy {

// Trained Punkt parameters (PunktParameters). Types are lower-case; numbers are "##number##".
struct PunktParameters {
  std::unordered_set<std::u32string> abbrev_types;
  std::unordered_set<std::u32string> collocations;  // "first\tsecond"
  std::unordered_set<std::u32string> sent_starters;
  std::unordered_map<std::u32string, int> ortho_context;  // type -> _ORTHO_* flag bits
};

// Reads a punkt_tab language folder (abbrev_types.txt, collocations.tab, ortho_context.tab,
// sent_starters.txt). Lines are taken verbatim apart from the line break, like the pickled
// parameters nltk 3.8.1 loads (so the abbreviation ". . " keeps its trailing space); empty
// lines are skipped. Throws Error naming the file and line on a missing file or bad line.
PunktParameters load_punkt_parameters(const std::filesystem::path& language_dir);

// Where to look for English punkt_tab data, in order: `explicit_dir` (the english folder
// itself, a punkt_tab folder, a tokenizers folder or an nltk_data root), else each entry of
// $NLTK_DATA
// (':'-separated), ~/nltk_data, /usr/share/nltk_data, /usr/local/share/nltk_data,
// /usr/lib/nltk_data, /usr/local/lib/nltk_data, each + tokenizers/punkt_tab/english.
std::vector<std::filesystem::path> punkt_search_dirs(
    const std::optional<std::filesystem::path>& explicit_dir);

// The first of punkt_search_dirs() that holds all four files, if any.
std::optional<std::filesystem::path> find_punkt_dir(
    const std::optional<std::filesystem::path>& explicit_dir);

// A byte range [begin, end) of the input text.
struct TextSpan {
  size_t begin;
  size_t end;
};

class PunktSentenceTokenizer {
 public:
  explicit PunktSentenceTokenizer(PunktParameters params);

  // tokenize(text) (realign_boundaries=True): the sentences of UTF-8 `text`, as byte ranges of
  // `text` in order. Cost is roughly linear in the text length.
  std::vector<TextSpan> span_tokenize(std::string_view text) const;
  std::vector<std::string> tokenize(std::string_view text) const;

  // PunktLanguageVars.word_tokenize on one line of code points (exposed for tests).
  static std::vector<std::u32string> word_tokenize(std::u32string_view line);

  const PunktParameters& params() const { return params_; }

 private:
  struct Token;
  struct EndMatch;
  std::vector<EndMatch> potential_end_contexts(std::u32string_view text,
                                               std::vector<std::u32string>* contexts) const;
  bool text_contains_sentbreak(std::u32string_view context) const;
  void first_pass(Token& tok) const;
  void second_pass(Token& tok, const Token& next) const;
  int ortho_heuristic(const Token& tok) const;

  PunktParameters params_;
};

}  // namespace infermark::accuracy

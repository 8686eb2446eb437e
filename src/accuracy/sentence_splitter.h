// Sentence splitting for MLPerf's post-processing, with or without NLTK's Punkt data.
//
// evaluation.py post-processes each text with `"\n".join(nltk.sent_tokenize(text.strip()))`.
// With punkt_tab data this is exact (punkt.h). The approximate splitter exists only for users who
// ask for it explicitly (`--approximate-sentence-split`): ROUGE-1/2/L are unaffected by it
// (newlines are just separators to them), but ROUGE-Lsum and gen_len may differ from MLPerf's, so
// every output scored with it is marked not comparable (kNotComparableNote). Immutable after
// construction; copies share the parameters; all methods may be called from many threads.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "accuracy/punkt.h"

namespace infermark::accuracy {

class SentenceSplitter {
 public:
  static SentenceSplitter punkt(PunktParameters params);
  // Not NLTK's: splits after . ? ! (with closing quotes/brackets) before whitespace and a
  // capital letter, digit or opening quote, except after single-letter initials and common
  // abbreviations.
  static SentenceSplitter approximate();

  // True when this is NLTK's Punkt splitter.
  bool exact() const { return punkt_ != nullptr; }

  // The sentences of UTF-8 `text` as byte ranges.
  std::vector<TextSpan> split(std::string_view text) const;
  // postprocess_text for one text: strip() (Python whitespace), split, join with "\n".
  std::string postprocess(std::string_view text) const;

 private:
  explicit SentenceSplitter(std::shared_ptr<const PunktSentenceTokenizer> punkt)
      : punkt_(std::move(punkt)) {}
  std::shared_ptr<const PunktSentenceTokenizer> punkt_;
};

// What marks every result scored with the approximate splitter (summary, accuracy.txt, report).
inline constexpr std::string_view kNotComparableNote =
    "NOT COMPARABLE WITH MLPERF: scored with an approximate sentence splitter "
    "(--approximate-sentence-split, no NLTK Punkt data), so rougeLsum and gen_len may differ "
    "from MLPerf's";

// The splitter to score with and the Punkt folder it came from (none: approximate).
struct SplitterChoice {
  SentenceSplitter splitter;
  std::optional<std::filesystem::path> punkt_dir;
};

// NLTK's Punkt splitter from `punkt_dir` (e.g. --punkt DIR), else from the usual nltk_data
// locations (punkt_search_dirs). Without the data: the approximate splitter if
// `allow_approximate`, else throws Error naming every folder tried, how to get the data and why
// MLPerf's numbers need it.
SplitterChoice load_sentence_splitter(const std::optional<std::filesystem::path>& punkt_dir,
                                      bool allow_approximate = false);

// Python's str.strip(): removes leading and trailing Unicode whitespace.
std::string_view python_strip(std::string_view text);

}  // namespace infermark::accuracy

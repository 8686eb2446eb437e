// Sentence splitting for MLPerf's post-processing, with or without NLTK's Punkt data.
//
// evaluation.py post-processes each text with `"\n".join(nltk.sent_tokenize(text.strip()))`.
// With punkt_tab data this is exact (punkt.h). Without it a simple rule-based splitter stands in
// and `exact()` is false: ROUGE-1/2/L are unaffected (newlines are just separators to them), but
// ROUGE-Lsum and gen_len may differ from the reference, so callers must warn. Immutable after
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
  // Splits after . ? ! (with closing quotes/brackets) before whitespace and a capital letter,
  // digit or opening quote, except after single-letter initials and common abbreviations.
  static SentenceSplitter fallback();

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

// The splitter the CLI should use, where it came from, and a warning for the user (empty when
// Punkt data was found).
struct SplitterChoice {
  SentenceSplitter splitter;
  std::optional<std::filesystem::path> punkt_dir;
  std::string warning;
};

// With `punkt_dir` (e.g. from --punkt DIR) the data must be there: throws Error naming the
// folders tried. Without it, searches the usual nltk_data locations (punkt_search_dirs) and
// falls back to SentenceSplitter::fallback() with a warning if none has the files.
SplitterChoice load_sentence_splitter(const std::optional<std::filesystem::path>& punkt_dir);

// Python's str.strip(): removes leading and trailing Unicode whitespace.
std::string_view python_strip(std::string_view text);

}  // namespace infermark::accuracy

// MLPerf's post-processing and scoring on arbitrary text: the input is split at its first NUL
// byte into a prediction and a reference, each sentence-split with Punkt (the test parameter set
// in tests/fixtures/punkt_tab) and scored with ROUGE-1/2/L/Lsum and the Porter stemmer.
#include <cstdlib>
#include <string_view>

#include "accuracy/punkt.h"
#include "accuracy/rouge.h"
#include "accuracy/sentence_splitter.h"
#include "fuzz_target.h"

namespace {
const infermark::accuracy::SentenceSplitter& splitter() {
  static const auto s = infermark::accuracy::SentenceSplitter::punkt(
      infermark::accuracy::load_punkt_parameters(INFERMARK_PUNKT_FIXTURE_DIR));
  return s;
}
}  // namespace

IM_FUZZ_TARGET(punkt_rouge) {
  using namespace infermark;
  const std::string_view all = fuzz::as_text(data, size);
  const size_t nul = all.find('\0');
  const std::string_view prediction = all.substr(0, nul);
  const std::string_view reference = nul == std::string_view::npos ? "" : all.substr(nul + 1);
  const std::string p = splitter().postprocess(prediction);
  const std::string r = splitter().postprocess(reference);
  (void)accuracy::SentenceSplitter::approximate().postprocess(prediction);
  accuracy::RougeScorer scorer(true);
  const accuracy::RougeScores s = scorer.score(r, p);
  if (!(s.rouge1.fmeasure >= 0 && s.rouge1.fmeasure <= 1)) std::abort();
}

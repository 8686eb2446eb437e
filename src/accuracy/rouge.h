// ROUGE-1, ROUGE-2, ROUGE-L and ROUGE-Lsum exactly as rouge_score 0.1.2 computes them.
//
// This is the scorer behind MLPerf's llama3.1-8b accuracy (HF `evaluate` "rouge" with
// use_stemmer=True, use_aggregator=False, which calls rouge_scorer.RougeScorer.score(target,
// prediction) per pair). Same tokenizer (lower-case, [^a-z0-9]+ -> space, Porter stem of tokens
// longer than 3 characters), same n-gram and LCS arithmetic, and for ROUGE-Lsum the same
// summary-level union LCS with rouge_score's back-tracking tie-break and hit counting.
// ROUGE-Lsum treats "\n" as the only sentence separator, as rouge_score does with
// split_summaries=False; MLPerf inserts those newlines with the Punkt splitter beforehand.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace infermark::accuracy {

// rouge_score's scoring.Score. All three are in [0, 1].
struct Score {
  double precision = 0;
  double recall = 0;
  double fmeasure = 0;
};

struct RougeScores {
  Score rouge1;
  Score rouge2;
  Score rougeL;
  Score rougeLsum;
};

// rouge_score's tokenize.tokenize(text, stemmer): Python-lower-cases `text` (UTF-8), replaces
// every run of characters other than [a-z0-9] with a space, splits, Porter-stems tokens longer
// than 3 characters when `use_stemmer`, and drops empty tokens.
std::vector<std::string> rouge_tokenize(std::string_view text, bool use_stemmer);

// 2PR/(P+R), or 0 when P+R is 0 (scoring.fmeasure).
double fmeasure(double precision, double recall);

// The building blocks of rouge_scorer, on token ids (equal ids = equal tokens).
// n-gram overlap score (_score_ngrams over _create_ngrams); n >= 1.
Score score_ngrams(std::span<const int32_t> target, std::span<const int32_t> prediction, int n);
// Token-level LCS score (_score_lcs).
Score score_lcs(std::span<const int32_t> target, std::span<const int32_t> prediction);
// One LCS of `ref` and `can` as ascending indices into `ref` (lcs_ind: _lcs_table followed by
// _backtrack_norec, which prefers stepping back in `can` only when that keeps a strictly longer
// LCS).
std::vector<size_t> lcs_indices(std::span<const int32_t> ref, std::span<const int32_t> can);
// Summary-level union LCS score over tokenized sentences (_summary_level_lcs).
Score summary_level_lcs(const std::vector<std::vector<int32_t>>& ref_sentences,
                        const std::vector<std::vector<int32_t>>& can_sentences);

// Scores text pairs. Not thread-safe: it caches the stem of every word it has seen (bounded),
// so use one scorer per thread. Cost per pair is O(|target| * |prediction|) in tokens.
class RougeScorer {
 public:
  explicit RougeScorer(bool use_stemmer = true);

  // rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL", "rougeLsum"]).score(target,
  // prediction). Both texts are UTF-8.
  RougeScores score(std::string_view target, std::string_view prediction);

 private:
  // Token ids of a text, and where each "\n"-separated line with tokens ends.
  struct Tokenized {
    std::vector<int32_t> ids;
    std::vector<size_t> line_ends;
  };
  void tokenize(std::string_view text, Tokenized& out);
  int32_t id_of(const std::string& token);
  // Renumbers the ids of both texts densely from 0 (into local_t_, local_p_); returns the count.
  size_t localize();
  Score rouge2(size_t distinct);
  Score lsum(size_t distinct);
  // Marks in in_union_ the reference positions of lcs_indices(ref, can).
  void mark_lcs(std::span<const int32_t> ref, std::span<const int32_t> can);

  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using IdMap = std::unordered_map<std::string, int32_t, StringHash, std::equal_to<>>;

  bool use_stemmer_;
  IdMap word_ids_;  // token as written (lower-cased) -> id of its stem
  IdMap stem_ids_;  // stem -> id
  std::string token_;
  Tokenized target_;
  Tokenized prediction_;
  // Per-pair scratch, kept to avoid allocations.
  std::vector<int32_t> local_of_;  // stem id -> dense id in the current pair, or -1
  std::vector<int32_t> local_t_;
  std::vector<int32_t> local_p_;
  std::vector<int32_t> count_t_;
  std::vector<int32_t> count_p_;
  std::vector<uint64_t> keys_t_;
  std::vector<uint64_t> keys_p_;
  std::vector<int32_t> table_;
  std::vector<int32_t> row_;
  std::vector<char> in_union_;
};

}  // namespace infermark::accuracy

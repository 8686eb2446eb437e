// How long MLPerf accuracy scoring takes for a full llama3.1-8b run: 13,368 prediction/reference
// pairs of CNN-DailyMail size (~600-character predictions, ~300-character references) of
// synthetic English-like text, through score_texts (strip + Punkt split + ROUGE-1/2/L/Lsum +
// aggregation), on 1 and 2 threads; plus the two stages alone on one thread.
//
// Reading the output: "pairs/s" is the throughput; a full run takes 13,368 / (pairs/s) seconds.
// Text scoring has no meaningful hardware ceiling (it is branchy integer work), so numbers are
// absolute; compare runs on the same machine. Punkt data: $INFERMARK_PUNKT, else the usual
// nltk_data locations, else the shared test data beside the checkout.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "accuracy/evaluation.h"
#include "accuracy/rouge.h"
#include "accuracy/sentence_splitter.h"

namespace infermark::accuracy {
namespace {

constexpr size_t kPairs = 13368;

// Zipf-distributed pseudo-words plus common English function words, abbreviations, numbers and
// quotes, so stemming, Punkt's abbreviation handling and LCS all see realistic input.
class TextGenerator {
 public:
  explicit TextGenerator(uint64_t seed) : rng_(seed) {
    const char* common[] = {
        "the", "of",   "and",    "to",        "a",          "in",     "that",  "is",      "was",
        "he",  "for",  "it",     "with",      "as",         "his",    "on",    "be",      "at",
        "by",  "said", "police", "officials", "government", "people", "years", "reported"};
    for (const char* w : common) vocab_.push_back(w);
    const char* syllables[] = {"ka",   "lo", "mi", "ter",  "ston", "ing", "ed",  "ra", "vi",  "con",
                               "ment", "al", "ly", "tion", "pre",  "ber", "sen", "da", "ous", "er"};
    std::uniform_int_distribution<int> nsyl(1, 4);
    std::uniform_int_distribution<int> pick(0, 19);
    while (vocab_.size() < 6000) {
      std::string w;
      for (int k = nsyl(rng_); k > 0; --k) w += syllables[pick(rng_)];
      vocab_.push_back(w);
    }
    std::vector<double> weights(vocab_.size());
    for (size_t i = 0; i < weights.size(); ++i) weights[i] = 1.0 / static_cast<double>(i + 1);
    zipf_ = std::discrete_distribution<size_t>(weights.begin(), weights.end());
  }

  std::string sentence() {
    std::uniform_int_distribution<int> len(8, 24);
    std::uniform_int_distribution<int> extra(0, 29);
    std::string s;
    for (int i = len(rng_); i > 0; --i) {
      std::string w = vocab_[zipf_(rng_)];
      switch (extra(rng_)) {
        case 0:
          w = "Mr. " + w;
          break;
        case 1:
          w = "U.S. " + w;
          break;
        case 2:
          w = std::to_string(extra(rng_)) + "." + std::to_string(extra(rng_));
          break;
        case 3:
          w = "\"" + w + "\"";
          break;
        case 4:
          w += ",";
          break;
        default:
          break;
      }
      if (s.empty()) w[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(w[0])));
      s += (s.empty() ? "" : " ") + w;
    }
    return s + (extra(rng_) == 0 ? "?" : ".");
  }

  // Appends sentences of `pool` (shared content) and fresh ones until `chars` is reached.
  std::string text(size_t chars, const std::vector<std::string>& pool) {
    std::uniform_int_distribution<size_t> from_pool(0, pool.size() - 1);
    std::bernoulli_distribution reuse(0.5);
    std::string t;
    while (t.size() < chars) {
      t += (t.empty() ? "" : " ") + (reuse(rng_) ? pool[from_pool(rng_)] : sentence());
    }
    return t;
  }

 private:
  std::mt19937_64 rng_;
  std::vector<std::string> vocab_;
  std::discrete_distribution<size_t> zipf_;
};

struct Data {
  std::vector<std::string> predictions;
  std::vector<std::string> references;
  SplitterChoice splitter;
};

SplitterChoice bench_splitter() {
  if (const char* env = std::getenv("INFERMARK_PUNKT"); env && *env) {
    return load_sentence_splitter(std::filesystem::path(env));
  }
  if (find_punkt_dir(std::nullopt)) return load_sentence_splitter(std::nullopt);
  return load_sentence_splitter(std::filesystem::path(INFERMARK_BENCH_PUNKT_DIR));
}

const Data& data() {
  static const Data d = [] {
    Data out{{}, {}, bench_splitter()};
    TextGenerator gen(12345);
    for (size_t i = 0; i < kPairs; ++i) {
      std::vector<std::string> article;
      for (int k = 0; k < 8; ++k) article.push_back(gen.sentence());
      out.predictions.push_back(gen.text(600, article));
      out.references.push_back(gen.text(300, article));
    }
    return out;
  }();
  return d;
}

void BM_ScoreTexts(benchmark::State& state) {
  const Data& d = data();
  EvaluationOptions options;
  options.splitter = &d.splitter.splitter;
  options.threads = static_cast<int>(state.range(0));
  AccuracyResults r;
  for (auto _ : state) {
    r = score_texts(d.predictions, d.references, options);
    benchmark::DoNotOptimize(r.rouge1);
  }
  state.counters["pairs/s"] = benchmark::Counter(static_cast<double>(kPairs),
                                                 benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(format_results_dict(r) + (r.exact_sentence_split ? " punkt" : " FALLBACK"));
}
BENCHMARK(BM_ScoreTexts)
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3);

void BM_PostprocessOnly(benchmark::State& state) {
  const Data& d = data();
  size_t chars = 0;
  for (auto _ : state) {
    for (size_t i = 0; i < kPairs; ++i) {
      chars += d.splitter.splitter.postprocess(d.predictions[i]).size();
      chars += d.splitter.splitter.postprocess(d.references[i]).size();
    }
  }
  benchmark::DoNotOptimize(chars);
  state.counters["pairs/s"] = benchmark::Counter(static_cast<double>(kPairs),
                                                 benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_PostprocessOnly)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

void BM_RougeOnly(benchmark::State& state) {
  const Data& d = data();
  RougeScorer scorer(true);
  double sum = 0;
  for (auto _ : state) {
    for (size_t i = 0; i < kPairs; ++i) {
      sum += scorer.score(d.references[i], d.predictions[i]).rougeLsum.fmeasure;
    }
  }
  benchmark::DoNotOptimize(sum);
  state.counters["pairs/s"] = benchmark::Counter(static_cast<double>(kPairs),
                                                 benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_RougeOnly)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

}  // namespace
}  // namespace infermark::accuracy

BENCHMARK_MAIN();

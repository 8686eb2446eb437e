// `infermark accuracy`: MLPerf's llama3.1-8b evaluation.py, natively.
//   --log mlperf_log_accuracy.json --dataset cnn_eval.json --tokenizer DIR [--punkt DIR]
//       [--edge] [--out accuracy.txt]   scores an accuracy log, writes accuracy.txt (+ hash)
//   --texts FILE.json                    scores {"predictions": [...], "references": [...]}
#include <cstdio>
#include <memory>

#include "accuracy/evaluation.h"
#include "command.h"
#include "dataset/sample_set.h"
#include "text/tokenizer.h"
#include "util/error.h"

namespace infermark::cli {
namespace {

struct AccuracyOptions {
  std::string log, dataset, tokenizer, punkt, texts, out;
  bool edge = false;
  bool approximate_sentence_split = false;
  int threads = 2;
};

void print_results(const accuracy::AccuracyResults& r, bool with_targets) {
  std::printf("%s\n", accuracy::format_results_dict(r).c_str());
  if (!r.exact_sentence_split) std::printf("%s\n", accuracy::kNotComparableNote.data());
  if (!with_targets) return;
  std::printf("%s targets (%s): %s\n", accuracy::accuracy_reference(r.target).name.data(),
              r.target == accuracy::AccuracyTarget::kEdge ? "edge" : "datacenter",
              r.check.passed() ? "PASS" : "FAIL");
  for (const auto& f : r.check.failures) std::printf("  %s\n", f.c_str());
}

int run(const AccuracyOptions& o) {
  const std::optional<std::filesystem::path> punkt =
      o.punkt.empty() ? std::nullopt : std::optional<std::filesystem::path>(o.punkt);
  const accuracy::SplitterChoice splitter =
      accuracy::load_sentence_splitter(punkt, o.approximate_sentence_split);
  accuracy::EvaluationOptions eo;
  eo.splitter = &splitter.splitter;
  eo.threads = o.threads;
  eo.target = o.edge ? accuracy::AccuracyTarget::kEdge : accuracy::AccuracyTarget::kDatacenter;

  if (!o.texts.empty()) {
    if (!o.log.empty()) throw Error("--texts and --log are alternatives; give one");
    const auto pairs = accuracy::read_texts_file(o.texts);
    print_results(accuracy::score_texts(pairs.predictions, pairs.references, eo), false);
    return 0;
  }
  if (o.log.empty() || o.dataset.empty() || o.tokenizer.empty()) {
    throw Error("--log, --dataset and --tokenizer are required (or --texts FILE.json)");
  }
  const text::Tokenizer tok = text::Tokenizer::load(o.tokenizer);
  const dataset::SampleSet samples = dataset::SampleSet::load(o.dataset);
  std::vector<std::string> references;
  references.reserve(samples.size());
  for (const auto& s : samples.samples()) references.push_back(s.output);
  eo.decode = [&tok](std::span<const int32_t> ids) {
    return tok.decode(ids, {.skip_special_tokens = true, .clean_up_spaces = true});
  };
  const auto results = accuracy::evaluate_accuracy_log(o.log, references, eo);
  const std::string out =
      o.out.empty() ? (std::filesystem::path(o.log).parent_path() / "accuracy.txt").string()
                    : o.out;
  accuracy::write_accuracy_txt(out, results);
  print_results(results, true);
  std::printf("wrote %s\n", out.c_str());
  return results.check.passed() ? 0 : 3;
}

CommandRegistration reg{
    "accuracy", "Score an MLPerf accuracy log with ROUGE as evaluation.py does",
    [](CLI::App& app) {
      auto o = std::make_shared<AccuracyOptions>();
      app.add_option("--log", o->log, "mlperf_log_accuracy.json");
      app.add_option("--dataset", o->dataset, "cnn_eval.json (reference summaries)");
      app.add_option("--tokenizer", o->tokenizer, "Folder (or file) with tokenizer.json");
      app.add_option("--punkt", o->punkt, "NLTK punkt_tab data (else the usual nltk_data "
                                          "folders; scoring stops without it)");
      app.add_flag("--approximate-sentence-split", o->approximate_sentence_split,
                   "Score without Punkt data, with a simple splitter (results marked not "
                   "comparable with MLPerf)");
      app.add_option("--texts", o->texts, "Score {\"predictions\": [...], \"references\": [...]}");
      app.add_option("--out", o->out, "Where to write accuracy.txt (default: beside the log)");
      app.add_flag("--edge", o->edge, "Check the llama3.1-8b-edge (5,000-sample) targets");
      app.add_option("--threads", o->threads, "Scoring threads")->capture_default_str();
      return [o] { return run(*o); };
    }};

}  // namespace
}  // namespace infermark::cli

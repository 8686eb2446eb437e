// MLPerf llama3.1-8b accuracy evaluation (language/llama3.1-8b/evaluation.py), natively.
//
// From an accuracy log: keep the first entry per qsl_idx, decode each response's int32 token
// ids to text through the caller's DecodeFn, post-process predictions and references (strip,
// Punkt split, join with "\n"), score every pair with ROUGE (rouge.h) and aggregate exactly as
// the script prints: f"{round(np.mean(f) * 100, 4)}" per ROUGE type, gen_len = total code points
// of the post-processed predictions, gen_num = number of samples. Results are checked against
// the submission checker's targets and written as accuracy.txt in the form the checker parses.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "accuracy/accuracy_log.h"
#include "accuracy/sentence_splitter.h"

namespace infermark::accuracy {

// Turns generated token ids into text the way MLPerf does: tokenizer.decode with
// skip_special_tokens=True and clean_up_tokenization_spaces=True (Llama-3.1's setting). Must
// return UTF-8. Called on the thread that runs the evaluation, once per scored sample.
using DecodeFn = std::function<std::string(std::span<const int32_t>)>;

// Which accuracy targets apply (submission checker constants, llama3.1-8b).
enum class AccuracyTarget {
  kDatacenter,  // 13,368 samples
  kEdge,        // 5,000 samples (llama3.1-8b-edge)
};

// Reference results: a run passes with each ROUGE >= 99% of these and gen_len within
// [90%, 110%] of the reference, and gen_num equal to sample_count.
struct AccuracyReference {
  std::string_view name;
  double rouge1;
  double rouge2;
  double rougeL;
  double rougeLsum;
  int64_t gen_len;
  int64_t sample_count;
};
const AccuracyReference& accuracy_reference(AccuracyTarget target);

struct EvaluationOptions {
  // Required for evaluate_accuracy_log; unused by score_texts.
  DecodeFn decode;
  // Sentence splitter for post-processing (exact only with Punkt). Required.
  const SentenceSplitter* splitter = nullptr;
  // Threads for post-processing and scoring; 0 means one per hardware thread.
  int threads = 2;
  AccuracyTarget target = AccuracyTarget::kDatacenter;
  // Also return per-sample scores (AccuracyResults::samples).
  bool keep_samples = false;
};

// One scored sample (only with keep_samples).
struct SampleScore {
  int64_t qsl_idx = -1;  // -1 for score_texts
  double rouge1 = 0;     // F-measures in [0, 1]
  double rouge2 = 0;
  double rougeL = 0;
  double rougeLsum = 0;
  int64_t gen_len = 0;  // code points of the post-processed prediction
};

// Which targets were met.
struct TargetCheck {
  bool rouge1 = false;
  bool rouge2 = false;
  bool rougeL = false;
  bool rougeLsum = false;
  bool gen_len = false;  // within [90%, 110%] of the reference
  bool gen_num = false;  // every sample of the dataset was scored
  bool passed() const { return rouge1 && rouge2 && rougeL && rougeLsum && gen_len && gen_num; }
  // One line per unmet target, e.g. "rouge1 38.1 < 38.391408 (99% of 38.7792)".
  std::vector<std::string> failures;
};

struct AccuracyResults {
  // Mean F-measure x 100 rounded to 4 decimals, as printed (rouge1_text etc. hold the text).
  double rouge1 = 0;
  double rouge2 = 0;
  double rougeL = 0;
  double rougeLsum = 0;
  std::string rouge1_text;
  std::string rouge2_text;
  std::string rougeL_text;
  std::string rougeLsum_text;
  int64_t gen_len = 0;
  int64_t gen_num = 0;
  std::string log_sha256;            // digest of mlperf_log_accuracy.json ("" for score_texts)
  size_t log_entries = 0;            // entries in the log, duplicates included
  bool exact_sentence_split = true;  // false: approximate splitter (kNotComparableNote)
  AccuracyTarget target = AccuracyTarget::kDatacenter;
  TargetCheck check;
  std::vector<SampleScore> samples;  // in scoring order, with keep_samples
};

// Scores an accuracy log against `references`, the dataset's reference summaries (cnn_eval.json
// "output") indexed by qsl_idx. Throws Error if an entry's qsl_idx has no reference, if the log
// is empty, or if options lack decode or splitter.
AccuracyResults evaluate_accuracy_log(const AccuracyLog& log,
                                      std::span<const std::string> references,
                                      const EvaluationOptions& options);
// Reads the file (read_accuracy_log) and scores it; the results carry its sha256.
AccuracyResults evaluate_accuracy_log(const std::filesystem::path& log_path,
                                      std::span<const std::string> references,
                                      const EvaluationOptions& options);

// Scores prediction/reference text pairs with the same post-processing and aggregation.
// Throws Error if the counts differ or there are none.
AccuracyResults score_texts(std::span<const std::string> predictions,
                            std::span<const std::string> references,
                            const EvaluationOptions& options);

// The input of `infermark accuracy --texts FILE.json`:
// {"predictions": [string...], "references": [string...]} of equal, non-zero length.
struct TextPairs {
  std::vector<std::string> predictions;
  std::vector<std::string> references;
};
TextPairs read_texts_file(const std::filesystem::path& path);

// Recomputes results.check for `target`.
TargetCheck check_targets(const AccuracyResults& results, AccuracyTarget target);

// evaluation.py's result line, e.g. {'rouge1': '38.7321', 'rouge2': '15.8955', 'rougeL':
// '24.4599', 'rougeLsum': '35.7408', 'gen_len': 8209736, 'gen_num': 13368}
std::string format_results_dict(const AccuracyResults& results);
// accuracy.txt: "\nResults\n\n" + the dict line + "\n", then "hash=<sha256>\n" when the results
// came from a log file (the line the submission checker requires).
std::string accuracy_txt(const AccuracyResults& results);
// Writes accuracy_txt(results) atomically. Throws Error naming the path on failure.
void write_accuracy_txt(const std::filesystem::path& path, const AccuracyResults& results);

}  // namespace infermark::accuracy

// The optional inputs of a run report besides the MLPerf logs: the accuracy results
// (accuracy.txt as MLPerf's evaluation script writes it, next to the logs, in ../accuracy, or in
// ../../accuracy as in the submission layout's <Scenario>/performance/run_1)
// and infermark's run.json (free-form run metadata: model and dataset checksums, machine,
// version).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace infermark::report {

struct AccuracyScores {
  std::filesystem::path path;
  // "rouge1", "rouge2", "rougeL", "rougeLsum", "gen_len", "gen_num": those present, in order.
  std::vector<std::pair<std::string, double>> values;
  std::string hash;         // the "hash=" line (the accuracy log's sha256), "" if absent
  std::string target_name;  // "llama3.1-8b" or "llama3.1-8b-edge" (5,000 samples)
  // What each value must be, aligned with `values`, e.g. "≥ 38.3914 (99% of 38.7792)".
  std::vector<std::string> requirements;
  std::vector<std::string> failures;  // unmet targets, one line each; empty = passed
  // The file's "NOT COMPARABLE WITH MLPERF" line (approximate sentence splitter), "" if absent.
  std::string not_comparable;
};

// Parses accuracy.txt text; `origin` names the file in errors. Throws Error if it holds no
// ROUGE results.
AccuracyScores parse_accuracy_txt(const std::string& text, const std::filesystem::path& origin);

// Reads the first of run_dir/accuracy.txt, run_dir/../accuracy/accuracy.txt and
// run_dir/../../accuracy/accuracy.txt that exists; nullopt if none does.
std::optional<AccuracyScores> find_accuracy(const std::filesystem::path& run_dir);

struct RunMetadata {
  std::filesystem::path path;
  std::vector<std::pair<std::string, std::string>> rows;  // top-level key, value as text
};

// Reads run_dir/run.json; nullopt if absent. Throws Error naming the file if it is not a JSON
// object. Non-string values are shown as compact JSON, cut to 400 characters.
std::optional<RunMetadata> read_run_metadata(const std::filesystem::path& run_dir);

}  // namespace infermark::report

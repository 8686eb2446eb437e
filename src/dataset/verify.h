// `infermark dataset verify`: checks a cnn_eval.json-format file against what MLPerf's scripts
// make (mlperf-llama31-8b.md §1) and reports, per check, ok or what is wrong, naming the sample
// and field:
//   count      13,368 (full), 5,000 (edge) or 1,000 (calibration) samples;
//   fields     every sample exactly {instruction, input, tok_input, output} in that order, with
//              the instruction form of its kind ({"llama": template} for the eval sets, the
//              string for calibration), non-empty input and output, token ids in the vocabulary;
//   template   every instruction is the MLPerf template;
//   tok_input  every tok_input equals the tokenizer's encode(template.format(input)) with BOS;
//   length     no prompt above the 2,540-token bound the v5.1 submissions are built for;
//   layout     the bytes are json.dump(indent=4, ensure_ascii=False) of the content;
//   sha256     equal to an expected digest, when one is given.
// Duplicate articles are reported as a warning, not a failure: nothing documents whether the
// source split has any.
//
// Thread-compatible. Cost: parsing the file (streaming), tokenizing every prompt, and
// re-serializing it once for the layout check; memory about twice the file size.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace infermark::text {
class Tokenizer;
}

namespace infermark::dataset {

// NVIDIA's G_LLAMA3_1_8B_MAX_INPUT_SEQLEN, which every v5.1 submission builds engines for.
inline constexpr size_t kMaxPromptTokens = 2540;

struct VerifyOptions {
  // Accept any sample count (and either instruction form); for files that are not one of the
  // three MLPerf sets, such as the bundled sample set.
  bool any_count = false;
  // Lowercase hex digest the file must have, if set.
  std::optional<std::string> expected_sha256;
};

struct VerifyCheck {
  std::string name;
  bool ok = false;
  std::string detail;  // what was found; for a failure, the first offending samples
};

struct PromptLengths {
  size_t min = 0, max = 0, p99 = 0;  // tokens; p99 by nearest rank
  size_t max_sample = 0;             // index of the longest prompt
  double mean = 0;
};

struct VerifyReport {
  std::string path;
  uint64_t bytes = 0;
  std::string sha256;
  size_t samples = 0;
  std::string kind;                      // "full evaluation set", "edge set", "calibration set"...
  std::optional<PromptLengths> lengths;  // unset when the file could not be read as samples
  std::vector<VerifyCheck> checks;
  std::vector<std::string> warnings;

  bool ok() const;
};

// Reads and checks `path`. Throws Error only if the file cannot be read at all; everything wrong
// with its content is a failed check in the report.
VerifyReport verify_cnn_eval(const std::filesystem::path& path, const text::Tokenizer& tokenizer,
                             const VerifyOptions& options);

}  // namespace infermark::dataset

// The CNN-DailyMail sample library in MLPerf's cnn_eval.json format (mlperf-llama31-8b.md §1):
// a JSON array of {"instruction", "input", "tok_input", "output"} objects. Loads the 13,368-sample
// datacenter set, the 5,000-sample edge set, or any other file in that format (the bundled
// sample set). The loader streams the JSON (no document tree), so a 100+ MB file costs about its
// own size in memory.
//
// `tok_input` is used exactly as stored. When a sample has none, the prompt is built from its
// `instruction` template (or the MLPerf template) and tokenised with the caller's tokenizer.
// Bad data is an Error naming the file and the sample index.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace infermark::dataset {

inline constexpr size_t kDatacenterSampleCount = 13368;
inline constexpr size_t kEdgeSampleCount = 5000;

// How a sample's `instruction` is written: the eval sets store {"llama": template}
// (download_cnndm.py), the calibration set the template string (prepare-calibration.py).
enum class InstructionForm { kLlamaObject, kString };

struct Sample {
  // The prompt template ({input} placeholder). The eval set stores {"llama": template}, the
  // calibration set the string itself; both end up here. nullopt if the sample has none.
  std::optional<std::string> instruction;
  // Which of the two the file used (meaningful when instruction is set).
  InstructionForm instruction_form = InstructionForm::kLlamaObject;
  std::string input;               // the article
  std::vector<int32_t> tok_input;  // prompt token ids, starting with BOS 128000 (as HF encode)
  std::string output;              // the reference summary (CNN/DM highlights)
};

// Encodes a prompt the way HF `tokenizer.encode(text)` does (BOS prepended). May throw Error.
using Tokenize = std::function<std::vector<int32_t>(std::string_view text)>;

struct LoadOptions {
  // Used only for samples without `tok_input`; loading such a sample without it is an Error.
  Tokenize tokenize;
  // If > 0, every token id must be below it (the model's vocab_size).
  int64_t vocab_size = 0;
  // MLPerf's exact layout: every sample has the fields instruction, input, tok_input, output and
  // no others, in that order, with instruction a string or {"llama": string}; no nulls. For
  // `infermark dataset verify`. The default accepts any key order, extra fields and a missing
  // instruction or tok_input.
  bool strict_layout = false;
};

enum class Variant { kDatacenter, kEdge, kOther };

class SampleSet {
 public:
  // Reads and parses `path`. Throws Error "<path>: sample <i>: <what>" on bad data.
  static SampleSet load(const std::filesystem::path& path, const LoadOptions& options = {});
  // Parses JSON text; `origin` names it in errors. sha256() is the hash of `json`.
  static SampleSet parse(std::string_view json, std::string_view origin,
                         const LoadOptions& options = {});

  size_t size() const { return samples_.size(); }
  const Sample& operator[](size_t i) const { return samples_[i]; }
  const std::vector<Sample>& samples() const { return samples_; }

  // Where it came from (file path or origin) and the SHA-256 of its bytes, for logs.
  const std::string& origin() const { return origin_; }
  const std::string& sha256() const { return sha256_; }
  // By sample count: 13,368 = datacenter, 5,000 = edge.
  Variant variant() const;
  std::string_view variant_name() const;
  // Samples whose tok_input was built with the tokenizer (0 for the official files).
  size_t tokenized_count() const { return tokenized_count_; }
  // Longest tok_input, and total tokens over all samples.
  size_t max_input_tokens() const;
  uint64_t total_input_tokens() const;

 private:
  std::string origin_;
  std::string sha256_;
  std::vector<Sample> samples_;
  size_t tokenized_count_ = 0;
};

}  // namespace infermark::dataset

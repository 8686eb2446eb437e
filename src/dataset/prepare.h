// Building MLPerf's llama3.1-8b sample files from CNN-DailyMail 3.0.0 (mlperf-llama31-8b.md §1),
// without Python: the steps of download_cnndm.py and prepare-calibration.py.
//   - full (13,368): every article of the validation split, in source order;
//   - edge (5,000): `dataset.shuffle(seed=42).flatten_indices().take(5000)`, i.e. the first n of
//     np.random.default_rng(seed).permutation(len) (numpy_random.h);
//   - calibration (1,000): the train-split articles named by calibration-list.txt, in the list's
//     order. Like prepare-calibration.py's dict of the split by id, a repeated id in the source
//     resolves to its last occurrence.
// Each sample is {instruction, input: article, tok_input, output: highlights}, tok_input being
// `tokenizer.encode(template.format(input=article))` (BOS first, no chat template, no
// truncation). The eval sets store instruction as {"llama": template}, the calibration set as
// the template string. The file is written atomically (nothing is written unless every sample
// was built) with cnn_eval_writer.h's bytes.
//
// Thread-compatible; the tokenizer is shared read-only. Cost, on one core: tokenizing (~60 MB/s
// of article text) and writing and hashing the file (about 6x the text size, ~200 MB/s); 2.5 s
// for the 13,368-article split (docs/benchmarks.md).
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "dataset/article_source.h"
#include "dataset/sample_set.h"

namespace infermark::text {
class Tokenizer;
}

namespace infermark::dataset {

inline constexpr size_t kCalibrationSampleCount = 1000;
inline constexpr uint64_t kMlperfEdgeSeed = 42;

// One line of a calibration id list.
struct ListedId {
  std::string id;
  size_t line = 0;  // 1-based
};

// A list of ids, one per line (as Python's read().splitlines() gives them: LF, CRLF or CR line
// ends, nothing stripped). A blank line is an Error naming it.
std::vector<ListedId> parse_id_list(std::string_view text, std::string_view origin);
std::vector<ListedId> read_id_list(const std::filesystem::path& path);

struct Selection {
  enum class Kind { kAll, kShuffledSubset, kIdList };
  Kind kind = Kind::kAll;
  uint64_t n_samples = 0;           // kShuffledSubset: how many to take
  uint64_t seed = kMlperfEdgeSeed;  // kShuffledSubset
  std::vector<ListedId> ids;        // kIdList
  std::string ids_origin;           // kIdList: the list's file name, for messages
};

// Indices into source.articles, in output order. Errors: n_samples of 0 or above the source's
// size; an id missing from the source (naming the id and its line), a source without ids.
std::vector<size_t> select_articles(const ArticleSource& source, const Selection& selection);

// kLlamaObject for the eval sets, kString for the calibration list.
InstructionForm instruction_form_for(const Selection& selection);

// The samples for `indices`, tokenized. Throws Error if the tokenizer has no BOS token.
std::vector<Sample> build_samples(const ArticleSource& source, std::span<const size_t> indices,
                                  InstructionForm form, const text::Tokenizer& tokenizer);

struct WrittenFile {
  uint64_t bytes = 0;
  std::string sha256;
};

// Writes `samples` to `path` atomically in cnn_eval.json's bytes.
WrittenFile write_cnn_eval_file(const std::filesystem::path& path, std::span<const Sample> samples);

}  // namespace infermark::dataset

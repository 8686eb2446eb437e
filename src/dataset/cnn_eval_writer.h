// Writes samples as the bytes MLPerf's cnn_eval.json has: Python's
// `json.dump(samples, f, indent=4, ensure_ascii=False)` (download_cnndm.py uses simplejson,
// prepare-calibration.py the standard json module; for this content both write the same bytes).
//
// Layout per sample: `instruction` ({"llama": template} or the string, as Sample says; omitted
// when absent), `input`, `tok_input` (one id per line), `output`. Strings are UTF-8 with only
// `"`, `\`, and U+0000..U+001F escaped (\b \t \n \f \r by name, the rest as \u00xx); everything
// else, DEL and U+2028/2029 included, is written as is. Input strings must be valid UTF-8 (the
// callers check); they are not re-validated here.
//
// Pure functions, thread-safe. Cost: one pass over the text, about 1 GB/s.
#pragma once

#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "dataset/sample_set.h"

namespace infermark::dataset {

// The text around and between the array's elements (an empty array is "[]" instead).
inline constexpr std::string_view kJsonArrayOpen = "[\n";
inline constexpr std::string_view kJsonArraySeparator = ",\n";
inline constexpr std::string_view kJsonArrayClose = "\n]";

// Appends `text` as a JSON string literal, as json.dumps(text, ensure_ascii=False) writes it.
void append_python_json_string(std::string& out, std::string_view text);

// Appends one sample as an element of the top-level array (indented one level, no separator).
void append_cnn_eval_sample(std::string& out, const Sample& sample);

// Produces the whole file for `samples` (no trailing newline, as json.dump writes none) and
// hands it to `sink` in consecutive pieces of about `piece_bytes` each.
void write_cnn_eval_json(std::span<const Sample> samples,
                         const std::function<void(std::string_view)>& sink,
                         size_t piece_bytes = size_t{1} << 20);

// The whole file as one string.
std::string cnn_eval_json(std::span<const Sample> samples);

}  // namespace infermark::dataset

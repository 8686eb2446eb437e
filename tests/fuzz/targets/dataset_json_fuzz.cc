// cnn_eval.json text: the sample library parser, with a vocabulary bound and a stand-in
// tokenizer for samples without tok_input (one id per byte).
#include <string_view>
#include <vector>

#include "dataset/sample_set.h"
#include "fuzz_target.h"
#include "util/error.h"

IM_FUZZ_TARGET(dataset_json) {
  using namespace infermark;
  dataset::LoadOptions options;
  options.vocab_size = 128256;
  options.tokenize = [](std::string_view text) {
    std::vector<int32_t> ids{128000};
    for (unsigned char c : text.substr(0, 4096)) ids.push_back(c);
    return ids;
  };
  try {
    const dataset::SampleSet s =
        dataset::SampleSet::parse(fuzz::as_text(data, size), "cnn_eval.json", options);
    (void)s.max_input_tokens();
  } catch (const Error&) {
  }
}

// Peer test: every tok_input of the bundled sample set equals what Hugging Face's tokenizer
// algorithm (npm @huggingface/tokenizers, via scripts/peers/run) gives for the MLPerf prompt with
// add_special_tokens=True, on the generated Llama-3.1 tokenizer.json. Fails (never skips) when
// node or the npm packages are missing.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "dataset/prompt.h"
#include "dataset/sample_set.h"
#include "util/atomic_file.h"
#include "util/json.h"

namespace infermark::dataset {
namespace {

namespace fs = std::filesystem;

TEST(BundledSampleSetPeerTest, TokInputEqualsHuggingFaceEncodeOfPrompt) {
  const fs::path source = std::getenv("INFERMARK_SOURCE_DIR");
  SampleSet set = SampleSet::load(source / "data" / "cnn_eval_sample.json");
  util::Json request = {{"encode", util::Json::array()}, {"add_special_tokens", true}};
  for (const Sample& s : set.samples()) request["encode"].push_back(build_prompt(s.input));

  const fs::path tmp =
      fs::temp_directory_path() / fmt::format("infermark_sample_peer_{}", ::getpid());
  fs::create_directories(tmp);
  util::write_file_atomic(tmp / "request.json", request.dump());
  const std::string cmd =
      fmt::format("'{}/scripts/peers/run' hf_tokenizer.cjs '{}' '{}' '{}'", source.string(),
                  INFERMARK_LLAMA3_TOKENIZER_DIR, (tmp / "request.json").string(),
                  (tmp / "result.json").string());
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd << " -- node and npm are required";
  util::Json result = util::parse_json(util::read_file(tmp / "result.json"), "peer result");
  fs::remove_all(tmp);

  ASSERT_EQ(result["ids"].size(), set.size());
  for (size_t i = 0; i < set.size(); ++i) {
    EXPECT_EQ(result["ids"][i].get<std::vector<int32_t>>(), set[i].tok_input) << "sample " << i;
  }
}

}  // namespace
}  // namespace infermark::dataset

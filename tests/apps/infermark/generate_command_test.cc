// `infermark generate` through the CLI binary: greedy ids equal the float64 reference's, text
// prompts go through the checkpoint's tokenizer, --dump writes the intermediates, bad input is a
// one-line error with exit code 1.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "model/llama_reference.h"
#include "model/test_files.h"
#include "support/cli_runner.h"
#include "text/tokenizer.h"
#include "util/atomic_file.h"
#include "util/json.h"

namespace infermark::engine {
namespace {

using model::testing::TempDir;
using ::testing::HasSubstr;

using infermark::test_support::CliResult;

CliResult run_cli(const std::string& args) { return infermark::test_support::run_infermark(args); }

class GenerateCommand : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    model::Config c = model::testing::write_tiny_model(dir_->path(), model::DType::kF32, true);
    c.max_position_embeddings = 64;
    util::write_file_atomic(dir_->path() / "config.json", c.to_json().dump(2));
    for (const char* f : {"tokenizer.json", "tokenizer_config.json"}) {
      std::filesystem::copy_file(std::filesystem::path(INFERMARK_LLAMA3_TOKENIZER_DIR) / f,
                                 dir_->path() / f);
    }
  }
  static void TearDownTestSuite() { delete dir_; }
  std::string model_arg() const { return "generate --threads 2 --model " + dir_->path().string(); }
  static TempDir* dir_;
  TempDir tmp_;
};
TempDir* GenerateCommand::dir_ = nullptr;

TEST_F(GenerateCommand, GreedyIdsEqualTheReference) {
  const std::vector<int32_t> prompt = {128000, 791, 6864, 315, 9822, 374};
  util::write_file_atomic(tmp_ / "ids.txt", "128000 791, 6864\n315 9822 374\n");
  const CliResult r = run_cli(
      model_arg() + " --max-new-tokens 12 --prompt-ids " + (tmp_ / "ids.txt").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const util::Json j = util::parse_json(r.out, "stdout");
  EXPECT_EQ(j.at("prompt_tokens"), 6);
  EXPECT_EQ(j.at("finish_reason"), "length");
  const model::testing::RefLlama ref(dir_->path());
  EXPECT_EQ(j.at("ids").get<std::vector<int32_t>>(), ref.greedy(prompt, 12));
  EXPECT_THAT(r.err, HasSubstr("tok/s"));
}

TEST_F(GenerateCommand, QuantizeOnLoadGreedyIdsEqualTheReferenceOfTheQuantizedWeights) {
  const std::vector<int32_t> prompt = {128000, 791, 6864, 315, 9822, 374};
  util::write_file_atomic(tmp_ / "ids.txt", "128000 791 6864 315 9822 374");
  const CliResult r = run_cli(model_arg() + " --quantize int4 --max-new-tokens 8 --prompt-ids " +
                              (tmp_ / "ids.txt").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const model::testing::RefLlama ref(dir_->path(), model::load_quantization("int4"));
  EXPECT_EQ(util::parse_json(r.out, "stdout").at("ids").get<std::vector<int32_t>>(),
            ref.greedy(prompt, 8));
}

TEST_F(GenerateCommand, TextPromptIsEncodedAndOutputDecoded) {
  const CliResult r =
      run_cli(model_arg() + " --max-new-tokens 5 --prompt 'The capital of France'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const util::Json j = util::parse_json(r.out, "stdout");
  const text::Tokenizer tok = text::Tokenizer::load(dir_->path());
  EXPECT_EQ(j.at("prompt_tokens"), tok.encode("The capital of France", true).size());
  const auto ids = j.at("ids").get<std::vector<int32_t>>();
  EXPECT_EQ(ids.size(), 5u);
  EXPECT_EQ(j.at("text"), tok.decode(ids));
}

TEST_F(GenerateCommand, SamplingWithASeedIsReproducible) {
  util::write_file_atomic(tmp_ / "ids.json", "[128000, 40, 1093]");
  const std::string args = model_arg() + " --max-new-tokens 8 --temperature 1.2 --top-p 0.9 " +
                           "--prompt-ids " + (tmp_ / "ids.json").string();
  const CliResult a = run_cli(args + " --seed 11"), b = run_cli(args + " --seed 11"),
               c = run_cli(args + " --seed 12");
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(a.out, b.out);
  EXPECT_NE(a.out, c.out);
}

TEST_F(GenerateCommand, DumpWritesIntermediatesOfEveryStep) {
  const CliResult r = run_cli(
      model_arg() + " --max-new-tokens 3 --prompt hi --dump " + (tmp_ / "dump").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const util::Json index = util::parse_json(util::read_file(tmp_ / "dump" / "index.json"), "i");
  std::set<std::pair<int, std::string>> names;
  for (const auto& t : index.at("tensors"))
    names.insert({t.at("step").get<int>(), t.at("name").get<std::string>()});
  EXPECT_TRUE(names.count({0, "layer1.attn_out"}));
  EXPECT_TRUE(names.count({2, "logits"}));  // three tokens: prefill + two decode steps
  EXPECT_FALSE(names.count({3, "logits"}));
  EXPECT_TRUE(std::filesystem::exists(tmp_ / "dump" / "step0001" / "layer0.q.npy"));
}

TEST_F(GenerateCommand, BadInputIsAOneLineErrorWithExitCode1) {
  util::write_file_atomic(tmp_ / "bad.txt", "1 2 128256");
  CliResult r = run_cli(model_arg() + " --prompt-ids " + (tmp_ / "bad.txt").string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "infermark: error: generate: prompt token 2 is 128256, outside the vocabulary "
            "[0, 128256)\n");
  std::string long_prompt;
  for (int i = 0; i < 70; ++i) long_prompt += "5 ";
  util::write_file_atomic(tmp_ / "long.txt", long_prompt);
  r = run_cli(model_arg() + " --prompt-ids " + (tmp_ / "long.txt").string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("prompt has 70 tokens, more than the context of 64 tokens"));
  util::write_file_atomic(tmp_ / "word.txt", "1 two 3");
  r = run_cli(model_arg() + " --prompt-ids " + (tmp_ / "word.txt").string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("'two' is not a token id"));
  r = run_cli(model_arg() + " --prompt-ids " + (tmp_ / "missing.txt").string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("missing.txt"));
  r = run_cli("generate --model " + (tmp_ / "nomodel").string() + " --prompt x");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("nomodel"));
}

}  // namespace
}  // namespace infermark::engine

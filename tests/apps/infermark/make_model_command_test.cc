// `infermark make-model` end to end through the CLI binary: output folder, exit codes and
// one-line errors for bad options.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "model/checkpoint.h"
#include "model/config.h"
#include "model/weights.h"
#include "support/cli_runner.h"
#include "model/test_files.h"

namespace infermark::model {
namespace {

using ::testing::HasSubstr;

// The command's whole output: messages may go to stdout or stderr.
std::string output(const infermark::test_support::CliResult& r) { return r.out + r.err; }

TEST(MakeModelCommandTest, WritesShardedTinyModelThatBinds) {
  testing::TempDir dir;
  auto r = infermark::test_support::run_infermark("make-model --shape tiny --seed 3 --dtype f32 --max-shard-size 10MB --out " +
                   (dir / "m").string());
  ASSERT_EQ(r.exit_code, 0) << output(r);
  EXPECT_THAT(output(r), HasSubstr("wrote tiny"));
  Checkpoint ck = Checkpoint::open(dir / "m");
  EXPECT_TRUE(ck.sharded());
  Weights w = bind_llama_weights(ck, Config::load(dir / "m"));
  EXPECT_EQ(w.dtype, DType::kF32);
}

TEST(MakeModelCommandTest, QuantizeWritesACompressedTensorsCheckpointThatBinds) {
  testing::TempDir dir;
  auto r = infermark::test_support::run_infermark("make-model --shape tiny --quantize w4a16 --out " +
                                                  (dir / "m").string());
  ASSERT_EQ(r.exit_code, 0) << output(r);
  EXPECT_THAT(output(r), HasSubstr("w4a16 compressed-tensors, bf16 scales"));
  const Config c = Config::load(dir / "m");
  ASSERT_TRUE(c.quantization);
  Checkpoint ck = Checkpoint::open(dir / "m");
  Weights w = bind_llama_weights(ck, c);
  ASSERT_TRUE(w.layers[0].down.quantized);
  EXPECT_EQ(w.layers[0].down.quantized->scheme.group_size, 128);
  r = infermark::test_support::run_infermark("make-model --quantize w3a16 --out " +
                                             dir.path().string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(output(r), HasSubstr("--quantize 'w3a16' is not one of w8a8, w8a16, w4a16"));
}

TEST(MakeModelCommandTest, W4a8PresetWritesInt4WeightsWithInt8Activations) {
  testing::TempDir dir;
  auto r = infermark::test_support::run_infermark("make-model --shape tiny --quantize w4a8 --out " +
                                                  (dir / "m").string());
  ASSERT_EQ(r.exit_code, 0) << output(r);
  const Config c = Config::load(dir / "m");
  ASSERT_TRUE(c.quantization);
  Checkpoint ck = Checkpoint::open(dir / "m");
  Weights w = bind_llama_weights(ck, c);
  ASSERT_TRUE(w.layers[0].gate.quantized);
  const auto& scheme = w.layers[0].gate.quantized->scheme;
  EXPECT_EQ(scheme.weights, ops::WeightFormat::kInt4);
  EXPECT_EQ(scheme.activations, ops::ActivationFormat::kInt8PerToken);
  EXPECT_EQ(scheme.group_size, 128);
  EXPECT_EQ(scheme.format, "int-quantized");
}

TEST(MakeModelCommandTest, BadOptionsGiveOneLineErrorAndExitCode1) {
  testing::TempDir dir;
  auto r = infermark::test_support::run_infermark("make-model --shape huge --out " + dir.path().string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(output(r), HasSubstr("error: make-model: unknown --shape 'huge'"));
  r = infermark::test_support::run_infermark("make-model --dtype int4 --out " + dir.path().string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(output(r), HasSubstr("--dtype 'int4' is not one of bf16, f16, f32"));
  r = infermark::test_support::run_infermark("make-model --max-shard-size 5TB --out " + dir.path().string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(output(r), HasSubstr("--max-shard-size '5TB'"));
  r = infermark::test_support::run_infermark("make-model --shape tiny");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(output(r), HasSubstr("--out"));
}

}  // namespace
}  // namespace infermark::model

// `infermark bench` through the CLI binary on a tiny generated model: a row per batch size with
// positive rates in the table and the JSON file, the decode window holding full batch steps,
// --isa capping the kernels (and reported), --kv-cache-bytes sizing the KV cache, and bad options
// as one-line errors with exit code 1.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "backends/cpu/cpu_features.h"
#include "engine/kv_cache.h"
#include "model/config.h"
#include "model/llama_reference.h"
#include "model/test_files.h"
#include "support/cli_runner.h"
#include "util/atomic_file.h"
#include "util/json.h"

namespace infermark::engine {
namespace {

using model::testing::TempDir;
using test_support::CliResult;
using test_support::run_infermark;
using ::testing::HasSubstr;

class BenchCommand : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    model::testing::write_tiny_model(dir_->path(), model::DType::kBF16, /*harder=*/false);
  }
  static void TearDownTestSuite() { delete dir_; }
  std::string bench() const {
    return "bench --threads 2 --prompt-len 12 --gen-len 6 --model " + dir_->path().string();
  }
  static TempDir* dir_;
  TempDir tmp_;
};
TempDir* BenchCommand::dir_ = nullptr;

TEST_F(BenchCommand, QuantizeOnLoadIsReportedInTableAndJson) {
  const auto json = tmp_ / "bench.json";
  const CliResult r = run_infermark(bench() + " --batch 1 --quantize w8a8 --json " + json.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out,
              HasSubstr("weights int8 (lm_head bf16), activations int8-per-token (lm_head f32)"));
  const util::Json j = util::parse_json(util::read_file(json), json.string());
  EXPECT_EQ(j.at("weight_precision"), "int8 (lm_head bf16)");
  EXPECT_EQ(j.at("activation_precision"), "int8-per-token (lm_head f32)");
  const CliResult bad = run_infermark(bench() + " --quantize int3");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err,
              HasSubstr("bench: --quantize 'int3' is not one of int8, w8a8, int4, w4a8, fp8"));
}

TEST_F(BenchCommand, QuantizeW4a8IsReportedInTableAndJson) {
  const auto json = tmp_ / "bench.json";
  const CliResult r = run_infermark(bench() + " --batch 1,2 --quantize w4a8 --quantize-lm-head " +
                                    "w4a8 --json " + json.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("weights int4-g128, activations int8-per-token"));
  const util::Json j = util::parse_json(util::read_file(json), json.string());
  EXPECT_EQ(j.at("weight_precision"), "int4-g128");
  EXPECT_EQ(j.at("activation_precision"), "int8-per-token");
  ASSERT_EQ(j.at("results").size(), 2u);
}

TEST_F(BenchCommand, QuantizeLmHeadIsReportedAndBadValuesNamed) {
  const auto json = tmp_ / "bench.json";
  const CliResult r = run_infermark(bench() + " --batch 1 --quantize int4 --quantize-lm-head int8" +
                                    " --json " + json.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("weights int4-g128 (lm_head int8), activations f32"));
  const util::Json j = util::parse_json(util::read_file(json), json.string());
  EXPECT_EQ(j.at("weight_precision"), "int4-g128 (lm_head int8)");
  const CliResult bad = run_infermark(bench() + " --quantize-lm-head int2");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(
      bad.err,
      HasSubstr("bench: --quantize-lm-head 'int2' is not one of int8, w8a8, int4, w4a8, fp8"));
}

TEST_F(BenchCommand, RowPerBatchInTableAndJson) {
  const auto json = tmp_ / "bench.json";
  const CliResult r = run_infermark(bench() + " --batch 1,3 --repeat 2 --json " + json.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("prompt 12, gen 6"));
  EXPECT_THAT(r.out, HasSubstr("decode tok/s"));
  const util::Json j = util::parse_json(util::read_file(json), json.string());
  EXPECT_EQ(j.at("prompt_len"), 12);
  EXPECT_EQ(j.at("repeat"), 2);
  EXPECT_EQ(j.at("isa"), std::string(cpu::isa_name(cpu::detected_isa())));
  const util::Json& rows = j.at("results");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].at("batch"), 1);
  EXPECT_EQ(rows[1].at("batch"), 3);
  for (const util::Json& row : rows) {
    EXPECT_GT(row.at("prefill_tok_s").get<double>(), 0);
    EXPECT_GT(row.at("decode_tok_s").get<double>(), 0);
    // Decode window: from the last first token to the first finish, all batch-sized steps.
    EXPECT_EQ(row.at("decode_tokens").get<int64_t>() % row.at("batch").get<int64_t>(), 0);
    EXPECT_GT(row.at("decode_tokens").get<int64_t>(), 0);
  }
  EXPECT_DOUBLE_EQ(rows[0].at("decode_vs_batch1").get<double>(), 1.0);
}

TEST_F(BenchCommand, IsaCapsTheKernels) {
  if (cpu::detected_isa() < cpu::Isa::kAvx2) GTEST_SKIP() << "no AVX2";
  const auto json = tmp_ / "bench.json";
  const CliResult r = run_infermark(bench() + " --batch 2 --isa avx2 --json " + json.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("isa avx2"));
  EXPECT_EQ(util::parse_json(util::read_file(json), json.string()).at("isa"), "avx2");
}

TEST_F(BenchCommand, KvCacheBytesSizesTheCache) {
  // Prompt 12 + gen 6 = 18 tokens: 2 blocks of 16 per sequence.
  const int64_t block =
      KvCache::block_bytes(model::Config::load(dir_->path()), ops::DType::kBF16, 16);
  const auto json = tmp_ / "bench.json";
  auto blocks = [&] {
    return util::parse_json(util::read_file(json), json.string()).at("kv_cache_blocks");
  };
  CliResult r = run_infermark(bench() + " --batch 2 --json " + json.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(blocks(), 4);  // by default, room for every sequence of the largest batch
  r = run_infermark(bench() + " --batch 2 --kv-cache-bytes " + std::to_string(2 * block + 1) +
                    " --json " + json.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;  // room for one sequence: the two take turns
  EXPECT_EQ(blocks(), 2);
  EXPECT_THAT(r.out, HasSubstr("(2 blocks, "));
  r = run_infermark(bench() + " --kv-cache-bytes " + std::to_string(2 * block - 1));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("cannot hold one sequence of --prompt-len + --gen-len = 18"));
}

TEST_F(BenchCommand, BadOptionsAreOneLineErrors) {
  CliResult r = run_infermark(bench() + " --isa sse9");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("--isa 'sse9' is not one of generic, avx2, avx512"));
  if (cpu::detected_isa() < cpu::Isa::kAvx512) {
    r = run_infermark(bench() + " --isa avx512");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_THAT(r.err, HasSubstr("--isa avx512 is not available on this CPU"));
  }
  r = run_infermark(bench() + " --batch 1,x");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("--batch '1,x' is not a list of positive integers"));
  r = run_infermark("bench --gen-len 1 --model " + dir_->path().string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("--gen-len >= 2"));
  r = run_infermark(bench() + " --kv-cache-bytes -1");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("--kv-cache-bytes >= 0"));
  r = run_infermark("bench --model " + (tmp_ / "absent").string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("absent"));
}

}  // namespace
}  // namespace infermark::engine

// The forward pass (model::Llama) against the float64 reference of llama_reference.h on tiny
// generated checkpoints (make-model's "tiny" shape, and a harder untied variant with peaked
// attention and random norm weights), in f32 and bf16: logits at every position within a
// tolerance, greedy continuation identical for 32 tokens; chunking, paging and batching do not
// change the results; intermediates can be dumped.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <tuple>

#include "model/llama.h"
#include "model/llama_reference.h"
#include "model/llama_runner.h"
#include "model/test_files.h"
#include "ops/cpu_backend.h"
#include "util/atomic_file.h"
#include "util/error.h"
#include "util/json.h"

namespace infermark::model {
namespace {

using testing::argmax;
using testing::load;
using testing::random_tokens;
using testing::RefLlama;
using testing::row_error;
using testing::Runner;
using testing::TempDir;

class LlamaVsReference : public ::testing::TestWithParam<std::tuple<DType, bool>> {};

TEST_P(LlamaVsReference, LogitsAtEveryPositionAndGreedyContinuation) {
  const auto [dtype, harder] = GetParam();
  TempDir dir;
  const Config c = testing::write_tiny_model(dir.path(), dtype, harder);
  const auto model = load(dir.path());
  const RefLlama ref(dir.path());
  Runner run(*model, 16);

  std::vector<int32_t> tokens = random_tokens(11, c.vocab_size, 3);
  const size_t prompt = tokens.size();
  std::vector<std::vector<float>> ours = run.step({0}, {tokens}, {0}, /*all_rows=*/true);
  for (int i = 0; i < 32; ++i) {  // greedy decode through the cache
    tokens.push_back(argmax(ours.back()));
    const auto next =
        run.step({0}, {{tokens.back()}}, {static_cast<int32_t>(tokens.size() - 1)}, false);
    if (i < 31) ours.push_back(next[0]);
  }
  // The reference at every position of the same sequence: each of our greedy tokens must be
  // the reference's argmax given the same prefix, and every logit row close to it.
  const auto expect = ref.logits(std::vector<int32_t>(tokens.begin(), tokens.end() - 1));
  ASSERT_EQ(expect.size(), ours.size());
  double worst = 0;
  for (size_t t = 0; t < expect.size(); ++t) {
    const auto [err, scale] = row_error(ours[t].data(), expect[t]);
    worst = std::max(worst, err / scale);
    EXPECT_LE(err, 1e-4 * scale) << "position " << t;
    if (t + 1 >= prompt) {
      const auto best = std::max_element(expect[t].begin(), expect[t].end()) - expect[t].begin();
      EXPECT_EQ(tokens[t + 1], best) << "greedy token after position " << t;
    }
  }
  RecordProperty("max_relative_error", std::to_string(worst));
}

INSTANTIATE_TEST_SUITE_P(TinyModels, LlamaVsReference,
                         ::testing::Combine(::testing::Values(DType::kF32, DType::kBF16),
                                            ::testing::Bool()));

class LlamaConsistency : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    testing::write_tiny_model(dir_->path(), DType::kBF16, /*harder=*/true);
    model_ = load(dir_->path()).release();
  }
  static void TearDownTestSuite() {
    delete model_;
    delete dir_;
  }
  static void expect_close(const std::vector<float>& a, const std::vector<float>& b, double tol) {
    ASSERT_EQ(a.size(), b.size());
    double err = 0, scale = 0;
    for (size_t i = 0; i < a.size(); ++i) {
      err = std::max(err, static_cast<double>(std::abs(a[i] - b[i])));
      scale = std::max(scale, static_cast<double>(std::abs(b[i])));
    }
    EXPECT_LE(err, tol * scale);
  }
  static TempDir* dir_;
  static Llama* model_;
};
TempDir* LlamaConsistency::dir_ = nullptr;
Llama* LlamaConsistency::model_ = nullptr;

TEST_F(LlamaConsistency, ChunkedPrefillWithBlockSizeOneMatchesOneChunk) {
  const auto tokens = random_tokens(23, model_->config().vocab_size, 5);
  Runner whole(*model_, 16), paged(*model_, 1);
  const auto expect = whole.step({0}, {tokens}, {0}, true);
  std::vector<std::vector<float>> got;
  for (size_t at = 0; at < tokens.size(); at += 5) {
    const std::vector<int32_t> chunk(
        tokens.begin() + static_cast<int64_t>(at),
        tokens.begin() + static_cast<int64_t>(std::min(at + 5, tokens.size())));
    for (auto& row : paged.step({0}, {chunk}, {static_cast<int32_t>(at)}, true)) got.push_back(row);
  }
  ASSERT_EQ(got.size(), expect.size());
  for (size_t t = 0; t < got.size(); ++t) expect_close(got[t], expect[t], 1e-5);
}

TEST_F(LlamaConsistency, MixedBatchMatchesSequencesRunAlone) {
  const int64_t v = model_->config().vocab_size;
  const auto a = random_tokens(9, v, 11), b = random_tokens(17, v, 12);
  Runner alone(*model_, 4), mixed(*model_, 4);
  const auto a_prefill = alone.step({0}, {a}, {0}, false);
  const auto b_first =
      alone.step({1}, {std::vector<int32_t>(b.begin(), b.begin() + 10)}, {0}, false);
  const auto b_rest = alone.step({1}, {std::vector<int32_t>(b.begin() + 10, b.end())}, {10}, false);
  const auto a_decode = alone.step({0}, {{42}}, {9}, false);

  // Step 1: all of a, the first chunk of b. Step 2: a decode token and the rest of b.
  const auto m1 =
      mixed.step({0, 1}, {a, std::vector<int32_t>(b.begin(), b.begin() + 10)}, {0, 0}, false);
  const auto m2 =
      mixed.step({0, 1}, {{42}, std::vector<int32_t>(b.begin() + 10, b.end())}, {9, 10}, false);
  expect_close(m1[0], a_prefill[0], 1e-5);
  expect_close(m1[1], b_first[0], 1e-5);
  expect_close(m2[0], a_decode[0], 1e-5);
  expect_close(m2[1], b_rest[0], 1e-5);
}

TEST_F(LlamaConsistency, Bf16KvCacheMatchesReferenceWithBf16KeysAndValues) {
  const auto tokens = random_tokens(30, model_->config().vocab_size, 13);
  Runner bf16(*model_, 16, 4, 256, ops::DType::kBF16);
  const auto got = bf16.step({0}, {tokens}, {0}, true);
  const auto expect = RefLlama(dir_->path()).logits(tokens, false, /*kv_bf16=*/true);
  double worst = 0;
  for (size_t t = 0; t < got.size(); ++t) {
    const auto [err, scale] = row_error(got[t].data(), expect[t]);
    worst = std::max(worst, err / scale);
  }
  // Rounding a value computed in f32 vs float64 to bf16 can differ by one bf16 ulp (2^-8) now
  // and then; without the bf16 rounding in the reference the error is ~3e-2.
  EXPECT_LE(worst, 2e-3);
}

TEST_F(LlamaConsistency, DumpWritesEveryIntermediateWithAnIndex) {
  TempDir out;
  ForwardDump dump(out.path() / "dump");
  Runner run(*model_, 16);
  const auto tokens = random_tokens(6, model_->config().vocab_size, 17);
  const auto logits = run.step({0}, {tokens}, {0}, false, &dump);
  run.step({0}, {{5}}, {6}, false, &dump);
  const auto index = util::parse_json(util::read_file(out.path() / "dump" / "index.json"), "index");
  std::map<std::string, util::Json> step0;
  for (const auto& t : index.at("tensors")) {
    if (t.at("step") == 0) step0[t.at("name").get<std::string>()] = t;
  }
  const Config& c = model_->config();
  for (const char* name :
       {"embed", "layer0.attn_norm", "layer0.q", "layer0.k", "layer0.v", "layer0.attn_out",
        "layer0.attn_res", "layer0.ffn_norm", "layer0.ffn_act", "layer0.out", "layer1.attn_out",
        "final_norm", "logits"}) {
    ASSERT_TRUE(step0.count(name)) << name;
  }
  EXPECT_EQ(step0["layer0.attn_out"].at("shape"), (util::Json{6, c.q_dim()}));
  EXPECT_EQ(step0["layer1.out"].at("shape"), (util::Json{1, c.hidden_size}));
  EXPECT_EQ(step0["logits"].at("file"), "step0000/logits.npy");
  const std::string npy = util::read_file(out.path() / "dump" / "step0000" / "logits.npy");
  ASSERT_EQ(npy.size() % 64, c.vocab_size * 4 % 64);
  ASSERT_GT(npy.size(), static_cast<size_t>(c.vocab_size) * 4);
  const size_t data_at = npy.size() - static_cast<size_t>(c.vocab_size) * 4;
  EXPECT_EQ(std::memcmp(npy.data() + data_at, logits[0].data(), logits[0].size() * 4), 0);
  EXPECT_NE(npy.find("'shape': (1, 128256)"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(out.path() / "dump" / "step0001" / "layer1.q.npy"));
}

TEST(LlamaLoad, MissingFolderIsAnErrorNamingIt) {
  try {
    load("/nonexistent/model");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/model"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace infermark::model

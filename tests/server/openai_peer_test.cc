// Peer test: the official OpenAI SDK (npm `openai`, installed into the build folder by `npm ci`
// from tests/server/peers) as a real client of `infermark serve` on a model made by
// `infermark make-model --shape tiny`: completions with a text and a token-id prompt, streaming
// with usage, stop, max_tokens, chat streamed and not, and the SDK's BadRequestError /
// AuthenticationError / RateLimitError for the server's 400 / 401 / 429.
//
// Fails (never skips) when node or the package is missing: CI must run it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "llama3_tokenizer.h"
#include "model/test_files.h"
#include "serve_process.h"
#include "support/cli_runner.h"
#include "util/json.h"

namespace infermark::server {
namespace {

using test_support::run_infermark;
using ::testing::HasSubstr;
using util::Json;

TEST(OpenAiPeer, TheOfficialSdkTalksToServe) {
  model::testing::TempDir dir;
  const std::string model = (dir.path() / "m").string();
  const auto made = run_infermark("make-model --shape tiny --seed 5 --out " + model +
                                  " --tokenizer " + INFERMARK_LLAMA3_TOKENIZER_DIR);
  ASSERT_EQ(made.exit_code, 0) << made.err;
  testing::ServeProcess serve({"--model", model, "--port", "0", "--threads", "2", "--api-key",
                               "peer-key", "--max-seqs", "1", "--max-queue", "1", "--max-context",
                               "4096", "--served-model-name", "tiny"});
  const std::vector<int> ids = {128000, 791, 6864, 315, 9822, 374};
  const std::string cmd = "NODE_PATH='" + std::string(INFERMARK_OPENAI_PEER_DIR) +
                          "/node_modules' node '" + std::string(INFERMARK_TEST_SOURCE_DIR) +
                          "/tests/server/peers/openai_sdk_check.cjs' " +
                          "http://127.0.0.1:" + std::to_string(serve.port()) +
                          "/v1 peer-key tiny '" + Json(ids).dump() + "' 2>&1";
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  ASSERT_EQ(::pclose(p), 0) << out << "\nserver stderr:\n" << serve.err();
  const Json report = Json::parse(out);
  EXPECT_EQ(report["models"], Json({"tiny"}));
  EXPECT_EQ(report["text_prompt"]["usage"]["prompt_tokens"],
            text::testing::llama3().encode("The capital of France is", true).size());
  EXPECT_EQ(report["ids_prompt"]["token_ids"].size(), 8u);
  EXPECT_EQ(report["stream"]["token_ids"], report["ids_prompt"]["token_ids"]);
  EXPECT_GE(report["stream"]["chunks"], 9);  // 8 single-token chunks and the usage chunk
  EXPECT_LT(report["stop"]["text"].get<std::string>().size(),
            report["ids_prompt"]["text"].get<std::string>().size());
  EXPECT_EQ(report["errors"]["bad_request"]["class"], "BadRequestError");
  EXPECT_EQ(report["errors"]["bad_request"]["type"], "invalid_request_error");
  EXPECT_EQ(report["errors"]["unauthorized"]["class"], "AuthenticationError");
  EXPECT_EQ(report["errors"]["rate_limited"]["class"], "RateLimitError");
  EXPECT_EQ(report["errors"]["rate_limited"]["code"], "rate_limit_exceeded");
}

}  // namespace
}  // namespace infermark::server

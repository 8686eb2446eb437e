// `infermark serve` as users run it: on a model made by `infermark make-model --shape tiny`,
// greedy output equals `infermark generate` token for token (id and text prompts); SIGTERM lets
// a stream in flight finish and exits 0; the address line, the API key from the environment,
// and bad options.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include "http_test_client.h"
#include "model/test_files.h"
#include "serve_process.h"
#include "support/cli_runner.h"
#include "util/atomic_file.h"
#include "util/json.h"

namespace infermark::server {
namespace {

using test_support::run_infermark;
using ::testing::HasSubstr;
using testing::post;
using testing::post_text;
using testing::ServeProcess;
using testing::TestConnection;
using util::Json;
using namespace std::chrono_literals;

class ServeCommand : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new model::testing::TempDir;
    const auto r = run_infermark("make-model --shape tiny --seed 3 --dtype f32 --out " +
                                 (dir_->path() / "m").string() + " --tokenizer " +
                                 INFERMARK_LLAMA3_TOKENIZER_DIR);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  static void TearDownTestSuite() { delete dir_; }
  static std::string model() { return (dir_->path() / "m").string(); }
  static model::testing::TempDir* dir_;
};
model::testing::TempDir* ServeCommand::dir_ = nullptr;

Json generate(const std::string& args) {
  const auto r = run_infermark("generate --threads 2 --model " + args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return Json::parse(r.out);
}

TEST_F(ServeCommand, GreedyOutputEqualsGenerateTokenForToken) {
  const std::string ids_file = (dir_->path() / "ids.json").string();
  const std::vector<int> prompt = {128000, 791, 6864, 315, 9822, 374};
  util::write_file_atomic(ids_file, Json(prompt).dump());
  const Json by_ids = generate(model() + " --max-new-tokens 20 --prompt-ids " + ids_file);
  const Json by_text =
      generate(model() + " --max-new-tokens 20 --prompt 'Summarize: the cat sat.'");

  ServeProcess serve({"--model", model(), "--port", "0", "--threads", "2"});
  // generate's defaults: greedy, at least one token before eos may end it.
  Json req = {{"prompt", prompt},
              {"max_tokens", 20},
              {"temperature", 0},
              {"min_tokens", 1},
              {"return_token_ids", true}};
  auto r = post(serve.port(), "/v1/completions", req.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  Json j = Json::parse(r.body);
  EXPECT_EQ(j["choices"][0]["token_ids"], by_ids["ids"]);
  EXPECT_EQ(j["choices"][0]["finish_reason"], by_ids["finish_reason"]);
  EXPECT_EQ(j["usage"]["prompt_tokens"], by_ids["prompt_tokens"]);

  req["prompt"] = "Summarize: the cat sat.";
  req["stream"] = true;
  r = post(serve.port(), "/v1/completions", req.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  std::vector<int> ids;
  for (const Json& e : testing::sse_json(r.body)) {
    for (const Json& id : e["choices"][0]["token_ids"]) ids.push_back(id);
  }
  EXPECT_EQ(Json(ids), by_text["ids"]);
}

TEST_F(ServeCommand, SigtermLetsAStreamFinishAndExitsZero) {
  ServeProcess serve({"--null", "--port", "0", "--null-tokens-per-s", "40"});
  EXPECT_THAT(serve.out(), HasSubstr("listening on 127.0.0.1:" + std::to_string(serve.port())));
  TestConnection c(serve.port());
  c.send(
      post_text("/v1/completions",
                R"({"prompt": [1], "max_tokens": 20, "stream": true, "return_token_ids": true})"));
  c.read_until("data: ");
  serve.signal(SIGTERM);
  const std::string rest = c.read_until_close();
  EXPECT_THAT(rest, HasSubstr("\"finish_reason\":\"length\""));
  EXPECT_THAT(rest, HasSubstr("data: [DONE]"));
  EXPECT_EQ(serve.wait_exit(10s), 0) << serve.err();
  EXPECT_THAT(serve.err(), HasSubstr("shut down"));
}

TEST_F(ServeCommand, ApiKeyFromTheEnvironment) {
  ServeProcess serve({"--null", "--port", "0"}, {"INFERMARK_API_KEY=k1"});
  const std::string body = R"({"prompt": [1], "max_tokens": 1})";
  EXPECT_EQ(post(serve.port(), "/v1/completions", body).status, 401);
  EXPECT_EQ(post(serve.port(), "/v1/completions", body, {"Authorization: Bearer k1"}).status, 200);
}

TEST_F(ServeCommand, BadOptionsAreOneLineErrors) {
  auto r = run_infermark("serve --port 0");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("give either --model DIR or --null"));
  r = run_infermark("serve --null --port 0 --stream-interval 0");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("--stream-interval 0"));
  r = run_infermark("serve --null --port 0 --host not-an-ip");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("--host 'not-an-ip'"));
  r = run_infermark("serve --port 0 --model /nonexistent/model");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("/nonexistent/model"));
}

}  // namespace
}  // namespace infermark::server

// `serve` over the real engine on a tiny generated model: greedy output through HTTP (streamed
// and not) equals the engine's in process, token for token; clients that drop mid-stream leave
// no running request and no KV block in use within a second; stop strings end generation.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "http_test_client.h"
#include "llama3_tokenizer.h"
#include "model/llama_reference.h"
#include "model/test_files.h"
#include "server/engine_backend.h"
#include "stream_swarm.h"
#include "test_server.h"
#include "text/utf8.h"

namespace infermark::server {
namespace {

using testing::get;
using testing::metric_value;
using testing::post;
using testing::sse_json;
using testing::TestServer;
using text::testing::llama3;
using util::Json;
using namespace std::chrono_literals;

class EngineServer : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new model::testing::TempDir;
    model::testing::write_tiny_model(dir_->path(), model::DType::kBF16, /*harder=*/true);
    model_ = engine::load_model(dir_->path(), 2);
  }
  static void TearDownTestSuite() {
    model_.reset();
    delete dir_;
  }
  static engine::EngineOptions engine_options() {
    engine::EngineOptions o = engine::EngineOptions::server();
    o.threads = 2;
    o.max_context = 512;
    o.max_seqs = 128;
    o.kv_cache_bytes = 16 << 20;
    return o;
  }
  static TestServer serve() {
    return TestServer(
        testing::test_server_options(),
        std::make_unique<EngineBackend>(std::make_unique<engine::Engine>(model_, engine_options())),
        llama3());
  }
  // Greedy ids from the engine directly.
  static std::vector<TokenId> greedy(const std::vector<TokenId>& prompt, int n) {
    engine::Engine e(model_, engine_options());
    std::vector<TokenId> out;
    std::promise<void> done;
    engine::GenerationParams p;
    p.max_new_tokens = n;
    p.ignore_eos = true;
    e.submit(prompt, p,
             {[&](std::span<const TokenId> t, bool) { out.insert(out.end(), t.begin(), t.end()); },
              [&](const engine::Finish&) { done.set_value(); }});
    done.get_future().wait();
    return out;
  }

  static model::testing::TempDir* dir_;
  static std::shared_ptr<const model::Llama> model_;
};
model::testing::TempDir* EngineServer::dir_ = nullptr;
std::shared_ptr<const model::Llama> EngineServer::model_;

TEST_F(EngineServer, GreedyOverHttpEqualsTheEngineInProcess) {
  TestServer s = serve();
  const std::vector<std::vector<TokenId>> prompts = {
      {128000, 791, 6864, 315, 9822, 374}, {128000, 40, 1093, 311}, {5, 6, 7, 8, 9, 10, 11}};
  for (const auto& prompt : prompts) {
    const std::vector<TokenId> expected = greedy(prompt, 24);
    Json req = {{"prompt", prompt}, {"max_tokens", 24},   {"temperature", 0},        {"top_k", 1},
                {"top_p", 1},       {"ignore_eos", true}, {"return_token_ids", true}};
    const auto whole = post(s.port(), "/v1/completions", req.dump());
    ASSERT_EQ(whole.status, 200) << whole.body;
    const Json j = Json::parse(whole.body);
    EXPECT_EQ(j["choices"][0]["token_ids"].get<std::vector<TokenId>>(), expected);
    EXPECT_EQ(j["choices"][0]["text"], llama3().decode(expected, {.skip_special_tokens = true}));
    req["stream"] = true;
    const auto streamed = post(s.port(), "/v1/completions", req.dump());
    std::vector<TokenId> ids;
    for (const Json& e : sse_json(streamed.body)) {
      for (const Json& id : e["choices"][0]["token_ids"]) ids.push_back(id);
    }
    EXPECT_EQ(ids, expected);
  }
}

TEST_F(EngineServer, DroppedStreamsFreeTheirKvBlocksWithinASecond) {
  TestServer s = serve();
  testing::SwarmOptions w;
  w.streams = 100;
  w.drop_after_first_event = true;
  w.body = R"({"prompt": [128000, 791, 6864, 315, 9822, 374], "max_tokens": 400,
               "ignore_eos": true, "stream": true})";
  const auto out = testing::run_swarm(s.port(), w);
  for (const auto& r : out) ASSERT_TRUE(r.dropped);
  const auto deadline = std::chrono::steady_clock::now() + 1s;
  std::string m;
  do {
    m = get(s.port(), "/metrics").body;
    if (metric_value(m, "infermark:num_requests_running{") == 0 &&
        metric_value(m, "infermark:num_requests_waiting{") == 0 &&
        metric_value(m, "infermark:kv_cache_usage_perc{") == 0) {
      break;
    }
    std::this_thread::sleep_for(5ms);
  } while (std::chrono::steady_clock::now() < deadline);
  EXPECT_EQ(metric_value(m, "infermark:num_requests_running{"), 0);
  EXPECT_EQ(metric_value(m, "infermark:num_requests_waiting{"), 0);
  EXPECT_EQ(metric_value(m, "infermark:kv_cache_usage_perc{"), 0);
  EXPECT_EQ(metric_value(m, "infermark:request_success_total{finished_reason=\"abort\""), 100);
}

TEST_F(EngineServer, AStopStringEndsGeneration) {
  TestServer s = serve();
  const std::vector<TokenId> prompt = {128000, 40, 1093, 311};
  const std::vector<TokenId> g = greedy(prompt, 24);
  const std::string text = llama3().decode(g, {.skip_special_tokens = true});
  // The text of one generated token in the middle: whole characters, found in the text.
  std::string stop;
  for (size_t i = 8; i < g.size() && stop.empty(); ++i) {
    const std::string t = llama3().decode(std::span(g).subspan(i, 1));
    if (!t.empty() && text::is_valid_utf8(t) && text.find(t) != std::string::npos) stop = t;
  }
  ASSERT_FALSE(stop.empty());
  const auto r = post(s.port(), "/v1/completions",
                      Json({{"prompt", prompt},
                            {"max_tokens", 24},
                            {"temperature", 0},
                            {"ignore_eos", true},
                            {"stop", stop}})
                          .dump());
  ASSERT_EQ(r.status, 200) << r.body;
  const Json j = Json::parse(r.body);
  EXPECT_EQ(j["choices"][0]["text"], text.substr(0, text.find(stop)));
  EXPECT_EQ(j["choices"][0]["finish_reason"], "stop");
  EXPECT_EQ(j["choices"][0]["stop_reason"], stop);
  EXPECT_LT(j["usage"]["completion_tokens"], 24);
}

}  // namespace
}  // namespace infermark::server

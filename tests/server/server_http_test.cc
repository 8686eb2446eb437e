// `serve` over loopback with the null backend and the real Llama-3.1 tokenizer: the SSE wire
// format byte for byte, keep-alive, the routes, stream intervals, stop strings, text and chat
// prompts, and health while loading.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "http_test_client.h"
#include "llama3_tokenizer.h"
#include "test_server.h"

namespace infermark::server {
namespace {

using testing::get;
using ::testing::HasSubstr;
using testing::HttpReply;
using testing::post;
using testing::post_text;
using testing::sse_data;
using testing::sse_json;
using ::testing::StartsWith;
using testing::TestConnection;
using testing::TestServer;
using text::testing::llama3;
using util::Json;

TestServer null_server(ServerOptions o = testing::test_server_options(),
                       NullBackendOptions n = {}) {
  return TestServer(std::move(o), testing::null_backend(n), llama3());
}

TEST(ServeHttp, StreamWireFormatByteForByte) {
  TestServer s = null_server();
  TestConnection c(s.port());
  c.send(post_text("/v1/completions",
                   R"({"prompt": [1, 2, 3], "max_tokens": 3, "stream": true,
                       "stream_options": {"include_usage": true}, "return_token_ids": true})"));
  const std::string raw = c.read_until("\r\n0\r\n\r\n");
  EXPECT_THAT(raw, StartsWith("HTTP/1.1 200 OK\r\n"));
  const std::string head = raw.substr(0, raw.find("\r\n\r\n") + 4);
  EXPECT_THAT(head, HasSubstr("\r\nContent-Type: text/event-stream\r\n"));
  EXPECT_THAT(head, HasSubstr("\r\nTransfer-Encoding: chunked\r\n"));
  EXPECT_THAT(head, HasSubstr("\r\nCache-Control: no-cache\r\n"));
  EXPECT_THAT(head, HasSubstr("\r\nConnection: keep-alive\r\n"));
  // De-chunk by hand: every chunk is "<hex>\r\n<data>\r\n" and holds whole events.
  std::string body;
  size_t at = head.size();
  for (;;) {
    const size_t eol = raw.find("\r\n", at);
    const size_t n = std::stoul(raw.substr(at, eol - at), nullptr, 16);
    if (n == 0) break;
    const std::string data = raw.substr(eol + 2, n);
    EXPECT_EQ(raw.substr(eol + 2 + n, 2), "\r\n");
    EXPECT_THAT(data, StartsWith("data: "));
    EXPECT_EQ(data.substr(data.size() - 2), "\n\n");
    body += data;
    at = eol + 2 + n + 2;
  }
  EXPECT_EQ(at + 5, raw.size());
  const std::vector<std::string> events = sse_data(body);
  ASSERT_GE(events.size(), 4u);
  EXPECT_EQ(events.back(), "[DONE]");
  std::vector<TokenId> ids;
  for (size_t i = 0; i + 2 < events.size(); ++i) {
    const Json e = Json::parse(events[i]);
    const Json& choice = e["choices"][0];
    EXPECT_EQ(choice.contains("prompt_token_ids"), i == 0);
    for (const Json& id : choice["token_ids"]) ids.push_back(id.get<TokenId>());
    EXPECT_EQ(choice["finish_reason"].is_null(), i + 3 < events.size());
  }
  EXPECT_EQ(ids, (std::vector<TokenId>{null_token_id(3, 0, 128256), null_token_id(3, 1, 128256),
                                       null_token_id(3, 2, 128256)}));
  const Json first = Json::parse(events[0]);
  EXPECT_EQ(first["choices"][0]["token_ids"].size(), 1u);  // the first token alone, at once
  EXPECT_EQ(first["choices"][0]["text"], llama3().decode(std::vector<TokenId>{ids[0]}));
  const Json usage = Json::parse(events[events.size() - 2]);
  EXPECT_EQ(usage["choices"], Json::array());
  EXPECT_EQ(usage["usage"],
            Json({{"prompt_tokens", 3}, {"completion_tokens", 3}, {"total_tokens", 6}}));
}

// Clients that leave before the first token (streamed or not): the server cancels the request
// and ends the exchange with its client-gone response; it stays healthy. Under ASan this is the
// path where GCC 12 bit-copied the braced HttpResponse temporary into a coroutine parameter and
// then freed a pointer into the caller's coroutine frame (found by a starved soak).
TEST(ServeHttp, ClientsLeavingBeforeTheFirstTokenCancelTheirRequests) {
  NullBackendOptions n;
  n.ttft_ms = 300;
  TestServer s = null_server(testing::test_server_options(), n);
  for (int i = 0; i < 16; ++i) {
    TestConnection c(s.port());
    const std::string stream = i % 2 == 0 ? "true" : "false";
    ASSERT_TRUE(c.send(post_text("/v1/completions",
                                 R"({"prompt": [5, 6], "max_tokens": 8, "stream": )" + stream +
                                     "}")));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // the request reaches the backend
    c.close();
  }
  // Every request ended: a fresh one is answered whole, and nothing is left running.
  TestConnection c(s.port());
  c.send(post_text("/v1/completions", R"({"prompt": [5], "max_tokens": 2})"));
  const HttpReply r = c.read_reply();
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json::parse(r.body)["usage"]["completion_tokens"], 2);
  EXPECT_TRUE(s.shutdown()) << "a request was still running at shutdown";
}

TEST(ServeHttp, KeepAliveServesRequestAfterRequest) {
  TestServer s = null_server();
  TestConnection c(s.port());
  for (int i = 1; i <= 3; ++i) {
    c.send(post_text("/v1/completions", R"({"prompt": [5], "max_tokens": )" + std::to_string(i) +
                                            R"(, "return_token_ids": true})"));
    const HttpReply r = c.read_reply();
    ASSERT_EQ(r.status, 200) << r.body;
    const Json j = Json::parse(r.body);
    EXPECT_EQ(j["choices"][0]["token_ids"].size(), static_cast<size_t>(i));
    EXPECT_EQ(j["choices"][0]["finish_reason"], "length");
    EXPECT_EQ(j["usage"]["completion_tokens"], i);
    EXPECT_EQ(j["model"], "test-model");
    EXPECT_THAT(j["id"].get<std::string>(), StartsWith("cmpl-"));
  }
  c.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(c.read_reply().status, 200);
}

TEST(ServeHttp, StreamIntervalBundlesTokensAfterTheFirst) {
  ServerOptions o = testing::test_server_options();
  o.stream_interval = 4;
  TestServer s = null_server(o);
  const HttpReply r = post(s.port(), "/v1/completions",
                           R"({"prompt": [9], "max_tokens": 10, "stream": true,
                               "return_token_ids": true})");
  ASSERT_EQ(r.status, 200);
  std::vector<size_t> sizes;
  for (const Json& e : sse_json(r.body)) sizes.push_back(e["choices"][0]["token_ids"].size());
  EXPECT_EQ(sizes, (std::vector<size_t>{1, 4, 4, 1}));
}

TEST(ServeHttp, SeveralPromptsStreamAsInterleavedChoices) {
  TestServer s = null_server();
  const HttpReply r = post(s.port(), "/v1/completions",
                           R"({"prompt": [[1], [1, 2]], "max_tokens": 4, "stream": true,
                               "stream_options": {"include_usage": true},
                               "return_token_ids": true})");
  ASSERT_EQ(r.status, 200);
  std::map<int, std::vector<TokenId>> by_choice;
  for (const Json& e : sse_json(r.body)) {
    for (const Json& c : e["choices"]) {
      for (const Json& id : c["token_ids"]) by_choice[c["index"]].push_back(id);
    }
  }
  EXPECT_EQ(by_choice[0].size(), 4u);
  EXPECT_EQ(by_choice[1][0], null_token_id(2, 0, 128256));
  EXPECT_EQ(sse_json(r.body).back()["usage"]["completion_tokens"], 8);
}

TEST(ServeHttp, TextPromptsChatTokenizeAndDetokenize) {
  TestServer s = null_server();
  HttpReply r =
      post(s.port(), "/v1/completions", R"({"prompt": "The capital of France", "max_tokens": 2})");
  ASSERT_EQ(r.status, 200) << r.body;
  Json j = Json::parse(r.body);
  const auto prompt_ids = llama3().encode("The capital of France", true);
  EXPECT_EQ(j["usage"]["prompt_tokens"], prompt_ids.size());
  EXPECT_EQ(j["choices"][0]["text"],
            llama3().decode(std::vector<TokenId>{null_token_id(prompt_ids.size(), 0, 128256),
                                                 null_token_id(prompt_ids.size(), 1, 128256)}));

  r = post(s.port(), "/v1/chat/completions",
           R"({"messages": [{"role": "system", "content": "Be brief."},
                            {"role": "user", "content": [{"type": "text", "text": "Hi"}]}],
               "max_completion_tokens": 3, "stream": true})");
  ASSERT_EQ(r.status, 200) << r.body;
  const std::vector<Json> events = sse_json(r.body);
  EXPECT_EQ(events[0]["object"], "chat.completion.chunk");
  EXPECT_EQ(events[0]["choices"][0]["delta"]["role"], "assistant");
  EXPECT_EQ(events.back()["choices"][0]["finish_reason"], "length");

  r = post(s.port(), "/tokenize", R"({"prompt": "Hello world"})");
  ASSERT_EQ(r.status, 200) << r.body;
  j = Json::parse(r.body);
  EXPECT_EQ(j["tokens"], Json(llama3().encode("Hello world", true)));
  EXPECT_EQ(j["count"], j["tokens"].size());
  r = post(s.port(), "/tokenize", R"({"messages": [{"role": "user", "content": "Hi"}]})");
  EXPECT_EQ(r.status, 200);
  r = post(s.port(), "/detokenize",
           Json({{"tokens", llama3().encode("Hello world", false)}}).dump());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json::parse(r.body)["prompt"], "Hello world");
}

TEST(ServeHttp, StopStringsEndTheChoice) {
  TestServer s = null_server();
  // The null ids for a 1-token prompt decode to "ash", "ception", "itle", ...
  const std::string expected_first =
      llama3().decode(std::vector<TokenId>{null_token_id(1, 0, 128256)});
  const std::string second = llama3().decode(std::vector<TokenId>{null_token_id(1, 1, 128256)});
  const HttpReply r = post(
      s.port(), "/v1/completions",
      Json({{"prompt", {7}}, {"max_tokens", 10}, {"stop", {second}}, {"return_token_ids", true}})
          .dump());
  ASSERT_EQ(r.status, 200) << r.body;
  const Json j = Json::parse(r.body);
  EXPECT_EQ(j["choices"][0]["text"], expected_first);
  EXPECT_EQ(j["choices"][0]["finish_reason"], "stop");
  EXPECT_EQ(j["choices"][0]["stop_reason"], second);
  EXPECT_EQ(j["choices"][0]["token_ids"].size(), 2u);
  EXPECT_EQ(j["usage"]["completion_tokens"], 2);
}

TEST(ServeHttp, ModelsHealthVersionAndMetrics) {
  TestServer s = null_server();
  Json j = Json::parse(get(s.port(), "/v1/models").body);
  EXPECT_EQ(j["data"][0]["id"], "test-model");
  EXPECT_EQ(j["data"][0]["backend"], "null");
  EXPECT_EQ(j["data"][0]["owned_by"], "infermark");
  EXPECT_EQ(j["data"][0]["max_model_len"], 131072);
  EXPECT_EQ(Json::parse(get(s.port(), "/health").body)["status"], "ok");
  const Json version = Json::parse(get(s.port(), "/version").body);
  EXPECT_TRUE(version.contains("git_revision"));
  EXPECT_EQ(version["server"], "infermark");
  char host[256] = {};
  ASSERT_EQ(::gethostname(host, sizeof host - 1), 0);
  EXPECT_EQ(version["hostname"], std::string(host));
  post(s.port(), "/v1/completions", R"({"prompt": [1], "max_tokens": 4})");
  const HttpReply m = get(s.port(), "/metrics");
  EXPECT_EQ(m.status, 200);
  EXPECT_THAT(m.headers.at("content-type"), StartsWith("text/plain; version=0.0.4"));
  for (const char* name :
       {"infermark:num_requests_running{", "infermark:num_requests_waiting{",
        "infermark:kv_cache_usage_perc{", "infermark:prompt_tokens_total{",
        "infermark:time_to_first_token_seconds_bucket{", "infermark:num_preemptions_total{",
        "infermark:inter_token_latency_seconds_count{",
        "infermark:e2e_request_latency_seconds_sum{", "infermark:request_queue_time_seconds_count{",
        "infermark:request_prompt_tokens_count{", "infermark:request_generation_tokens_count{"}) {
    EXPECT_FALSE(std::isnan(testing::metric_value(m.body, name))) << name;
  }
  EXPECT_EQ(testing::metric_value(m.body, "infermark:generation_tokens_total{"), 4);
  EXPECT_EQ(
      testing::metric_value(m.body, "infermark:request_success_total{finished_reason=\"length\""),
      1);
  EXPECT_EQ(testing::metric_value(m.body, "infermark:backend_info{backend=\"null\""), 1);
  EXPECT_THAT(m.body, HasSubstr("model_name=\"test-model\""));
}

TEST(ServeHttp, HealthIs503WhileLoading) {
  TestServer s;  // no backend yet
  HttpReply r = get(s.port(), "/health");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(Json::parse(r.body)["status"], "loading");
  r = post(s.port(), "/v1/completions", R"({"prompt": [1]})");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(Json::parse(r.body)["error"]["code"], "service_unavailable");
  EXPECT_EQ(get(s.port(), "/metrics").status, 200);
  s.server().set_backend(testing::null_backend(), std::nullopt);
  EXPECT_EQ(get(s.port(), "/health").status, 200);
  EXPECT_EQ(post(s.port(), "/v1/completions", R"({"prompt": [1]})").status, 200);
}

TEST(ServeHttp, Http10StreamsWithoutChunkingAndCloses) {
  TestServer s = null_server();
  TestConnection c(s.port());
  const std::string body = R"({"prompt": [1], "max_tokens": 2, "stream": true})";
  c.send("POST /v1/completions HTTP/1.0\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n\r\n" + body);
  const std::string raw = c.read_until_close();
  EXPECT_THAT(raw, HasSubstr("Connection: close"));
  EXPECT_THAT(raw, ::testing::Not(HasSubstr("chunked")));
  EXPECT_EQ(raw.substr(raw.size() - 14), "data: [DONE]\n\n");
}

TEST(ServeHttp, ExpectContinueGetsA100First) {
  TestServer s = null_server();
  TestConnection c(s.port());
  const std::string body = R"({"prompt": [1], "max_tokens": 1})";
  c.send("POST /v1/completions HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n");
  EXPECT_THAT(c.read_until("\r\n\r\n"), StartsWith("HTTP/1.1 100 Continue\r\n\r\n"));
  c.send(body);
  EXPECT_EQ(c.read_reply().status, 200);
}

}  // namespace
}  // namespace infermark::server

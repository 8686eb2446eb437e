// Peer test: curl (the command-line client, Debian `curl`) against `infermark serve --null`, the
// way people first try a server: a streamed completion read as it arrives (-N), whole responses
// for text prompts and chat, a chunked upload, `Expect: 100-continue`, HTTP/1.0, keep-alive
// across requests of one curl run, the OpenAI error objects of 400 / 401 / 404 / 405 / 413, and a
// client that gives up mid-stream (its request is cancelled).
//
// The null backend's ids are known (null_token_id), so every id that comes back is checked.
// Fails (never skips) when curl is missing: CI must run it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "http_test_client.h"
#include "llama3_tokenizer.h"
#include "model/test_files.h"
#include "serve_process.h"
#include "server/null_backend.h"
#include "util/atomic_file.h"
#include "util/json.h"

namespace infermark::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::ServeProcess;
using util::Json;
using namespace std::chrono_literals;

constexpr const char* kKey = "curl-key";
constexpr int32_t kVocab = 128256;  // the Llama-3.1 tokenizer's, which the server is given

struct Shell {
  int exit_code = -1;
  std::string out;  // stdout, and stderr where the command redirects it
};

Shell shell(const std::string& command) {
  Shell r;
  FILE* p = ::popen(command.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// The reply of curl -i (headers, a blank line, the body) followed by -w's "\n<status>".
struct CurlReply {
  int curl_exit = -1;
  int status = 0;
  std::string head;
  std::string body;
};

class CurlPeer : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    serve_ = new ServeProcess({"--null", "--tokenizer", INFERMARK_LLAMA3_TOKENIZER_DIR, "--port",
                               "0", "--api-key", kKey, "--max-body-bytes", "4096",
                               "--served-model-name", "null-model"});
  }
  static void TearDownTestSuite() {
    delete serve_;
    serve_ = nullptr;
  }

  static std::string url(const std::string& path) {
    return "http://127.0.0.1:" + std::to_string(serve_->port()) + path;
  }

  // curl -sS -i ARGS URL; `auth` adds the bearer key.
  static CurlReply curl(const std::string& args, const std::string& path, bool auth = true) {
    const std::string cmd =
        "curl -sS -i --max-time 30 " +
        std::string(auth ? "-H 'Authorization: Bearer " + std::string(kKey) + "' " : "") + args +
        " -w '\\n%{http_code}' '" + url(path) + "' 2>&1";
    const Shell s = shell(cmd);
    CurlReply r;
    r.curl_exit = s.exit_code;
    const size_t last = s.out.rfind('\n');
    if (last == std::string::npos) {
      r.body = s.out;
      return r;
    }
    r.status = std::atoi(s.out.c_str() + last + 1);
    std::string reply = s.out.substr(0, last);
    // Skip interim answers (100 Continue) to the final head.
    size_t head_end;
    while ((head_end = reply.find("\r\n\r\n")) != std::string::npos &&
           reply.compare(0, 12, "HTTP/1.1 100") == 0) {
      reply.erase(0, head_end + 4);
    }
    head_end = reply.find("\r\n\r\n");
    r.head = reply.substr(0, head_end);
    r.body = head_end == std::string::npos ? "" : reply.substr(head_end + 4);
    return r;
  }

  static std::string json_post(const Json& body) {
    return "-H 'Content-Type: application/json' --data-binary '" + body.dump() + "'";
  }

  static ServeProcess* serve_;
};
ServeProcess* CurlPeer::serve_ = nullptr;

TEST_F(CurlPeer, StreamsTokenIdsThenUsageThenDone) {
  const std::vector<int> prompt = {128000, 791, 6864};
  const Json body = {{"model", "null-model"},
                     {"prompt", prompt},
                     {"max_tokens", 5},
                     {"stream", true},
                     {"stream_options", {{"include_usage", true}}},
                     {"return_token_ids", true}};
  const CurlReply r = curl("-N " + json_post(body), "/v1/completions");
  ASSERT_EQ(r.curl_exit, 0) << r.body;
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(r.head, HasSubstr("Content-Type: text/event-stream"));
  EXPECT_THAT(r.head, HasSubstr("Server: infermark"));
  const std::vector<std::string> data = testing::sse_data(r.body);
  ASSERT_EQ(data.size(), 7u) << r.body;  // 5 one-token chunks, the usage chunk, [DONE]
  for (int i = 0; i < 5; ++i) {
    const Json chunk = Json::parse(data[i]);
    EXPECT_EQ(chunk["object"], "text_completion");
    EXPECT_EQ(chunk["model"], "null-model");
    EXPECT_EQ(chunk["choices"][0]["token_ids"], Json({null_token_id(prompt.size(), i, kVocab)}));
    EXPECT_EQ(chunk["choices"][0]["finish_reason"], i == 4 ? Json("length") : Json());
  }
  const Json usage = Json::parse(data[5]);
  EXPECT_EQ(usage["choices"], Json::array());
  EXPECT_EQ(usage["usage"]["prompt_tokens"], 3);
  EXPECT_EQ(usage["usage"]["completion_tokens"], 5);
  EXPECT_EQ(data[6], "[DONE]");
}

TEST_F(CurlPeer, WholeResponsesForTextPromptsAndChat) {
  const std::string prompt = "The capital of France is";
  CurlReply r = curl(json_post({{"prompt", prompt}, {"max_tokens", 3}}), "/v1/completions");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(r.head, HasSubstr("Content-Type: application/json"));
  Json j = Json::parse(r.body);
  const size_t prompt_tokens = text::testing::llama3().encode(prompt, true).size();
  EXPECT_EQ(j["usage"]["prompt_tokens"], prompt_tokens);
  std::vector<TokenId> expected;
  for (int i = 0; i < 3; ++i) expected.push_back(null_token_id(prompt_tokens, i, kVocab));
  EXPECT_EQ(j["choices"][0]["text"], text::testing::llama3().decode(expected));

  r = curl(json_post({{"messages", {{{"role", "user"}, {"content", "Hi"}}}},
                      {"max_completion_tokens", 2}}),
           "/v1/chat/completions");
  ASSERT_EQ(r.status, 200) << r.body;
  j = Json::parse(r.body);
  EXPECT_EQ(j["object"], "chat.completion");
  EXPECT_EQ(j["choices"][0]["message"]["role"], "assistant");
  EXPECT_EQ(j["usage"]["completion_tokens"], 2);
}

TEST_F(CurlPeer, ChunkedUploadExpectContinueAndHttp10) {
  model::testing::TempDir dir;
  const std::string file = (dir.path() / "body.json").string();
  util::write_file_atomic(file, R"({"prompt": [1, 2, 3, 4], "max_tokens": 2})");

  CurlReply r = curl(
      "-H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' "
      "--data-binary @" +
          file,
      "/v1/completions");
  ASSERT_EQ(r.status, 200) << r.head << r.body;
  EXPECT_EQ(Json::parse(r.body)["usage"]["prompt_tokens"], 4);

  // curl waits for the 100 before it sends the body.
  r = curl("-H 'Content-Type: application/json' -H 'Expect: 100-continue' --data-binary @" + file,
           "/v1/completions");
  ASSERT_EQ(r.status, 200) << r.head << r.body;
  EXPECT_EQ(Json::parse(r.body)["usage"]["completion_tokens"], 2);

  // HTTP/1.0 has no chunked encoding: the stream is delimited by the server closing.
  r = curl("--http1.0 -N " + json_post({{"prompt", {1, 2}}, {"max_tokens", 3}, {"stream", true}}),
           "/v1/completions");
  ASSERT_EQ(r.curl_exit, 0) << r.body;
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(r.head, Not(HasSubstr("Transfer-Encoding")));
  const std::vector<std::string> data = testing::sse_data(r.body);
  ASSERT_EQ(data.size(), 4u) << r.body;
  EXPECT_EQ(data.back(), "[DONE]");
}

TEST_F(CurlPeer, KeepAliveServesSeveralRequestsOnOneConnection) {
  const std::string body = R"({"prompt":[5,6],"max_tokens":1})";
  const std::string one = "-H 'Content-Type: application/json' --data-binary '" + body + "' '" +
                          url("/v1/completions") + "'";
  const Shell s =
      shell("curl -sS -v -o /dev/null -H 'Authorization: Bearer " + std::string(kKey) + "' " + one +
            " --next -o /dev/null -H "
            "'Authorization: Bearer " +
            std::string(kKey) + "' " + one + " --next -o /dev/null '" + url("/health") + "' 2>&1");
  ASSERT_EQ(s.exit_code, 0) << s.out;
  EXPECT_THAT(s.out, HasSubstr("Re-using existing connection")) << s.out;
  size_t connects = 0;
  for (size_t at = 0; (at = s.out.find("Connected to", at)) != std::string::npos; ++at) ++connects;
  EXPECT_EQ(connects, 1u) << s.out;
}

TEST_F(CurlPeer, ErrorsAreOpenAiErrorObjects) {
  // Checks the status and the error object; returns its "error" member.
  auto expect_error = [](const CurlReply& r, int status, const std::string& code) -> Json {
    EXPECT_EQ(r.status, status) << r.body;
    const Json j = Json::parse(r.body, nullptr, false);
    if (!j.is_object() || !j.contains("error")) {
      ADD_FAILURE() << "no error object: " << r.body;
      return Json::object();
    }
    for (const char* key : {"message", "type", "param", "code"}) {
      EXPECT_TRUE(j["error"].contains(key)) << key << " in " << r.body;
    }
    EXPECT_EQ(j["error"]["code"], code) << r.body;
    return j["error"];
  };
  const std::string ok = json_post({{"prompt", {1}}, {"max_tokens", 1}});
  CurlReply r = curl(ok, "/v1/completions", /*auth=*/false);
  expect_error(r, 401, "invalid_api_key");
  EXPECT_THAT(r.head, HasSubstr("WWW-Authenticate: Bearer"));
  r = curl("-H 'Authorization: Bearer wrong' " + ok, "/v1/completions", /*auth=*/false);
  expect_error(r, 401, "invalid_api_key");
  // Probes and scrapers need no key.
  EXPECT_EQ(curl("", "/health", false).status, 200);
  EXPECT_EQ(curl("", "/metrics", false).status, 200);

  Json e = expect_error(curl(json_post({{"prompt", {1}}, {"max_tokens", 0}}), "/v1/completions"),
                        400, "invalid_value");
  EXPECT_EQ(e["param"], "max_tokens");
  EXPECT_THAT(e["message"].get<std::string>(), HasSubstr("0"));
  e = expect_error(curl(json_post({{"prompt", {1}}, {"n", 2}}), "/v1/completions"), 400,
                   "unsupported_parameter");
  EXPECT_EQ(e["param"], "n");
  e = expect_error(curl("-H 'Content-Type: application/json' --data-binary '{\"prompt\": [1'",
                        "/v1/completions"),
                   400, "invalid_json");
  expect_error(curl("", "/v1/nothing"), 404, "not_found");
  r = curl("", "/v1/completions");  // GET
  expect_error(r, 405, "method_not_allowed");
  EXPECT_THAT(r.head, HasSubstr("Allow: POST"));
  const std::string big(5000, ' ');
  expect_error(
      curl("-H 'Content-Type: application/json' --data-binary '{\"prompt\":[1]" + big + "}'",
           "/v1/completions"),
      413, "request_too_large");
}

TEST_F(CurlPeer, AClientGivingUpMidStreamIsCancelled) {
  ServeProcess paced({"--null", "--port", "0", "--null-tokens-per-s", "20"});
  const std::string port = std::to_string(paced.port());
  const Shell s = shell(
      "curl -sS -N --max-time 1 -H 'Content-Type: application/json' "
      "--data-binary '{\"prompt\":[1],\"max_tokens\":1000,\"stream\":true}' "
      "http://127.0.0.1:" +
      port + "/v1/completions 2>&1");
  EXPECT_EQ(s.exit_code, 28) << s.out;  // curl's "operation timed out"
  EXPECT_THAT(s.out, HasSubstr("data: {"));
  const auto deadline = std::chrono::steady_clock::now() + 1s;
  double running = -1;
  do {
    running = testing::metric_value(testing::get(paced.port(), "/metrics").body,
                                    "infermark:num_requests_running{");
    if (running == 0) break;
    std::this_thread::sleep_for(20ms);
  } while (std::chrono::steady_clock::now() < deadline);
  EXPECT_EQ(running, 0);
  EXPECT_GE(testing::metric_value(testing::get(paced.port(), "/metrics").body,
                                  "infermark:request_success_total{finished_reason=\"abort\""),
            1);
}

}  // namespace
}  // namespace infermark::server

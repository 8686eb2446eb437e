// `serve` at its resource limits (issue #13), with the null backend: requests that ask for the
// whole context get a bounded answer of exactly what is left, or a 400 naming the field, never a
// generation past the context; a flood of tiny requests (keep-alive and fresh connections, with
// and without --max-queue) is answered or refused with 429, every one accounted for, and the
// server is idle and healthy afterwards. (More connections than the fd limit: the serve process
// test in tests/apps/infermark/serve_exhaustion_test.cc.)
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "http_test_client.h"
#include "llama3_tokenizer.h"
#include "test_server.h"

namespace infermark::server {
namespace {

using testing::get;
using testing::HttpReply;
using testing::metric_value;
using testing::post;
using testing::post_text;
using testing::TestConnection;
using testing::TestServer;
using text::testing::llama3;
using util::Json;
using namespace std::chrono_literals;

constexpr int64_t kContext = 64;

std::string id_prompt(int64_t n) {
  Json ids = Json::array();
  for (int64_t i = 0; i < n; ++i) ids.push_back(1 + i);
  return ids.dump();
}

HttpReply complete(uint16_t port, int64_t prompt_len, const std::string& extra = "") {
  return post(port, "/v1/completions", R"({"prompt": )" + id_prompt(prompt_len) + extra + "}");
}

void expect_rejected(const HttpReply& r, const std::string& param, const std::string& code) {
  ASSERT_EQ(r.status, 400) << r.body;
  const Json e = Json::parse(r.body)["error"];
  EXPECT_EQ(e["param"], param) << r.body;
  EXPECT_EQ(e["code"], code) << r.body;
}

void expect_generated(const HttpReply& r, int64_t prompt_len, int64_t tokens) {
  ASSERT_EQ(r.status, 200) << r.body;
  const Json j = Json::parse(r.body);
  EXPECT_EQ(j["usage"]["prompt_tokens"], prompt_len);
  EXPECT_EQ(j["usage"]["completion_tokens"], tokens);
  EXPECT_EQ(j["choices"][0]["finish_reason"], "length");
}

TEST(ServeExhaustion, WholeContextRequestsAreBoundedOrRejected) {
  TestServer s(testing::test_server_options(), testing::null_backend({.max_context = kContext}),
               llama3());
  // The prompt fills the context but one: the default (16) and max_tokens 1 get that one token.
  expect_generated(complete(s.port(), kContext - 1), kContext - 1, 1);
  expect_generated(complete(s.port(), kContext - 1, R"(, "max_tokens": 1)"), kContext - 1, 1);
  expect_rejected(complete(s.port(), kContext - 1, R"(, "max_tokens": 2)"), "max_tokens",
                  "invalid_value");
  // A prompt of the whole context, or beyond it, leaves nothing to generate.
  expect_rejected(complete(s.port(), kContext), "prompt", "context_length_exceeded");
  expect_rejected(complete(s.port(), kContext + 1), "prompt", "context_length_exceeded");
  expect_rejected(complete(s.port(), 4 * kContext), "prompt", "context_length_exceeded");
  // max_tokens asking for exactly the rest, and for more than any context.
  expect_generated(complete(s.port(), 1, R"(, "max_tokens": 63)"), 1, kContext - 1);
  for (const char* asked : {"64", "2147483647", "2147483648", "1e20"}) {
    SCOPED_TRACE(asked);
    expect_rejected(complete(s.port(), 1, std::string(R"(, "max_tokens": )") + asked), "max_tokens",
                    "invalid_value");
  }
  // Chat without max_tokens generates up to the context (vLLM's default), and stops there.
  const HttpReply chat = post(s.port(), "/v1/chat/completions",
                              R"({"messages": [{"role": "user", "content": "hi"}]})");
  ASSERT_EQ(chat.status, 200) << chat.body;
  const Json j = Json::parse(chat.body);
  EXPECT_EQ(j["usage"]["total_tokens"], kContext);
  EXPECT_GT(j["usage"]["completion_tokens"], 0);
  EXPECT_EQ(j["choices"][0]["finish_reason"], "length");
  // A chat prompt beyond the context.
  const std::string long_text(4 * kContext, 'x');
  const HttpReply too_long =
      post(s.port(), "/v1/chat/completions",
           R"({"messages": [{"role": "user", "content": ")" + long_text + R"("}]})");
  expect_rejected(too_long, "messages", "context_length_exceeded");
}

struct FloodCounts {
  std::atomic<int> ok{0}, refused{0}, other{0};
};

void count(const HttpReply& r, FloodCounts& c) {
  if (r.status == 200) {
    ++c.ok;
  } else if (r.status == 429) {
    ++c.refused;
  } else {
    ++c.other;
  }
}

// `keep_alive` clients each send `per_client` requests on one connection, and `fresh` clients
// each send `per_client` requests on a new connection apiece, all at once.
void flood(uint16_t port, int keep_alive, int fresh, int per_client, FloodCounts& c) {
  const std::string request = post_text("/v1/completions", R"({"prompt": [7], "max_tokens": 2})");
  std::vector<std::thread> clients;
  for (int k = 0; k < keep_alive; ++k) {
    clients.emplace_back([&] {
      try {
        TestConnection conn(port);
        for (int i = 0; i < per_client; ++i) {
          conn.send(request);
          count(conn.read_reply(), c);
        }
      } catch (const std::exception&) {
        ++c.other;
      }
    });
  }
  for (int k = 0; k < fresh; ++k) {
    clients.emplace_back([&] {
      for (int i = 0; i < per_client; ++i) {
        try {
          count(post(port, "/v1/completions", R"({"prompt": [7], "max_tokens": 2})"), c);
        } catch (const std::exception&) {
          ++c.other;
        }
      }
    });
  }
  for (auto& t : clients) t.join();
}

// Bounded: the server is idle (no request running or waiting, no admission slot taken).
void expect_idle_and_healthy(TestServer& s) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  std::string metrics;
  for (;;) {
    metrics = get(s.port(), "/metrics").body;
    const bool idle = metric_value(metrics, "infermark:num_requests_running{") == 0 &&
                      metric_value(metrics, "infermark:num_requests_waiting{") == 0 &&
                      s.server().state().admission->in_flight() == 0;
    if (idle || std::chrono::steady_clock::now() > deadline) break;
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(metric_value(metrics, "infermark:num_requests_running{"), 0);
  EXPECT_EQ(metric_value(metrics, "infermark:num_requests_waiting{"), 0);
  EXPECT_EQ(s.server().state().admission->in_flight(), 0);
  EXPECT_EQ(get(s.port(), "/health").status, 200);
  expect_generated(complete(s.port(), 3, R"(, "max_tokens": 5)"), 3, 5);
}

TEST(ServeExhaustion, AFloodOfTinyRequestsIsAnsweredOrRefusedAndTheServerStaysHealthy) {
  constexpr int kKeepAlive = 12, kFresh = 4, kPerClient = 40;
  constexpr int kTotal = (kKeepAlive + kFresh) * kPerClient;
  {
    // Capacity 4 (2 generating, 2 queued), each request about 10 ms: most of the flood is shed.
    ServerOptions o = testing::test_server_options();
    o.max_queue = 2;
    TestServer s(std::move(o),
                 testing::null_backend({.tokens_per_s = 400, .ttft_ms = 5, .max_seqs = 2}));
    FloodCounts c;
    flood(s.port(), kKeepAlive, kFresh, kPerClient, c);
    EXPECT_EQ(c.other, 0);
    EXPECT_EQ(c.ok + c.refused, kTotal);
    EXPECT_GT(c.ok, 0);
    EXPECT_GT(c.refused, 0) << "the flood never exceeded the capacity of 4";
    const std::string metrics = get(s.port(), "/metrics").body;
    EXPECT_EQ(metric_value(metrics, "infermark:request_success_total{finished_reason=\"length\""),
              c.ok);
    expect_idle_and_healthy(s);
  }
  {
    // Without --max-queue every request is queued and answered.
    TestServer s(testing::test_server_options(), testing::null_backend({.max_seqs = 2}));
    FloodCounts c;
    flood(s.port(), kKeepAlive, kFresh, kPerClient, c);
    EXPECT_EQ(c.other, 0);
    EXPECT_EQ(c.ok, kTotal);
    expect_idle_and_healthy(s);
  }
}

}  // namespace
}  // namespace infermark::server

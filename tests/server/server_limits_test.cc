// `serve` under bad input and stress, with the null backend: every malformed request gets a 4xx
// JSON error naming the field and never stops the server; limits (413, 431, 408, idle), chunked
// bodies, the API key, 404/405, admission (429 with Retry-After, no request lost), 500
// concurrent streams, 2,000 streams open at once on one I/O thread, clients that drop mid-stream,
// and the shutdown drain.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <filesystem>
#include <thread>

#include "http_test_client.h"
#include "llama3_tokenizer.h"
#include "stream_swarm.h"
#include "test_server.h"

namespace infermark::server {
namespace {

using testing::get;
using ::testing::HasSubstr;
using testing::HttpReply;
using testing::metric_value;
using testing::post;
using testing::post_text;
using testing::run_swarm;
using testing::StreamOutcome;
using testing::SwarmOptions;
using testing::TestConnection;
using testing::TestServer;
using text::testing::llama3;
using util::Json;

using namespace std::chrono_literals;

TestServer null_server(ServerOptions o = testing::test_server_options(),
                       NullBackendOptions n = {}) {
  return TestServer(std::move(o), testing::null_backend(n), llama3());
}

void expect_error_object(const HttpReply& r, int status, const std::string& part) {
  EXPECT_EQ(r.status, status) << r.body;
  EXPECT_EQ(r.headers.at("content-type"), "application/json");
  const Json j = Json::parse(r.body);
  ASSERT_TRUE(j.contains("error")) << r.body;
  for (const char* k : {"message", "type", "param", "code"}) EXPECT_TRUE(j["error"].contains(k));
  EXPECT_THAT(j["error"]["message"].get<std::string>(), HasSubstr(part));
}

TEST(ServeLimits, EveryMalformedRequestGetsA4xxJsonError) {
  TestServer s = null_server();
  const std::pair<std::string, const char*> completions[] = {
      {"", "empty"},
      {"{", "not valid JSON"},
      {"{\"prompt\": \"\xc3\x28\"}", "not valid UTF-8"},
      {"{\"prompt\": \"\\ud800\"}", "not valid JSON"},
      {"{}", "'prompt' is required"},
      {R"({"prompt": {"a": 1}})", "prompt = {\"a\":1}"},
      {R"({"prompt": [1, 128256]})", "prompt[1] = 128256"},
      {R"({"prompt": [1], "max_tokens": 0})", "max_tokens = 0"},
      {R"({"prompt": [1], "max_tokens": 131072})", "max_tokens = 131072"},
      {R"({"prompt": [1], "max_tokens": 1e999})", "not valid JSON"},
      {R"({"prompt": [1], "temperature": 1e308, "top_p": 2})", "temperature = 1e+308"},
      {R"({"prompt": [1], "seed": 1.5})", "seed must be an integer"},
      {R"({"prompt": [1], "n": 3})", "n = 3"},
      {"[" + std::string(100000, '['), "not valid JSON"},
  };
  for (const auto& [body, part] : completions) {
    SCOPED_TRACE(body.substr(0, 60));
    expect_error_object(post(s.port(), "/v1/completions", body), 400, part);
  }
  const std::pair<std::string, const char*> chats[] = {
      {"{}", "'messages' is required"},
      {R"({"messages": "hi"})", "messages = \"hi\""},
      {R"({"messages": [{"role": "user", "content": "hi"}], "max_tokens": -1})", "max_tokens = -1"},
      {R"({"messages": [{"role": "user", "content": "hi"}], "max_completion_tokens": "x"})",
       "max_completion_tokens must be an integer"},
  };
  for (const auto& [body, part] : chats) {
    SCOPED_TRACE(body);
    expect_error_object(post(s.port(), "/v1/chat/completions", body), 400, part);
  }
  // A prompt longer than the context.
  ServerOptions o = testing::test_server_options();
  NullBackendOptions small;
  small.max_context = 16;
  TestServer t = null_server(o, small);
  expect_error_object(
      post(t.port(), "/v1/completions", Json({{"prompt", std::vector<int>(17, 5)}}).dump()), 400,
      "more than this model's context of 16");
  expect_error_object(
      post(t.port(), "/v1/completions", R"({"prompt": "a b c d e f g h i j k l m n o p q"})"), 400,
      "context");
  EXPECT_EQ(get(s.port(), "/health").status, 200);
}

TEST(ServeLimits, MalformedHttpIs400AndCloses) {
  TestServer s = null_server();
  for (const char* bad : {"GARBAGE\r\n\r\n", "POST /v1/completions HTTP/9.9\r\n\r\n",
                          "POST /v1/completions HTTP/1.1\r\nContent-Length: x\r\n\r\n",
                          "POST /v1/completions HTTP/1.1\r\nBad Header\r\n\r\n"}) {
    SCOPED_TRACE(bad);
    TestConnection c(s.port());
    c.send(bad);
    const HttpReply r = c.read_reply();
    expect_error_object(r, 400, "malformed HTTP request");
    EXPECT_EQ(r.headers.at("connection"), "close");
    EXPECT_TRUE(c.closed_within(2s));
  }
}

TEST(ServeLimits, ChunkedBodiesAreReadAndLimited) {
  ServerOptions o = testing::test_server_options();
  o.http.limits.max_body_bytes = 1000;
  TestServer s = null_server(o);
  const std::string body = R"({"prompt": [1, 2], "max_tokens": 2})";
  TestConnection c(s.port());
  c.send("POST /v1/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
         fmt::format("{:x}\r\n{}\r\n{:x}\r\n{}\r\n0\r\n\r\n", 10, body.substr(0, 10),
                     body.size() - 10, body.substr(10)));
  EXPECT_EQ(c.read_reply().status, 200);
  // Over the limit in chunks: 413, though no Content-Length announced it.
  TestConnection big(s.port());
  std::string chunks =
      "POST /v1/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 20; ++i) chunks += "64\r\n" + std::string(100, ' ') + "\r\n";
  big.send(chunks);
  expect_error_object(big.read_reply(), 413, "larger than 1000 bytes");
  // A broken chunk size.
  TestConnection broken(s.port());
  broken.send(
      "POST /v1/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
  expect_error_object(broken.read_reply(), 400, "malformed HTTP request");
}

TEST(ServeLimits, BodyAndHeaderLimits) {
  ServerOptions o = testing::test_server_options();
  o.http.limits.max_body_bytes = 1 << 16;
  o.http.limits.max_header_bytes = 4096;
  TestServer s = null_server(o);
  {
    TestConnection c(s.port());
    const std::string body(200000, ' ');
    c.send(post_text("/v1/completions", body));
    const HttpReply r = c.read_reply();
    expect_error_object(r, 413, "larger than 65536 bytes");
    EXPECT_EQ(r.headers.at("connection"), "close");
  }
  {
    TestConnection c(s.port());
    c.send("GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(8000, 'a') + "\r\n\r\n");
    expect_error_object(c.read_reply(), 431, "header is larger than 4096 bytes");
  }
  EXPECT_EQ(get(s.port(), "/health").status, 200);
}

TEST(ServeLimits, SlowAndIdleClientsAreTimedOut) {
  ServerOptions o = testing::test_server_options();
  o.http.limits.request_timeout = 300ms;
  o.http.limits.idle_timeout = 300ms;
  TestServer s = null_server(o);
  TestConnection slow(s.port());
  slow.send("POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"pro");
  expect_error_object(slow.read_reply(), 408, "did not arrive whole within 300 ms");
  TestConnection idle(s.port());
  EXPECT_TRUE(idle.closed_within(3s));
  TestConnection kept(s.port());
  kept.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(kept.read_reply().status, 200);
  EXPECT_TRUE(kept.closed_within(3s));  // idle after its request
}

TEST(ServeLimits, AClientThatStopsReadingIsDroppedAfterTheWriteTimeout) {
  ServerOptions o = testing::test_server_options();
  o.http.limits.write_timeout = 300ms;
  NullBackendOptions n;
  n.tokens_per_s = 2000;
  TestServer s = null_server(o, n);
  TestConnection stalled(s.port(), 20s, /*receive_buffer=*/4096);
  stalled.send(post_text("/v1/completions",
                         R"({"prompt": [1], "max_tokens": 100000, "stream": true,
                             "return_token_ids": true})"));
  // Never read: the server's writes stall, time out, and the request is cancelled.
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  std::string m;
  do {
    std::this_thread::sleep_for(50ms);
    m = get(s.port(), "/metrics").body;
  } while (metric_value(m, "infermark:request_success_total{finished_reason=\"abort\"") != 1 &&
           std::chrono::steady_clock::now() < deadline);
  EXPECT_EQ(metric_value(m, "infermark:request_success_total{finished_reason=\"abort\""), 1);
  EXPECT_EQ(metric_value(m, "infermark:num_requests_running{"), 0);
}

TEST(ServeLimits, ApiKeyGuardsTheApiButNotHealthOrMetrics) {
  ServerOptions o = testing::test_server_options();
  o.api_key = "s3cret";
  TestServer s = null_server(o);
  const std::string body = R"({"prompt": [1], "max_tokens": 1})";
  HttpReply r = post(s.port(), "/v1/completions", body);
  expect_error_object(r, 401, "API key");
  EXPECT_EQ(r.headers.at("www-authenticate"), "Bearer");
  EXPECT_EQ(Json::parse(r.body)["error"]["type"], "authentication_error");
  expect_error_object(post(s.port(), "/v1/completions", body, {"Authorization: Bearer wrong"}), 401,
                      "API key");
  expect_error_object(post(s.port(), "/v1/completions", body, {"Authorization: Bearer s3cret2"}),
                      401, "API key");
  EXPECT_EQ(post(s.port(), "/v1/completions", body, {"Authorization: Bearer s3cret"}).status, 200);
  expect_error_object(get(s.port(), "/v1/models"), 401, "API key");
  EXPECT_EQ(get(s.port(), "/health").status, 200);
  EXPECT_EQ(get(s.port(), "/metrics").status, 200);
}

TEST(ServeLimits, UnknownRoutesAndWrongMethods) {
  TestServer s = null_server();
  expect_error_object(get(s.port(), "/v2/nothing"), 404, "no route /v2/nothing");
  const HttpReply r = get(s.port(), "/v1/completions");
  expect_error_object(r, 405, "takes POST, not GET");
  EXPECT_EQ(r.headers.at("allow"), "POST");
  expect_error_object(post(s.port(), "/v1/completions", R"({"prompt": [1], "model": "x"})"), 404,
                      "model 'x' does not exist");
}

TEST(ServeLimits, OverloadGives429sAndLosesNoRequest) {
  ServerOptions o = testing::test_server_options();
  o.max_queue = 4;
  NullBackendOptions n;
  n.max_seqs = 4;
  n.tokens_per_s = 100;
  TestServer s = null_server(o, n);
  SwarmOptions w;
  w.streams = 40;
  w.body = R"({"prompt": [1], "max_tokens": 20, "stream": true, "return_token_ids": true,
               "stream_options": {"include_usage": true}})";
  const std::vector<StreamOutcome> out = run_swarm(s.port(), w);
  int ok = 0, refused = 0;
  for (const StreamOutcome& r : out) {
    EXPECT_FALSE(r.timed_out);
    if (r.status == 200) {
      ++ok;
      EXPECT_TRUE(r.done);
      EXPECT_EQ(r.token_ids, 20);
      EXPECT_EQ(r.usage_tokens, 20);
    } else {
      ++refused;
      EXPECT_EQ(r.status, 429);
      EXPECT_EQ(Json::parse(r.body)["error"]["code"], "rate_limit_exceeded");
    }
  }
  EXPECT_EQ(ok + refused, 40);
  EXPECT_GE(ok, 8);
  EXPECT_GE(refused, 1);
  const HttpReply m = get(s.port(), "/metrics");
  EXPECT_EQ(metric_value(m.body,
                         "infermark:http_requests_total{model_name=\"test-model\",status=\"429\""),
            refused);
  const HttpReply one = post(s.port(), "/v1/completions", R"({"prompt": [1], "max_tokens": 1})");
  EXPECT_EQ(one.status, 200);  // slots came back
}

TEST(ServeLimits, RetryAfterComesWithA429) {
  ServerOptions o = testing::test_server_options();
  o.max_queue = 0;
  NullBackendOptions n;
  n.max_seqs = 1;
  n.tokens_per_s = 20;
  TestServer s = null_server(o, n);
  TestConnection busy(s.port());
  busy.send(post_text("/v1/completions", R"({"prompt": [1], "max_tokens": 40, "stream": true})"));
  busy.read_until("data: ");
  const HttpReply r = post(s.port(), "/v1/completions", R"({"prompt": [1]})");
  expect_error_object(r, 429, "at capacity");
  EXPECT_EQ(r.headers.at("retry-after"), "1");
  EXPECT_EQ(Json::parse(r.body)["error"]["type"], "rate_limit_error");
}

TEST(ServeLimits, FiveHundredConcurrentStreamsAllComplete) {
  NullBackendOptions n;
  n.max_seqs = 512;
  n.tokens_per_s = 200;
  TestServer s = null_server(testing::test_server_options(), n);
  SwarmOptions w;
  w.streams = 500;
  w.body = R"({"prompt": [1, 2], "max_tokens": 32, "stream": true, "return_token_ids": true,
               "stream_options": {"include_usage": true}})";
  const std::vector<StreamOutcome> out = run_swarm(s.port(), w);
  int complete = 0;
  for (const StreamOutcome& r : out) {
    if (r.status == 200 && r.done && r.token_ids == 32 && r.usage_tokens == 32) ++complete;
  }
  EXPECT_EQ(complete, 500);
}

// Raises the soft limit on open files to the hard one; true if `needed` fit.
bool raise_open_files(rlim_t needed) {
  rlimit r{};
  if (getrlimit(RLIMIT_NOFILE, &r) != 0) return false;
  r.rlim_cur = r.rlim_max;
  return setrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur >= needed;
}

size_t threads_of_this_process() {
  size_t n = 0;
  for ([[maybe_unused]] const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    ++n;
  }
  return n;
}

// The event loop holds thousands of streams at once: every one is running in the backend at the
// same moment, on one I/O thread, while the process has only a handful of threads. The streams
// last until the server shuts down (1 token/s), however long connecting them all takes (TSan);
// then the grace period runs out and each ends with an error event.
TEST(ServeLimits, TwoThousandStreamsOpenAtOnceOnOneIoThread) {
  constexpr int kStreams = 2000;
  ASSERT_TRUE(raise_open_files(2 * kStreams + 256))
      << "the test needs " << 2 * kStreams + 256 << " open files (ulimit -Hn)";
  NullBackendOptions n;
  n.max_seqs = 4096;
  n.tokens_per_s = 1;
  ServerOptions o = testing::test_server_options();
  o.shutdown_grace = 100ms;
  ASSERT_EQ(o.http.io_threads, 1);
  TestServer s = null_server(o, n);
  SwarmOptions w;
  w.streams = kStreams;
  w.body = R"({"prompt": [1, 2, 3], "max_tokens": 1000, "stream": true,
               "return_token_ids": true})";
  w.deadline = 120s;
  std::vector<StreamOutcome> out;
  std::thread swarm([&] { out = run_swarm(s.port(), w); });
  double peak = 0;
  size_t threads_at_peak = 0;
  const auto deadline = std::chrono::steady_clock::now() + 90s;
  while (peak < kStreams && std::chrono::steady_clock::now() < deadline) {
    const double running =
        metric_value(get(s.port(), "/metrics").body, "infermark:num_requests_running{");
    if (running > peak) {
      peak = running;
      threads_at_peak = threads_of_this_process();
    }
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_FALSE(s.shutdown());  // the grace period runs out with every stream still open
  swarm.join();
  EXPECT_EQ(peak, kStreams);
  EXPECT_LT(threads_at_peak, 16u) << "no thread per connection";
  int ended = 0;
  for (const StreamOutcome& r : out) {
    const bool error_event = r.body.find("shutting down") != std::string::npos;
    if (r.status == 200 && !r.timed_out && r.token_ids >= 1 && error_event) ++ended;
  }
  EXPECT_EQ(ended, kStreams);
}

TEST(ServeLimits, ClientsDroppingMidStreamAreCancelledAtOnce) {
  NullBackendOptions n;
  n.tokens_per_s = 20;
  TestServer s = null_server(testing::test_server_options(), n);
  SwarmOptions w;
  w.streams = 100;
  w.drop_after_first_event = true;
  w.body = R"({"prompt": [1], "max_tokens": 1000, "stream": true})";
  const std::vector<StreamOutcome> out = run_swarm(s.port(), w);
  for (const StreamOutcome& r : out) EXPECT_TRUE(r.dropped);
  const auto deadline = std::chrono::steady_clock::now() + 1s;
  std::string m;
  do {
    m = get(s.port(), "/metrics").body;
    if (metric_value(m, "infermark:num_requests_running{") == 0 &&
        metric_value(m, "infermark:request_success_total{finished_reason=\"abort\"") == 100) {
      break;
    }
    std::this_thread::sleep_for(10ms);
  } while (std::chrono::steady_clock::now() < deadline);
  EXPECT_EQ(metric_value(m, "infermark:num_requests_running{"), 0);
  EXPECT_EQ(metric_value(m, "infermark:num_requests_waiting{"), 0);
  EXPECT_EQ(metric_value(m, "infermark:request_success_total{finished_reason=\"abort\""), 100);
}

TEST(ServeLimits, ShutdownDrainsStreamsInFlightAndRefusesNewWork) {
  NullBackendOptions n;
  n.tokens_per_s = 50;
  TestServer s = null_server(testing::test_server_options(), n);
  TestConnection streaming(s.port());
  streaming.send(post_text("/v1/completions",
                           R"({"prompt": [1], "max_tokens": 25, "stream": true,
                               "return_token_ids": true})"));
  streaming.read_until("data: ");
  TestConnection idle(s.port());
  idle.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(idle.read_reply().status, 200);
  const uint16_t port = s.port();
  std::thread stopper([&] { EXPECT_TRUE(s.shutdown()); });
  EXPECT_TRUE(idle.closed_within(2s));  // idle keep-alive connections close at once
  const std::string rest = streaming.read_until_close();
  EXPECT_THAT(rest, HasSubstr("\"finish_reason\":\"length\""));
  EXPECT_THAT(rest, HasSubstr("data: [DONE]\n\n"));
  stopper.join();
  EXPECT_THROW(TestConnection{port}, std::runtime_error);  // nothing listens any more
}

TEST(ServeLimits, ShutdownGraceRunningOutEndsStreamsWithAnErrorEvent) {
  ServerOptions o = testing::test_server_options();
  o.shutdown_grace = 200ms;
  NullBackendOptions n;
  n.tokens_per_s = 5;
  TestServer s = null_server(o, n);
  TestConnection streaming(s.port());
  streaming.send(
      post_text("/v1/completions", R"({"prompt": [1], "max_tokens": 1000, "stream": true})"));
  streaming.read_until("data: ");
  EXPECT_FALSE(s.shutdown());
  const std::string rest = streaming.read_until_close();
  EXPECT_THAT(rest, HasSubstr("data: {\"error\":"));
  EXPECT_THAT(rest, HasSubstr("shutting down"));
  EXPECT_THAT(rest, ::testing::Not(HasSubstr("[DONE]")));
}

}  // namespace
}  // namespace infermark::server

// The HTTP SUT against a server that misbehaves in every way the issue lists, one sample per
// case: each sample gets the right outcome (an answer, an error with its reason, or a retry on a
// second, good endpoint when the first one broke), is completed exactly once, and nothing hangs.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "sut/http/http_sut.h"
#include "sut/http/support/fake_openai_server.h"
#include "sut/http/support/recording_responder.h"

namespace infermark::sut::http {
namespace {

using test_support::FakeOpenAiServer;
using test_support::HttpRequest;
using test_support::RecordingResponder;
using test_support::Reply;
using test_support::TestServer;
using util::Json;

enum class Case {
  kSplitEveryByte,
  kWholeAnswerInOneWrite,
  kPingsCrlfNoSpace,
  kBundledTokens,
  kNoDone,
  kErrorMidStream,
  kLlamaErrorField,
  kHttp500,
  kHtmlErrorPage,
  kWrongTokenCount,
  kTextOnly,
  kMalformedJson,
  kNoAnswerBeforeDeadline,
  kStall,
  kReset,
  kCloseMidStream,
};

const std::vector<int32_t> kIds = {100, 101, 102, 103};

std::string chunk_json(std::span<const int32_t> ids, bool with_ids = true) {
  Json choice = {{"index", 0}, {"text", std::string(ids.size(), 'x')}, {"finish_reason", nullptr}};
  if (with_ids) choice["token_ids"] = std::vector<int32_t>(ids.begin(), ids.end());
  return Json{{"object", "text_completion"}, {"choices", Json::array({choice})}}.dump();
}

std::string usage_json(int n) {
  return Json{{"choices", Json::array()}, {"usage", {{"completion_tokens", n}}}}.dump();
}

// A well-formed SSE body: one token per event, usage, [DONE].
std::string good_events(std::string_view sep = "\n\n", std::string_view data = "data: ") {
  std::string s;
  for (int32_t id : kIds) s += fmt::format("{}{}{}", data, chunk_json({&id, 1}), sep);
  return s + fmt::format("{}{}{}{}[DONE]{}", data, usage_json(4), sep, data, sep);
}

void misbehave(Case c, Reply& r) {
  switch (c) {
    case Case::kSplitEveryByte: {
      const std::string body = good_events();
      const std::string all =
          "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: "
          "chunked\r\n\r\n" +
          fmt::format("{:x}\r\n{}\r\n0\r\n\r\n", body.size(), body);
      for (char ch : all) {
        if (!r.write(std::string_view(&ch, 1))) return;
        r.sleep(std::chrono::milliseconds(1));  // so that reads see pieces, not the whole
      }
      return;
    }
    case Case::kWholeAnswerInOneWrite: {
      const std::string body = good_events();
      r.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: " +
              std::to_string(body.size()) + "\r\n\r\n" + body);
      return;
    }
    case Case::kPingsCrlfNoSpace:
      r.start_stream();
      r.chunk(": ping\r\n\r\n");
      r.chunk(good_events("\r\n\r\n: keep-alive\r\n", "data:"));
      return r.end_stream();
    case Case::kBundledTokens:
      r.start_stream();
      r.event(chunk_json({kIds.data(), 2}));
      r.event(chunk_json({kIds.data() + 2, 2}));
      r.event(usage_json(4));
      r.event("[DONE]");
      return r.end_stream();
    case Case::kNoDone:
      r.start_stream();
      for (int32_t id : kIds) r.event(chunk_json({&id, 1}));
      return r.end_stream();
    case Case::kErrorMidStream:
      r.start_stream();
      r.event(chunk_json({kIds.data(), 2}));
      r.event(R"({"error":{"message":"engine died","type":"InternalServerError","code":500}})");
      r.event("[DONE]");
      return r.end_stream();
    case Case::kLlamaErrorField:
      r.start_stream();
      r.event(chunk_json({kIds.data(), 1}));
      r.chunk("error: {\"message\":\"slot unavailable\"}\n\n");
      return r.end_stream();
    case Case::kHttp500:
      return r.send_json(500, {{"error", {{"message", "CUDA out of memory"}}}});
    case Case::kHtmlErrorPage:
      return r.send(502, "text/html",
                    "<html><head><title>502</title></head><body><h1>502 Bad Gateway</h1>"
                    "<hr><center>nginx</center></body></html>");
    case Case::kWrongTokenCount:
      r.start_stream();
      for (int32_t id : kIds) r.event(chunk_json({&id, 1}));
      r.event(usage_json(5));
      r.event("[DONE]");
      return r.end_stream();
    case Case::kTextOnly:
      r.start_stream();
      r.event(chunk_json(kIds, false));
      r.event("[DONE]");
      return r.end_stream();
    case Case::kMalformedJson:
      r.start_stream();
      r.event(R"({"choices":[{"token_ids":[1,)");
      r.event("[DONE]");
      return r.end_stream();
    case Case::kNoAnswerBeforeDeadline:  // alive (pings keep the idle timeout away), no tokens
      r.start_stream();
      for (int i = 0; i < 50 && r.chunk(": ping\n\n"); ++i) r.sleep(std::chrono::milliseconds(100));
      return r.close();
    case Case::kStall:
      r.start_stream();
      r.event(chunk_json({kIds.data(), 1}));
      r.sleep(std::chrono::seconds(5));
      return r.close();
    case Case::kReset:
      r.start_stream();
      r.event(chunk_json({kIds.data(), 1}));
      return r.reset();
    case Case::kCloseMidStream:
      r.start_stream();
      r.event(chunk_json({kIds.data(), 1}));
      return r.close();
  }
}

// A server whose completions misbehave as the prompt's first id says; the rest is normal.
void bad_server(const HttpRequest& req, Reply& r) {
  if (req.target == "/health") return r.send(200, "text/plain", "");
  if (req.target == "/v1/models") {
    return r.send_json(200,
                       {{"data", Json::array({{{"id", "fake-llama"}, {"owned_by", "vllm"}}})}});
  }
  if (req.target != "/v1/completions") return r.send(404, "text/plain", "");
  misbehave(static_cast<Case>(req.json["prompt"][0].get<int>()), r);
}

enum class Outcome { kAnswered, kFailed, kRetriedElsewhere };

struct Expect {
  Case c;
  const char* name;
  Outcome outcome;
  const char* reason;  // in the notes (kFailed: the sample's; kRetried: the take-out)
};

// Names the case in test listings (instead of the struct's bytes).
void PrintTo(const Expect& e, std::ostream* os) { *os << e.name; }

class Misbehaving : public ::testing::TestWithParam<Expect> {};

TEST_P(Misbehaving, EachSampleGetsTheRightOutcome) {
  const Expect e = GetParam();
  TestServer bad(bad_server);
  FakeOpenAiServer good;
  const std::vector<int32_t> prompt = {static_cast<int32_t>(e.c), 11, 12, 13, 14, 15, 16};
  test_support::VectorPrompts prompts({prompt});
  HttpSutOptions o;
  o.endpoints = {parse_url(bad.url(), "test"), parse_url(good.url(), "test")};
  // Short enough for a quick test, long enough that a loaded machine's scheduling gaps between
  // the keep-alive pings of kNoAnswerBeforeDeadline (every 100 ms) never look like a stall.
  o.client.timeouts.idle = std::chrono::milliseconds(1000);
  o.client.timeouts.request = std::chrono::milliseconds(2500);
  HttpSut sut(prompts, o);
  RecordingResponder responder;
  const loadgen::QuerySample sample{0x1000, 0};
  sut.issue({&sample, 1}, responder);
  ASSERT_TRUE(responder.wait_for(1)) << "no completion: the run would hang";
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // a second completion would show

  std::lock_guard lock(responder.mu_);
  ASSERT_EQ(responder.completions[0x1000].size(), 1u) << "completed more than once";
  const auto& done = responder.completions[0x1000][0];
  std::string notes;
  for (const auto& [kind, text] : responder.notes) notes += text + "\n";
  switch (e.outcome) {
    case Outcome::kAnswered:
      EXPECT_EQ(done.ids, kIds) << notes;
      EXPECT_EQ(done.n_tokens, 4) << notes;
      ASSERT_EQ(responder.first_tokens[0x1000].size(), 1u);
      EXPECT_EQ(responder.first_tokens[0x1000][0].front(), kIds.front());
      break;
    case Outcome::kFailed:
      EXPECT_EQ(done.n_tokens, 0);
      EXPECT_TRUE(done.ids.empty());
      EXPECT_NE(notes.find(e.reason), std::string::npos) << notes;
      EXPECT_EQ(good.completions(), 0u) << notes << "a sample error is not retried";
      break;
    case Outcome::kRetriedElsewhere:
      EXPECT_EQ(done.ids, test_support::fake_answer(prompt, 24, 128)) << notes;
      EXPECT_EQ(good.completions(), 1u);
      EXPECT_NE(notes.find("taken out"), std::string::npos) << notes;
      EXPECT_NE(notes.find(e.reason), std::string::npos) << notes;
      break;
  }
  const Json report = sut.take_phase_report();
  const Json& ep = report["endpoints"][0];
  if (e.outcome == Outcome::kRetriedElsewhere) {
    EXPECT_EQ(ep["state"], "failed");
    EXPECT_EQ(ep["retried_away"], 1);
    EXPECT_EQ(report["endpoints"][1]["retried_here"], 1);
    EXPECT_EQ(report["totals"]["retries"], 1);
  } else {
    EXPECT_EQ(ep["state"], "active");
    EXPECT_EQ(ep["failed"], e.outcome == Outcome::kFailed ? 1 : 0);
  }
}

// A server that closes a keep-alive connection once it has been idle a while (vLLM's uvicorn
// after 5 s, infermark serve after 60 s) — here with a reset, 30 ms after each answer. The next
// request finds the pooled connection dead at its first write (EPIPE/ECONNRESET): the client must
// reopen it and send the request there, not count an endpoint failure (found by a 10-minute soak).
TEST(HttpSutKeepAlive, AConnectionTheServerClosedWhileIdleIsReopenedForTheNextRequest) {
  TestServer server([](const HttpRequest& req, Reply& r) {
    if (req.target == "/health") return r.send(200, "text/plain", "");
    if (req.target == "/v1/models") {
      return r.send_json(200, {{"data", Json::array({{{"id", "fake-llama"}, {"owned_by", "vllm"}}})}});
    }
    if (req.target != "/v1/completions") return r.send(404, "text/plain", "");
    r.start_stream();
    for (int32_t id : kIds) r.event(chunk_json({&id, 1}));
    r.event(usage_json(4));
    r.event("[DONE]");
    r.end_stream();
    r.sleep(std::chrono::milliseconds(30));
    r.reset();
  });
  test_support::VectorPrompts prompts({{11, 12, 13}});
  HttpSutOptions o;
  o.endpoints = {parse_url(server.url(), "test")};
  HttpSut sut(prompts, o);
  RecordingResponder responder;
  for (uint64_t i = 0; i < 3; ++i) {
    const loadgen::QuerySample sample{0x1000 + 8 * i, 0};
    sut.issue({&sample, 1}, responder);
    ASSERT_TRUE(responder.wait_for(i + 1)) << "no completion: the run would hang";
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the server resets meanwhile
  }
  std::lock_guard lock(responder.mu_);
  std::string notes;
  for (const auto& [kind, text] : responder.notes) notes += text + "\n";
  for (uint64_t i = 0; i < 3; ++i) {
    ASSERT_EQ(responder.completions[0x1000 + 8 * i].size(), 1u) << notes;
    EXPECT_EQ(responder.completions[0x1000 + 8 * i][0].ids, kIds) << notes;
  }
  const Json report = sut.take_phase_report();
  EXPECT_EQ(report["endpoints"][0]["state"], "active") << report.dump();
  EXPECT_EQ(report["endpoints"][0]["failed"], 0) << report.dump();
  EXPECT_EQ(report["totals"]["retries"], 0) << report.dump();
  EXPECT_GE(server.connections(), 3u);  // each request after a reset came on a new connection
}

INSTANTIATE_TEST_SUITE_P(
    HttpSut, Misbehaving,
    ::testing::Values(
        Expect{Case::kSplitEveryByte, "SplitEveryByte", Outcome::kAnswered, ""},
        Expect{Case::kWholeAnswerInOneWrite, "WholeAnswerInOneWrite", Outcome::kAnswered, ""},
        Expect{Case::kPingsCrlfNoSpace, "PingsCrlfNoSpace", Outcome::kAnswered, ""},
        Expect{Case::kBundledTokens, "BundledTokens", Outcome::kAnswered, ""},
        Expect{Case::kNoDone, "NoDone", Outcome::kFailed, "without data: [DONE]"},
        Expect{Case::kErrorMidStream, "ErrorMidStream", Outcome::kFailed, "engine died"},
        Expect{Case::kLlamaErrorField, "LlamaErrorField", Outcome::kFailed, "slot unavailable"},
        Expect{Case::kHttp500, "Http500", Outcome::kFailed, "HTTP 500 X: CUDA out of memory"},
        Expect{Case::kHtmlErrorPage, "HtmlErrorPage", Outcome::kFailed, "502 Bad Gateway"},
        Expect{Case::kWrongTokenCount, "WrongTokenCount", Outcome::kFailed,
               "usage.completion_tokens is 5 but 4 token ids came back"},
        Expect{Case::kTextOnly, "TextOnly", Outcome::kFailed, "text but no token ids"},
        Expect{Case::kMalformedJson, "MalformedJson", Outcome::kFailed, "malformed answer"},
        Expect{Case::kNoAnswerBeforeDeadline, "NoAnswerBeforeDeadline", Outcome::kFailed,
               "request timeout"},
        Expect{Case::kStall, "Stall", Outcome::kRetriedElsewhere, "idle timeout"},
        Expect{Case::kReset, "Reset", Outcome::kRetriedElsewhere, "reset the connection"},
        Expect{Case::kCloseMidStream, "CloseMidStream", Outcome::kRetriedElsewhere,
               "in the middle of an answer"}),
    [](const ::testing::TestParamInfo<Expect>& p) { return std::string(p.param.name); });

}  // namespace
}  // namespace infermark::sut::http

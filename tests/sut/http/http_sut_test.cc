// The HTTP SUT against well-behaved fake servers: connection reuse, in-flight limits, every
// dialect's wire shape, start-up checks, endpoints joining and leaving through the endpoints file,
// an endpoint killed under load (retries, nothing lost or doubled), no endpoint left, cancel.
#include "sut/http/http_sut.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "sut/http/support/fake_openai_server.h"
#include "sut/http/support/recording_responder.h"
#include "util/error.h"

namespace infermark::sut::http {
namespace {

using namespace std::chrono_literals;
using test_support::FakeOpenAiServer;
using test_support::FakeServerOptions;
using test_support::RecordingResponder;
using util::Json;

std::vector<std::vector<int32_t>> make_prompts(int n) {
  std::vector<std::vector<int32_t>> out;
  for (int i = 0; i < n; ++i) {
    std::vector<int32_t> p = {128000};
    for (int k = 0; k < 20; ++k) p.push_back(1000 + 37 * i + k);
    out.push_back(std::move(p));
  }
  return out;
}

HttpSutOptions options_for(std::initializer_list<const FakeOpenAiServer*> servers) {
  HttpSutOptions o;
  for (const auto* s : servers) o.endpoints.push_back(parse_url(s->url(), "test"));
  o.client.timeouts.idle = 2s;
  o.client.timeouts.request = 10s;
  return o;
}

// Issues samples 0..n-1 (ids 1..n) and waits for them all.
void run_samples(HttpSut& sut, RecordingResponder& r, size_t n, size_t at_once = 0) {
  std::vector<loadgen::QuerySample> samples;
  for (size_t i = 0; i < n; ++i) samples.push_back({i + 1, i});
  if (at_once == 0) at_once = n;
  for (size_t i = 0; i < n; i += at_once) {
    sut.issue(std::span(samples).subspan(i, std::min(at_once, n - i)), r);
    if (at_once < n) {
      ASSERT_TRUE(r.wait_for(std::min(n, i + at_once)));
    }
  }
  ASSERT_TRUE(r.wait_for(n)) << r.notes_text();
}

// Every sample completed exactly once, with the answer the fake server gives its prompt.
void expect_answers(RecordingResponder& r, const test_support::VectorPrompts& prompts, size_t n,
                    int answer_len = 24) {
  std::lock_guard lock(r.mu_);
  ASSERT_EQ(r.completions.size(), n);
  for (size_t i = 0; i < n; ++i) {
    const auto& c = r.completions[i + 1];
    ASSERT_EQ(c.size(), 1u) << "sample " << i;
    EXPECT_EQ(c[0].ids, test_support::fake_answer(prompts.prompt(i), answer_len, 128)) << i;
    EXPECT_EQ(c[0].n_tokens, answer_len);
  }
}

TEST(HttpSut, KeepAliveReusesOneConnectionForSequentialSamples) {
  FakeOpenAiServer server;
  test_support::VectorPrompts prompts(make_prompts(20));
  HttpSut sut(prompts, options_for({&server}));
  RecordingResponder r;
  run_samples(sut, r, 20, 1);
  expect_answers(r, prompts, 20);
  // The start-up checks use their own connections (health, models, version, metrics). A sample
  // may complete on [DONE] before the chunked body's last bytes free its connection, so the next
  // one can open a second: connections are reused, not one per request.
  const uint64_t probes = 4;
  EXPECT_LE(server.connections(), probes + 2);
  EXPECT_EQ(server.completions(), 20u);
}

TEST(HttpSut, NameSaysNetworkSutAndNamesEveryNode) {
  FakeOpenAiServer a, b;
  test_support::VectorPrompts prompts(make_prompts(1));
  HttpSut sut(prompts, options_for({&a, &b}));
  const std::string name = sut.name();
  EXPECT_NE(name.find("Network SUT"), std::string::npos);
  EXPECT_NE(name.find(parse_url(a.url(), "").authority()), std::string::npos) << name;
  EXPECT_NE(name.find(parse_url(b.url(), "").authority()), std::string::npos) << name;
  EXPECT_NE(name.find("0.0-fake"), std::string::npos) << "what /version said: " << name;
}

TEST(HttpSut, MaxInflightBoundsEachEndpoint) {
  FakeServerOptions slow;
  slow.ttft = 30ms;
  FakeOpenAiServer a(slow), b(slow);
  test_support::VectorPrompts prompts(make_prompts(12));
  HttpSutOptions o = options_for({&a, &b});
  o.max_inflight = 2;
  HttpSut sut(prompts, o);
  RecordingResponder r;
  run_samples(sut, r, 12);
  expect_answers(r, prompts, 12);
  EXPECT_LE(a.max_concurrent(), 2u);
  EXPECT_LE(b.max_concurrent(), 2u);
  EXPECT_EQ(a.completions() + b.completions(), 12u);
}

TEST(HttpSut, EveryDialectsWireShape) {
  for (const std::string owner : {"vllm", "sglang", "infermark", "tensorrt_llm", "llamacpp"}) {
    for (bool stream : {true, false}) {
      FakeServerOptions fo;
      fo.owned_by = owner;
      fo.tokens_per_event = 3;
      FakeOpenAiServer server(fo);
      test_support::VectorPrompts prompts(make_prompts(3));
      HttpSutOptions o = options_for({&server});
      o.client.stream = stream;
      o.report_first_token = stream;
      HttpSut sut(prompts, o);
      RecordingResponder r;
      run_samples(sut, r, 3);
      SCOPED_TRACE(owner + (stream ? " streamed" : " not streamed"));
      expect_answers(r, prompts, 3);
      std::lock_guard lock(r.mu_);
      EXPECT_EQ(r.first_tokens.size(), stream ? 3u : 0u);
      if (stream) {
        EXPECT_EQ(r.first_tokens[1][0].size(), 3u) << "the first chunk's bundle";
      }
      EXPECT_TRUE(r.notes.empty()) << r.notes.front().second;
    }
  }
}

TEST(HttpSut, TextOnlyServerNeedsAllowText) {
  FakeServerOptions fo;
  fo.owned_by = "openai";
  FakeOpenAiServer server(fo);
  test_support::VectorPrompts prompts(make_prompts(2));
  try {
    HttpSut sut(prompts, options_for({&server}));
    FAIL() << "a text-only endpoint was accepted without --allow-text";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("--allow-text"), std::string::npos) << e.what();
  }
  HttpSutOptions o = options_for({&server});
  o.client.allow_text = true;
  o.client.codec.encode = [](std::string_view text) {
    return std::vector<int32_t>(text.size(), 42);  // one id per character
  };
  HttpSut sut(prompts, o);
  EXPECT_FALSE(sut.comparable());
  RecordingResponder r;
  run_samples(sut, r, 2);
  std::lock_guard lock(r.mu_);
  EXPECT_EQ(r.completions[1][0].ids, std::vector<int32_t>(24, 42));
  EXPECT_EQ(r.completions[1][0].n_tokens, 24);
}

TEST(HttpSut, StartupChecksNameTheEndpointAndTheReason) {
  FakeOpenAiServer server;
  test_support::VectorPrompts prompts(make_prompts(1));
  auto error_of = [&](HttpSutOptions o) -> std::string {
    try {
      HttpSut sut(prompts, o);
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  };
  HttpSutOptions wrong_model = options_for({&server});
  wrong_model.served_model = "llama-70b";
  const std::string e1 = error_of(wrong_model);
  EXPECT_NE(e1.find(server.url() + "/v1/models does not list the model 'llama-70b'"),
            std::string::npos)
      << e1;
  EXPECT_NE(e1.find("fake-llama"), std::string::npos) << e1;

  test_support::TestServer loading([](const test_support::HttpRequest&, test_support::Reply& r) {
    r.send(503, "application/json", R"({"error":"model loading"})");
  });
  HttpSutOptions o;
  o.endpoints = {parse_url(loading.url(), "t")};
  const std::string e2 = error_of(o);
  EXPECT_NE(e2.find(loading.url() + "/health answered 503"), std::string::npos) << e2;

  const std::string dead_url = loading.url();
  loading.kill();
  const std::string e3 = error_of(o);
  EXPECT_NE(e3.find(dead_url), std::string::npos) << e3;
  EXPECT_NE(e3.find("refused"), std::string::npos) << e3;
}

TEST(HttpSut, KilledEndpointsSamplesAreRetriedNoneLostNoneTwice) {
  FakeServerOptions fo;
  fo.per_event = 2ms;
  FakeOpenAiServer a(fo), b(fo), c(fo);
  b.kill_at(4);  // killed while it holds requests
  test_support::VectorPrompts prompts(make_prompts(30));
  HttpSut sut(prompts, options_for({&a, &b, &c}));
  RecordingResponder r;
  run_samples(sut, r, 30);
  expect_answers(r, prompts, 30);
  const Json report = sut.take_phase_report();
  EXPECT_EQ(report["endpoints"][1]["state"], "failed");
  EXPECT_GE(report["totals"]["retries"].get<int>(), 1);
  EXPECT_EQ(report["totals"]["failed"], 0);
  EXPECT_EQ(report["totals"]["samples"], 30);
  EXPECT_EQ(report["endpoints"][1]["retried_away"], report["totals"]["retries"]);
  EXPECT_FALSE(r.has_note(loadgen::SutNote::kRunInvalid));
}

TEST(HttpSut, NoEndpointLeftFailsTheRestAndInvalidatesTheRun) {
  FakeOpenAiServer only;
  only.kill_at(3);
  test_support::VectorPrompts prompts(make_prompts(10));
  HttpSut sut(prompts, options_for({&only}));
  RecordingResponder r;
  run_samples(sut, r, 10, 1);  // one at a time: the first two are answered
  EXPECT_TRUE(r.has_note(loadgen::SutNote::kRunInvalid));
  EXPECT_NE(r.notes_text().find("no endpoint is left"), std::string::npos) << r.notes_text();
  std::lock_guard lock(r.mu_);
  size_t answered = 0;
  for (const auto& [id, c] : r.completions) {
    ASSERT_EQ(c.size(), 1u);
    answered += c[0].n_tokens > 0;
  }
  EXPECT_EQ(r.completions.size(), 10u);
  EXPECT_EQ(answered, 2u);
}

TEST(HttpSut, EndpointsFileJoinsAndLeavesDuringTheRun) {
  FakeOpenAiServer a, b;
  const auto file = std::filesystem::path(::testing::TempDir()) /
                    ("endpoints_" + std::to_string(::getpid()) + ".txt");
  std::ofstream(file) << "# the nodes\n" << a.url() << "\n";
  test_support::VectorPrompts prompts(make_prompts(12));
  HttpSutOptions o;
  o.endpoints_file = file;
  o.reread_interval = 20ms;
  HttpSut sut(prompts, o);
  RecordingResponder r;
  std::vector<loadgen::QuerySample> samples;
  for (size_t i = 0; i < 12; ++i) samples.push_back({i + 1, i});
  sut.issue(std::span(samples).subspan(0, 4), r);
  ASSERT_TRUE(r.wait_for(4));
  std::ofstream(file) << b.url() << "\n";  // b joins, a leaves
  for (int i = 0;
       i < 100 && sut.name().find(parse_url(b.url(), "").authority()) == std::string::npos; ++i) {
    std::this_thread::sleep_for(20ms);
  }
  std::this_thread::sleep_for(60ms);  // a's leave is applied in the same re-read
  sut.issue(std::span(samples).subspan(4, 8), r);
  ASSERT_TRUE(r.wait_for(12));
  expect_answers(r, prompts, 12);
  EXPECT_EQ(a.completions(), 4u);
  EXPECT_EQ(b.completions(), 8u);
  const Json report = sut.take_phase_report();
  EXPECT_EQ(report["endpoints"][0]["state"], "left");
  std::set<std::string> events;
  for (const auto& e : report["events"]) events.insert(e["event"].get<std::string>());
  EXPECT_TRUE(events.count("joined") && events.count("left"));
  std::filesystem::remove(file);
}

TEST(HttpSut, PhaseReportCountsAndMetricsDeltas) {
  FakeOpenAiServer server;
  test_support::VectorPrompts prompts(make_prompts(5));
  HttpSut sut(prompts, options_for({&server}));
  RecordingResponder r;
  run_samples(sut, r, 5);
  const Json report = sut.take_phase_report();
  const Json& e = report["endpoints"][0];
  EXPECT_EQ(e["samples"], 5);
  EXPECT_EQ(e["tokens"], 5 * 24);
  EXPECT_EQ(e["dialect"], "vllm");
  EXPECT_TRUE(e["ttft_ms"]["p99"].get<double>() >= e["ttft_ms"]["p50"].get<double>());
  EXPECT_EQ(e["metrics_delta"]["fake:requests_total"], 5);
  EXPECT_EQ(e["metrics_delta"]["fake:generation_tokens_total"], 120);
  // The next test starts from zero.
  const Json next = sut.take_phase_report();
  EXPECT_EQ(next["endpoints"][0]["samples"], 0);
  EXPECT_TRUE(next["endpoints"][0]["metrics_delta"].empty());
}

TEST(HttpSut, CancelEndsRequestsInFlight) {
  FakeServerOptions fo;
  fo.per_event = 200ms;
  FakeOpenAiServer server(fo);
  test_support::VectorPrompts prompts(make_prompts(3));
  HttpSut sut(prompts, options_for({&server}));
  RecordingResponder r;
  std::vector<loadgen::QuerySample> samples = {{1, 0}, {2, 1}, {3, 2}};
  sut.issue(samples, r);
  std::this_thread::sleep_for(300ms);
  sut.cancel();
  ASSERT_TRUE(r.wait_for(3, 2s)) << "cancel must end requests at once";
  std::lock_guard lock(r.mu_);
  for (const auto& [id, c] : r.completions) {
    ASSERT_EQ(c.size(), 1u);
    EXPECT_LT(c[0].n_tokens, 24) << "cut short";
  }
}

}  // namespace
}  // namespace infermark::sut::http

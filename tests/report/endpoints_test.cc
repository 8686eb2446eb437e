// The report's reading of endpoints.json (an HTTP-SUT run's per-endpoint results) and its
// "Endpoints" section: every endpoint's row, totals, taken-out reasons, events, the
// not-comparable banner; a corrupt file is an Error naming the field.
#include "report/endpoints.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "report/page_parts.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace infermark::report {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr const char* kEndpoints = R"json({
  "sut": "Network SUT (infermark HTTP client): node-a (infermark 0.1.0); node-b (vllm)",
  "comparable": false, "not_comparable_reason": "text-only endpoint (--allow-text)",
  "client": {"balance": "least-outstanding", "max_inflight_per_endpoint": 0, "api": "completions",
             "streamed": true, "io_threads": 1, "open_file_limit": 1048576,
             "timeouts_ms": {"connect": 10000, "idle": 60000, "request": 3600000}},
  "totals": {"samples": 34, "failed": 1, "no_endpoint_failures": 0, "tokens": 4352, "retries": 2},
  "endpoints": [
    {"url": "http://127.0.0.1:8001", "node": "node-a", "dialect": "infermark", "state": "active",
     "samples": 30, "failed": 0, "tokens": 3840, "retried_away": 0, "retried_here": 2,
     "ttft_ms": {"p50": 12.5, "p99": 40.0}, "tpot_ms": {"p50": 1.5, "p99": 3.0}, "errors": [],
     "metrics_delta": null},
    {"url": "http://127.0.0.1:8002", "node": "node-b", "dialect": "vllm", "state": "failed",
     "samples": 4, "failed": 1, "tokens": 512, "retried_away": 2, "retried_here": 0,
     "ttft_ms": null, "tpot_ms": null, "errors": ["connection reset"],
     "failure": "connection reset by peer", "metrics_delta": {}}
  ],
  "events": [{"t_s": 0.012, "endpoint": "http://127.0.0.1:8002", "event": "taken out",
              "reason": "connection reset by peer"}]
})json";

fs::path run_dir(const std::string& name) {
  const fs::path d = fs::path(::testing::TempDir()) /
                     ("endpoints_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

TEST(ReportEndpoints, AbsentFileIsNotAnHttpRun) {
  EXPECT_FALSE(read_endpoints(run_dir("absent")).has_value());
}

TEST(ReportEndpoints, ReadsEveryEndpointTotalsAndEvents) {
  const fs::path d = run_dir("full");
  util::write_file_atomic(d / "endpoints.json", kEndpoints);
  const auto e = read_endpoints(d);
  ASSERT_TRUE(e.has_value());
  EXPECT_FALSE(e->comparable);
  EXPECT_EQ(e->balance, "least-outstanding");
  EXPECT_EQ(e->samples, 34u);
  EXPECT_EQ(e->retries, 2u);
  ASSERT_EQ(e->endpoints.size(), 2u);
  EXPECT_EQ(e->endpoints[0].node, "node-a");
  ASSERT_TRUE(e->endpoints[0].ttft.has_value());
  EXPECT_DOUBLE_EQ(e->endpoints[0].ttft->p99_ms, 40.0);
  EXPECT_FALSE(e->endpoints[1].ttft.has_value());
  EXPECT_EQ(e->endpoints[1].failure, "connection reset by peer");
  ASSERT_EQ(e->events.size(), 1u);
  EXPECT_EQ(e->events[0].event, "taken out");

  const std::string html = page::endpoints_section(*e);
  EXPECT_THAT(html, HasSubstr("<h2>Endpoints</h2>"));
  EXPECT_THAT(html, HasSubstr("Not comparable with an MLPerf run: text-only endpoint"));
  EXPECT_THAT(html, HasSubstr("node-b"));
  EXPECT_THAT(html, HasSubstr("taken out: connection reset by peer"));
  EXPECT_THAT(html, HasSubstr("0.012 s"));
  EXPECT_THAT(html, HasSubstr("40.0 ms"));
  EXPECT_THAT(html, ::testing::Not(HasSubstr("http://")));  // no live links in the page
}

TEST(ReportEndpoints, CorruptFileNamesTheField) {
  const fs::path d = run_dir("corrupt");
  std::string text = kEndpoints;
  text.replace(text.find("\"samples\": 30"), 13, "\"samples\": \"x\"");
  util::write_file_atomic(d / "endpoints.json", text);
  try {
    read_endpoints(d);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_THAT(std::string(e.what()), HasSubstr("endpoints[0]"));
    EXPECT_THAT(std::string(e.what()), HasSubstr("samples"));
  }
  util::write_file_atomic(d / "endpoints.json", "{\"sut\": 1");
  EXPECT_THROW(read_endpoints(d), Error);
}

}  // namespace
}  // namespace infermark::report

// Endpoint URLs and endpoints files; Prometheus counters and their deltas.
#include <gtest/gtest.h>

#include "sut/http/prometheus_text.h"
#include "sut/http/url.h"
#include "util/error.h"

namespace infermark::sut::http {
namespace {

TEST(Url, Parses) {
  const Url u = parse_url("http://node-1.svc:8000/llm/", "--sut");
  EXPECT_EQ(u.host, "node-1.svc");
  EXPECT_EQ(u.port, 8000);
  EXPECT_EQ(u.base, "/llm");
  EXPECT_EQ(u.target("/v1/models"), "/llm/v1/models");
  EXPECT_EQ(u.str(), "http://node-1.svc:8000/llm");
  EXPECT_EQ(parse_url("http://10.0.0.1", "x").port, 80);
  const Url v6 = parse_url("http://[::1]:9000", "x");
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.authority(), "[::1]:9000");
}

TEST(Url, RefusesWhatItCannotServe) {
  for (const char* bad : {"https://a:1", "ftp://a", "a:8000", "http://", "http://a:0",
                          "http://a:70000", "http://a:x", "http://u@a:1", "http://a:1/?q"}) {
    EXPECT_THROW(parse_url(bad, "--sut"), Error) << bad;
  }
  try {
    parse_url("https://a:1", "--sut");
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("https"), std::string::npos);
  }
}

// Found by fuzz_http_client_inputs: the host and base path go into the Host header and the
// request line, so a space, CR, LF or non-ASCII byte in them would split or corrupt every request.
TEST(Url, RefusesCharactersThatWouldBreakTheRequest) {
  for (const std::string bad :
       {"http://a/llm\r\nX-Injected: 1", "http://a/l m", "http://a/\r/", "http://h\x8bt:80",
        "http://a b:80", "http://a\tb", "http://[::1 ]:80", "http://a:b:80"}) {
    try {
      parse_url(bad, "--sut");
      ADD_FAILURE() << bad;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("--sut"), std::string::npos) << e.what();
    }
  }
  EXPECT_EQ(parse_url("http://a/v1-x_y.z~/%41:@!$&'()*+,;=", "x").base, "/v1-x_y.z~/%41:@!$&'()*+,;=");
  EXPECT_EQ(parse_url("http://[fe80::1%25eth0]:80", "x").host, "fe80::1%25eth0");
}

TEST(Url, ListsAndFiles) {
  EXPECT_EQ(parse_url_list("http://a:1, http://b:2,", "--sut").size(), 2u);
  EXPECT_THROW(parse_url_list("http://a:1,http://a:1", "--sut"), Error);
  EXPECT_THROW(parse_url_list(" , ", "--sut"), Error);
  const auto urls = parse_endpoints_file("# nodes\nhttp://a:1\n\n  http://b:2  \r\n", "f");
  ASSERT_EQ(urls.size(), 2u);
  EXPECT_EQ(urls[1].host, "b");
  EXPECT_TRUE(parse_endpoints_file("", "f").empty());
  try {
    parse_endpoints_file("http://a:1\nbogus\n", "nodes.txt");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("nodes.txt:2"), std::string::npos) << e.what();
  }
}

TEST(PrometheusText, CountsCountersAndHistogramTotals) {
  const Counters c = parse_counters(
      "# HELP vllm:prompt_tokens_total Prompt tokens.\n"
      "# TYPE vllm:prompt_tokens_total counter\n"
      "vllm:prompt_tokens_total{model_name=\"m\"} 1234.0\n"
      "# TYPE vllm:prompt_tokens_created gauge\n"
      "vllm:prompt_tokens_created{model_name=\"m\"} 1.7e9\n"
      "# TYPE vllm:num_requests_running gauge\n"
      "vllm:num_requests_running{model_name=\"m\"} 3\n"
      "# TYPE vllm:e2e_request_latency_seconds histogram\n"
      "vllm:e2e_request_latency_seconds_bucket{le=\"1.0\"} 4\n"
      "vllm:e2e_request_latency_seconds_sum 7.5\n"
      "vllm:e2e_request_latency_seconds_count 9\n"
      "# TYPE http_requests counter\n"
      "http_requests_total{path=\"/a b\"} 5 1700000000\n"
      "untyped_total 2\n"
      "garbage line\n");
  EXPECT_EQ(c.size(), 5u);
  EXPECT_EQ(c.at("vllm:prompt_tokens_total{model_name=\"m\"}"), 1234.0);
  EXPECT_EQ(c.at("vllm:e2e_request_latency_seconds_count"), 9);
  EXPECT_EQ(c.at("vllm:e2e_request_latency_seconds_sum"), 7.5);
  EXPECT_EQ(c.at("http_requests_total{path=\"/a b\"}"), 5);
  EXPECT_EQ(c.at("untyped_total"), 2);
}

TEST(PrometheusText, Deltas) {
  const Counters d = counter_deltas({{"a", 10}, {"b", 5}}, {{"a", 15}, {"b", 2}, {"c", 1}});
  EXPECT_EQ(d.at("a"), 5);
  EXPECT_EQ(d.at("b"), 2);  // restarted: counts from 0
  EXPECT_EQ(d.at("c"), 1);
}

}  // namespace
}  // namespace infermark::sut::http

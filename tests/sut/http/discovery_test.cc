// Endpoint discovery by DNS (`--sut dns+http://NAME:PORT`): the dns+http URL, the addresses a
// resolver gives turned into endpoints, the system resolver on names every machine has, and the
// HTTP SUT following a name whose addresses change during the run — fake servers on several
// loopback addresses sharing one port, as the pods behind a headless Service do, and a resolver
// the test controls.
#include "sut/http/discovery.h"

#include <gtest/gtest.h>

#include <mutex>
#include <set>
#include <thread>

#include "sut/http/http_sut.h"
#include "sut/http/support/fake_openai_server.h"
#include "sut/http/support/recording_responder.h"
#include "util/error.h"

namespace infermark::sut::http {
namespace {

using namespace std::chrono_literals;
using boost::asio::ip::address;
using boost::asio::ip::make_address;
using test_support::FakeOpenAiServer;
using test_support::FakeServerOptions;
using test_support::RecordingResponder;
using util::Json;

std::vector<std::string> urls_of(const std::vector<Url>& urls) {
  std::vector<std::string> out;
  for (const auto& u : urls) out.push_back(u.str());
  return out;
}

TEST(Discovery, ParsesDnsUrls) {
  EXPECT_TRUE(is_dns_url("dns+http://svc:8000"));
  EXPECT_FALSE(is_dns_url("http://svc:8000"));
  const Url u = parse_dns_url("dns+http://infermark.default.svc.cluster.local:8000/llm", "--sut");
  EXPECT_EQ(u.host, "infermark.default.svc.cluster.local");
  EXPECT_EQ(u.port, 8000);
  EXPECT_EQ(u.base, "/llm");
  EXPECT_EQ(dns_url_str(u), "dns+http://infermark.default.svc.cluster.local:8000/llm");
  EXPECT_THROW(parse_dns_url("http://svc:8000", "--sut"), Error);
  EXPECT_THROW(parse_dns_url("dns+https://svc:8000", "--sut"), Error);
  EXPECT_THROW(parse_dns_url("dns+http://a:1,dns+http://b:1", "--sut"), Error);
  EXPECT_THROW(parse_dns_url("dns+http://svc:0", "--sut"), Error);
}

TEST(Discovery, OneEndpointPerDistinctAddressInOrder) {
  const Url name = parse_dns_url("dns+http://svc:8000/v", "t");
  const Resolver resolve = [](const std::string& host) {
    EXPECT_EQ(host, "svc");
    return std::vector<address>{make_address("10.0.0.9"), make_address("10.0.0.10"),
                                make_address("fd00::2"), make_address("10.0.0.9")};
  };
  EXPECT_EQ(urls_of(discover_endpoints(name, resolve)),
            (std::vector<std::string>{"http://10.0.0.9:8000/v", "http://10.0.0.10:8000/v",
                                      "http://[fd00::2]:8000/v"}));
}

TEST(Discovery, ErrorsNameTheDnsUrl) {
  const Url name = parse_dns_url("dns+http://gone:8000", "t");
  try {
    discover_endpoints(name, [](const std::string&) { return std::vector<address>{}; });
    FAIL() << "no address accepted";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "dns+http://gone:8000: 'gone' resolves to no address");
  }
  try {
    discover_endpoints(name, [](const std::string& host) -> std::vector<address> {
      throw Error::format("cannot resolve '{}': Host not found", host);
    });
    FAIL() << "a failed lookup accepted";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "dns+http://gone:8000: cannot resolve 'gone': Host not found");
  }
}

TEST(Discovery, SystemResolverFindsLoopbackNames) {
  const auto literal = resolve_host("127.0.0.1");
  EXPECT_EQ(literal, std::vector<address>{make_address("127.0.0.1")});
  // localhost is 127.0.0.1 (and ::1 where the machine has IPv6) on every resolver set-up.
  const auto local = resolve_host("localhost");
  EXPECT_TRUE(std::find(local.begin(), local.end(), make_address("127.0.0.1")) != local.end());
  for (const auto& a : local) EXPECT_TRUE(a.is_loopback()) << a.to_string();
  // RFC 6761: names under .invalid never resolve.
  EXPECT_THROW(resolve_host("no-such-node.invalid"), Error);
}

// A resolver whose answer the test sets; every lookup counted.
class ControlledResolver {
 public:
  void set(std::vector<std::string> addresses) {
    std::lock_guard lock(mu_);
    addresses_ = std::move(addresses);
    failing_ = false;
  }
  void fail() {
    std::lock_guard lock(mu_);
    failing_ = true;
  }
  Resolver resolver() {
    return [this](const std::string& host) {
      std::lock_guard lock(mu_);
      ++lookups_;
      if (failing_)
        throw Error::format("cannot resolve '{}': Host not found (authoritative)", host);
      std::vector<address> out;
      for (const auto& a : addresses_) out.push_back(make_address(a));
      return out;
    };
  }
  int lookups() {
    std::lock_guard lock(mu_);
    return lookups_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> addresses_;
  bool failing_ = false;
  int lookups_ = 0;
};

// Fake servers on 127.0.0.1, .2, .3 … with one port between them (the first one's, picked by the
// kernel; 127.0.0.0/8 is all loopback on Linux).
class DiscoveryRun : public ::testing::Test {
 protected:
  void start_servers(int n, FakeServerOptions fo = {}) {
    for (int i = 0; i < n; ++i) {
      fo.address = "127.0.0." + std::to_string(i + 1);
      fo.port = servers_.empty() ? 0 : servers_[0]->port();
      servers_.push_back(std::make_unique<FakeOpenAiServer>(fo));
    }
  }
  HttpSutOptions options() {
    HttpSutOptions o;
    o.dns_name = parse_dns_url("dns+http://nodes:" + std::to_string(servers_[0]->port()), "t");
    o.resolver = resolver_.resolver();
    o.reread_interval = 20ms;
    // No test here waits for a timeout: generous, so a loaded machine's stalls fire none.
    o.client.timeouts.connect = 5s;
    o.client.timeouts.idle = 10s;
    o.client.timeouts.request = 30s;
    return o;
  }
  // Waits (at most 20 s: a loaded machine, sanitizers) until `lookups` more lookups were made:
  // the last answer has been applied.
  void wait_lookups(int lookups) {
    const int until = resolver_.lookups() + lookups;
    for (int i = 0; i < 2000 && resolver_.lookups() < until; ++i) std::this_thread::sleep_for(10ms);
    ASSERT_GE(resolver_.lookups(), until);
  }
  static std::vector<loadgen::QuerySample> samples(size_t n) {
    std::vector<loadgen::QuerySample> out;
    for (size_t i = 0; i < n; ++i) out.push_back({i + 1, i});
    return out;
  }
  static std::vector<std::vector<int32_t>> prompts(int n) {
    std::vector<std::vector<int32_t>> out;
    for (int i = 0; i < n; ++i) out.push_back({128000, 500 + i, 501, 502, 503, 504, 505, 506});
    return out;
  }
  static std::multiset<std::string> events(const Json& report) {
    std::multiset<std::string> out;
    for (const auto& e : report["events"]) {
      out.insert(e["event"].get<std::string>() + " " + e["endpoint"].get<std::string>());
    }
    return out;
  }
  std::string url(int i) const { return servers_[i]->url(); }

  ControlledResolver resolver_;
  std::vector<std::unique_ptr<FakeOpenAiServer>> servers_;
};

TEST_F(DiscoveryRun, AddressesJoinAndVanishedOnesAreDrained) {
  FakeServerOptions slow;
  slow.per_event = 5ms;  // 24 events: ~120 ms per answer, so the drain has samples in flight
  start_servers(3, slow);
  resolver_.set({"127.0.0.1", "127.0.0.2"});
  test_support::VectorPrompts prompts_(prompts(24));
  HttpSut sut(prompts_, options());
  RecordingResponder r;
  const auto all = samples(24);
  sut.issue(std::span(all).subspan(0, 8), r);
  // Every one of the 8 has reached its server (so `on_first` below counts all of .1's).
  for (int i = 0; i < 2000 && servers_[0]->completions() + servers_[1]->completions() < 8; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_EQ(servers_[0]->completions() + servers_[1]->completions(), 8u);
  resolver_.set({"127.0.0.2", "127.0.0.3"});  // .1 vanishes, .3 appears
  wait_lookups(2);
  const uint64_t on_first = servers_[0]->completions();
  sut.issue(std::span(all).subspan(8, 16), r);
  ASSERT_TRUE(r.wait_for(24)) << r.notes_text();
  {
    std::lock_guard lock(r.mu_);
    for (size_t i = 0; i < 24; ++i) {
      ASSERT_EQ(r.completions[i + 1].size(), 1u) << "sample " << i << " completed once";
      EXPECT_EQ(r.completions[i + 1][0].n_tokens, 24) << "sample " << i;
    }
  }
  EXPECT_EQ(servers_[0]->completions(), on_first) << "a drained address got new samples";
  EXPECT_GT(servers_[2]->completions(), 0u) << "the new address got none";
  EXPECT_EQ(servers_[0]->completions() + servers_[1]->completions() + servers_[2]->completions(),
            24u);
  const Json report = sut.take_phase_report();
  EXPECT_EQ(report["totals"]["failed"], 0);
  EXPECT_EQ(report["totals"]["retries"], 0);
  const auto seen = events(report);
  EXPECT_EQ(seen.count("joined " + url(0)), 1u);
  EXPECT_EQ(seen.count("joined " + url(1)), 1u);
  EXPECT_EQ(seen.count("joined " + url(2)), 1u);
  EXPECT_EQ(seen.count("left " + url(0)), 1u);
  for (const auto& e : report["events"]) {
    EXPECT_NE(e["reason"].get<std::string>().find("the DNS answer for dns+http://nodes:"),
              std::string::npos)
        << e.dump();
    EXPECT_GE(e["t_s"].get<double>(), 0.0);
  }
  EXPECT_NE(sut.name().find(parse_url(url(2), "").authority()), std::string::npos) << sut.name();

  resolver_.set({"127.0.0.1", "127.0.0.2", "127.0.0.3"});  // .1 comes back
  wait_lookups(2);
  EXPECT_EQ(events(sut.take_phase_report()).count("rejoined " + url(0)), 1u);
}

TEST_F(DiscoveryRun, AFailedLookupKeepsTheEndpointsAndIsAnEvent) {
  start_servers(2);
  resolver_.set({"127.0.0.1", "127.0.0.2"});
  test_support::VectorPrompts prompts_(prompts(8));
  HttpSut sut(prompts_, options());
  resolver_.fail();
  wait_lookups(3);
  RecordingResponder r;
  const auto all = samples(8);
  sut.issue(all, r);
  ASSERT_TRUE(r.wait_for(8)) << r.notes_text();
  // Both kept: each got samples (least-outstanding splits them; how evenly depends on whether an
  // answer came back while the 8 were being issued).
  EXPECT_GT(servers_[0]->completions(), 0u);
  EXPECT_GT(servers_[1]->completions(), 0u);
  EXPECT_EQ(servers_[0]->completions() + servers_[1]->completions(), 8u);
  const Json report = sut.take_phase_report();
  EXPECT_EQ(report["totals"]["failed"], 0);
  const auto seen = events(report);
  EXPECT_EQ(seen.count("list unreadable the DNS answer for dns+http://nodes:" +
                       std::to_string(servers_[0]->port())),
            1u)
      << "said once, not at every lookup";
  EXPECT_EQ(seen.count("left " + url(0)), 0u);
  EXPECT_NE(r.notes_text().find("cannot resolve 'nodes'"), std::string::npos) << r.notes_text();
}

TEST_F(DiscoveryRun, AnAddressNotServingYetIsRetriedUntilItJoins) {
  start_servers(1);
  const uint16_t port = servers_[0]->port();
  resolver_.set({"127.0.0.1", "127.0.0.2"});  // nothing listens on .2 yet
  test_support::VectorPrompts prompts_(prompts(4));
  HttpSut sut(prompts_, options());
  FakeServerOptions late;
  late.address = "127.0.0.2";
  late.port = port;
  FakeOpenAiServer second(late);
  for (int i = 0; i < 2000 && sut.name().find("127.0.0.2") == std::string::npos; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_NE(sut.name().find("127.0.0.2"), std::string::npos) << sut.name();
  const auto seen = events(sut.take_phase_report());
  EXPECT_EQ(seen.count("join refused " + second.url()), 1u);
  EXPECT_EQ(seen.count("joined " + second.url()), 1u);
}

TEST_F(DiscoveryRun, NoAddressServingIsAnErrorNamingEachAddress) {
  start_servers(1);
  const uint16_t port = servers_[0]->port();
  servers_[0]->kill();
  resolver_.set({"127.0.0.1", "127.0.0.2"});
  test_support::VectorPrompts prompts_(prompts(1));
  try {
    HttpSut sut(prompts_, options());
    FAIL() << "a run started with no endpoint";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("dns+http://nodes:" + std::to_string(port) + ": no address passed"),
              std::string::npos)
        << what;
    EXPECT_NE(what.find("http://127.0.0.1:" + std::to_string(port)), std::string::npos) << what;
    EXPECT_NE(what.find("http://127.0.0.2:" + std::to_string(port)), std::string::npos) << what;
  }
}

TEST(DiscoveryEndToEnd, LocalhostThroughTheSystemResolver) {
  FakeOpenAiServer server;
  test_support::VectorPrompts prompts({{128000, 9, 8, 7, 6, 5, 4}});
  HttpSutOptions o;
  o.dns_name = parse_dns_url("dns+http://localhost:" + std::to_string(server.port()), "t");
  o.reread_interval = 50ms;
  HttpSut sut(prompts, o);
  RecordingResponder r;
  const std::vector<loadgen::QuerySample> one = {{1, 0}};
  sut.issue(one, r);
  ASSERT_TRUE(r.wait_for(1)) << r.notes_text();
  EXPECT_EQ(server.completions(), 1u);
  EXPECT_NE(sut.name().find("127.0.0.1:" + std::to_string(server.port())), std::string::npos)
      << sut.name();
}

}  // namespace
}  // namespace infermark::sut::http

// `infermark run --sut http://…` end to end against fake OpenAI-compatible servers in this
// process: every scenario and mode completes with endpoints.json and the endpoint table; the
// accuracy log holds exactly the ids the servers returned; a misbehaving server's failures end up
// in the detail log and the run still ends; an only endpoint lost makes the run INVALID; with
// two and four endpoints, one killed mid-run loses nothing, and least-outstanding sends a slow
// endpoint less than round-robin does.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include "accuracy/accuracy_log.h"
#include "support/cli_runner.h"
#include "sut/http/support/fake_openai_server.h"
#include "util/atomic_file.h"
#include "util/json.h"

namespace {

namespace fs = std::filesystem;
using infermark::test_support::CliResult;
using infermark::test_support::FakeOpenAiServer;
using infermark::test_support::FakeServerOptions;
using infermark::util::Json;
using namespace std::chrono_literals;

fs::path temp_root() {
  return fs::path(::testing::TempDir()) / ("http_run_" + std::to_string(::getpid()));
}
fs::path temp(const std::string& name) { return temp_root() / name; }

class HttpRunTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    fs::create_directories(temp_root());
    const fs::path source = std::getenv("INFERMARK_SOURCE_DIR");
    all_ = infermark::util::parse_json(
        infermark::util::read_file(source / "data/cnn_eval_sample.json"), "bundled");
    Json six = Json::array();
    for (int i = 0; i < 6; ++i) six.push_back(all_[i]);
    six_ = temp("six.json");
    infermark::util::write_file_atomic(six_, six.dump());
    conf_ = temp("user.conf");
    std::ofstream(conf_) << "*.Server.target_qps = 20\n*.SingleStream.target_latency = 50\n";
  }
  static void TearDownTestSuite() { fs::remove_all(temp_root()); }

  static std::string tokenizer() { return INFERMARK_LLAMA3_TOKENIZER_DIR; }

  // The hand-written Punkt parameters of the tests (accuracy is scored only with Punkt data).
  static std::string punkt() {
    return (fs::path(std::getenv("INFERMARK_SOURCE_DIR")) / "tests/fixtures/punkt_tab").string();
  }

  CliResult run(const std::string& sut, const std::string& scenario, const std::string& mode,
                const fs::path& out, const std::string& extra = "",
                const fs::path& dataset = six_) {
    fs::remove_all(out);
    return infermark::test_support::run_infermark(
        "run --sut " + sut + " --dataset " + dataset.string() + " --tokenizer " + tokenizer() +
        " --punkt " + punkt() + " --scenario " + scenario + " --mode " + mode +
        " --quick --no-progress --system http" + " --user-conf " + conf_.string() + " --output " +
        out.string() + " " + extra);
  }

  static fs::path scenario_dir(const fs::path& out, const std::string& scenario) {
    return out / "results/http/llama3.1-8b" / scenario;
  }

  // The whole accuracy log (results/ keeps MLPerf's truncated form of it).
  static fs::path accuracy_log(const fs::path& out, const std::string& scenario) {
    return out / "logs/http/llama3.1-8b" / scenario / "accuracy/mlperf_log_accuracy.json";
  }

  // The prompt ids of bundled sample `i`.
  static std::vector<int32_t> prompt(size_t i) {
    return all_[i]["tok_input"].get<std::vector<int32_t>>();
  }

  static Json all_;
  static fs::path six_, conf_;
};
Json HttpRunTest::all_;
fs::path HttpRunTest::six_, HttpRunTest::conf_;

// Every entry of an accuracy log holds the ids the fake servers answer its sample with; returns
// how often each sample appears.
std::map<int64_t, int> check_accuracy_ids(const fs::path& log, const Json& samples) {
  std::map<int64_t, int> seen;
  for (const auto& e : infermark::accuracy::read_accuracy_log(log).entries) {
    ++seen[e.qsl_idx];
    const auto p = samples[e.qsl_idx]["tok_input"].get<std::vector<int32_t>>();
    EXPECT_EQ(e.data, infermark::test_support::fake_answer(p, 24, 128)) << "qsl " << e.qsl_idx;
    EXPECT_EQ(e.token_count, 24);
  }
  return seen;
}

TEST_F(HttpRunTest, EveryScenarioAndModeCompletes) {
  FakeOpenAiServer a, b;
  const std::string sut = a.url() + "," + b.url();
  for (const std::string scenario : {"Offline", "Server", "SingleStream", "Interactive"}) {
    for (const std::string mode : {"performance", "accuracy", "submission", "find-peak"}) {
      const fs::path out = temp("matrix_" + scenario + "_" + mode);
      const CliResult o = run(sut, scenario, mode, out);
      const bool server_like = scenario == "Server" || scenario == "Interactive";
      if (mode == "find-peak" && !server_like) {
        EXPECT_NE(o.exit_code, 0) << scenario;
        continue;
      }
      ASSERT_EQ(o.exit_code, 0) << scenario << " " << mode << "\n" << o.out << o.err;
      const fs::path sc = scenario_dir(out, scenario);
      const fs::path dir = mode == "accuracy" ? sc / "accuracy" : sc / "performance/run_1";
      const Json report = infermark::util::parse_json(
          infermark::util::read_file(dir / "endpoints.json"), "endpoints.json");
      EXPECT_GT(report["totals"]["samples"].get<int>(), 0) << dir;
      EXPECT_EQ(report["totals"]["failed"], 0) << report.dump(2);
      EXPECT_EQ(report["client"]["streamed"], scenario != "Offline");
      EXPECT_NE(report["sut"].get<std::string>().find("Network SUT"), std::string::npos);
      EXPECT_NE(o.out.find("Endpoints ("), std::string::npos) << o.out;
      EXPECT_NE(infermark::util::read_file(dir / "report.html").find("<h2>Endpoints</h2>"),
                std::string::npos)
          << "report.html shows the endpoints of " << dir;
      const Json run_json =
          infermark::util::parse_json(infermark::util::read_file(dir / "run.json"), "run.json");
      EXPECT_EQ(run_json["metadata"]["sut"]["kind"], "http") << run_json.dump(2);
      if (mode == "accuracy" || mode == "submission") {
        const auto seen = check_accuracy_ids(accuracy_log(out, scenario), all_);
        EXPECT_EQ(seen.size(), 6u);
        EXPECT_TRUE(fs::exists(sc / "accuracy/accuracy.txt"));
      }
      if (mode == "submission") {
        const std::string verify = infermark::util::read_file(sc / "TEST06/verify_accuracy.txt");
        EXPECT_NE(verify.find("EOS check pass: True"), std::string::npos) << verify;
        EXPECT_NE(verify.find("Sample length check pass: True"), std::string::npos) << verify;
        EXPECT_NE(verify.find(scenario == "Offline" ? "First token check pass: Skipped"
                                                    : "First token check pass: True"),
                  std::string::npos)
            << verify;
        EXPECT_NE(o.out.find("TEST06 passed"), std::string::npos) << o.out;
      }
    }
  }
}

TEST_F(HttpRunTest, EndpointsFileAndOptionErrors) {
  FakeOpenAiServer a, b;
  const fs::path list = temp("nodes.txt");
  std::ofstream(list) << "# two nodes\n" << a.url() << "\n" << b.url() << "\n";
  const fs::path out = temp("from_file");
  const CliResult o = run("local", "Offline", "performance", out, "--endpoints " + list.string());
  ASSERT_EQ(o.exit_code, 0) << o.out << o.err;
  const Json report = infermark::util::parse_json(
      infermark::util::read_file(scenario_dir(out, "Offline") / "performance/run_1/endpoints.json"),
      "endpoints.json");
  ASSERT_EQ(report["endpoints"].size(), 2u);
  EXPECT_GT(report["endpoints"][1]["samples"].get<int>(), 0);

  struct Bad {
    std::string args, message;
  };
  for (const Bad& bad : std::vector<Bad>{
           {"--api chat", "--api chat sends the prompt as text"},
           {"--dialect tgi", "--dialect: unknown dialect 'tgi'"},
           {"--balance random", "--balance: unknown policy 'random'"},
           {"--idle-timeout 0", "--idle-timeout: must be a positive number of seconds"},
           {"--endpoints " + list.string(), "--endpoints: give either --sut URLs or a file"}}) {
    const CliResult e = run(a.url(), "Offline", "performance", temp("bad"), bad.args);
    EXPECT_EQ(e.exit_code, 1) << bad.args;
    EXPECT_NE(e.err.find(bad.message), std::string::npos) << bad.args << ": " << e.err;
  }
}

TEST_F(HttpRunTest, MisbehavingServerRunEndsWithTheReasonsInTheDetailLog) {
  // Requests in turn: answered well, HTTP 500, a stream without [DONE], an error mid-stream, an
  // HTML error page, a wrong token count.
  std::atomic<int> n{0};
  infermark::test_support::TestServer server([&](const infermark::test_support::HttpRequest& r,
                                                 infermark::test_support::Reply& reply) {
    if (r.target == "/health") return reply.send(200, "text/plain", "");
    if (r.target == "/v1/models") {
      return reply.send_json(200, {{"data", Json::array({{{"id", "m"}, {"owned_by", "vllm"}}})}});
    }
    if (r.target != "/v1/completions") return reply.send(404, "text/plain", "");
    const std::string good = R"({"choices":[{"text":"ab","token_ids":[791,4062]}]})";
    switch (n++ % 6) {
      case 0:
        reply.start_stream();
        reply.event(good);
        reply.event(R"({"choices":[],"usage":{"completion_tokens":2}})");
        reply.event("[DONE]");
        return reply.end_stream();
      case 1:
        return reply.send_json(500, {{"error", {{"message", "CUDA error"}}}});
      case 2:
        reply.start_stream();
        reply.event(good);
        return reply.end_stream();
      case 3:
        reply.start_stream();
        reply.event(good);
        reply.event(R"({"object":"error","message":"scheduler crashed"})");
        return reply.end_stream();
      case 4:
        return reply.send(503, "text/html", "<html><body>Service Unavailable</body></html>");
      default:
        reply.start_stream();
        reply.event(good);
        reply.event(R"({"choices":[],"usage":{"completion_tokens":3}})");
        reply.event("[DONE]");
        return reply.end_stream();
    }
  });
  const fs::path out = temp("misbehaving");
  const CliResult o = run(server.url(), "Server", "performance", out);
  ASSERT_EQ(o.exit_code, 0) << o.out << o.err;
  const fs::path dir = scenario_dir(out, "Server") / "performance/run_1";
  const std::string detail = infermark::util::read_file(dir / "mlperf_log_detail.txt");
  for (const char* reason :
       {"HTTP 500", "CUDA error", "without data: [DONE]", "scheduler crashed",
        "HTTP 503 X: Service Unavailable", "usage.completion_tokens is 3 but 2 token ids"}) {
    EXPECT_NE(detail.find(reason), std::string::npos) << reason;
  }
  const Json report = infermark::util::parse_json(
      infermark::util::read_file(dir / "endpoints.json"), "endpoints.json");
  EXPECT_EQ(report["endpoints"][0]["state"], "active") << "HTTP errors do not take it out";
  EXPECT_EQ(
      report["endpoints"][0]["failed"].get<int>() + report["endpoints"][0]["samples"].get<int>(),
      n.load());
}

TEST_F(HttpRunTest, TheOnlyEndpointLostMakesTheRunInvalidWithoutHanging) {
  FakeOpenAiServer only;
  only.kill_at(3);
  const fs::path out = temp("lost");
  const auto start = std::chrono::steady_clock::now();
  const CliResult o = run(only.url(), "Server", "performance", out);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 60s);
  ASSERT_EQ(o.exit_code, 0) << o.out << o.err;
  EXPECT_NE(o.out.find("INVALID"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("no endpoint is left"), std::string::npos) << o.out;
  const fs::path dir = scenario_dir(out, "Server") / "performance/run_1";
  const std::string summary = infermark::util::read_file(dir / "mlperf_log_summary.txt");
  EXPECT_NE(summary.find("Result is : INVALID"), std::string::npos);
  EXPECT_NE(summary.find("The system under test failed: no endpoint is left"), std::string::npos)
      << summary;
}

TEST_F(HttpRunTest, TwoEndpointsOneKilledMidRunNothingLostNothingTwice) {
  FakeServerOptions fo;
  fo.per_event = 1ms;
  FakeOpenAiServer a(fo), b(fo);
  b.kill_at(5);
  const fs::path out = temp("two_killed");
  const fs::path dataset =
      std::string(std::getenv("INFERMARK_SOURCE_DIR")) + "/data/cnn_eval_sample.json";
  const CliResult o = run(a.url() + "," + b.url(), "Server", "accuracy", out, "", dataset);
  ASSERT_EQ(o.exit_code, 0) << o.out << o.err;
  const fs::path sc = scenario_dir(out, "Server");
  const auto seen = check_accuracy_ids(accuracy_log(out, "Server"), all_);
  EXPECT_EQ(seen.size(), all_.size());
  for (const auto& [qsl, count] : seen) EXPECT_EQ(count, 1) << qsl;
  const Json report = infermark::util::parse_json(
      infermark::util::read_file(sc / "accuracy/endpoints.json"), "endpoints.json");
  EXPECT_EQ(report["endpoints"][1]["state"], "failed");
  EXPECT_GE(report["totals"]["retries"].get<int>(), 1);
  EXPECT_EQ(report["totals"]["failed"], 0);
  EXPECT_EQ(report["totals"]["samples"].get<size_t>(), all_.size());
}

// Four endpoints, one 3x+ slower and one killed mid-run: the slow endpoint's share of samples
// under least-outstanding is below its share under round-robin. The shares are printed (and
// recorded in docs/benchmarks.md).
TEST_F(HttpRunTest, FourEndpointsLeastOutstandingSendsTheSlowOneLess) {
  const fs::path dataset =
      std::string(std::getenv("INFERMARK_SOURCE_DIR")) + "/data/cnn_eval_sample.json";
  std::ofstream(temp("fast.conf")) << "*.Server.target_qps = 40\n";
  std::map<std::string, int> slow_samples;
  for (const std::string balance : {"least-outstanding", "round-robin"}) {
    FakeServerOptions fast, slow;
    fast.per_event = 1ms;
    slow.ttft = 150ms;
    slow.per_event = 6ms;
    FakeOpenAiServer e0(fast), e1(slow), e2(fast), e3(fast);
    e2.kill_at(4);
    const fs::path out = temp("four_" + balance);
    const CliResult o = infermark::test_support::run_infermark(
        "run --sut " + e0.url() + "," + e1.url() + "," + e2.url() + "," + e3.url() + " --balance " +
        balance + " --dataset " + dataset.string() + " --scenario Server" +
        " --quick --no-progress --system http --user-conf " + temp("fast.conf").string() +
        " --output " + out.string());
    ASSERT_EQ(o.exit_code, 0) << o.out << o.err;
    const Json report =
        infermark::util::parse_json(infermark::util::read_file(scenario_dir(out, "Server") /
                                                               "performance/run_1/endpoints.json"),
                                    "endpoints.json");
    EXPECT_EQ(report["endpoints"][2]["state"], "failed");
    EXPECT_EQ(report["totals"]["failed"], 0) << report.dump(2);
    slow_samples[balance] = report["endpoints"][1]["samples"].get<int>();
    std::printf("%s: samples per endpoint", balance.c_str());
    for (const auto& e : report["endpoints"]) std::printf(" %d", e["samples"].get<int>());
    std::printf(" (slow one: #1, killed: #2), TTFT p99 of the slow one %.1f ms\n",
                report["endpoints"][1]["ttft_ms"].is_null()
                    ? 0.0
                    : report["endpoints"][1]["ttft_ms"]["p99"].get<double>());
  }
  EXPECT_LT(slow_samples["least-outstanding"], slow_samples["round-robin"]);
}

}  // namespace

// `infermark run --sut http://h1:8000[,http://h2:8000,…] | dns+http://NAME:PORT | --endpoints
// FILE`: the options of the HTTP SUT and its construction from them (see sut/http/http_sut.h,
// docs/http-sut.md).
#include "run_http.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "sut/http/endpoint_report.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace infermark::cli {
namespace {

namespace http = sut::http;

std::chrono::milliseconds seconds_option(double s, const char* name) {
  if (!(s > 0) || !std::isfinite(s) || s > 1e7) {
    throw Error::format("{}: must be a positive number of seconds, got {}", name, s);
  }
  return std::chrono::milliseconds(static_cast<int64_t>(std::ceil(s * 1000)));
}

http::HttpSutOptions http_options(const RunOptions& o, const text::Tokenizer* tokenizer,
                                  bool offline) {
  const HttpRunOptions& h = o.http;
  http::HttpSutOptions out;
  if (o.sut.starts_with("http")) out.endpoints = http::parse_url_list(o.sut, "--sut");
  if (http::is_dns_url(o.sut)) {
    out.dns_name = http::parse_dns_url(o.sut, "--sut");
    out.reread_interval = seconds_option(h.dns_interval_s, "--dns-interval");
  }
  if (!h.endpoints_file.empty()) {
    if (!out.endpoints.empty()) throw Error("--endpoints: give either --sut URLs or a file");
    if (o.sut != "local") {
      throw Error::format("--endpoints: lists HTTP endpoints; it does not go with --sut {}", o.sut);
    }
    out.endpoints_file = h.endpoints_file;
  }
  if (h.dialect != "auto") {
    out.dialect = http::parse_dialect(h.dialect);
    if (!out.dialect) {
      throw Error::format(
          "--dialect: unknown dialect '{}' (auto, infermark, vllm, sglang, "
          "trtllm, llamacpp, openai)",
          h.dialect);
    }
  }
  const auto api = http::parse_api(h.api);
  if (!api) throw Error::format("--api: unknown API '{}' (completions, chat)", h.api);
  if (*api == http::Api::kChat && !h.allow_text) {
    throw Error(
        "--api chat sends the prompt as text through the server's chat template, not the "
        "MLPerf token ids: add --allow-text to run it anyway (marked not comparable)");
  }
  if (h.balance == "least-outstanding") {
    out.balance = http::Balance::kLeastOutstanding;
  } else if (h.balance == "round-robin") {
    out.balance = http::Balance::kRoundRobin;
  } else {
    throw Error::format("--balance: unknown policy '{}' (least-outstanding, round-robin)",
                        h.balance);
  }
  out.served_model = h.served_model;
  out.max_inflight = h.max_inflight;
  out.io_threads = h.client_threads;
  http::ClientConfig& c = out.client;
  c.timeouts = {seconds_option(h.connect_timeout_s, "--connect-timeout"),
                seconds_option(h.idle_timeout_s, "--idle-timeout"),
                seconds_option(h.request_timeout_s, "--request-timeout")};
  c.auth.api_key = h.api_key;
  if (c.auth.api_key.empty()) {
    if (const char* key = std::getenv("INFERMARK_API_KEY")) c.auth.api_key = key;
  }
  c.api = *api;
  c.stream = !offline;
  c.allow_text = h.allow_text;
  if (h.allow_text || *api == http::Api::kChat) {
    if (!tokenizer) {
      throw Error("--allow-text: needs --tokenizer (to turn text answers back into token ids)");
    }
    c.codec.decode = [tokenizer](std::span<const int32_t> ids) {
      return tokenizer->decode(ids, {.skip_special_tokens = true});
    };
    c.codec.encode = [tokenizer](std::string_view text) { return tokenizer->encode(text, false); };
  }
  out.report_first_token = !offline;
  return out;
}

}  // namespace

bool is_http_sut(const RunOptions& o) {
  return o.sut.starts_with("http://") || o.sut.starts_with("https://") ||
         sut::http::is_dns_url(o.sut) || !o.http.endpoints_file.empty();
}

void add_http_options(CLI::App& app, RunOptions& o) {
  HttpRunOptions& h = o.http;
  auto* g = app.add_option_group("HTTP SUT", "--sut http://host:port[,...] or --endpoints FILE");
  g->add_option("--endpoints", h.endpoints_file,
                "File of endpoint URLs, one a line, re-read during the run (joins and leaves)");
  g->add_option("--api", h.api, "completions|chat (chat needs --allow-text)")
      ->capture_default_str();
  g->add_option("--dialect", h.dialect, "auto|infermark|vllm|sglang|trtllm|llamacpp|openai")
      ->capture_default_str();
  g->add_option("--served-model", h.served_model,
                "Model name in the requests (default: the first id of /v1/models)");
  g->add_option("--api-key", h.api_key, "Bearer key (default: $INFERMARK_API_KEY)");
  g->add_option("--balance", h.balance, "least-outstanding|round-robin")->capture_default_str();
  g->add_option("--max-inflight", h.max_inflight, "Requests in flight per endpoint (0: no limit)")
      ->capture_default_str();
  g->add_option("--connect-timeout", h.connect_timeout_s, "TCP connect timeout (s)")
      ->capture_default_str();
  g->add_option("--idle-timeout", h.idle_timeout_s,
                "Longest silence of a busy connection before its endpoint is taken out (s)")
      ->capture_default_str();
  g->add_option("--request-timeout", h.request_timeout_s, "Deadline of one request (s)")
      ->capture_default_str();
  g->add_flag("--allow-text", h.allow_text,
              "Accept text answers and re-tokenize them (the run is marked not comparable)");
  g->add_option("--client-threads", h.client_threads, "I/O threads of the HTTP client")
      ->capture_default_str();
  g->add_option("--dns-interval", h.dns_interval_s,
                "--sut dns+http://NAME:PORT: seconds between resolutions of NAME (new addresses "
                "join, vanished ones are drained)")
      ->capture_default_str();
}

std::unique_ptr<http::HttpSut> make_http_sut(const RunOptions& o, const sut::PromptSource& prompts,
                                             const text::Tokenizer* tokenizer, bool offline) {
  return std::make_unique<http::HttpSut>(prompts, http_options(o, tokenizer, offline));
}

void EndpointReports::write(const std::filesystem::path& run_dir) {
  util::Json report = sut_.take_phase_report();
  util::write_file_atomic(run_dir / "endpoints.json", report.dump(2) + "\n");
  reports_.emplace_back(run_dir, std::move(report));
}

void EndpointReports::print() const {
  for (const auto& [dir, report] : reports_) {
    std::printf("\nEndpoints (%s):\n", dir.string().c_str());
    for (const auto& line : http::format_phase_report(report)) std::printf("%s\n", line.c_str());
  }
}

}  // namespace infermark::cli

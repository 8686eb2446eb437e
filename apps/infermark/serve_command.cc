// `infermark serve`: the OpenAI-compatible HTTP server (src/server, docs/serve.md) over the
// engine on a checkpoint folder, or over the null backend (--null, no model). Prints
// "listening on HOST:PORT" as soon as it accepts connections (/health answers 503 while the model
// loads), then "ready"; serves until SIGTERM or SIGINT, drains, and exits 0.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "command.h"
#include "quantize_option.h"
#include "engine/engine.h"
#include "server/engine_backend.h"
#include "server/null_backend.h"
#include "server/server.h"
#include "text/tokenizer.h"
#include "util/error.h"

namespace infermark::cli {
namespace {

struct Options {
  std::string model;
  std::string tokenizer;
  server::ServerOptions server;
  int threads = 0;
  QuantizeFlags quantize;  // --quantize, --quantize-lm-head
  std::string preset = "server";
  int max_seqs = 0;
  int64_t kv_cache_bytes = 0;
  int64_t max_context = 0;
  int64_t max_queue = -1;
  double idle_timeout_s = 60, request_timeout_s = 30, write_timeout_s = 60, grace_s = 30;
  bool null = false;
  server::NullBackendOptions null_options;
};

std::chrono::milliseconds millis(double seconds, const char* option) {
  if (!(seconds > 0) || seconds > 1e7) {
    throw Error::format("serve: {} {}: must be a number of seconds > 0", option, seconds);
  }
  return std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
}

// Thousands of connections need more descriptors than the usual soft limit of 1024.
void raise_open_file_limit() {
  rlimit r{};
  if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
    r.rlim_cur = r.rlim_max;
    setrlimit(RLIMIT_NOFILE, &r);
  }
}

void say(const std::string& line) {
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

std::optional<text::Tokenizer> load_tokenizer(const Options& o) {
  if (!o.tokenizer.empty()) return text::Tokenizer::load(o.tokenizer);
  if (!o.model.empty() &&
      std::filesystem::exists(std::filesystem::path(o.model) / "tokenizer.json")) {
    return text::Tokenizer::load(o.model);
  }
  return std::nullopt;
}

std::unique_ptr<server::GenerationBackend> make_engine_backend(const Options& o) {
  const auto t0 = std::chrono::steady_clock::now();
  const engine::EngineOptions eo = server::serve_engine_options(
      o.preset, {o.threads, o.max_seqs, o.kv_cache_bytes, o.max_context});
  auto model = engine::load_model(o.model, o.threads, ops::Device::kCpu,
                                  load_options(o.quantize, "serve"));
  auto backend = std::make_unique<server::EngineBackend>(
      std::make_unique<engine::Engine>(std::move(model), eo));
  std::fprintf(stderr, "serve: model %s loaded in %.2f s (context %lld tokens, %d sequences)\n",
               o.model.c_str(),
               std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
               static_cast<long long>(backend->info().max_context), backend->info().max_seqs);
  return backend;
}

int run(Options& o) {
  if (o.null == !o.model.empty()) {
    throw Error("serve: give either --model DIR or --null");
  }
  server::ServerOptions& so = o.server;
  if (so.served_model_name.empty()) so.served_model_name = o.null ? "infermark-null" : o.model;
  if (o.max_queue >= 0) so.max_queue = o.max_queue;
  so.http.limits.idle_timeout = millis(o.idle_timeout_s, "--idle-timeout-s");
  so.http.limits.request_timeout = millis(o.request_timeout_s, "--request-timeout-s");
  so.http.limits.write_timeout = millis(o.write_timeout_s, "--write-timeout-s");
  so.shutdown_grace = millis(o.grace_s, "--shutdown-grace-s");
  so.handle_signals = true;
  raise_open_file_limit();

  server::Server s(so);
  s.start();
  say("listening on " + s.address());
  std::optional<text::Tokenizer> tokenizer = load_tokenizer(o);
  std::unique_ptr<server::GenerationBackend> backend;
  if (o.null) {
    server::NullBackendOptions n = o.null_options;
    if (o.max_seqs > 0) n.max_seqs = o.max_seqs;
    if (tokenizer) n.vocab_size = tokenizer->vocab_size();
    if (o.max_context > 0) n.max_context = o.max_context;
    backend = std::make_unique<server::NullBackend>(n);
  } else {
    backend = make_engine_backend(o);
  }
  s.set_backend(std::move(backend), std::move(tokenizer));
  say("ready");
  const bool clean = s.wait();
  std::fprintf(stderr, "serve: shut down%s\n",
               clean ? "" : " (the grace period ran out; open requests were cancelled)");
  return 0;
}

CommandRegistration reg{
    "serve", "OpenAI-compatible HTTP server over the engine (or --null)", [](CLI::App& app) {
      auto o = std::make_shared<Options>();
      auto& so = o->server;
      app.add_option("--model", o->model, "checkpoint folder (config.json, safetensors)");
      app.add_option("--tokenizer", o->tokenizer,
                     "tokenizer folder or tokenizer.json (default: the model folder's)");
      app.add_option("--host", so.http.host, "address to listen on")->capture_default_str();
      app.add_option("--port", so.http.port, "port (0: a free one, printed)")
          ->capture_default_str();
      app.add_option("--served-model-name", so.served_model_name,
                     "model name in the API (default: the --model argument)");
      app.add_option("--api-key", so.api_key,
                     "require 'Authorization: Bearer KEY' on /v1/*, /tokenize, /detokenize")
          ->envname("INFERMARK_API_KEY");
      app.add_option("--threads", o->threads, "engine compute threads (0 = physical cores)")
          ->capture_default_str();
      add_quantize_options(app, o->quantize);
      app.add_option("--io-threads", so.http.io_threads, "HTTP I/O threads")->capture_default_str();
      app.add_option("--preset", o->preset, "engine preset: server | offline")
          ->capture_default_str();
      app.add_option("--max-seqs", o->max_seqs,
                     "sequences generating at once (default: the preset's; --null: 256)");
      app.add_option("--kv-cache-bytes", o->kv_cache_bytes, "KV cache budget (0 = automatic)")
          ->capture_default_str();
      app.add_option("--max-context", o->max_context,
                     "tokens per sequence, prompt included (0 = the model's)")
          ->capture_default_str();
      app.add_option("--max-queue", o->max_queue,
                     "requests waiting beyond --max-seqs before 429 (default: unbounded)");
      app.add_option("--stream-interval", so.stream_interval,
                     "tokens per SSE chunk after the first")
          ->capture_default_str();
      app.add_option("--max-body-bytes", so.http.limits.max_body_bytes, "request body limit (413)")
          ->capture_default_str();
      app.add_option("--max-header-bytes", so.http.limits.max_header_bytes,
                     "request header limit (431)")
          ->capture_default_str();
      app.add_option("--idle-timeout-s", o->idle_timeout_s, "idle keep-alive connection timeout")
          ->capture_default_str();
      app.add_option("--request-timeout-s", o->request_timeout_s, "time to receive a whole request")
          ->capture_default_str();
      app.add_option("--write-timeout-s", o->write_timeout_s,
                     "time a client may take to accept one write")
          ->capture_default_str();
      app.add_option("--shutdown-grace-s", o->grace_s,
                     "on SIGTERM: time for requests in flight to finish")
          ->capture_default_str();
      app.add_flag("--null", o->null, "no model: deterministic tokens at a set pace");
      app.add_option("--null-tokens-per-s", o->null_options.tokens_per_s,
                     "--null: tokens per second per request (0 = no pause)")
          ->capture_default_str();
      app.add_option("--null-ttft-ms", o->null_options.ttft_ms, "--null: time to first token")
          ->capture_default_str();
      app.add_option("--null-output-len", o->null_options.output_len,
                     "--null: tokens per response (0 = max_tokens)")
          ->capture_default_str();
      return [o] { return run(*o); };
    }};

}  // namespace
}  // namespace infermark::cli

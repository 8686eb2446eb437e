// serve_load: the load client for `infermark serve` benchmarks (docs/benchmarks.md, "HTTP
// server"). Bounded: it runs for --warmup-s + --duration-s and prints one line of rates
// (requests, tokens and token-carrying SSE events per second over the measurement window) and
// latency percentiles (from the scheduled send).
//
//   serve_load --port P --concurrency 64 --max-tokens 256          # closed loop, streams
//   serve_load --port P --rate 1000 --max-tokens 8                 # open loop at 1000 req/s
//   serve_load --in-process --model DIR --concurrency 8 ...        # the engine alone, same load
//
// --in-process builds the engine as `infermark serve --model DIR` does (preset, threads, KV
// budget), so the two lines compare HTTP serving with the engine alone.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "engine/engine.h"
#include "http_load.h"
#include "in_process_load.h"
#include "server/engine_backend.h"
#include "util/error.h"

int main(int argc, char** argv) {
  using namespace infermark;
  CLI::App app{"Load client for infermark serve benchmarks"};
  bench::HttpTarget target;
  bench::LoadShape shape;
  bool in_process = false;
  std::string model, preset = "server";
  int threads = 0, max_seqs = 0;
  int64_t kv_cache_bytes = 0;
  bool no_stream = false;
  app.add_option("--host", target.host)->capture_default_str();
  app.add_option("--port", target.port)->capture_default_str();
  app.add_option("--model-name", target.model, "the request's model field");
  app.add_option("--concurrency", shape.concurrency, "closed loop: requests in flight");
  app.add_option("--rate", shape.rate, "open loop: requests per second");
  app.add_option("--warmup-s", shape.warmup_s)->capture_default_str();
  app.add_option("--duration-s", shape.duration_s)->capture_default_str();
  app.add_option("--prompt-len", shape.prompt_len)->capture_default_str();
  app.add_option("--max-tokens", shape.max_tokens)->capture_default_str();
  app.add_flag("--no-stream", no_stream, "whole JSON responses instead of SSE");
  app.add_flag("--in-process", in_process, "drive an engine in this process instead");
  app.add_option("--model", model, "--in-process: checkpoint folder");
  app.add_option("--preset", preset, "--in-process: engine preset")->capture_default_str();
  app.add_option("--threads", threads, "--in-process: compute threads")->capture_default_str();
  app.add_option("--max-seqs", max_seqs, "--in-process: sequences at once (0 = preset's)");
  app.add_option("--kv-cache-bytes", kv_cache_bytes, "--in-process: KV budget (0 = automatic)");
  CLI11_PARSE(app, argc, argv);
  shape.stream = !no_stream;
  try {
    if ((shape.concurrency > 0) == (shape.rate > 0)) {
      throw Error("serve_load: give one of --concurrency N or --rate R");
    }
    if (!in_process) {
      run_http_load(target, shape).print();
      return 0;
    }
    if (shape.rate > 0) throw Error("serve_load: --in-process runs a closed loop only");
    const engine::EngineOptions eo =
        server::serve_engine_options(preset, {threads, max_seqs, kv_cache_bytes, 0});
    engine::Engine e(engine::load_model(model, threads), eo);
    run_in_process_load(e, shape).print();
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "serve_load: %s\n", e.what());
    return 1;
  }
}

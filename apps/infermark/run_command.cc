// `infermark run`: the llama3.1-8b benchmark.
//   infermark run --model DIR --dataset cnn_eval.json --scenario Offline|Server|SingleStream|
//       Interactive --mode performance|accuracy|submission|find-peak [--user-conf F] [--output D]
// With no options at all: the embedded default — the demo model (made on first use in a cache
// folder) on the bundled sample set, Offline, --quick.
// `--sut null` has two uses, chosen by the sample library: with `--qsl-size N` the load generator
// alone (run_loadgen.cc: any LoadGen scenario and conf key, the four logs in --output); with
// `--dataset` the benchmark through the harness with a null SUT (run_benchmark.cc). The two
// options exclude each other; docs/loadgen.md says why they are two programs.
// `--sut http://h1:8000[,http://h2:8000]` (or `--endpoints FILE`) drives OpenAI-compatible servers.
#include <csignal>
#include <cstdio>
#include <memory>

#include "command.h"
#include "quantize_option.h"
#include "harness/demo_assets.h"
#include "run_options.h"
#include "util/error.h"

namespace infermark::cli {

std::atomic<bool>& stop_flag() {
  static std::atomic<bool> flag{false};
  return flag;
}

namespace {
extern "C" void on_stop_signal(int) {
  stop_flag().store(true);
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
}
}  // namespace

void catch_stop_signals() {
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
}

void release_stop_signals() {
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
}

namespace {

int run(RunOptions& o, bool no_options) {
  if (no_options) {
    const auto assets =
        harness::ensure_demo_assets(harness::default_cache_dir(), harness::default_tokenizer_dir());
    o.model = assets.model_dir.string();
    o.dataset = assets.dataset_path.string();
    o.quick = true;
    std::printf("infermark: no options given: the built-in demo — a tiny random-weight Llama on "
                "the bundled sample set, Offline, --quick (not a valid MLPerf result).\n"
                "  model:   %s\n  dataset: %s\n",
                o.model.c_str(), o.dataset.c_str());
  }
  if (o.sut != "null" && o.qsl_size != 0) {
    throw Error("--qsl-size: only with --sut null (a sample library without data)");
  }
  apply_loadgen_wait(o);
  const bool bare_loadgen = o.sut == "null" && o.dataset.empty();
  return bare_loadgen ? run_loadgen_command(o) : run_benchmark_command(o);
}

CommandRegistration reg{
    "run", "Run the llama3.1-8b benchmark (or the load generator alone with --sut null)",
    [](CLI::App& app) {
      auto o = std::make_shared<RunOptions>();
      app.add_option("--model", o->model, "Hugging Face checkpoint folder (config.json, "
                                          "safetensors, tokenizer.json)");
      auto* dataset =
          app.add_option("--dataset", o->dataset, "cnn_eval.json (13,368), 5,000-sample edge "
                                                  "set, or another file in that format");
      app.add_option("--scenario", o->scenario, "Offline|Server|SingleStream|Interactive "
                                                "(MultiStream with --sut null --qsl-size)")
          ->capture_default_str();
      app.add_option("--mode", o->mode, "performance|accuracy|submission|find-peak")
          ->capture_default_str();
      app.add_option("--sut", o->sut,
                     "local (the engine in this process) | null | http://host:port[,http://...] "
                     "(OpenAI-compatible endpoints) | dns+http://name:port (every address of "
                     "the name, re-resolved during the run)")
          ->capture_default_str();
      app.add_flag("--edge", o->edge, "llama3.1-8b-edge (5,000 samples; Offline, SingleStream)");
      app.add_option("--system", o->system, "System name for the results folders "
                                            "(default: <hostname>-infermark)");
      app.add_option("--user-conf", o->user_conf, "user.conf applied after mlperf.conf");
      app.add_option("--mlperf-conf", o->mlperf_conf,
                     "Use this mlperf.conf instead of the embedded one (another round's seeds)");
      app.add_option("--output", o->output, "Results folder")->capture_default_str();
      app.add_flag("--quick", o->quick, "Smoke run: min duration 0 and counts capped at the "
                                        "dataset size (labelled not valid for submission)");
      app.add_option("--tokenizer", o->tokenizer, "Tokenizer folder (default: --model)");
      app.add_option("--punkt", o->punkt, "NLTK punkt_tab data for scoring (default: the usual "
                                          "nltk_data folders; scoring stops without it)");
      app.add_flag("--approximate-sentence-split", o->approximate_sentence_split,
                   "Score without Punkt data, with a simple splitter (results marked not "
                   "comparable with MLPerf)");
      app.add_flag("--no-trace", o->no_trace, "Leave mlperf_log_trace.json empty");
      app.add_flag("--no-progress", o->no_progress, "No live progress line");
      app.add_option("--engine-preset", o->engine_preset, "offline|server (default: by scenario)");
      app.add_option("--threads", o->threads, "Engine compute threads (default: physical cores)");
      app.add_option("--kv-cache-bytes", o->kv_cache_bytes, "KV cache budget in bytes");
      app.add_option("--max-seqs", o->max_seqs, "Sequences in flight at once");
      app.add_option("--max-batch-tokens", o->max_batch_tokens, "Tokens per engine step");
      add_quantize_options(app, o->quantize);
      auto* bare = app.add_option_group("bare load generator", "--sut null --qsl-size N");
      auto* qsl_size = bare->add_option("--qsl-size", o->qsl_size,
                                        "Samples in the null sample library (not with --dataset)");
      qsl_size->excludes(dataset);
      bare->add_option("--performance-sample-count", o->performance_sample_count,
                       "Samples loadable at once (default: --qsl-size)")
          ->needs(qsl_size);
      bare->add_option("--model-name", o->model_name, "Conf key (default: from --scenario/--edge)")
          ->needs(qsl_size);
      bare->add_option("--audit-conf", o->audit_conf, "audit.config applied if it exists")
          ->capture_default_str()
          ->needs(qsl_size);
      auto* null = app.add_option_group("null SUT", "--sut null");
      null->add_option("--null-tokens", o->null.n_tokens, "Tokens per response (>= 2)")
          ->capture_default_str();
      null->add_option("--null-ttft-ms", o->null.ttft_ms, "Time to first token (ms)");
      null->add_option("--null-tpot-ms", o->null.tpot_ms, "Time per further token (ms)");
      null->add_option("--null-serial-ms", o->null.serial_ms,
                       "One-at-a-time service time per sample (ms): a finite capacity");
      null->add_flag("--null-random", o->null.random_latency,
                     "Exponentially distributed latencies with those means");
      null->add_option("--null-seed", o->null.seed, "Seed for --null-random");
      add_http_options(app, *o);
      add_submission_options(app, *o);
      return [o, &app] { return run(*o, app.count_all() <= 1); };
    }};

}  // namespace
}  // namespace infermark::cli

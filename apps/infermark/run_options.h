// Options of `infermark run` and the two ways it runs: the benchmark through the harness (a
// dataset, with the engine or the null SUT, in the submission layout; run_benchmark.cc) and the
// bare load generator on a null sample library (`--sut null --qsl-size N`; run_loadgen.cc).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "quantize_option.h"
#include "sut/null_sut.h"

namespace infermark::harness {
struct BenchmarkRunOptions;
struct BenchmarkRunResult;
}  // namespace infermark::harness

namespace infermark::cli {

// `--sut http://…` / `--endpoints FILE` (run_http.cc). Times in seconds.
struct HttpRunOptions {
  std::string endpoints_file;
  std::string api = "completions";
  std::string dialect = "auto";
  std::string served_model;
  std::string api_key;  // default: $INFERMARK_API_KEY
  std::string balance = "least-outstanding";
  int max_inflight = 0;
  double connect_timeout_s = 10, idle_timeout_s = 60, request_timeout_s = 3600;
  bool allow_text = false;
  int client_threads = 1;
  double dns_interval_s = 5;  // --sut dns+http://: how often the name is resolved again
};

struct RunOptions {
  std::string sut = "local";  // local | null | http://host:port[,http://…] | dns+http://name:port
  std::string model, dataset, tokenizer;
  uint64_t qsl_size = 0;
  uint64_t performance_sample_count = 0;  // 0 = qsl_size
  std::string scenario = "Offline";
  std::string mode = "performance";
  std::string model_name;  // conf key override for the bare load generator
  bool edge = false;
  std::string system;
  std::string user_conf, mlperf_conf, audit_conf = "audit.config";
  std::string output = "infermark-results";
  std::string punkt;
  bool approximate_sentence_split = false;
  bool quick = false;
  bool no_trace = false;
  bool no_progress = false;
  // Engine parameters (--sut local).
  std::string engine_preset;  // "" = by scenario: offline for Offline, server otherwise
  int threads = 0;
  int64_t kv_cache_bytes = 0;
  int max_seqs = 0;
  int64_t max_batch_tokens = 0;
  QuantizeFlags quantize;  // --quantize, --quantize-lm-head (quantize_option.h)
  sut::NullSutOptions null;
  HttpRunOptions http;
  // --loadgen builtin|official and the submission tree (run_submission.cc).
  std::string loadgen = "builtin";
  std::string loadgen_wait = "sleep";  // --loadgen-wait: loadgen::SpinGovernor's policy
  std::string submitter, division;
  std::vector<std::string> system_fields;  // KEY=VALUE
};

// Set by SIGINT/SIGTERM while a run is in progress.
std::atomic<bool>& stop_flag();
// Installs the handlers (a second signal kills at once) / restores the defaults.
void catch_stop_signals();
void release_stop_signals();

// run_submission.cc: the options above, and what the harness and the bare load generator take
// from them.
void add_submission_options(CLI::App& app, RunOptions& o);
bool official_loadgen_requested(const RunOptions& o);  // throws Error for an unknown --loadgen
// Sets loadgen::SpinGovernor::shared()'s policy from --loadgen-wait (Error for an unknown one).
void apply_loadgen_wait(const RunOptions& o);
void apply_submission_options(const RunOptions& o, harness::BenchmarkRunOptions& ho);
void print_submission_notes(const harness::BenchmarkRunResult& result);

int run_benchmark_command(const RunOptions& o);
int run_loadgen_command(const RunOptions& o);

// The HTTP SUT's part of `run` (run_http.cc).
bool is_http_sut(const RunOptions& o);
void add_http_options(CLI::App& app, RunOptions& o);

}  // namespace infermark::cli

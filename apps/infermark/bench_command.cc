// `infermark bench`: prefill and decode throughput of the engine on a checkpoint, per batch size,
// beside the machine's own ceilings measured in the same process (streaming-read bandwidth, FMA
// peak) and the fraction of each achieved:
//   prefill %fma  = prefill tok/s x FLOPs per prompt token / best FMA peak (%avx2: / the AVX2
//                   peak, per CPU-second)
//   decode  %bw   = decode tok/s x bytes per token (weights / batch + K/V read) / read bandwidth
//   decode  %fma  = decode tok/s x FLOPs per token / best FMA peak
//   vs b=1        = decode tok/s / decode tok/s at batch 1 (per wall and per CPU-second)
// See bench_throughput.h for what each window measures. --json FILE writes every figure.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "backends/cpu/ceilings.h"
#include "backends/cpu/cpu_features.h"
#include "bench_throughput.h"
#include "command.h"
#include "engine/engine.h"
#include "quantize_option.h"
#include "util/atomic_file.h"
#include "util/error.h"
#include "util/json.h"

namespace infermark::cli {
namespace {

struct Options {
  std::string model;
  int64_t prompt_len = 512;
  int gen_len = 128;
  std::string batch = "1,8,32";
  int threads = 0;
  int repeat = 1;
  int64_t max_batch_tokens = 2048;
  int64_t kv_cache_bytes = 0;
  std::string isa;  // empty = the best this CPU has
  std::string json;
  QuantizeFlags quantize;  // --quantize, --quantize-lm-head
};

// Caps the kernels' instruction set at --isa (e.g. to measure the AVX2 kernels on an AVX-512
// machine); an unknown name or one this CPU lacks is an error.
void apply_isa(const std::string& name) {
  if (name.empty()) return;
  const std::optional<cpu::Isa> isa = cpu::isa_from_name(name);
  if (!isa) throw Error::format("bench: --isa '{}' is not one of generic, avx2, avx512", name);
  if (*isa > cpu::detected_isa()) {
    throw Error::format("bench: --isa {} is not available on this CPU (it has {})", name,
                        cpu::isa_name(cpu::detected_isa()));
  }
  cpu::set_max_isa(*isa);
}

std::vector<int> parse_batches(const std::string& s) {
  std::vector<int> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) {
    size_t used = 0;
    int v = 0;
    try {
      v = std::stoi(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != item.size() || v < 1) {
      throw Error::format("bench: --batch '{}' is not a list of positive integers like 1,8,32", s);
    }
    out.push_back(v);
  }
  if (out.empty()) throw Error("bench: --batch is empty");
  return out;
}

ThroughputResult median_of(std::vector<ThroughputResult> runs) {
  auto mid = [&](auto key) {
    std::sort(runs.begin(), runs.end(),
              [&](const auto& a, const auto& b) { return key(a) < key(b); });
    return runs[runs.size() / 2];
  };
  ThroughputResult r = mid([](const auto& x) { return x.prefill_tok_s(); });
  const ThroughputResult d = mid([](const auto& x) { return x.decode_tok_s(); });
  r.decode_tokens = d.decode_tokens, r.decode_seconds = d.decode_seconds;
  r.decode_cpu_seconds = d.decode_cpu_seconds;
  r.cpu_share = d.cpu_share;
  return r;
}

// Offline preset, context prompt + gen, a KV cache of --kv-cache-bytes or else just enough for
// every sequence of the largest batch at full length. A smaller budget makes the engine preempt
// (and recompute) sequences, as it would under memory pressure; one below a single full-length
// sequence cannot run and is an error.
engine::EngineOptions engine_options(const Options& o, int max_batch, const model::Llama& model) {
  engine::EngineOptions eo = engine::EngineOptions::offline();
  eo.threads = o.threads;
  eo.max_seqs = max_batch;
  eo.max_context = o.prompt_len + o.gen_len;
  eo.max_batch_tokens = std::max<int64_t>(o.max_batch_tokens, max_batch);
  eo.prefill_chunk = eo.max_batch_tokens;
  const int64_t blocks = (eo.max_context + eo.block_size - 1) / eo.block_size;
  const int64_t sequence_bytes =
      engine::KvCache::block_bytes(model.config(), model.weight_dtype(), eo.block_size) * blocks;
  if (o.kv_cache_bytes > 0 && o.kv_cache_bytes < sequence_bytes) {
    throw Error::format(
        "bench: --kv-cache-bytes {} cannot hold one sequence of --prompt-len + --gen-len = {} "
        "tokens ({} bytes)",
        o.kv_cache_bytes, eo.max_context, sequence_bytes);
  }
  eo.kv_cache_bytes = o.kv_cache_bytes > 0 ? o.kv_cache_bytes : sequence_bytes * max_batch;
  return eo;
}

// One batch size's figures: rates, and fractions of the ceilings per wall / CPU second.
struct Row {
  int batch = 0;
  ThroughputResult r;
  TokenCost cost;
  cpu::MachineCeilings ceil;
  double prefill_fma = 0, prefill_fma_cpu = 0, prefill_avx2_cpu = 0;
  double decode_bw = 0, decode_bw_cpu = 0, decode_fma = 0, decode_fma_cpu = 0;
  double decode_per_cpu_s = 0;  // decode tokens per CPU-second
  double vs1 = 0, vs1_cpu = 0;  // decode rate / batch 1's
};

Row evaluate(const ThroughputResult& r, const TokenCost& cost, const cpu::MachineCeilings& ceil) {
  auto frac = [](double amount, double seconds, double ceiling) {
    return seconds > 0 && ceiling > 0 ? amount / seconds / ceiling : 0;
  };
  Row w{r.batch, r, cost, ceil};
  const double pf_work = static_cast<double>(r.prefill_tokens) * cost.prefill_flops / 1e9;
  const double d_bytes = static_cast<double>(r.decode_tokens) * cost.decode_bytes / 1e9;
  const double d_flops = static_cast<double>(r.decode_tokens) * cost.decode_flops / 1e9;
  const cpu::Rate fma = ceil.best_fma();
  w.prefill_fma = frac(pf_work, r.prefill_seconds, fma.per_s);
  w.prefill_fma_cpu = frac(pf_work, r.prefill_cpu_seconds, fma.per_cpu_s);
  w.prefill_avx2_cpu = frac(pf_work, r.prefill_cpu_seconds, ceil.fma_gflop.per_cpu_s);
  w.decode_bw = frac(d_bytes, r.decode_seconds, ceil.read_gb.per_s);
  w.decode_bw_cpu = frac(d_bytes, r.decode_cpu_seconds, ceil.read_gb.per_cpu_s);
  w.decode_fma = frac(d_flops, r.decode_seconds, fma.per_s);
  w.decode_fma_cpu = frac(d_flops, r.decode_cpu_seconds, fma.per_cpu_s);
  w.decode_per_cpu_s = r.decode_cpu_seconds > 0 ? r.decode_tokens / r.decode_cpu_seconds : 0;
  return w;
}

void print_header() {
  std::printf("%5s %13s %6s %6s %6s %13s %6s %6s %6s %6s %7s %7s %5s   ceilings: %s\n", "batch",
              "prefill tok/s", "%fma", "/cpu", "%avx2", "decode tok/s", "%bw", "/cpu", "%fma",
              "/cpu", "vs b=1", "/cpu", "cpu", "read GB/s, fma avx2 / avx512 GFLOP/s");
}

void print_row(const Row& w) {
  std::printf(
      "%5d %13.2f %5.1f%% %5.1f%% %5.1f%% %13.2f %5.1f%% %5.1f%% %5.1f%% %5.1f%% %6.2fx %6.2fx "
      "%5.2f   %.1f, %.0f / %.0f\n",
      w.batch, w.r.prefill_tok_s(), 100 * w.prefill_fma, 100 * w.prefill_fma_cpu,
      100 * w.prefill_avx2_cpu, w.r.decode_tok_s(), 100 * w.decode_bw, 100 * w.decode_bw_cpu,
      100 * w.decode_fma, 100 * w.decode_fma_cpu, w.vs1, w.vs1_cpu, w.r.cpu_share,
      w.ceil.read_gb.per_s, w.ceil.fma_gflop.per_s, w.ceil.fma512_gflop.per_s);
  std::fflush(stdout);
}

util::Json to_json(const Row& w) {
  return {{"batch", w.batch},
          {"prefill_tok_s", w.r.prefill_tok_s()},
          {"prefill_fraction_of_fma_peak", w.prefill_fma},
          {"prefill_fraction_of_fma_peak_per_cpu", w.prefill_fma_cpu},
          {"prefill_fraction_of_avx2_fma_peak_per_cpu", w.prefill_avx2_cpu},
          {"decode_tok_s", w.r.decode_tok_s()},
          {"decode_fraction_of_bandwidth", w.decode_bw},
          {"decode_fraction_of_bandwidth_per_cpu", w.decode_bw_cpu},
          {"decode_fraction_of_fma_peak", w.decode_fma},
          {"decode_fraction_of_fma_peak_per_cpu", w.decode_fma_cpu},
          {"decode_vs_batch1", w.vs1},
          {"decode_vs_batch1_per_cpu", w.vs1_cpu},
          {"prefill_seconds", w.r.prefill_seconds},
          {"prefill_cpu_seconds", w.r.prefill_cpu_seconds},
          {"decode_seconds", w.r.decode_seconds},
          {"decode_cpu_seconds", w.r.decode_cpu_seconds},
          {"decode_tokens", w.r.decode_tokens},
          {"cpu_share", w.r.cpu_share},
          {"ceiling_read_gb_s", w.ceil.read_gb.per_s},
          {"ceiling_fma_gflop_s", w.ceil.fma_gflop.per_s},
          {"ceiling_fma512_gflop_s", w.ceil.fma512_gflop.per_s},
          {"prefill_flops_per_token", w.cost.prefill_flops},
          {"decode_bytes_per_token", w.cost.decode_bytes},
          {"decode_flops_per_token", w.cost.decode_flops}};
}

void print_setup(const Options& o, const engine::Engine& eng, double load_s) {
  const model::Llama& m = eng.model();
  std::printf(
      "model %s: %.3f B parameters, weights %s, activations %s, packed weights %.2f GB, loaded in "
      "%.1f s\n",
      o.model.c_str(), static_cast<double>(m.config().parameter_count()) / 1e9,
      m.weight_precision().c_str(), m.activation_precision().c_str(),
      static_cast<double>(m.packed_weight_bytes()) / 1e9, load_s);
  std::printf(
      "engine: %d threads, isa %s, KV %s (%lld blocks, %.1f MB), prompt %lld, gen %d, max batch "
      "tokens %lld\n",
      eng.threads(), std::string(cpu::isa_name(cpu::active_isa())).c_str(),
      std::string(ops::dtype_name(eng.kv_cache().dtype())).c_str(),
      static_cast<long long>(eng.kv_cache().n_blocks()),
      static_cast<double>(eng.kv_cache().bytes()) / 1e6, static_cast<long long>(o.prompt_len),
      o.gen_len, static_cast<long long>(eng.options().max_batch_tokens));
}

int run(const Options& o) {
  const std::vector<int> batches = parse_batches(o.batch);
  if (o.prompt_len < 1 || o.gen_len < 2 || o.repeat < 1 || o.kv_cache_bytes < 0) {
    throw Error(
        "bench: --prompt-len must be >= 1, --gen-len >= 2, --repeat >= 1, --kv-cache-bytes >= 0");
  }
  apply_isa(o.isa);
  const auto t0 = std::chrono::steady_clock::now();
  auto model = engine::load_model(o.model, o.threads, ops::Device::kCpu,
                                  load_options(o.quantize, "bench"));
  const double load_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const int max_batch = *std::max_element(batches.begin(), batches.end());
  engine::Engine eng(model, engine_options(o, max_batch, *model));
  cpu::ThreadPool probe_pool(eng.threads());
  cpu::CeilingProbe probe(probe_pool);
  print_setup(o, eng, load_s);
  // Warm-up: touches every weight page once.
  measure_throughput(eng, 1, std::min<int64_t>(o.prompt_len, 64), 2, 99);
  print_header();
  util::Json rows = util::Json::array();
  double decode1 = 0, decode1_cpu = 0;
  for (int b : batches) {
    const cpu::MachineCeilings ceil = probe.measure();
    std::vector<ThroughputResult> runs;
    for (int i = 0; i < o.repeat; ++i) {
      runs.push_back(measure_throughput(eng, b, o.prompt_len, o.gen_len, 1 + i));
    }
    Row w = evaluate(median_of(runs),
                     token_cost(eng, o.prompt_len, b, o.prompt_len + o.gen_len / 2), ceil);
    if (b == 1) decode1 = w.r.decode_tok_s(), decode1_cpu = w.decode_per_cpu_s;
    w.vs1 = decode1 > 0 ? w.r.decode_tok_s() / decode1 : 0;
    w.vs1_cpu = decode1_cpu > 0 ? w.decode_per_cpu_s / decode1_cpu : 0;
    print_row(w);
    rows.push_back(to_json(w));
  }
  if (!o.json.empty()) {
    util::Json j = {{"model", o.model},
                    {"weight_precision", eng.model().weight_precision()},
                    {"activation_precision", eng.model().activation_precision()},
                    {"isa", std::string(cpu::isa_name(cpu::active_isa()))},
                    {"threads", eng.threads()},
                    {"prompt_len", o.prompt_len},
                    {"gen_len", o.gen_len},
                    {"repeat", o.repeat},
                    {"kv_cache_blocks", eng.kv_cache().n_blocks()},
                    {"kv_cache_bytes", eng.kv_cache().bytes()},
                    {"results", rows}};
    util::write_file_atomic(o.json, j.dump(2) + "\n");
  }
  return 0;
}

CommandRegistration reg{
    "bench", "Engine prefill/decode throughput per batch size vs the machine's ceilings",
    [](CLI::App& app) {
      auto o = std::make_shared<Options>();
      app.add_option("--model", o->model, "checkpoint folder")->required();
      app.add_option("--prompt-len", o->prompt_len, "prompt tokens per request")
          ->capture_default_str();
      app.add_option("--gen-len", o->gen_len, "generated tokens per request")
          ->capture_default_str();
      app.add_option("--batch", o->batch, "batch sizes, comma separated")->capture_default_str();
      app.add_option("--threads", o->threads, "compute threads (0 = physical cores)")
          ->capture_default_str();
      app.add_option("--repeat", o->repeat, "passes per batch size (medians are printed)")
          ->capture_default_str();
      app.add_option("--max-batch-tokens", o->max_batch_tokens, "engine tokens per step")
          ->capture_default_str();
      app.add_option("--kv-cache-bytes", o->kv_cache_bytes,
                     "KV cache budget in bytes (0 = what the largest batch needs; less makes the "
                     "engine preempt)")
          ->capture_default_str();
      app.add_option("--isa", o->isa,
                     "cap the kernels' instruction set: generic, avx2 or avx512 (default: the "
                     "best this CPU has)");
      app.add_option("--json", o->json, "also write the results to this JSON file");
      add_quantize_options(app, o->quantize);
      return [o] { return run(*o); };
    }};

}  // namespace
}  // namespace infermark::cli

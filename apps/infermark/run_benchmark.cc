// `infermark run --model DIR --dataset FILE ...`: the benchmark through the harness, with the
// engine in process (--sut local) or the null SUT (--sut null, for testing the harness). Prints a
// summary table of every LoadGen test it ran and where the results and reports are.
#include <cstdio>
#include <memory>
#include <optional>

#include "util/sha256.h"
#include "dataset/sample_set.h"
#include "engine/engine.h"
#include "harness/benchmark_run.h"
#include "report/run_report.h"
#include "loadgen/log_format.h"
#include "run_http.h"
#include "quantize_option.h"
#include "run_options.h"
#include "sut/engine_sut.h"
#include "text/tokenizer.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace infermark::cli {
namespace fs = std::filesystem;
namespace {

std::string metric_line(const harness::PhaseResult& phase) {
  const auto& r = phase.run;
  if (!r.performance) {
    if (phase.accuracy) {
      const auto& a = *phase.accuracy;
      return fmt::format("rouge1 {} rouge2 {} rougeL {} rougeLsum {} gen_len {} gen_num {}: {}",
                         a.rouge1_text, a.rouge2_text, a.rougeL_text, a.rougeLsum_text, a.gen_len,
                         a.gen_num, a.check.passed() ? "targets met" : "targets NOT met");
    }
    return fmt::format("{} samples logged{}", r.accuracy_entries,
                       r.sut_invalid_reason.empty() ? ""
                                                    : "; INVALID, the SUT failed: " +
                                                          r.sut_invalid_reason);
  }
  const auto& p = *r.performance;
  const auto& o = p.outcome;
  std::string s = p.valid() ? "VALID" : "INVALID";
  switch (p.settings.scenario) {
    case loadgen::Scenario::kOffline:
      s += fmt::format(", {:.1f} tokens/s, {:.2f} samples/s", p.token_count / o.max_latency_s,
                       p.sample_count / o.max_latency_s);
      break;
    case loadgen::Scenario::kServer:
      s += fmt::format(", {:.1f} completed tokens/s, TTFT p99 {:.1f} ms, TPOT p99 {:.1f} ms",
                       p.token_count / o.final_query_all_samples_done_time_s,
                       p.first_token.percentiles[4] / 1e6, p.tpot.percentiles[4] / 1e6);
      break;
    default:
      s += fmt::format(", p{:.0f} latency {:.1f} ms", p.settings.target_latency_percentile * 100,
                       p.latency.at_target / 1e6);
  }
  if (phase.test06) s += phase.test06->passed() ? ", TEST06 passed" : ", TEST06 FAILED";
  if (!r.sut_invalid_reason.empty()) s += ", the SUT failed: " + r.sut_invalid_reason;
  if (r.errors > 0) s += fmt::format(", {} LoadGen errors", r.errors);
  return s;
}

void print_summary(const harness::BenchmarkRunResult& result) {
  std::printf("\n%-12s %s\n", "test", "result");
  for (const auto& phase : result.phases) {
    std::printf("%-12s %s\n", phase.name.c_str(), metric_line(phase).c_str());
  }
  if (!result.rule_violations.empty()) {
    std::printf("\nNot valid for an MLPerf submission:\n");
    for (const auto& v : result.rule_violations) std::printf("  - %s\n", v.c_str());
  }
  for (const auto& n : result.notes) std::printf("note: %s\n", n.c_str());
  std::printf("\nResults: %s\n", result.layout.scenario_dir().string().c_str());
  for (const auto& phase : result.phases) {
    if (fs::exists(phase.dir / "report.html")) {
      std::printf("Report:  %s\n", (phase.dir / "report.html").string().c_str());
    }
  }
}

util::Json optional_string(const std::string& s) {
  return s.empty() ? util::Json(nullptr) : util::Json(s);
}

util::Json model_metadata(const fs::path& dir, const model::Llama& model,
                          const QuantizeFlags& quantize) {
  std::string config_text = util::read_file(dir / "config.json");
  const model::Config& config = model.config();
  return {{"path", fs::absolute(dir).string()},
          {"config_sha256", util::sha256_hex(config_text)},
          {"architecture", "llama"},
          {"hidden_size", config.hidden_size},
          {"num_hidden_layers", config.num_layers},
          {"vocab_size", config.vocab_size},
          {"weight_precision", model.weight_precision()},
          {"activation_precision", model.activation_precision()},
          {"quantized_on_load", optional_string(quantize.layers)},
          {"lm_head_quantized_on_load", optional_string(quantize.lm_head)}};
}

// measurements.json's weight_transformations: what was done to the starting weights.
std::string weight_transformations(const model::Config& config, const QuantizeFlags& quantize) {
  std::string s;
  if (config.quantization) s = "compressed-tensors checkpoint (" + config.quantization->key() + ")";
  if (!quantize.empty()) {
    if (!s.empty()) s += ", ";
    s += "quantized on load (" + quantize.command_line() + ")";
  }
  return s.empty() ? "none" : s;
}

// Every prompt plus the new tokens must fit the model's context: refused before the run, naming
// the sample, rather than failing that sample in the engine after the run has started.
void check_prompts_fit(const dataset::SampleSet& samples, const model::Config& config,
                       int64_t new_tokens) {
  const int64_t limit = config.max_position_embeddings - new_tokens;
  for (size_t i = 0; i < samples.size(); ++i) {
    const auto n = static_cast<int64_t>(samples[i].tok_input.size());
    if (n > limit) {
      throw Error::format(
          "{}: sample {}: the prompt has {} tokens; with up to {} new tokens it needs more than "
          "the model's context of {} (max_position_embeddings)",
          samples.origin(), i, n, new_tokens, config.max_position_embeddings);
    }
  }
}

}  // namespace

int run_benchmark_command(const RunOptions& o) {
  const auto scenario = harness::parse_benchmark_scenario(o.scenario);
  if (!scenario) {
    throw Error::format("--scenario: unknown scenario '{}' (Offline, Server, SingleStream, "
                        "Interactive)", o.scenario);
  }
  const auto mode = loadgen::parse_mode(o.mode);
  if (!mode) {
    throw Error::format("--mode: unknown mode '{}' (performance, accuracy, submission, "
                        "find-peak)", o.mode);
  }
  const bool http = is_http_sut(o);
  if (o.sut != "local" && o.sut != "null" && !http) {
    throw Error::format("--sut: unknown system under test '{}' (local, null, http://host:port, "
                        "dns+http://name:port)",
                        o.sut);
  }
  if (o.sut == "local" && !http && o.model.empty()) {
    throw Error("--model: required with --sut local");
  }
  if (o.dataset.empty()) throw Error("--dataset: required (cnn_eval.json format)");

  harness::BenchmarkRunOptions ho;
  ho.benchmark = harness::make_benchmark(*scenario, o.edge);
  ho.mode = *mode;
  ho.output = o.output;
  ho.system_name = o.system;
  ho.user_conf = o.user_conf;
  ho.mlperf_conf = o.mlperf_conf;
  ho.quick = o.quick;
  ho.trace = !o.no_trace;
  ho.progress = !o.no_progress;
  ho.stop = &stop_flag();
  if (!o.punkt.empty()) ho.punkt_dir = o.punkt;
  ho.approximate_sentence_split = o.approximate_sentence_split;
  apply_submission_options(o, ho);

  const std::string tokenizer_dir = o.tokenizer.empty() ? o.model : o.tokenizer;
  std::optional<text::Tokenizer> tokenizer;
  if (!tokenizer_dir.empty()) tokenizer = text::Tokenizer::load(tokenizer_dir);
  dataset::LoadOptions lo;
  if (tokenizer) {
    lo.tokenize = [&](std::string_view t) { return tokenizer->encode(t, true); };
    lo.vocab_size = tokenizer->vocab_size();
    ho.decode = [&](std::span<const int32_t> ids) {
      return tokenizer->decode(ids, {.skip_special_tokens = true, .clean_up_spaces = true});
    };
    ho.eos_ids.assign(tokenizer->eos_ids().begin(), tokenizer->eos_ids().end());
  }
  const dataset::SampleSet samples = dataset::SampleSet::load(o.dataset, lo);
  harness::DatasetQsl qsl(samples);
  ho.metadata["dataset"] = {{"path", fs::absolute(o.dataset).string()},
                            {"sha256", samples.sha256()},
                            {"samples", samples.size()},
                            {"variant", samples.variant_name()}};
  ho.after_run = [](const fs::path& run_dir) { report::write_report(run_dir); };

  std::unique_ptr<loadgen::SystemUnderTest> sut;
  std::shared_ptr<const model::Llama> model;
  std::unique_ptr<engine::Engine> engine;
  std::unique_ptr<EndpointReports> endpoint_reports;
  if (http) {
    const bool offline = *scenario == harness::BenchmarkScenario::kOffline;
    auto http_sut = make_http_sut(o, qsl, tokenizer ? &*tokenizer : nullptr, offline);
    endpoint_reports = std::make_unique<EndpointReports>(*http_sut);
    ho.after_run = [&reports = *endpoint_reports](const fs::path& run_dir) {
      reports.write(run_dir);
      report::write_report(run_dir);
    };
    ho.metadata["sut"] = {{"kind", "http"},
                          {"name", http_sut->name()},
                          {"comparable", http_sut->comparable()},
                          {"not_comparable_reason", http_sut->not_comparable_reason()},
                          {"open_file_limit", http_sut->open_file_limit()}};
    ho.weight_data_type = ho.activation_data_type = "unknown (network SUT)";
    sut = std::move(http_sut);
  } else if (o.sut == "local") {
    model = engine::load_model(o.model, o.threads, ops::Device::kCpu,
                               load_options(o.quantize, "run"));
    check_prompts_fit(samples, model->config(), sut::EngineSutOptions{}.generation.max_new_tokens);
    engine::EngineOptions eo = engine::EngineOptions::preset(
        !o.engine_preset.empty() ? o.engine_preset
        : *scenario == harness::BenchmarkScenario::kOffline ? "offline"
                                                            : "server");
    // Sequences never outgrow the longest prompt plus 128 new tokens: sizing the context (and
    // so the default KV budget) to that keeps start-up instant instead of reserving the model's
    // full 128k context for every sequence.
    eo.max_context = static_cast<int64_t>(samples.max_input_tokens()) +
                     sut::EngineSutOptions{}.generation.max_new_tokens;
    if (o.threads) eo.threads = o.threads;
    if (o.kv_cache_bytes) eo.kv_cache_bytes = o.kv_cache_bytes;
    if (o.max_seqs) eo.max_seqs = o.max_seqs;
    if (o.max_batch_tokens) eo.max_batch_tokens = o.max_batch_tokens;
    engine = std::make_unique<engine::Engine>(model, eo);
    sut::EngineSutOptions so;
    so.report_first_token = *scenario != harness::BenchmarkScenario::kOffline;
    sut = std::make_unique<sut::EngineSut>(*engine, qsl, so);
    ho.metadata["model"] = model_metadata(o.model, *model, o.quantize);
    ho.weight_data_type = model->weight_precision();
    ho.activation_data_type = model->activation_precision();
    ho.weight_transformations = weight_transformations(model->config(), o.quantize);
    ho.metadata["engine"] = {{"preset", o.engine_preset}, {"threads", eo.threads},
                             {"max_seqs", eo.max_seqs}, {"max_batch_tokens", eo.max_batch_tokens},
                             {"max_context", engine->max_context()}};
  } else {
    sut::NullSutOptions null = o.null;
    null.report_first_token = *scenario != harness::BenchmarkScenario::kOffline;
    ho.weight_data_type = ho.activation_data_type = "none (null SUT: no model)";
    sut = std::make_unique<sut::NullSut>(null);
  }

  // The official library cannot stop a test early: Ctrl-C ends the process as in any LoadGen
  // harness.
  if (!ho.official_loadgen) catch_stop_signals();
  const harness::BenchmarkRunResult result = harness::run_benchmark(ho, *sut, qsl);
  release_stop_signals();
  print_summary(result);
  if (endpoint_reports) endpoint_reports->print();
  print_submission_notes(result);
  if (auto* es = dynamic_cast<sut::EngineSut*>(sut.get()); es && es->failed_requests() > 0) {
    std::printf("warning: %llu requests failed in the engine; first: %s\n",
                static_cast<unsigned long long>(es->failed_requests()), es->first_error().c_str());
  }
  if (result.failure) {
    std::fprintf(stderr, "infermark: error: the system under test failed: %s\n",
                 result.failure->c_str());
    return 1;
  }
  return result.interrupted ? 130 : 0;
}

}  // namespace infermark::cli

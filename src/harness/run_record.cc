#include "harness/run_record.h"

#include "util/atomic_file.h"
#include "util/build_info.h"

namespace infermark::harness {
namespace {

util::Json performance_json(const loadgen::PerformanceSummary& p) {
  const auto& s = p.settings;
  const auto& o = p.outcome;
  util::Json j{{"validity", p.valid() ? "VALID" : "INVALID"},
               {"min_duration_met", p.min_duration_met},
               {"min_queries_met", p.min_queries_met},
               {"perf_constraints_met", p.perf_constraints_met},
               {"early_stopping_met", p.early_stopping_met},
               {"samples", p.sample_count},
               {"queries", o.queries_issued},
               {"tokens", p.token_count},
               {"latency_ns", {{"min", p.latency.min}, {"mean", p.latency.mean},
                               {"p50", p.latency.percentiles[0]},
                               {"p90", p.latency.percentiles[1]},
                               {"p99", p.latency.percentiles[4]}, {"max", p.latency.max}}}};
  if (s.scenario == loadgen::Scenario::kOffline) {
    j["samples_per_second"] = p.sample_count / o.max_latency_s;
    j["tokens_per_second"] = p.token_count / o.max_latency_s;
  } else if (s.scenario == loadgen::Scenario::kServer) {
    j["completed_samples_per_second"] =
        (p.sample_count - 1.0) / o.final_query_all_samples_done_time_s;
    j["completed_tokens_per_second"] = p.token_count / o.final_query_all_samples_done_time_s;
  }
  if (s.use_token_latencies && s.scenario != loadgen::Scenario::kOffline) {
    j["ttft_ns"] = {{"p50", p.first_token.percentiles[0]}, {"p90", p.first_token.percentiles[1]},
                    {"p99", p.first_token.percentiles[4]}, {"limit", s.server_ttft_latency}};
    j["tpot_ns"] = {{"p50", p.tpot.percentiles[0]}, {"p90", p.tpot.percentiles[1]},
                    {"p99", p.tpot.percentiles[4]}, {"limit", s.server_tpot_latency}};
  }
  j["effective_settings"] = {{"scenario", loadgen::to_string(s.scenario)},
                             {"samples_per_query", s.samples_per_query},
                             {"target_qps", s.target_qps},
                             {"min_duration_ms", s.min_duration_ms},
                             {"min_query_count", s.min_query_count},
                             {"performance_sample_count", s.performance_sample_count},
                             {"qsl_rng_seed", s.qsl_rng_seed},
                             {"sample_index_rng_seed", s.sample_index_rng_seed},
                             {"schedule_rng_seed", s.schedule_rng_seed},
                             {"sample_concatenate_permutation", s.sample_concatenate_permutation},
                             {"use_token_latencies", s.use_token_latencies}};
  return j;
}

util::Json accuracy_json(const accuracy::AccuracyResults& a) {
  return {{"rouge1", a.rouge1},       {"rouge2", a.rouge2},
          {"rougeL", a.rougeL},       {"rougeLsum", a.rougeLsum},
          {"gen_len", a.gen_len},     {"gen_num", a.gen_num},
          {"passed", a.check.passed()}, {"failures", a.check.failures},
          {"exact_sentence_split", a.exact_sentence_split}, {"log_sha256", a.log_sha256}};
}

}  // namespace

util::Json run_record(const PhaseResult& phase, const BenchmarkRunOptions& o,
                      const BenchmarkRunResult& result, const MachineInfo& machine) {
  const auto& b = util::build_info();
  util::Json j{
      {"infermark", {{"version", b.version}, {"git_rev", b.git_rev}, {"dirty", b.dirty}}},
      {"benchmark", {{"name", o.benchmark.folder_name()},
                     {"scenario", to_string(o.benchmark.scenario)},
                     {"model_key", o.benchmark.model_key()}}},
      {"phase", phase.name},
      {"loadgen", result.loadgen},
      {"mode", loadgen::to_string(o.mode)},
      {"quick", o.quick},
      {"valid_for_submission", result.rule_violations.empty()},
      {"rule_violations", result.rule_violations},
      {"user_conf", o.user_conf},
      {"mlperf_conf", o.mlperf_conf.empty() ? "embedded (v6.1)" : o.mlperf_conf},
      {"machine", to_json(machine)},
      {"metadata", o.metadata},
      {"interrupted", phase.run.interrupted},
      {"loadgen_errors", phase.run.errors},
      {"loadgen_warnings", phase.run.warnings},
      {"accuracy_log_entries", phase.run.accuracy_entries}};
  if (phase.run.performance) j["performance"] = performance_json(*phase.run.performance);
  if (phase.accuracy) j["accuracy"] = accuracy_json(*phase.accuracy);
  if (phase.test06) {
    j["test06"] = {{"passed", phase.test06->passed()}, {"problems", phase.test06->problems}};
  }
  if (phase.run.failure) j["sut_failure"] = *phase.run.failure;
  if (!result.notes.empty()) j["notes"] = result.notes;
  return j;
}

void write_run_record(const PhaseResult& phase, const BenchmarkRunOptions& o,
                      const BenchmarkRunResult& result, const MachineInfo& machine) {
  util::write_file_atomic(phase.dir / "run.json",
                          run_record(phase, o, result, machine).dump(2) + "\n");
}

}  // namespace infermark::harness

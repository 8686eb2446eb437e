// `infermark run --sut null --qsl-size N ...`: the load generator alone, against the null SUT
// and a sample library with no data. Measures and exercises LoadGen behaviour; writes the four
// MLPerf log files to --output.
#include <cstdio>

#include "harness/benchmark_run.h"
#include "loadgen/conf_file.h"
#include "loadgen/loadgen.h"
#include "loadgen/log_format.h"
#include "loadgen_official/official_loadgen.h"
#include "run_options.h"
#include "sut/null_qsl.h"
#include "util/error.h"

namespace infermark::cli {
namespace {

// The headline: validity and the scenario's metric, then where the logs are.
void print_result(const loadgen::RunResult& r) {
  if (r.performance) {
    const auto& p = *r.performance;
    const auto& s = p.settings;
    std::printf("Result is : %s%s\n", p.valid() ? "VALID" : "INVALID",
                r.interrupted ? " (interrupted)" : "");
    const double tokens = static_cast<double>(p.token_count);
    switch (s.scenario) {
      case loadgen::Scenario::kOffline:
        std::printf("Samples per second: %s\n",
                    loadgen::format_g(p.sample_count / p.outcome.max_latency_s).c_str());
        if (s.use_token_latencies) {
          std::printf("Tokens per second: %s\n",
                      loadgen::format_g(tokens / p.outcome.max_latency_s).c_str());
        }
        break;
      case loadgen::Scenario::kServer:
        std::printf("Completed samples per second: %.2f\n",
                    (p.sample_count - 1.0) / p.outcome.final_query_all_samples_done_time_s);
        if (s.use_token_latencies) {
          std::printf("Completed tokens per second: %.2f\n",
                      tokens / p.outcome.final_query_all_samples_done_time_s);
        }
        break;
      default:
        std::printf("%.1fth percentile latency (ns): %lld\n", s.target_latency_percentile * 100,
                    static_cast<long long>(p.latency.at_target));
    }
  } else {
    std::printf("Accuracy run: %llu samples logged%s\n",
                static_cast<unsigned long long>(r.accuracy_entries),
                r.interrupted ? " (interrupted)" : "");
  }
  std::printf("Errors: %d, warnings: %d\nLogs: %s\n", r.errors, r.warnings,
              r.summary_path.parent_path().string().c_str());
}

}  // namespace

int run_loadgen_command(const RunOptions& o) {
  const bool interactive = o.scenario == "Interactive";
  const auto scenario = loadgen::parse_scenario(interactive ? "Server" : o.scenario);
  if (!scenario) {
    throw Error::format("--scenario: unknown scenario '{}' (Offline, Server, SingleStream, "
                        "MultiStream, Interactive)", o.scenario);
  }
  const auto mode = loadgen::parse_mode(o.mode);
  if (!mode) {
    throw Error::format("--mode: unknown mode '{}' (performance, accuracy, submission, "
                        "find-peak)", o.mode);
  }
  const bool official = official_loadgen_requested(o);
  if (o.qsl_size == 0) {
    throw Error("--qsl-size: must be at least 1: --sut null needs --qsl-size N (the load "
                "generator alone) or --dataset FILE (the benchmark with a null SUT)");
  }
  const uint64_t psc = o.performance_sample_count == 0 ? o.qsl_size : o.performance_sample_count;
  if (psc > o.qsl_size) {
    throw Error::format("--performance-sample-count: {} is larger than --qsl-size {}", psc,
                        o.qsl_size);
  }
  if (o.null.n_tokens < 2) {
    throw Error::format("--null-tokens: must be at least 2 (LoadGen rejects 0 and 1), got {}",
                        o.null.n_tokens);
  }
  std::string key = o.model_name;
  if (key.empty()) {
    key = o.edge ? "llama3_1-8b-edge" : interactive ? "llama3_1-8b-interactive" : "llama3_1-8b";
  }
  loadgen::SettingsSources sources{key, *scenario, *mode, o.mlperf_conf, o.user_conf};
  loadgen::LoadedSettings loaded = loadgen::load_settings(sources);
  if (o.quick) harness::apply_quick_settings(loaded.settings, psc, &loaded.origins);

  sut::NullSutOptions null = o.null;
  null.report_first_token = *scenario != loadgen::Scenario::kOffline;
  sut::NullSut sut(null);
  sut::NullSampleLibrary qsl(o.qsl_size, psc);

  loadgen::LogSettings log;
  log.outdir = o.output;
  log.enable_trace = !o.no_trace;
  loadgen::StartOptions start;
  start.audit_config = o.audit_conf;
  start.settings_notes = loaded.notes;
  start.settings_origins = loaded.origins;
  start.settings_origins["sample_library"] =
      o.performance_sample_count == 0
          ? fmt::format("--qsl-size {}", o.qsl_size)
          : fmt::format("--qsl-size {} --performance-sample-count {}", o.qsl_size, psc);
  start.stop = &stop_flag();
  for (const auto& n : loaded.notes) std::fprintf(stderr, "infermark: warning: %s\n", n.c_str());

  if (!official) catch_stop_signals();  // the official library cannot stop a test early
  const loadgen::RunResult result =
      official ? loadgen_official::run(sut, qsl, loaded.settings, log, start)
               : loadgen::run(sut, qsl, loaded.settings, log, start);
  release_stop_signals();
  if (o.quick) std::printf("Quick run: lowered durations and counts; not valid for submission.\n");
  print_result(result);
  if (result.failure) {
    std::fprintf(stderr, "infermark: error: the system under test failed: %s\n",
                 result.failure->c_str());
    return 1;
  }
  return result.interrupted ? 130 : 0;
}

}  // namespace infermark::cli

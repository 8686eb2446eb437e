// `infermark run`: one MLPerf test — a scenario in a mode — with the load generator driving a
// system under test, writing the four MLPerf log files to --output.
//
// Systems under test available so far: `null` (answers instantly or after a simulated latency;
// measures the load generator itself). The in-process engine and HTTP endpoints are added by the
// engine and harness work.
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "command.h"
#include "loadgen/conf_file.h"
#include "loadgen/loadgen.h"
#include "loadgen/log_format.h"
#include "sut/null_qsl.h"
#include "sut/null_sut.h"
#include "util/error.h"

namespace infermark::cli {
namespace {

struct RunOptions {
  std::string sut = "null";
  uint64_t qsl_size = 1024;
  uint64_t performance_sample_count = 0;  // 0 = qsl_size
  std::string scenario = "Offline";
  std::string mode = "performance";
  std::string model_name = "llama3_1-8b";
  std::string user_conf, mlperf_conf, audit_conf = "audit.config";
  std::string output = "infermark-results";
  bool no_trace = false;
  bool quick = false;
  sut::NullSutOptions null;
};

std::atomic<bool> g_stop{false};

extern "C" void on_interrupt(int) {
  g_stop.store(true);
  std::signal(SIGINT, SIG_DFL);  // a second Ctrl-C kills at once
  std::signal(SIGTERM, SIG_DFL);
}

// Prints the headline of a run: validity and the scenario's metric, then where the logs are.
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

// --quick: a smoke run of about a second, never valid for submission (the 600 s minimum and the
// sample counts of the real rules are lowered).
void apply_quick(loadgen::TestSettings& s) {
  s.min_duration_ms = 1000;
  s.min_query_count = std::min<uint64_t>(s.min_query_count, 100);
  s.performance_sample_count_override = 0;
}

int run(const RunOptions& o) {
  const auto scenario = loadgen::parse_scenario(o.scenario);
  if (!scenario) {
    throw Error::format("--scenario: unknown scenario '{}' (Offline, Server, SingleStream, "
                        "MultiStream)", o.scenario);
  }
  const auto mode = loadgen::parse_mode(o.mode);
  if (!mode) {
    throw Error::format("--mode: unknown mode '{}' (performance, accuracy, submission, "
                        "find-peak)", o.mode);
  }
  if (o.sut != "null") {
    throw Error::format("--sut: '{}' is not available in this build (available: null)", o.sut);
  }
  if (o.qsl_size == 0) throw Error("--qsl-size: must be at least 1 for the null SUT");
  const uint64_t psc = o.performance_sample_count == 0 ? o.qsl_size : o.performance_sample_count;
  if (psc > o.qsl_size) {
    throw Error::format("--performance-sample-count: {} is larger than --qsl-size {}", psc,
                        o.qsl_size);
  }
  if (o.null.n_tokens < 2) {
    throw Error::format("--null-tokens: must be at least 2 (LoadGen rejects 0 and 1), got {}",
                        o.null.n_tokens);
  }

  loadgen::SettingsSources sources{o.model_name, *scenario, *mode, o.mlperf_conf, o.user_conf};
  loadgen::LoadedSettings loaded = loadgen::load_settings(sources);
  if (o.quick) apply_quick(loaded.settings);

  sut::NullSutOptions null = o.null;
  null.report_first_token = *scenario != loadgen::Scenario::kOffline;
  sut::NullSut sut(null);
  sut::NullSampleLibrary qsl(o.qsl_size, psc);

  loadgen::LogSettings log;
  log.outdir = o.output;
  log.enable_trace = !o.no_trace;
  loadgen::RunOptions run_options;
  run_options.audit_config = o.audit_conf;
  run_options.settings_notes = loaded.notes;
  run_options.stop = &g_stop;
  for (const auto& n : loaded.notes) std::fprintf(stderr, "infermark: warning: %s\n", n.c_str());

  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
  const loadgen::RunResult result = loadgen::run(sut, qsl, loaded.settings, log, run_options);
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  if (o.quick) std::printf("Quick run: lowered durations and counts; not valid for submission.\n");
  print_result(result);
  return result.interrupted ? 130 : 0;
}

CommandRegistration reg{
    "run", "Run an MLPerf scenario against a system under test", [](CLI::App& app) {
      auto o = std::make_shared<RunOptions>();
      app.add_option("--sut", o->sut, "System under test: null")->capture_default_str();
      app.add_option("--qsl-size", o->qsl_size, "Samples in the (null) sample library");
      app.add_option("--performance-sample-count", o->performance_sample_count,
                     "Samples loadable at once (default: --qsl-size)");
      app.add_option("--scenario", o->scenario, "Offline|Server|SingleStream|MultiStream")
          ->capture_default_str();
      app.add_option("--mode", o->mode, "performance|accuracy|submission|find-peak")
          ->capture_default_str();
      app.add_option("--model-name", o->model_name, "Model key for conf lookups")
          ->capture_default_str();
      app.add_option("--user-conf", o->user_conf, "user.conf to apply after mlperf.conf");
      app.add_option("--mlperf-conf", o->mlperf_conf,
                     "Use this mlperf.conf instead of the embedded one (another round's seeds)");
      app.add_option("--audit-conf", o->audit_conf,
                     "audit.config applied if it exists (compliance tests)")
          ->capture_default_str();
      app.add_option("--output", o->output, "Folder for the MLPerf log files")
          ->capture_default_str();
      app.add_flag("--no-trace", o->no_trace, "Leave mlperf_log_trace.json empty");
      app.add_flag("--quick", o->quick,
                   "Smoke run of about a second (lowered durations and counts; not valid for "
                   "submission). Implied when `run` is given no options at all.");
      app.add_option("--null-tokens", o->null.n_tokens, "Null SUT: tokens per response (>= 2)")
          ->capture_default_str();
      app.add_option("--null-ttft-ms", o->null.ttft_ms, "Null SUT: time to first token (ms)");
      app.add_option("--null-tpot-ms", o->null.tpot_ms, "Null SUT: time per further token (ms)");
      app.add_option("--null-serial-ms", o->null.serial_ms,
                     "Null SUT: one-at-a-time service time per sample (ms), a finite capacity");
      app.add_flag("--null-random", o->null.random_latency,
                   "Null SUT: exponentially distributed latencies with those means");
      app.add_option("--null-seed", o->null.seed, "Null SUT: seed for --null-random");
      return [o, &app] {
        if (app.count_all() <= 1) {  // `run` itself counts once
          o->quick = true;
          o->qsl_size = 100;
          o->null.serial_ms = 12;  // 100 samples take ~1.2 s, so the quick run meets its minimum
          std::printf("No options given: the built-in demo (null SUT answering in 12 ms per "
                      "sample, Offline, --quick).\n");
        }
        return run(*o);
      };
    }};

}  // namespace
}  // namespace infermark::cli

#include "loadgen/loadgen.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <ctime>

#include "loadgen/accuracy_log_writer.h"
#include "loadgen/clock.h"
#include "loadgen/conf_file.h"
#include "loadgen/detail_log.h"
#include "loadgen/effective_settings.h"
#include "loadgen/issuer.h"
#include "loadgen/outcome.h"
#include "loadgen/response_gate.h"
#include "loadgen/result_logs.h"
#include "loadgen/sample_sets.h"
#include "loadgen/settings_validation.h"
#include "loadgen/trace_log.h"
#include "util/atomic_file.h"
#include "util/build_info.h"
#include "util/error.h"

namespace infermark::loadgen {
namespace {

using SystemClock = std::chrono::system_clock;

// LoadGen's CurrentDateTimeISO8601: local time with a literal 'Z'.
std::string local_datetime_iso() {
  const std::time_t t = SystemClock::to_time_t(SystemClock::now());
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%FT%TZ", &tm);
  return buf;
}

// "%m-%d-%Y %H:%M:%S.mmm" in UTC, the power_begin/power_end format.
std::string utc_power_time(int64_t epoch_ns) {
  const std::time_t t = epoch_ns / 1000000000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%m-%d-%Y %H:%M:%S", &tm);
  return fmt::format("{}.{:03d}", buf, (epoch_ns / 1000000) % 1000);
}

int64_t epoch_ns_now() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(SystemClock::now().time_since_epoch())
      .count();
}

struct RunContext {
  SystemUnderTest& sut;
  SampleLibrary& qsl;
  DetailLog& log;
  TraceLog& trace;
  ResponseGate& gate;
  Recorder& recorder;
  const StartOptions& options;
  RunResult& result;
  int64_t epoch_minus_steady;  // add to a now_ns() value to get ns since the epoch
  SequenceGen seq;

  // A stop request or a failure of the SUT ends the run: no further series.
  bool ended() const { return result.interrupted || result.failure.has_value(); }
};

void log_version(DetailLog& log) {
  const auto& b = util::build_info();
  log.value("loadgen_version",
            fmt::format("infermark {} (LoadGen 6.0.17 behaviour) @ {}", b.version, b.git_rev));
  log.value("loadgen_build_date_local", b.build_date);
  log.value("loadgen_build_date_utc", b.build_date);
  log.value("loadgen_git_commit_date", b.commit_date);
  log.value("loadgen_git_log_message", "NA");
  log.value("loadgen_git_status_message", b.git_status);
  if (b.dirty) log.warning("infermark was built from a tree with uncommitted changes.");
}

void log_logger_counters(DetailLog& log) {
  // LoadGen's lock-free logger reports its contention here; infermark's logger has none.
  for (const char* key :
       {"logger_swap_request_slots_retry_count", "logger_swap_request_slots_retry_retry_count",
        "logger_swap_request_slots_retry_reencounter_count",
        "logger_start_reading_entries_retry_count", "logger_tls_total_log_cas_fail_count",
        "logger_tls_total_swap_buffers_slot_retry_count"}) {
    log.value(key, uint64_t{0});
  }
}

// Which samples of a plan go to the accuracy log (§7, "Accuracy-log sampling").
std::vector<bool> accuracy_selection(const EffectiveSettings& s, const QueryPlan& plan, Mode mode) {
  std::vector<bool> out(plan.samples.size(), true);
  if (mode == Mode::kAccuracyOnly) return out;
  Mt19937 rng(s.accuracy_log_rng_seed);
  const double offset = generate_canonical(rng);
  double prob = s.accuracy_log_probability;
  if (s.accuracy_log_sampling_target > 0) {
    auto expected = static_cast<uint64_t>(s.target_qps * s.min_duration_ms / 1000);
    if (s.scenario != Scenario::kOffline) expected *= s.samples_per_query;
    const uint64_t minimum = s.scenario == Scenario::kOffline
                                 ? s.min_sample_count
                                 : s.min_query_count * s.samples_per_query;
    prob = static_cast<double>(s.accuracy_log_sampling_target) / std::max(expected, minimum);
  }
  for (size_t i = 0; i < out.size(); ++i) {
    double v = plan.accuracy_log_val[i] + offset;
    if (v >= 1) v -= 1;
    out[i] = v <= prob;
  }
  return out;
}

// Generates, issues and wraps up one series over `set`. Returns the series' outcome.
SeriesOutcome run_series(RunContext& ctx, const EffectiveSettings& s, Mode mode,
                         const LoadableSet& set, std::vector<int64_t>* delays) {
  ctx.log.value("loaded_qsl_set", std::vector<uint64_t>(set.set.begin(), set.set.end()));
  ctx.qsl.load(set.set);
  int64_t t0 = now_ns();
  QueryPlan plan = generate_queries(s, mode, set, ctx.seq);
  ctx.trace.scoped("GenerateQueries", t0, now_ns());
  ctx.log.value("generated_query_count", static_cast<uint64_t>(plan.queries.size()));
  ctx.log.value("generated_samples_per_query", plan.samples_per_query);
  ctx.log.value("generated_query_duration", plan.duration_ns);
  std::vector<bool> selection = accuracy_selection(s, plan, mode);
  Series series(std::move(plan), std::move(selection));

  const int64_t grace_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(ctx.options.stop_grace).count();
  const IssueContext issue{ctx.sut,          ctx.gate, ctx.recorder,     ctx.log,
                           ctx.options.stop, grace_ns, ctx.options.live};
  const IssueStats stats = issue_series(series, s, mode, issue);
  ctx.qsl.unload(set.set);
  ctx.trace.scoped("IssueQueries", stats.start_ns, now_ns());
  ctx.trace.series(series, s.scenario == Scenario::kServer);
  if (stats.interrupted) ctx.result.interrupted = true;
  if (stats.failure && !ctx.result.failure) ctx.result.failure = stats.failure;

  log_logger_counters(ctx.log);
  const int64_t end = max_completion_ns(series, stats.start_ns);
  ctx.log.value("power_begin", utc_power_time(stats.start_ns + ctx.epoch_minus_steady));
  ctx.log.value("power_end", utc_power_time(end + ctx.epoch_minus_steady));
  if (delays) *delays = issue_delays(series);
  return collect_outcome(series, stats, s);
}

EffectiveSettings with_mode(EffectiveSettings s, Mode mode) {
  s.mode = mode;
  return s;
}

PerformanceSummary run_performance(RunContext& ctx, const EffectiveSettings& settings) {
  const EffectiveSettings s = with_mode(settings, Mode::kPerformanceOnly);
  ctx.log.message("Starting performance mode");
  const auto sets =
      generate_loadable_sets(s, s.performance_sample_count, ctx.qsl.total_count());
  SeriesOutcome outcome =
      run_series(ctx, s, Mode::kPerformanceOnly, sets.front(), &ctx.result.issue_delays_ns);
  return summarize(s, ctx.sut.name(), std::move(outcome));
}

void run_accuracy(RunContext& ctx, const EffectiveSettings& settings) {
  const EffectiveSettings s = with_mode(settings, Mode::kAccuracyOnly);
  ctx.log.message("Starting accuracy mode");
  for (const LoadableSet& set :
       generate_loadable_sets(s, s.accuracy_sample_count, ctx.qsl.total_count())) {
    run_series(ctx, s, Mode::kAccuracyOnly, set, nullptr);
    if (ctx.ended()) return;
  }
}

EffectiveSettings at_qps(const EffectiveSettings& base, double qps, uint64_t psc, uint64_t total) {
  TestSettings r = base.requested;
  r.server_target_qps = qps;
  return with_mode(make_effective_settings(r, psc, total), Mode::kPerformanceOnly);
}

// One find-peak probe: a performance run at `qps`, noted in the detail log. Only the final
// lower bound's results are logged in full, as LoadGen does.
PerformanceSummary probe(RunContext& ctx, const EffectiveSettings& s, double qps) {
  PerformanceSummary r = run_performance(
      ctx, at_qps(s, qps, ctx.qsl.performance_count(), ctx.qsl.total_count()));
  ctx.log.message(fmt::format("FindPeakPerformance: {} QPS: performance constraints {}",
                              std::to_string(qps), r.perf_constraints_met ? "met" : "not met"));
  return r;
}

// The state of a find-peak search: the last passing probe at `l` QPS, a failing rate `u`.
struct PeakBounds {
  PerformanceSummary lower;
  double l = 0, u = 0;
  bool gave_up = false;  // every boundary probe passed: no binary search
};

// FindBoundaries (§11 step 2): raises the upper bound by the step size while probes pass.
void find_boundaries(RunContext& ctx, const EffectiveSettings& s, PeakBounds& b) {
  const double step = s.requested.server_find_peak_qps_boundary_step_size;
  b.u = b.l * (1 + step);
  // LoadGen searches upward until a probe fails; with settings whose runs cannot fail (say a
  // zero minimum duration) that is forever, so the search gives up after kMaxBoundarySteps.
  constexpr int kMaxBoundarySteps = 24;
  for (int probes = 0; !ctx.ended(); ++probes) {
    if (probes == kMaxBoundarySteps) {
      ctx.log.error("error_runtime",
                    fmt::format("FindBoundaries: every probe up to {} QPS met the constraints; "
                                "giving up the search (raise min_duration?)",
                                std::to_string(b.l)));
      b.gave_up = true;
      return;
    }
    ctx.log.message(fmt::format("FindBoundaries: Checking fields [{}, {})", std::to_string(b.l),
                                std::to_string(b.u)));
    PerformanceSummary upper;
    try {
      upper = probe(ctx, s, b.u);
    } catch (const Error& e) {  // e.g. a plan too large to generate: the search ends here
      ctx.log.error("error_runtime", fmt::format("FindBoundaries: cannot run at {} QPS: {}",
                                                 std::to_string(b.u), e.what()));
      return;
    }
    if (!upper.perf_constraints_met) return;
    b.lower = std::move(upper);
    b.l = b.u;
    b.u = b.l * (1 + step);
  }
}

// FindPeakPerformance (§11): the largest Server QPS whose percentile latency constraints hold.
std::optional<PerformanceSummary> run_find_peak(RunContext& ctx, const EffectiveSettings& s) {
  if (s.scenario != Scenario::kServer) {
    ctx.log.error("error_invalid_config", "Invalid scenario for FindPeakPerformance: " +
                                              std::string(to_string(s.scenario)));
    return std::nullopt;
  }
  PerformanceSummary lower = probe(ctx, s, s.target_qps);
  if (!lower.perf_constraints_met) {
    ctx.log.error("error_runtime",
                  "FindPeakPerformance: Initial lower bound does not satisfy performance "
                  "constraints, msg: " + lower.perf_recommendation);
    return lower;
  }
  PeakBounds b{std::move(lower), s.target_qps};
  find_boundaries(ctx, s, b);
  if (b.gave_up) return std::move(b.lower);
  const double scale = std::pow(10.0, s.requested.server_find_peak_qps_decimals_of_precision);
  while (!ctx.ended() && std::floor(b.l * scale) + 1 < std::floor(b.u * scale)) {
    const double mid = b.l + (b.u - b.l) / 2;
    ctx.log.message(fmt::format("FindPeakPerformance: Checking fields [{}, {})",
                                std::to_string(b.l), std::to_string(b.u)));
    PerformanceSummary m = probe(ctx, s, mid);
    if (m.perf_constraints_met) {
      b.lower = std::move(m);
      b.l = mid;
    } else {
      b.u = mid;
    }
  }
  ctx.log.message("FindPeakPerformance: Found peak performance field: " + std::to_string(b.l));
  return std::move(b.lower);
}

void validate_qsl(const SampleLibrary& qsl) {
  const uint64_t total = qsl.total_count(), perf = qsl.performance_count();
  if (total == 0) throw Error::format("sample library '{}' has no samples", qsl.name());
  if (perf == 0 || perf > total) {
    throw Error::format(
        "sample library '{}': performance sample count {} must be between 1 and the total {}",
        qsl.name(), perf, total);
  }
}

// The settings a run uses and the warnings it logs about them, in LoadGen's order.
struct PreparedSettings {
  EffectiveSettings effective;
  std::vector<std::string> warnings;
};

// What StartTest does to the requested settings (§1.1 steps 8–10): audit.config on top, then
// test05's seeds, then normalisation for the sample library; validated before normalising.
PreparedSettings prepare_settings(const TestSettings& requested, const StartOptions& options,
                                  const SampleLibrary& qsl) {
  TestSettings settings = requested;
  SettingsOrigins origins = options.settings_origins;
  std::vector<std::string> warnings;
  if (!options.audit_config.empty() && std::filesystem::exists(options.audit_config)) {
    warnings.push_back(
        "Found Audit Config file (audit.config). Overriding TestSettings from audit.config "
        "file.");
    apply_conf(load_conf_file(options.audit_config.string()), "*", settings.scenario,
               ConfType::kAudit, settings, &warnings, &origins);
  }
  if (settings.test05) {
    warnings.push_back("Test05 flag detected Overriding random seeds");
    settings.mode = Mode::kPerformanceOnly;
    settings.qsl_rng_seed = settings.test05_qsl_rng_seed;
    settings.sample_index_rng_seed = settings.test05_sample_index_rng_seed;
    settings.schedule_rng_seed = settings.test05_schedule_rng_seed;
  }
  warnings.insert(warnings.end(), options.settings_notes.begin(), options.settings_notes.end());
  validate_settings(settings, qsl.performance_count(), qsl.total_count(), origins);
  return {make_effective_settings(settings, qsl.performance_count(), qsl.total_count()),
          std::move(warnings)};
}

std::filesystem::path log_path(const LogSettings& ls, const std::string& datetime,
                               const std::string& name, const std::string& ext) {
  std::string file = ls.prefix + (ls.prefix_with_datetime ? datetime + "_" : "") + name +
                     ls.suffix + ext;
  return ls.outdir / file;
}

// The detail log's opening keys (§10.3 items 1–2).
void log_test_header(DetailLog& log, const SystemUnderTest& sut, const SampleLibrary& qsl,
                     const std::string& datetime) {
  log_version(log);
  log.value("test_datetime", datetime);
  const int64_t t_name = now_ns();
  const std::string sut_name = sut.name();
  log.value("sut_name", sut_name);
  log.value("get_sut_name_duration_ns", now_ns() - t_name);
  log.value("qsl_name", qsl.name());
  log.value("qsl_reported_total_count", qsl.total_count());
  log.value("qsl_reported_performance_count", qsl.performance_count());
}

// The series of the test's mode (§1.1 step 11). Returns the performance result, if any.
std::optional<PerformanceSummary> run_mode(RunContext& ctx, const EffectiveSettings& s) {
  switch (s.mode) {
    case Mode::kSubmission:
      run_accuracy(ctx, s);
      if (ctx.ended()) return std::nullopt;
      return run_performance(ctx, s);
    case Mode::kAccuracyOnly:
      run_accuracy(ctx, s);
      return std::nullopt;
    case Mode::kPerformanceOnly:
      return run_performance(ctx, s);
    case Mode::kFindPeakPerformance:
      return run_find_peak(ctx, s);
  }
  return std::nullopt;
}

}  // namespace

RunResult run(SystemUnderTest& sut, SampleLibrary& qsl, const TestSettings& requested,
              const LogSettings& ls, const StartOptions& options) {
  validate_qsl(qsl);
  const PreparedSettings prepared = prepare_settings(requested, options, qsl);
  const EffectiveSettings& s = prepared.effective;
  util::ensure_writable_dir(ls.outdir);
  const int64_t origin = now_ns();
  const int64_t epoch_minus_steady = epoch_ns_now() - now_ns();
  const std::string datetime = local_datetime_iso();

  RunResult result;
  result.summary_path = log_path(ls, datetime, "summary", ".txt");
  result.detail_path = log_path(ls, datetime, "detail", ".txt");
  result.accuracy_path = log_path(ls, datetime, "accuracy", ".json");
  result.trace_path = log_path(ls, datetime, "trace", ".json");
  DetailLog log(result.detail_path, origin, ls.copy_detail_to_stdout);
  TraceLog trace(result.trace_path, ls.enable_trace, origin);
  AccuracyLogWriter accuracy;

  log_test_header(log, sut, qsl, datetime);
  for (const auto& w : prepared.warnings) log.warning(w);
  log_settings(log, s);

  ResponseGateLease gate;
  Recorder recorder(log, accuracy, s.use_token_latencies,
                    s.use_token_latencies && s.scenario != Scenario::kOffline, options.live);
  RunContext ctx{sut,     qsl,    log,    trace, gate.gate(), recorder,
                 options, result, epoch_minus_steady, {}};
  result.performance = run_mode(ctx, s);
  std::string summary;
  if (result.performance) {
    log_results(log, *result.performance);
    summary = format_summary(*result.performance);
  }

  result.sut_invalid_reason = recorder.run_invalid_reason();
  result.errors = log.error_count();
  result.warnings = log.warning_count();
  result.accuracy_entries = accuracy.size();
  summary += format_summary_footer(result.warnings, result.errors);
  util::write_file_atomic(result.summary_path, summary);
  if (ls.copy_summary_to_stdout) std::fputs(summary.c_str(), stdout);
  log.commit();
  accuracy.write(result.accuracy_path);
  trace.commit();
  return result;
}

}  // namespace infermark::loadgen

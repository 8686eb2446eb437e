#include "harness/benchmark_run.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <memory>

#include "harness/progress.h"
#include "harness/run_record.h"
#include "harness/submission_files.h"
#include "harness/system_description.h"
#include "harness/system_info.h"
#include "loadgen/conf_file.h"
#include "loadgen/effective_settings.h"
#include "loadgen_official/official_loadgen.h"
#include "util/atomic_file.h"
#include "util/build_info.h"
#include "util/error.h"

namespace infermark::harness {
namespace fs = std::filesystem;
namespace {

// TEST06's audit.config (compliance/TEST06/audit.config).
constexpr std::string_view kTest06AuditConfig =
    "# MLPerf compliance TEST06 (written by infermark)\n"
    "*.*.mode = 2\n"
    "*.*.accuracy_log_rng_seed = 720381539243781796\n"
    "*.*.accuracy_log_sampling_target = 100\n"
    "*.*.min_query_count = 100\n"
    "*.*.min_duration = 0\n"
    "*.*.sample_concatenate_permutation = 0\n";

std::string default_system_name() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return sanitize_system_name(std::string(host[0] ? host : "local") + "-infermark");
}

// Samples the progress line should expect for a phase (0 when the schedule decides).
uint64_t expected_samples(const loadgen::TestSettings& s, loadgen::Mode mode, uint64_t total) {
  if (mode == loadgen::Mode::kAccuracyOnly) {
    return s.accuracy_sample_count_override ? std::min(s.accuracy_sample_count_override, total)
                                            : total;
  }
  if (s.scenario != loadgen::Scenario::kOffline) return 0;
  const auto e = loadgen::make_effective_settings(s, total, total);
  uint64_t spq = e.samples_per_query;
  const uint64_t loaded = std::min(e.performance_sample_count, total);
  if (s.sample_concatenate_permutation && spq % loaded != 0) spq += loaded - spq % loaded;
  return spq;
}

class Runner {
 public:
  Runner(const BenchmarkRunOptions& o, loadgen::SystemUnderTest& sut, DatasetQsl& qsl,
         BenchmarkRunResult& result, loadgen::LoadedSettings settings, MachineInfo machine,
         std::optional<accuracy::SplitterChoice> splitter)
      : o_(o), qsl_(qsl), sut_(sut), result_(result), settings_(std::move(settings)),
        machine_(std::move(machine)), splitter_(std::move(splitter)) {}

  PhaseResult& run_phase(const std::string& name, loadgen::Mode mode, const fs::path& dir,
                         const fs::path& audit_config = {}) {
    loadgen::TestSettings s = settings_.settings;
    s.mode = mode;
    loadgen::LogSettings ls;
    ls.outdir = dir;
    ls.enable_trace = o_.trace;
    loadgen::StartOptions start;
    start.audit_config = audit_config;
    start.settings_notes = settings_.notes;
    start.settings_origins = settings_.origins;
    start.stop = o_.stop;
    PhaseResult phase{name, dir, {}, std::nullopt, std::nullopt};
    {
      loadgen::LiveCounters counters;
      std::unique_ptr<ProgressReporter> progress;
      if (o_.progress) {
        start.live = &counters;
        progress = std::make_unique<ProgressReporter>(
            counters, name, expected_samples(s, mode, qsl_.total_count()));
      }
      phase.run = o_.official_loadgen ? loadgen_official::run(sut_, qsl_, s, ls, start)
                                      : loadgen::run(sut_, qsl_, s, ls, start);
    }
    if (phase.run.interrupted) result_.interrupted = true;
    if (phase.run.failure && !result_.failure) result_.failure = phase.run.failure;
    result_.phases.push_back(std::move(phase));
    return result_.phases.back();
  }

  // Scores the accuracy log, then leaves its truncated form in results/ (the whole log goes to
  // logs/; accuracy.txt keeps its hash), as MLPerf's truncate_accuracy_log.py does.
  void score_accuracy(PhaseResult& phase, const ResultsLayout& layout) {
    std::vector<std::string> references;
    references.reserve(qsl_.samples().size());
    for (const auto& sample : qsl_.samples().samples()) references.push_back(sample.output);
    IM_CHECK(splitter_.has_value());
    accuracy::EvaluationOptions eo;
    eo.decode = o_.decode;
    eo.splitter = &splitter_->splitter;
    eo.target = o_.benchmark.edge ? accuracy::AccuracyTarget::kEdge
                                  : accuracy::AccuracyTarget::kDatacenter;
    try {
      phase.accuracy =
          accuracy::evaluate_accuracy_log(phase.run.accuracy_path, references, eo);
      accuracy::write_accuracy_txt(phase.dir / "accuracy.txt", *phase.accuracy);
    } catch (const Error& e) {
      if (!phase.run.interrupted && !phase.run.failure) throw;
      result_.notes.push_back(fmt::format("accuracy not scored: {}", e.what()));
      return;
    }
    truncate_accuracy_log(phase.run.accuracy_path, layout.full_accuracy_log());
  }

  void run_test06(const ResultsLayout& layout) {
    util::ensure_writable_dir(layout.test06_run_dir());
    const fs::path audit = layout.test06_run_dir() / "audit.config";
    util::write_file_atomic(audit, kTest06AuditConfig);
    PhaseResult& phase =
        run_phase("TEST06", loadgen::Mode::kPerformanceOnly, layout.test06_run_dir(), audit);
    if (phase.run.interrupted || phase.run.failure) return;
    const auto log = accuracy::read_accuracy_log(phase.run.accuracy_path);
    phase.test06 = accuracy::run_test06_checks(
        log, accuracy::test06_options_for_scenario(
                 loadgen::to_string(o_.benchmark.loadgen_scenario()), o_.eos_ids));
    accuracy::write_test06_outputs(layout.test06_dir(), phase.run.accuracy_path, *phase.test06);
  }

  void finish_phase(const PhaseResult& phase) {
    write_run_record(phase, o_, result_, machine_);
    if (o_.after_run) o_.after_run(phase.dir);
  }

 private:
  const BenchmarkRunOptions& o_;
  DatasetQsl& qsl_;
  loadgen::SystemUnderTest& sut_;
  BenchmarkRunResult& result_;
  loadgen::LoadedSettings settings_;
  MachineInfo machine_;
  std::optional<accuracy::SplitterChoice> splitter_;  // when accuracy is scored
};

std::string infermark_description() {
  return "infermark " + util::build_info().describe();
}

std::string loadgen_description(bool official) {
  return official ? loadgen_official::describe()
                  : "infermark's load generator (LoadGen 6.0.17 behaviour; not for submission)";
}

// Model, dataset and engine as the caller's metadata records them, one README line each.
std::vector<std::string> input_lines(const util::Json& metadata) {
  std::vector<std::string> lines;
  for (const char* what : {"model", "dataset", "engine"}) {
    if (!metadata.contains(what)) continue;
    std::string line = std::string(1, static_cast<char>(std::toupper(what[0]))) + (what + 1) + ":";
    for (const auto& [key, value] : metadata[what].items()) {
      line += fmt::format(" {} {};", key, value.is_string() ? value.get<std::string>() : value.dump());
    }
    line.pop_back();
    lines.push_back(line);
  }
  return lines;
}

void write_scenario_files(const BenchmarkRunOptions& o, const ResultsLayout& layout) {
  util::Json measurements{{"input_data_types", "int32"},
                          {"retraining", "No"},
                          {"starting_weights_filename", o.starting_weights},
                          {"weight_data_types", o.weight_data_type},
                          {"weight_transformations", o.weight_transformations}};
  util::write_file_atomic(layout.scenario_dir() / "measurements.json", measurements.dump(4) + "\n");
  const std::string user_conf =
      o.user_conf.empty() ? std::string("# no user.conf was given: mlperf.conf values apply\n")
                          : util::read_file(o.user_conf);
  util::write_file_atomic(layout.scenario_dir() / "user.conf", user_conf);
  write_scenario_readme(layout, {infermark_description(), loadgen_description(o.official_loadgen),
                                 o.mlperf_conf.empty() ? "embedded (v6.1 seeds)" : o.mlperf_conf,
                                 o.user_conf, input_lines(o.metadata), o.command_line});
}

// The checker accepts only the round's seeds. A run takes them from infermark's mlperf.conf (or
// --mlperf-conf); when the linked library embeds other ones, it is likely of another round.
std::optional<std::string> seeds_note(const BenchmarkRunOptions& o,
                                      const loadgen::TestSettings& run) {
  const loadgen::TestSettings lib = loadgen_official::settings_from_config(
      o.benchmark.model_key(), o.benchmark.loadgen_scenario());
  if (lib.qsl_rng_seed == run.qsl_rng_seed &&
      lib.sample_index_rng_seed == run.sample_index_rng_seed &&
      lib.schedule_rng_seed == run.schedule_rng_seed) {
    return std::nullopt;
  }
  return fmt::format(
      "the run's seeds ({}, {}, {}; from {}) differ from those of the official LoadGen's own "
      "mlperf.conf ({}, {}, {}): MLPerf's checker accepts only the seeds of the round you submit "
      "to (pick that round's mlperf.conf with --mlperf-conf)",
      run.qsl_rng_seed, run.sample_index_rng_seed, run.schedule_rng_seed,
      o.mlperf_conf.empty() ? "infermark's embedded mlperf.conf (v6.1)" : o.mlperf_conf,
      lib.qsl_rng_seed, lib.sample_index_rng_seed, lib.schedule_rng_seed);
}

void validate_submission_options(const BenchmarkRunOptions& o) {
  if (!o.submitter.empty()) validate_submitter_name(o.submitter);
  if (o.official_loadgen && !loadgen_official::available()) {
    throw Error("--loadgen official: " + loadgen_official::describe());
  }
}

SystemDescriptionOptions system_options(const BenchmarkRunOptions& o, const ResultsLayout& layout) {
  SystemDescriptionOptions sd;
  sd.system_name = layout.system;
  sd.system_type = o.benchmark.edge ? "edge" : "datacenter";
  if (!o.submitter.empty()) sd.submitter = o.submitter;
  if (!o.division.empty()) sd.division = o.division;
  sd.fields = o.system_fields;
  sd.weight_data_types = o.weight_data_type;
  sd.activation_data_types = o.activation_data_type;
  validate_system_options(sd);
  return sd;
}

}  // namespace

void apply_quick_settings(loadgen::TestSettings& s, uint64_t dataset_samples,
                          loadgen::SettingsOrigins* origins) {
  s.min_duration_ms = 0;
  s.min_query_count = std::min<uint64_t>(s.min_query_count, dataset_samples);
  s.performance_sample_count_override = 0;
  s.accuracy_sample_count_override = 0;
  if (!origins) return;
  auto set_by_quick = [&](const char* field, uint64_t value) {
    (*origins)[field] = fmt::format("{} = {} (--quick)", field, value);
  };
  set_by_quick("min_duration_ms", s.min_duration_ms);
  set_by_quick("min_query_count", s.min_query_count);
  set_by_quick("performance_sample_count_override", 0);
  set_by_quick("accuracy_sample_count_override", 0);
}

BenchmarkRunResult run_benchmark(const BenchmarkRunOptions& o, loadgen::SystemUnderTest& sut,
                                 DatasetQsl& qsl) {
  const bool server_like = o.benchmark.loadgen_scenario() == loadgen::Scenario::kServer;
  if (o.mode == loadgen::Mode::kFindPeakPerformance && !server_like) {
    throw Error::format("--mode find-peak: only for Server and Interactive, not {}",
                        to_string(o.benchmark.scenario));
  }
  if (!o.decode && (o.mode == loadgen::Mode::kAccuracyOnly || o.mode == loadgen::Mode::kSubmission)) {
    throw Error("accuracy scoring needs a tokenizer to decode the generated ids");
  }
  using loadgen::Mode;
  // Scoring needs NLTK's Punkt data: find out before the run, not after it.
  std::optional<accuracy::SplitterChoice> splitter;
  if (o.mode == Mode::kAccuracyOnly || o.mode == Mode::kSubmission) {
    splitter = accuracy::load_sentence_splitter(o.punkt_dir, o.approximate_sentence_split);
  }
  BenchmarkRunResult result;
  if (splitter && !splitter->splitter.exact()) {
    result.notes.emplace_back(accuracy::kNotComparableNote);
  }
  validate_submission_options(o);
  result.layout = make_results_layout(
      o.output,
      o.system_name.empty() ? default_system_name() : sanitize_system_name(o.system_name),
      o.benchmark, o.submitter, o.division.empty() ? "open" : o.division);
  result.loadgen = loadgen_description(o.official_loadgen);
  const ResultsLayout& layout = result.layout;
  const SystemDescriptionOptions system = system_options(o, layout);

  loadgen::SettingsSources src{o.benchmark.model_key(), o.benchmark.loadgen_scenario(), o.mode,
                               o.mlperf_conf, o.user_conf};
  loadgen::LoadedSettings settings = loadgen::load_settings(src);
  if (o.quick) apply_quick_settings(settings.settings, qsl.total_count(), &settings.origins);
  result.rule_violations =
      submission_rule_violations(o.benchmark, settings.settings, qsl.total_count());
  // Also in each detail log (as warnings, counted in the summary's footer).
  if (o.quick) {
    settings.notes.push_back("quick run (--quick): settings lowered below the MLPerf rules; not "
                             "valid for submission");
  }
  for (const auto& v : result.rule_violations) {
    settings.notes.push_back("not valid for submission: " + v);
  }
  if (o.official_loadgen) {
    if (auto note = seeds_note(o, settings.settings)) result.notes.push_back(*note);
  }

  util::ensure_writable_dir(layout.scenario_dir());
  MachineInfo machine = probe_machine(o.output);
  SystemDescriptionWritten system_json = write_system_description(layout.system_json(), machine, system);
  result.system_fields_to_fill = std::move(system_json.fields_to_fill);
  for (auto& note : system_json.notes) result.notes.push_back(std::move(note));
  write_src_readme(layout, infermark_description());
  write_scenario_files(o, layout);

  Runner runner(o, sut, qsl, result, std::move(settings), machine, std::move(splitter));
  if (o.mode == Mode::kAccuracyOnly || o.mode == Mode::kSubmission) {
    PhaseResult& acc = runner.run_phase("accuracy", Mode::kAccuracyOnly, layout.accuracy_dir());
    runner.score_accuracy(acc, layout);
    runner.finish_phase(acc);
  }
  if (!result.ended_early() && (o.mode == Mode::kPerformanceOnly || o.mode == Mode::kSubmission ||
                              o.mode == Mode::kFindPeakPerformance)) {
    const Mode m = o.mode == Mode::kFindPeakPerformance ? o.mode : Mode::kPerformanceOnly;
    runner.finish_phase(runner.run_phase("performance", m, layout.performance_dir()));
  }
  if (!result.ended_early() && o.mode == Mode::kSubmission && o.benchmark.needs_test06()) {
    runner.run_test06(layout);
    runner.finish_phase(result.phases.back());
  }
  result.missing_scenarios = missing_required_scenarios(layout);
  return result;
}

}  // namespace infermark::harness

// One llama3.1-8b benchmark run as a submitter needs it: the LoadGen test(s) for the requested
// mode, each in its folder of the submission layout (results_layout.h), accuracy scored natively,
// TEST06 for submission runs, measurements.json / user.conf / README.md / systems json / src, and
// a run.json per folder. The tests run on infermark's load generator or, for a submission, on
// MLPerf's official library (loadgen_official); everything else is the same for both.
//
//   performance : performance/run_1
//   accuracy    : accuracy/ + accuracy.txt
//   submission  : accuracy/ + accuracy.txt, performance/run_1, TEST06/ (datacenter)
//   find-peak   : performance/run_1 (Server/Interactive only)
//
// As in MLPerf harnesses, accuracy and performance are separate LoadGen tests (each with its
// own four log files), not one SubmissionRun.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "accuracy/evaluation.h"
#include "accuracy/test06.h"
#include "harness/benchmark.h"
#include "harness/dataset_qsl.h"
#include "harness/results_layout.h"
#include "loadgen/interfaces.h"
#include "loadgen/loadgen.h"
#include "util/json.h"

namespace infermark::harness {

struct BenchmarkRunOptions {
  Benchmark benchmark;
  loadgen::Mode mode = loadgen::Mode::kPerformanceOnly;
  std::filesystem::path output = "infermark-results";
  std::string system_name;         // default: "<hostname>-infermark"
  // Run the tests on MLPerf's official LoadGen instead of infermark's (it must be available:
  // loadgen_official::available()).
  bool official_loadgen = false;
  // Non-empty: the results go to output/<division>/<submitter>, the tree MLPerf's checker reads,
  // and the system description names this submitter.
  std::string submitter;
  std::string division;  // open | closed; empty: open (or what the systems json already says)
  // --system-field KEY=VALUE: fields of systems/<system>.json the machine cannot tell.
  std::map<std::string, std::string> system_fields;
  std::string command_line;  // how infermark was invoked, for the scenario's README.md
  std::string user_conf;           // path, or empty
  std::string mlperf_conf;         // path, or empty for the embedded one
  bool quick = false;              // lowered durations and counts; labelled not valid
  bool trace = true;
  bool progress = true;
  // Decodes generated ids for scoring (skip special tokens + cleanup, as MLPerf).
  accuracy::DecodeFn decode;
  std::vector<int32_t> eos_ids = {128009};  // for TEST06's EOS check
  // NLTK Punkt data for scoring (else the usual nltk_data folders). Without it the run stops
  // before it starts, unless approximate_sentence_split (results marked not comparable).
  std::optional<std::filesystem::path> punkt_dir;
  bool approximate_sentence_split = false;
  const std::atomic<bool>* stop = nullptr;
  util::Json metadata = util::Json::object();  // model, dataset, engine: copied into run.json
  // Weight precision ("int4-g128 (lm_head bf16)") etc. for measurements.json; the weight and
  // activation precision also go into systems/<system>.json.
  std::string weight_data_type = "bf16";
  std::string activation_data_type = "bf16";
  std::string weight_transformations = "none";
  std::string starting_weights = "Original Hugging Face model weights";
  // Called with each finished run folder (e.g. to write report.html).
  std::function<void(const std::filesystem::path&)> after_run;
};

struct PhaseResult {
  std::string name;  // "accuracy", "performance", "TEST06"
  std::filesystem::path dir;
  loadgen::RunResult run;
  std::optional<accuracy::AccuracyResults> accuracy;
  std::optional<accuracy::Test06Result> test06;
};

struct BenchmarkRunResult {
  ResultsLayout layout;
  std::vector<PhaseResult> phases;
  std::vector<std::string> rule_violations;  // why the settings cannot give a submittable result
  std::vector<std::string> notes;            // warnings for the user (e.g. fallback splitter)
  std::string loadgen;                       // which load generator ran the tests
  // Required fields of systems/<system>.json still empty: the submitter must fill them in.
  std::vector<std::string> system_fields_to_fill;
  // Scenarios MLPerf requires for this benchmark that the results tree does not have yet.
  std::vector<std::string> missing_scenarios;
  bool interrupted = false;
  std::optional<std::string> failure;  // the SUT failed in a phase; later phases did not run
  bool ended_early() const { return interrupted || failure.has_value(); }
};

// Runs the benchmark. Throws Error on bad input (settings, conf files, an unwritable output);
// everything LoadGen reports is in the logs and the result.
BenchmarkRunResult run_benchmark(const BenchmarkRunOptions& options,
                                 loadgen::SystemUnderTest& sut, DatasetQsl& qsl);

// --quick: lowers the real rules to a run of seconds (min duration 0, every count capped at the
// dataset size, samples loadable = the dataset). Never valid for submission. Records "--quick"
// as the origin of the fields it sets in `origins`, if given.
void apply_quick_settings(loadgen::TestSettings& s, uint64_t dataset_samples,
                          loadgen::SettingsOrigins* origins = nullptr);

}  // namespace infermark::harness

// The load generator's entry point: runs one test (a scenario in one mode) of a system under test
// over a sample library, exactly as MLPerf LoadGen's StartTest does (loadgen-behaviour.md §1.1),
// and writes the four log files. Blocking; call it from one thread at a time.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "loadgen/interfaces.h"
#include "loadgen/live_counters.h"
#include "loadgen/results.h"
#include "loadgen/settings.h"

namespace infermark::loadgen {

// What a run takes beyond TestSettings and LogSettings: LoadGen's StartTest takes the audit.config
// name; infermark adds what is known about the settings, a stop request and live counters.
struct StartOptions {
  // An audit.config (compliance tests, conf type 2) applied on top of the settings when the file
  // exists; LoadGen looks for "audit.config" in the working directory. Empty: none.
  std::filesystem::path audit_config;
  // Notes from loading the settings (e.g. ignored keys), logged as warnings.
  std::vector<std::string> settings_notes;
  // Where the settings came from (LoadedSettings::origins, plus "sample_library" for what sized
  // the sample library), named by errors about invalid settings.
  SettingsOrigins settings_origins;
  // Polled while running; once true the run stops issuing, cancels the SUT, waits up to
  // `stop_grace` for what is in flight, and writes its logs marked as interrupted.
  const std::atomic<bool>* stop = nullptr;
  std::chrono::milliseconds stop_grace{10000};
  // Counted into while running, if given (a progress display reads them); nothing is counted,
  // at no cost, otherwise.
  LiveCounters* live = nullptr;
};

struct RunResult {
  // The performance result (PerformanceOnly, the performance part of a submission run, or the
  // final lower bound of find-peak). Empty for accuracy-only runs.
  std::optional<PerformanceSummary> performance;
  uint64_t accuracy_entries = 0;  // samples written to the accuracy log
  int errors = 0;
  int warnings = 0;
  bool interrupted = false;
  // Non-empty when the SUT declared the run invalid (SutNote::kRunInvalid), in any mode.
  std::string sut_invalid_reason;
  // Set when the SUT failed (an exception from issue(), flush() or cancel()): the run ended
  // there, its logs say why and its result is invalid.
  std::optional<std::string> failure;
  std::vector<int64_t> issue_delays_ns;  // of the last performance series, in issue order
  std::filesystem::path summary_path, detail_path, accuracy_path, trace_path;
};

// Throws Error for invalid input that prevents a run (bad QSL counts, an unwritable output
// folder, settings that cannot be generated); everything else is logged as LoadGen does.
//
// The SUT is handed a Responder that stays valid for the life of the process: a response after
// the run returned (possible when the SUT ignores cancel() beyond the stop grace) is dropped.
RunResult run(SystemUnderTest& sut, SampleLibrary& qsl, const TestSettings& settings,
              const LogSettings& log_settings, const StartOptions& options = {});

}  // namespace infermark::loadgen

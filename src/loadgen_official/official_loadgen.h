// MLPerf's official LoadGen (mlcommons/inference loadgen/, the library a submitted result must
// come from) as a second driver behind infermark's load-generator interface: `run` takes the same
// SystemUnderTest, SampleLibrary, TestSettings and LogSettings as loadgen::run, adapts them to
// mlperf::SystemUnderTest / QuerySampleLibrary / TestSettings, calls mlperf::StartTest, and reads
// what the library reports back into a loadgen::RunResult. The official library writes the four
// log files itself; everything downstream (accuracy scoring, TEST06, results layout, report) is
// the same for both drivers.
//
// The library is an optional dependency (CMake INFERMARK_OFFICIAL_LOADGEN / MLPERF_LOADGEN_ROOT).
// In a binary built without it, available() is false and run() throws Error saying so.
//
// Differences from loadgen::run, all the official library's:
//   - StartOptions::stop is not honoured: the library cannot stop a test early (a stopped process
//     leaves incomplete logs, as with any LoadGen harness);
//   - StartOptions::settings_notes do not reach the detail log (nothing can add lines to it before
//     the library starts its test); callers show them elsewhere;
//   - a SUT's SutNote::kRunInvalid is logged as an error and makes RunResult invalid (with
//     sut_invalid_reason), but the library goes on issuing until the test's own end;
//   - the responder the SUT gets lives until run() returns, not for the life of the process;
//     the library returns only once every sample completed, so only a SUT that answers a sample
//     twice or notes after the end could call it late (infermark's SUTs do neither);
//   - a SUT that throws from issue() or flush() is not handled as loadgen::run handles it
//     (RunResult::failure stays empty): the exception goes through the library's frames;
//   - StartOptions::live gets issued and completed samples and tokens only (no TTFT or TPOT);
//   - RunResult::performance is read from the detail log, so its numbers carry the log's
//     precision (6 significant digits for rates) and its latency arrays and issue delays are
//     empty; sample and token counts are exact.
// One test at a time per process (the library keeps global state); run() blocks until it ends.
#pragma once

#include <string>

#include "loadgen/interfaces.h"
#include "loadgen/loadgen.h"
#include "loadgen/settings.h"

namespace infermark::loadgen_official {

// Whether this binary links the official library.
bool available();

// "MLPerf LoadGen 6.0.17 @ <git revision>" when available; otherwise why --loadgen official cannot
// be used and how to get it.
std::string describe();

// The settings the official library itself reads (TestSettings::FromConfig) for `model` and
// `scenario`: its embedded mlperf.conf, then `user_conf` when not empty, as it reads a user.conf.
// To check infermark's conf handling against the library's, and which round's seeds the library
// embeds. Throws Error when !available(), when `user_conf` cannot be read, or when the library
// rejects it.
loadgen::TestSettings settings_from_config(const std::string& model, loadgen::Scenario scenario,
                                           const std::string& user_conf = "");

// Runs one test through mlperf::StartTest. Throws Error when !available(), for settings the
// adapter cannot pass on (server_num_issue_query_threads > 0), for an unwritable output folder,
// and when the library wrote no logs; everything else is logged by the library.
loadgen::RunResult run(loadgen::SystemUnderTest& sut, loadgen::SampleLibrary& qsl,
                       const loadgen::TestSettings& settings,
                       const loadgen::LogSettings& log_settings,
                       const loadgen::StartOptions& options = {});

}  // namespace infermark::loadgen_official

// What a finished LoadGen test reported, read back from its log files into infermark's
// loadgen::RunResult types. The official library returns nothing from StartTest: its detail log
// is the only account of the effective settings, validity and latency statistics. The format is
// LoadGen's (loadgen-behaviour.md §10.3), which infermark's own load generator also writes, so
// the readers work on either (that is how they are tested without the official library).
//
// Values come at the precision the log prints them: integers exactly, doubles with 6
// significant digits (rates, and the durations derived from them), texts on one line (the
// early-stopping texts have their newlines as spaces). Latency arrays and the recommendation
// texts are not in the log and stay empty.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "loadgen/results.h"
#include "loadgen/settings.h"
#include "util/json.h"

namespace infermark::loadgen_official {

// mlperf_log_detail.txt: the last value logged under each key, and how many entries were flagged
// as errors and as warnings. Lines that are not `:::MLLOG {json}` or whose JSON does not parse
// (LoadGen writes some strings unescaped, e.g. git log messages) carry no result and are skipped.
struct DetailLogValues {
  std::map<std::string, util::Json, std::less<>> values;
  int errors = 0;
  int warnings = 0;

  const util::Json* find(std::string_view key) const;
};

// Throws Error naming the file when it cannot be read.
DetailLogValues read_detail_log(const std::filesystem::path& path);

// Entries in mlperf_log_accuracy.json (LoadGen writes one `{ "seq_id" : ...` object per entry).
// Throws Error naming the file when it cannot be read.
uint64_t count_accuracy_entries(const std::filesystem::path& path);

// The performance result the detail log states, or nullopt when it states none (accuracy runs).
// `requested`: the settings the test ran with, audit.config applied (kept as settings.requested;
// the token-latency limits come from it). `token_count`: the tokens of the reported series when
// the caller counted them; otherwise derived from the logged token rate. Throws Error naming the
// key when a value the scenario must have is missing or of the wrong type.
std::optional<loadgen::PerformanceSummary> performance_from_detail(
    const DetailLogValues& log, const loadgen::TestSettings& requested,
    std::optional<int64_t> token_count);

}  // namespace infermark::loadgen_official

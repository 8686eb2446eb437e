// Front-door checks of the settings a run will use, made once before any query is generated or
// any file written: every value a run divides by, loops on, sizes memory with or converts to
// nanoseconds. Each error names the setting, where its value came from (a conf file line, a CLI
// option, or the field itself when no origin is known) and what would be accepted.
//
// LoadGen accepts some of these and misbehaves (a target QPS of 0 never ends, 0 samples per
// query divides by zero, a MultiStream query larger than the loaded set reads past it, a
// negative target QPS is logged and replaced by 1); infermark refuses them.
#pragma once

#include <cstdint>

#include "loadgen/effective_settings.h"
#include "loadgen/settings.h"

namespace infermark::loadgen {

// Every duration is at most this long (about 31 years), so that each time in nanoseconds fits in
// an int64_t.
inline constexpr uint64_t kMaxDurationMs = 1'000'000'000'000;
// The slowest accepted rate (one query in about 11.6 days), so that every interval in
// nanoseconds fits in an int64_t.
inline constexpr double kMinQps = 1e-6;
// server_num_issue_query_threads: one thread each, started by the run.
inline constexpr uint64_t kMaxIssueThreads = 1024;

// Throws Error for the first setting of `requested` a run over a sample library of
// `qsl_total_count` samples, `qsl_performance_count` loadable at once, cannot use. `origins`
// names where fields were set; its "sample_library" entry, if any, names what sized the sample
// library (a CLI option, say). Checks the request before normalising it
// (make_effective_settings), so that no conversion there can overflow.
void validate_settings(const TestSettings& requested, uint64_t qsl_performance_count,
                       uint64_t qsl_total_count, const SettingsOrigins& origins);

}  // namespace infermark::loadgen

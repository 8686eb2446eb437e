// Formatting of a PerformanceSummary into mlperf_log_summary.txt (loadgen-behaviour.md §10.2)
// and into the result keys of mlperf_log_detail.txt (§10.3 item 13), line for line as LoadGen
// writes them.
#pragma once

#include <string>

#include "loadgen/detail_log.h"
#include "loadgen/results.h"

namespace infermark::loadgen {

// The summary body up to and including the "Test Parameters Used" block (no footer).
std::string format_summary(const PerformanceSummary& r);

// The footer LoadGen appends when the logs close: warning and error counts.
std::string format_summary_footer(int warnings, int errors);

// Writes result_validity ... num_errors. `errors_so_far` is the detail log's error count.
void log_results(DetailLog& log, const PerformanceSummary& r);

}  // namespace infermark::loadgen

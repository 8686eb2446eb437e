// run.json: infermark's own record of one LoadGen test, beside the MLPerf logs — what was run
// (version, git revision and dirty state, command options, effective settings), on what (machine,
// model and dataset checksums from the caller's metadata), and what came out (validity, the
// scenario's metric, accuracy, TEST06, errors). The report and `infermark report` read it.
#pragma once

#include "harness/benchmark_run.h"
#include "harness/system_info.h"

namespace infermark::harness {

// The record as JSON.
util::Json run_record(const PhaseResult& phase, const BenchmarkRunOptions& options,
                      const BenchmarkRunResult& result, const MachineInfo& machine);

// Writes phase.dir/run.json atomically.
void write_run_record(const PhaseResult& phase, const BenchmarkRunOptions& options,
                      const BenchmarkRunResult& result, const MachineInfo& machine);

}  // namespace infermark::harness

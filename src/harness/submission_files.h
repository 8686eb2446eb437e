// The files of the submission tree besides the LoadGen logs (results_layout.h), so that MLPerf's
// submission checker finds what it requires: the accuracy log in results/ cut down to its
// truncated form (tools/submission/truncate_accuracy_log.py), each scenario's README.md, the
// src/ folder, and which required scenarios the tree still lacks. All writes are atomic.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "harness/results_layout.h"

namespace infermark::harness {

// As truncate_accuracy_log.py: a log of 4096 bytes or more becomes its first 4096 bytes,
// "\n\n...\n\n", and its last 4096 bytes. The whole log is first copied to `keep_full_at`
// (accuracy.txt keeps its sha256 as `hash=`). Throws Error naming a file it cannot read or write.
void truncate_accuracy_log(const std::filesystem::path& log,
                           const std::filesystem::path& keep_full_at);

// What a scenario's README.md says: how its results were produced, and the command that does it
// again.
struct ScenarioReadme {
  std::string infermark;    // "infermark 0.1.0 (git abc123)"
  std::string loadgen;      // "MLPerf LoadGen 6.0.17 @ ..." or "infermark's load generator"
  std::string mlperf_conf;  // "embedded (v6.1 seeds)" or the path given
  std::string user_conf;    // the path given, or ""
  std::vector<std::string> inputs;  // "Model: ...", "Dataset: ...", "Engine: ..."
  std::string command;      // the infermark command line
};
void write_scenario_readme(const ResultsLayout& layout, const ScenarioReadme& readme);

// src/README.md: the software that produced the results and where its source is. Left alone when
// the folder already holds anything else (the submitter's own sources).
void write_src_readme(const ResultsLayout& layout, const std::string& infermark);

// The scenarios MLPerf requires for this benchmark that results/<system>/<benchmark>/ does not
// have yet, as sentences ("Server or Interactive"): datacenter needs Offline and one of Server and
// Interactive; edge needs Offline and SingleStream.
std::vector<std::string> missing_required_scenarios(const ResultsLayout& layout);

}  // namespace infermark::harness

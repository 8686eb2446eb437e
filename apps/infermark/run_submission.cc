// `infermark run` options for MLPerf submissions: which load generator runs the LoadGen tests
// (--loadgen builtin|official) and the submission tree MLPerf's checker reads (--submitter,
// --division, --system-field); after the run, what the submitter must still do.
#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>

#include "harness/benchmark_run.h"
#include "loadgen/spin_governor.h"
#include "loadgen_official/official_loadgen.h"
#include "run_options.h"
#include "util/error.h"

namespace infermark::cli {
namespace {

std::map<std::string, std::string> parse_system_fields(const std::vector<std::string>& items) {
  std::map<std::string, std::string> fields;
  for (const auto& item : items) {
    const auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw Error::format("--system-field: '{}' is not KEY=VALUE", item);
    }
    fields[item.substr(0, eq)] = item.substr(eq + 1);
  }
  return fields;
}

// This process's command line (from /proc/self/cmdline), arguments quoted where the shell needs it.
std::string invocation() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  const std::string raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string out;
  size_t start = 0;
  while (start < raw.size()) {
    size_t end = raw.find('\0', start);
    if (end == std::string::npos) end = raw.size();
    std::string arg = raw.substr(start, end - start);
    if (arg.empty() || arg.find_first_of(" \t\"'$\\`;&|<>*?()") != std::string::npos) {
      std::string quoted = "'";
      for (char c : arg) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
      arg = quoted + "'";
    }
    out += (out.empty() ? "" : " ") + arg;
    start = end + 1;
  }
  return out;
}

}  // namespace

void add_submission_options(CLI::App& app, RunOptions& o) {
  auto* g = app.add_option_group("MLPerf submission");
  g->add_option("--loadgen", o.loadgen,
                "builtin (infermark's load generator) | official (MLPerf's LoadGen library, "
                "which a submitted result must come from; needs a build with it)")
      ->capture_default_str();
  g->add_option("--loadgen-wait", o.loadgen_wait,
                "how the load generator's threads and the null SUT's worker wait: sleep (as "
                "MLPerf's LoadGen; the lower tail latency on shared machines and VMs) | adaptive "
                "(spin while the cores are free: microseconds on a dedicated machine)")
      ->capture_default_str();
  g->add_option("--submitter", o.submitter,
                "Submitting organisation: results go to OUTPUT/<division>/<submitter>/, the tree "
                "MLPerf's submission checker reads");
  g->add_option("--division", o.division, "open|closed (default: open)");
  g->add_option("--system-field", o.system_fields,
                "KEY=VALUE for systems/<system>.json, for what the machine cannot tell (e.g. "
                "cooling=air); repeatable");
}

void apply_loadgen_wait(const RunOptions& o) {
  const auto policy = loadgen::parse_wait_policy(o.loadgen_wait);
  if (!policy) {
    throw Error::format("--loadgen-wait: '{}' is not sleep or adaptive", o.loadgen_wait);
  }
  loadgen::SpinGovernor::shared().set_policy(*policy);
}

bool official_loadgen_requested(const RunOptions& o) {
  if (o.loadgen != "builtin" && o.loadgen != "official") {
    throw Error::format("--loadgen: '{}' is not builtin or official", o.loadgen);
  }
  if (o.loadgen == "official" && !loadgen_official::available()) {
    throw Error("--loadgen official: " + loadgen_official::describe());
  }
  return o.loadgen == "official";
}

void apply_submission_options(const RunOptions& o, harness::BenchmarkRunOptions& ho) {
  ho.official_loadgen = official_loadgen_requested(o);
  ho.submitter = o.submitter;
  ho.division = o.division;
  ho.system_fields = parse_system_fields(o.system_fields);
  ho.command_line = invocation();
}

void print_submission_notes(const harness::BenchmarkRunResult& r) {
  std::printf("LoadGen: %s\n", r.loadgen.c_str());
  if (!r.system_fields_to_fill.empty()) {
    std::string fields;
    for (const auto& f : r.system_fields_to_fill) fields += (fields.empty() ? "" : ", ") + f;
    std::printf("To fill in %s: %s (edit the file, or --system-field KEY=VALUE)\n",
                r.layout.system_json().string().c_str(), fields.c_str());
  }
  for (const auto& s : r.missing_scenarios) {
    std::printf("The submission also needs %s: run it into the same --output, with the same "
                "--system, --submitter and --division\n",
                s.c_str());
  }
}

}  // namespace infermark::cli

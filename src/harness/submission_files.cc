#include "harness/submission_files.h"

#include <fmt/format.h>

#include <fstream>
#include <set>

#include "util/atomic_file.h"
#include "util/error.h"

namespace infermark::harness {
namespace fs = std::filesystem;
namespace {

// truncate_accuracy_log.py: VIEWABLE_SIZE.
constexpr size_t kViewableBytes = 4096;
constexpr std::string_view kSrcReadmeTitle = "# Source of these results (written by infermark)";

bool has_scenario(const std::set<std::string>& present, BenchmarkScenario s) {
  return present.contains(std::string(to_string(s)));
}

}  // namespace

void truncate_accuracy_log(const fs::path& log, const fs::path& keep_full_at) {
  const std::string full = util::read_file(log);
  util::ensure_writable_dir(keep_full_at.parent_path());
  util::write_file_atomic(keep_full_at, full);
  if (full.size() < kViewableBytes) return;
  util::write_file_atomic(log, full.substr(0, kViewableBytes) + "\n\n...\n\n" +
                                   full.substr(full.size() - kViewableBytes));
}

void write_scenario_readme(const ResultsLayout& layout, const ScenarioReadme& r) {
  std::string text = fmt::format("# {}, {}, on {}\n\n", layout.benchmark.folder_name(),
                                 to_string(layout.benchmark.scenario), layout.system);
  text += fmt::format("Produced by {}, with {}.\n\n", r.infermark, r.loadgen);
  text += fmt::format("- Settings: mlperf.conf {}; user.conf {}\n", r.mlperf_conf,
                      r.user_conf.empty() ? "none (mlperf.conf values apply)"
                                          : "`user.conf` in this folder (from " + r.user_conf + ")");
  for (const auto& line : r.inputs) text += "- " + line + "\n";
  text += fmt::format(
      "\nAccuracy is scored by infermark itself, as language/llama3.1-8b/evaluation.py scores it; "
      "accuracy/accuracy.txt holds the sha256 of the whole accuracy log (`hash=`), which is kept "
      "beside the submission tree under logs/ while accuracy/ holds its truncated form. TEST06 is "
      "checked as compliance/TEST06/run_verification.py checks it.\n\n"
      "## Reproduce\n\n```\n{}\n```\n",
      r.command);
  util::write_file_atomic(layout.scenario_dir() / "README.md", text);
}

void write_src_readme(const ResultsLayout& layout, const std::string& infermark) {
  const fs::path readme = layout.src_dir() / "README.md";
  if (fs::exists(readme)) {
    std::ifstream in(readme);
    std::string first;
    std::getline(in, first);
    if (first != kSrcReadmeTitle) return;  // the submitter's own
  }
  util::ensure_writable_dir(layout.src_dir());
  util::write_file_atomic(
      readme,
      fmt::format("{}\n\n"
                  "The results in this tree were produced with {}: MLPerf Inference llama3.1-8b "
                  "(harness, load generation, accuracy scoring and TEST06) and its CPU inference "
                  "engine in one program.\n\n"
                  "MLPerf requires the code that produced a result. Put infermark's source at that "
                  "revision here, with any changes made to it, e.g.\n\n"
                  "```\ngit -C <infermark checkout> archive --prefix=infermark/ <revision> | tar -x "
                  "-C src\n```\n",
                  kSrcReadmeTitle, infermark));
}

std::vector<std::string> missing_required_scenarios(const ResultsLayout& layout) {
  std::set<std::string> present;
  std::error_code ec;
  for (fs::directory_iterator it(layout.benchmark_dir(), ec), end; !ec && it != end;
       it.increment(ec)) {
    if (it->is_directory()) present.insert(it->path().filename().string());
  }
  std::vector<std::string> missing;
  if (!has_scenario(present, BenchmarkScenario::kOffline)) missing.emplace_back("Offline");
  if (layout.benchmark.edge) {
    if (!has_scenario(present, BenchmarkScenario::kSingleStream)) {
      missing.emplace_back("SingleStream");
    }
  } else if (!has_scenario(present, BenchmarkScenario::kServer) &&
             !has_scenario(present, BenchmarkScenario::kInteractive)) {
    missing.emplace_back("Server or Interactive");
  }
  return missing;
}

}  // namespace infermark::harness

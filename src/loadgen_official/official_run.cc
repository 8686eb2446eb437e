// run() with the official library linked (see official_unavailable.cc for the build without it).
#include <fmt/format.h>

#include <filesystem>

#include "loadgen.h"
#include "loadgen/conf_file.h"
#include "loadgen_official/adapters.h"
#include "loadgen_official/log_results.h"
#include "loadgen_official/official_loadgen.h"
#include "loadgen_official/settings_conversion.h"
#include "util/atomic_file.h"
#include "util/error.h"
#include "version.h"

namespace infermark::loadgen_official {
namespace fs = std::filesystem;
namespace {

fs::path log_path(const loadgen::LogSettings& ls, const std::string& name,
                  const std::string& ext) {
  return ls.outdir / (ls.prefix + name + ls.suffix + ext);
}

void check_supported(const loadgen::TestSettings& s, const loadgen::LogSettings& ls) {
  if (s.server_num_issue_query_threads != 0) {
    throw Error("--loadgen official: server_num_issue_query_threads > 0 needs SUT threads that "
                "register with the library; infermark's SUTs issue from LoadGen's own thread");
  }
  if (ls.prefix_with_datetime) {
    throw Error("--loadgen official: prefix_with_datetime is not supported (the log file names "
                "would carry the library's own timestamp)");
  }
}

// The settings as the library applies them: audit.config keys on top (it reads the file with
// the same rules, conf type 2), so that the result records what the test ran with.
loadgen::TestSettings with_audit_config(loadgen::TestSettings s, const fs::path& audit) {
  if (audit.empty() || !fs::exists(audit)) return s;
  std::vector<std::string> notes;
  loadgen::apply_conf(loadgen::load_conf_file(audit.string()), "*", s.scenario,
                      loadgen::ConfType::kAudit, s, &notes);
  return s;
}

}  // namespace

bool available() { return true; }

std::string describe() {
  return fmt::format("MLPerf LoadGen {} @ {}", mlperf::LoadgenVersion(),
                     mlperf::LoadgenGitRevision());
}

loadgen::TestSettings settings_from_config(const std::string& model, loadgen::Scenario scenario,
                                           const std::string& user_conf) {
  mlperf::TestSettings t;
  t.token_latency_scaling_factor = 0;  // the library leaves it uninitialised
  const std::string scenario_name(loadgen::to_string(scenario));
  // FromConfig reads a user.conf (type 1) on top of the embedded mlperf.conf (type 0) only on its
  // first call in a process, and logs an error on every later one; types 0 then 2 read the same
  // keys the same way with no such state.
  t.FromConfig("", model, scenario_name, 0);
  if (!user_conf.empty()) {
    if (!fs::exists(user_conf)) throw Error::format("{}: no such file", user_conf);
    if (t.FromConfig(user_conf, model, scenario_name, 2) != 0) {
      throw Error::format("{}: the official LoadGen rejects this conf file", user_conf);
    }
  }
  loadgen::TestSettings s = from_official(t);
  s.scenario = scenario;
  return s;
}

loadgen::RunResult run(loadgen::SystemUnderTest& sut, loadgen::SampleLibrary& qsl,
                       const loadgen::TestSettings& settings, const loadgen::LogSettings& ls,
                       const loadgen::StartOptions& options) {
  check_supported(settings, ls);
  util::ensure_writable_dir(ls.outdir);
  loadgen::RunResult result;
  result.summary_path = log_path(ls, "summary", ".txt");
  result.detail_path = log_path(ls, "detail", ".txt");
  result.accuracy_path = log_path(ls, "accuracy", ".json");
  result.trace_path = log_path(ls, "trace", ".json");
  // Logs of an earlier test in this folder must not pass for this one's.
  for (const fs::path& p :
       {result.summary_path, result.detail_path, result.accuracy_path, result.trace_path}) {
    fs::remove(p);
  }
  const loadgen::TestSettings applied = with_audit_config(settings, options.audit_config);

  QslAdapter official_qsl(qsl);
  SutAdapter official_sut(sut, options.live);
  mlperf::StartTest(&official_sut, &official_qsl, to_official(settings), to_official(ls),
                    options.audit_config.string());

  if (!fs::exists(result.summary_path) || !fs::exists(result.detail_path)) {
    throw Error::format("{}: the official LoadGen wrote no logs (see its message above)",
                        ls.outdir.string());
  }
  const DetailLogValues detail = read_detail_log(result.detail_path);
  result.errors = detail.errors;
  result.warnings = detail.warnings;
  result.accuracy_entries = count_accuracy_entries(result.accuracy_path);
  // In find-peak the reported series is the final lower bound, not necessarily the last one run.
  std::optional<int64_t> tokens;
  if (applied.mode != loadgen::Mode::kFindPeakPerformance) tokens = official_sut.series_tokens();
  result.performance = performance_from_detail(detail, applied, tokens);
  result.sut_invalid_reason = official_sut.run_invalid_reason();
  if (result.performance) result.performance->outcome.sut_invalid_reason = result.sut_invalid_reason;
  return result;
}

}  // namespace infermark::loadgen_official

// `infermark compliance test06 --run DIR [--scenario S] [--eos ID,...]`: MLPerf's TEST06 checks
// (compliance/TEST06/run_verification.py) on a finished run folder holding
// mlperf_log_accuracy.json; writes DIR/TEST06/verify_accuracy.txt and
// DIR/TEST06/accuracy/mlperf_log_accuracy.json. The scenario is read from the run's detail log
// unless given.
#include <cstdio>
#include <fstream>
#include <memory>

#include "accuracy/accuracy_log.h"
#include "accuracy/test06.h"
#include "command.h"
#include "util/error.h"
#include "util/json.h"

namespace infermark::cli {
namespace {

struct ComplianceOptions {
  std::string run_dir, scenario, out;
  std::vector<int32_t> eos = {128001, 128008, 128009};
};

// effective_scenario from mlperf_log_detail.txt, or "" if absent.
std::string scenario_from_detail(const std::filesystem::path& detail) {
  std::ifstream in(detail);
  std::string line;
  std::string found;
  while (std::getline(in, line)) {
    if (line.find("\"effective_scenario\"") == std::string::npos) continue;
    const auto j = util::parse_json(line.substr(line.find('{')), detail.string());
    found = j.value("value", "");
  }
  return found;
}

int run(const ComplianceOptions& o) {
  const std::filesystem::path dir = o.run_dir;
  const auto log_path = dir / "mlperf_log_accuracy.json";
  if (!std::filesystem::exists(log_path)) {
    throw Error::format("{}: no mlperf_log_accuracy.json in the run folder", dir.string());
  }
  std::string scenario = o.scenario;
  if (scenario.empty()) scenario = scenario_from_detail(dir / "mlperf_log_detail.txt");
  if (scenario.empty()) {
    throw Error::format("{}: cannot tell the scenario (no effective_scenario in "
                        "mlperf_log_detail.txt); pass --scenario",
                        dir.string());
  }
  const auto log = accuracy::read_accuracy_log(log_path);
  const auto result =
      accuracy::run_test06_checks(log, accuracy::test06_options_for_scenario(scenario, o.eos));
  const std::filesystem::path out = o.out.empty() ? dir / "TEST06" : std::filesystem::path(o.out);
  accuracy::write_test06_outputs(out, log_path, result);
  std::fputs(accuracy::verify_accuracy_txt(result).c_str(), stdout);
  for (const auto& p : result.problems) std::printf("  %s\n", p.c_str());
  std::printf("wrote %s\n", (out / "verify_accuracy.txt").string().c_str());
  return result.passed() ? 0 : 3;
}

CommandRegistration reg{
    "compliance", "MLPerf compliance checks (TEST06) on a finished run", [](CLI::App& app) {
      auto o = std::make_shared<ComplianceOptions>();
      app.require_subcommand(1, 1);
      CLI::App* t = app.add_subcommand("test06", "First-token, EOS and length checks");
      t->add_option("--run", o->run_dir, "Run folder with mlperf_log_accuracy.json")->required();
      t->add_option("--scenario", o->scenario, "Offline|Server|SingleStream (default: from log)");
      t->add_option("--eos", o->eos, "EOS token ids")->delimiter(',')->capture_default_str();
      t->add_option("--out", o->out, "Output folder (default: RUN/TEST06)");
      return [o] { return run(*o); };
    }};

}  // namespace
}  // namespace infermark::cli

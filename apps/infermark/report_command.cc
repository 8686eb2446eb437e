// `infermark report DIR...`: rebuilds DIR/report.html from each run folder's MLPerf logs; with
// several folders it also writes a comparison page (--out, default ./report-compare.html).
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "command.h"
#include "report/comparison.h"
#include "report/run_report.h"

namespace infermark::cli {
namespace {

struct ReportOptions {
  std::vector<std::string> dirs;
  std::string out = "report-compare.html";
};

int run(const ReportOptions& o) {
  std::vector<std::filesystem::path> dirs(o.dirs.begin(), o.dirs.end());
  for (const auto& d : dirs) {
    const auto path = report::write_report(d);
    std::printf("%s\n", path.string().c_str());
  }
  if (dirs.size() > 1) {
    report::write_comparison(dirs, o.out);
    std::printf("%s\n", o.out.c_str());
  }
  return 0;
}

CommandRegistration reg{
    "report", "Write report.html for run folders (and a comparison page for several)",
    [](CLI::App& app) {
      auto o = std::make_shared<ReportOptions>();
      app.add_option("dirs", o->dirs, "Run folders holding MLPerf logs")->required();
      app.add_option("--out", o->out, "Comparison page, written when several folders are given")
          ->capture_default_str();
      return [o] { return run(*o); };
    }};

}  // namespace
}  // namespace infermark::cli

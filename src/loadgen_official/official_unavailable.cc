// run() in a binary built without the official library: says so, and how to get it.
#include "loadgen_official/official_loadgen.h"
#include "util/error.h"

namespace infermark::loadgen_official {

bool available() { return false; }

std::string describe() {
  return "this infermark was built without MLPerf's official LoadGen. Build the library from "
         "mlcommons/inference's loadgen/ folder, then reconfigure with "
         "-DMLPERF_LOADGEN_ROOT=<its install prefix> (docs/submission.md) and rebuild";
}

loadgen::TestSettings settings_from_config(const std::string&, loadgen::Scenario,
                                           const std::string&) {
  throw Error("--loadgen official: " + describe());
}

loadgen::RunResult run(loadgen::SystemUnderTest&, loadgen::SampleLibrary&,
                       const loadgen::TestSettings&, const loadgen::LogSettings&,
                       const loadgen::StartOptions&) {
  throw Error("--loadgen official: " + describe());
}

}  // namespace infermark::loadgen_official

// mlperf.conf / user.conf / audit.config text: parsed, then applied for every scenario as each
// kind of conf file (malformed lines must be rejected with the file and line).
#include "fuzz_target.h"
#include "loadgen/conf_file.h"
#include "util/error.h"

IM_FUZZ_TARGET(conf_file) {
  using namespace infermark;
  try {
    const loadgen::ConfFile conf = loadgen::parse_conf(fuzz::as_text(data, size), "user.conf");
    for (auto scenario : {loadgen::Scenario::kSingleStream, loadgen::Scenario::kMultiStream,
                          loadgen::Scenario::kServer, loadgen::Scenario::kOffline}) {
      for (auto type : {loadgen::ConfType::kMlperf, loadgen::ConfType::kUser}) {
        loadgen::TestSettings settings;
        std::vector<std::string> notes;
        try {
          loadgen::apply_conf(conf, "llama3_1-8b", scenario, type, settings, &notes);
        } catch (const Error&) {
        }
      }
    }
  } catch (const Error&) {
  }
}

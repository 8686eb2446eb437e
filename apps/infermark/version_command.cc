// `infermark version`: prints the version, git revision and dirty state this binary was built from.
#include <cstdio>

#include "command.h"
#include "util/build_info.h"

namespace infermark::cli {
namespace {

CommandRegistration reg{"version", "Print the version and git revision", [](CLI::App&) {
  return []() {
    const auto& b = util::build_info();
    std::printf("infermark %s\ngit revision %s%s\ncommit date %s\n", b.version.c_str(),
                b.git_rev.c_str(), b.dirty ? " (dirty)" : "", b.commit_date.c_str());
    return 0;
  };
}};

}  // namespace
}  // namespace infermark::cli

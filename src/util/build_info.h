// What this binary was built from: version, git revision and whether the tree had uncommitted
// changes. Recorded in every result log. Filled in at build time (cmake/build_info_gen.cmake).
#pragma once

#include <string>

namespace infermark::util {

struct BuildInfo {
  std::string version;      // e.g. "0.1.0"
  std::string git_rev;      // full hash, or "NA" outside a git checkout
  bool dirty;               // tracked files differed from git_rev at build time
  std::string commit_date;  // ISO 8601 committer date of git_rev, or "NA"
  std::string git_status;   // `git status --porcelain` of tracked files, JSON-escaped
  std::string build_date;   // UTC day of the build, YYYY-MM-DD

  // "0.1.0 @ 1a2b3c4d5e (dirty)" — the one-line form used in logs and --version.
  std::string describe() const {
    std::string s = version + " @ " + (git_rev.size() > 10 ? git_rev.substr(0, 10) : git_rev);
    if (dirty) s += " (dirty)";
    return s;
  }
};

const BuildInfo& build_info();

}  // namespace infermark::util

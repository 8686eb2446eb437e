// Runs the infermark CLI ($INFERMARK_BIN, set for every test binary by test_env.cc) with a shell
// argument string, capturing its exit code, stdout and stderr separately. For tests of commands.
#pragma once

#include <string>

namespace infermark::test_support {

struct CliResult {
  int exit_code = -1;  // -1 when the process did not exit normally
  std::string out;     // stdout
  std::string err;     // stderr
};

// `args` is appended to the binary's path and run by /bin/sh (quote as in a shell).
CliResult run_infermark(const std::string& args);

}  // namespace infermark::test_support

// Test data that only the workplace's `../shared` folder holds (NLTK's English Punkt parameters,
// the Llama-3 reference tokenizer cases) and that the repository must not copy. Tests that read
// it live in binaries labelled `shared` and start with IM_REQUIRE_SHARED_FILE:
//   - the file exists: the test runs;
//   - it is missing and CI=true: the test fails (CI has ../shared, so a missing file is a bug);
//   - it is missing otherwise: the test is skipped, with the path and the reason in its output
//     (`make test` lists skipped tests with their reasons).
// The folder is $INFERMARK_SHARED_DIR (set by tests/support/test_env.cc to ../shared beside the
// checkout, unless the environment already sets it).
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

namespace infermark::testing {

// The shared data folder (may not exist).
inline std::filesystem::path shared_data_dir() {
  const char* env = std::getenv("INFERMARK_SHARED_DIR");
  return env != nullptr ? std::filesystem::path(env) : std::filesystem::path();
}

inline bool running_in_ci() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string_view(ci) == "true";
}

}  // namespace infermark::testing

// Declares `const std::filesystem::path var` = shared_data_dir() / relative, or fails / skips the
// current test as described above. Use at the top of a TEST body or a fixture's SetUp.
#define IM_REQUIRE_SHARED_FILE(var, relative)                                                   \
  const std::filesystem::path var = ::infermark::testing::shared_data_dir() / (relative);       \
  if (!std::filesystem::exists(var)) {                                                          \
    if (::infermark::testing::running_in_ci()) {                                                \
      FAIL() << "CI=true but the shared test data " << var                                      \
             << " is missing (CI must have ../shared beside the checkout)";                     \
    }                                                                                           \
    GTEST_SKIP() << "needs " << var                                                             \
                 << ", which only the workplace's ../shared folder holds (not part of the "     \
                    "repository)";                                                              \
  }

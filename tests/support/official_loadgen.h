// Tests labelled `official` compare infermark with MLPerf's own code, which the repository does
// not contain:
//   - the official LoadGen library, linked only when the build is configured with
//     MLPERF_LOADGEN_ROOT (docs/submission.md): IM_REQUIRE_OFFICIAL_LOADGEN;
//   - MLPerf's scripts (compliance/TEST06/run_verification.py, the submission checker) from a
//     checkout of mlcommons/inference, $MLPERF_INFERENCE_DIR or the CMake cache variable of that
//     name: IM_REQUIRE_OFFICIAL_SOURCE(var, relative path).
// Without them a test is skipped with the reason (`make test` lists skipped tests with their
// reasons); with them, it runs. A build configured with INFERMARK_OFFICIAL_LOADGEN=ON promised
// both (`make test-official`): there a missing one fails the test instead, so that a run meant to
// compare with MLPerf's code cannot pass by skipping. CI has neither and does not promise them;
// docs/submission.md says what runs where.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "loadgen_official/official_loadgen.h"

namespace infermark::testing {

inline std::filesystem::path official_sources_dir() {
  if (const char* env = std::getenv("MLPERF_INFERENCE_DIR"); env != nullptr && *env != 0) {
    return env;
  }
#ifdef INFERMARK_MLPERF_INFERENCE_DIR
  return INFERMARK_MLPERF_INFERENCE_DIR;
#else
  return {};
#endif
}

// Whether this build promised the official code (INFERMARK_OFFICIAL_LOADGEN=ON).
inline bool official_required() {
#ifdef INFERMARK_OFFICIAL_REQUIRED
  return true;
#else
  return false;
#endif
}

// $INFERMARK_PYTHON, else Debian's /usr/bin/python3 (which sees python3-numpy), else python3.
inline std::string official_python() {
  if (const char* env = std::getenv("INFERMARK_PYTHON"); env != nullptr && *env != 0) return env;
  return ::access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
}

}  // namespace infermark::testing

#define IM_REQUIRE_OFFICIAL_LOADGEN()                                                        \
  if (!::infermark::loadgen_official::available()) {                                         \
    if (::infermark::testing::official_required()) {                                         \
      FAIL() << "INFERMARK_OFFICIAL_LOADGEN=ON but the official LoadGen is not linked";        \
    }                                                                                        \
    GTEST_SKIP() << "needs MLPerf's official LoadGen, which this build does not link ("      \
                 << ::infermark::loadgen_official::describe() << ")";                       \
  }

#define IM_REQUIRE_OFFICIAL_SOURCE(var, relative)                                              \
  const std::filesystem::path var = ::infermark::testing::official_sources_dir() / (relative); \
  if (::infermark::testing::official_sources_dir().empty() || !std::filesystem::exists(var)) { \
    if (::infermark::testing::official_required()) {                                           \
      FAIL() << "INFERMARK_OFFICIAL_LOADGEN=ON but " << (relative) << " is missing: set "       \
             << "MLPERF_INFERENCE_DIR to a checkout of mlcommons/inference";                   \
    }                                                                                          \
    GTEST_SKIP() << "needs " << (relative) << " from a checkout of mlcommons/inference: set "   \
                 << "MLPERF_INFERENCE_DIR (environment, or CMake cache variable) to it";       \
  }

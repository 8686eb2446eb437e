// Test helper: the paths every test binary gets in its environment (tests/support/test_env.cc):
// INFERMARK_BIN, INFERMARK_SOURCE_DIR (../shared data: tests/support/shared_data.h).
#pragma once

#include <cstdlib>
#include <stdexcept>
#include <string>

namespace infermark::text::testing {

inline std::string env_path(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') throw std::runtime_error(std::string(name) + " is not set");
  return v;
}

inline std::string infermark_bin() { return env_path("INFERMARK_BIN"); }
inline std::string source_dir() { return env_path("INFERMARK_SOURCE_DIR"); }

}  // namespace infermark::text::testing

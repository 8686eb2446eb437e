// Test helper: the paths tests/CMakeLists.txt passes as environment variables (INFERMARK_BIN,
// INFERMARK_SHARED_DIR, INFERMARK_SOURCE_DIR), falling back to the same values compiled in by
// tests/text/CMakeLists.txt, so a test can also be run directly from the build folder.
#pragma once

#include <cstdlib>
#include <string>

namespace infermark::text::testing {

inline std::string env_or(const char* name, const char* compiled_in) {
  const char* v = std::getenv(name);
  return (v != nullptr && *v != '\0') ? std::string(v) : std::string(compiled_in);
}

inline std::string infermark_bin() { return env_or("INFERMARK_BIN", INFERMARK_TEXT_TEST_BIN); }
inline std::string shared_dir() {
  return env_or("INFERMARK_SHARED_DIR", INFERMARK_TEXT_TEST_SHARED_DIR);
}
inline std::string source_dir() {
  return env_or("INFERMARK_SOURCE_DIR", INFERMARK_TEXT_TEST_SOURCE_DIR);
}

}  // namespace infermark::text::testing

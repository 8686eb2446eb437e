// Linked into every test binary: before main(), sets the environment variables the tests read
// (INFERMARK_SOURCE_DIR, INFERMARK_SHARED_DIR, INFERMARK_BIN, INFERMARK_BUILD_DIR) from values
// fixed at configure time, unless the environment already has them. So a test binary run by
// hand behaves like one run by ctest.
#include <cstdlib>

namespace {

struct TestEnvironment {
  TestEnvironment() {
    setenv("INFERMARK_SOURCE_DIR", INFERMARK_TEST_SOURCE_DIR, 0);
    setenv("INFERMARK_SHARED_DIR", INFERMARK_TEST_SHARED_DIR, 0);
    setenv("INFERMARK_BIN", INFERMARK_TEST_BIN, 0);
    setenv("INFERMARK_BUILD_DIR", INFERMARK_TEST_BUILD_DIR, 0);
  }
};

const TestEnvironment kEnvironment;

}  // namespace

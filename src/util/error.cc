#include "util/error.h"

#include <cstdio>
#include <cstdlib>

namespace infermark::detail {

void check_failed(const char* expr, const char* file, int line, const char* msg) {
  std::fprintf(stderr, "infermark: internal check failed at %s:%d: %s %s\n", file, line, expr, msg);
  std::fflush(stderr);
  std::abort();
}

}  // namespace infermark::detail

// Where a call was written (file and line), taken at the call site through a default argument:
// `void log(..., SourceLocation loc = SourceLocation::current())`. The same as
// std::source_location for the file and line, but built on __builtin_FILE / __builtin_LINE,
// which GCC and clang both have (clang 14 with libstdc++ has no std::source_location), so the
// whole project also builds with clang for the fuzzers.
#pragma once

#include <cstdint>

namespace infermark::util {

class SourceLocation {
 public:
  static constexpr SourceLocation current(const char* file = __builtin_FILE(),
                                          uint32_t line = __builtin_LINE()) noexcept {
    return SourceLocation(file, line);
  }
  constexpr const char* file_name() const noexcept { return file_; }
  constexpr uint32_t line() const noexcept { return line_; }

 private:
  constexpr SourceLocation(const char* file, uint32_t line) : file_(file), line_(line) {}
  const char* file_;
  uint32_t line_;
};

}  // namespace infermark::util

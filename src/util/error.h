// The project's error type and its internal-invariant check.
//
// `Error` is thrown for every problem caused by input from outside the program (files, settings,
// command-line values, network requests). Its message names what was wrong and where, and is
// meant to be shown to the user as is. `IM_CHECK` guards internal invariants only: it aborts with
// file:line and must never be reachable from user input.
#pragma once

#include <fmt/format.h>

#include <stdexcept>
#include <string>

namespace infermark {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}

  template <typename... Args>
  static Error format(fmt::format_string<Args...> f, Args&&... args) {
    return Error(fmt::format(f, std::forward<Args>(args)...));
  }
};

namespace detail {
[[noreturn]] void check_failed(const char* expr, const char* file, int line, const char* msg);
}  // namespace detail

}  // namespace infermark

#define IM_CHECK(cond)                                                          \
  do {                                                                          \
    if (!(cond)) ::infermark::detail::check_failed(#cond, __FILE__, __LINE__, ""); \
  } while (0)

#define IM_CHECK_MSG(cond, msg)                                                    \
  do {                                                                             \
    if (!(cond)) ::infermark::detail::check_failed(#cond, __FILE__, __LINE__, msg); \
  } while (0)

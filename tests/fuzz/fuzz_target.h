// One fuzz target per parser of untrusted input (files a user hands infermark, bytes from the
// network). A target is a function of arbitrary bytes that must return normally: rejecting the
// input with infermark::Error is fine, anything else — a crash, a sanitizer report, another
// exception, a hang, unbounded memory — is a bug. Each target file defines one with
//
//   IM_FUZZ_TARGET(name) { ... use data, size ... }
//
// and is compiled twice: into its own libFuzzer binary `fuzz_<name>` (preset fuzz, with
// INFERMARK_LIBFUZZER defined: the macro also emits LLVMFuzzerTestOneInput), and into the
// replay unit test, which runs every target over its seed corpus and its kept regressions
// (tests/fuzz/{corpus,regressions}/<name>/) in every ordinary and sanitizer build.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace infermark::fuzz {

using TargetFn = void (*)(const uint8_t* data, size_t size);

// name -> target, filled by IM_FUZZ_TARGET's static registrations (replay test only).
inline std::map<std::string, TargetFn>& targets() {
  static std::map<std::string, TargetFn> registry;
  return registry;
}

struct Registration {
  Registration(const char* name, TargetFn fn) { targets()[name] = fn; }
};

inline std::string_view as_text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace infermark::fuzz

#ifdef INFERMARK_LIBFUZZER
#define IM_FUZZ_ENTRY(name)                                                       \
  extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {       \
    infermark_fuzz_##name(data, size);                                            \
    return 0;                                                                     \
  }
#else
#define IM_FUZZ_ENTRY(name) \
  static const ::infermark::fuzz::Registration fuzz_registration_##name(#name, &infermark_fuzz_##name);
#endif

#define IM_FUZZ_TARGET(name)                                         \
  void infermark_fuzz_##name(const uint8_t* data, size_t size);      \
  IM_FUZZ_ENTRY(name)                                                \
  void infermark_fuzz_##name(const uint8_t* data, size_t size)

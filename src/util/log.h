// Process-wide diagnostic logging (spdlog) to stderr. Not for result logs: those have their own
// writers with exact formats. Thread-safe.
#pragma once

#include <spdlog/spdlog.h>

namespace infermark::util {

// Sets the stderr log level: "trace", "debug", "info", "warn", "error" or "off".
// Throws Error on an unknown name.
void set_log_level(const std::string& level);

}  // namespace infermark::util

#define IM_LOG_DEBUG(...) SPDLOG_DEBUG(__VA_ARGS__)
#define IM_LOG_INFO(...) ::spdlog::info(__VA_ARGS__)
#define IM_LOG_WARN(...) ::spdlog::warn(__VA_ARGS__)
#define IM_LOG_ERROR(...) ::spdlog::error(__VA_ARGS__)

#include "util/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>

#include "util/error.h"

namespace infermark::util {

void set_log_level(const std::string& level) {
  auto parsed = spdlog::level::from_str(level);
  if (parsed == spdlog::level::off && level != "off") {
    throw Error::format("--log-level: unknown level '{}' (trace, debug, info, warn, error, off)",
                        level);
  }
  static const bool configured = [] {
    auto logger = spdlog::stderr_color_mt("infermark");
    logger->set_pattern("%^[%l]%$ %v");
    spdlog::set_default_logger(logger);
    return true;
  }();
  (void)configured;
  spdlog::set_level(parsed);
}

}  // namespace infermark::util

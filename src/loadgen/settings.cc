#include "loadgen/settings.h"

namespace infermark::loadgen {

std::string_view to_string(Scenario s) {
  switch (s) {
    case Scenario::kSingleStream: return "SingleStream";
    case Scenario::kMultiStream: return "MultiStream";
    case Scenario::kServer: return "Server";
    case Scenario::kOffline: return "Offline";
  }
  return "?";
}

std::string_view to_string(Mode m) {
  switch (m) {
    case Mode::kSubmission: return "SubmissionRun";
    case Mode::kAccuracyOnly: return "AccuracyOnly";
    case Mode::kPerformanceOnly: return "PerformanceOnly";
    case Mode::kFindPeakPerformance: return "FindPeakPerformance";
  }
  return "?";
}

std::optional<Scenario> parse_scenario(std::string_view s) {
  for (auto v : {Scenario::kSingleStream, Scenario::kMultiStream, Scenario::kServer,
                 Scenario::kOffline}) {
    if (s == to_string(v)) return v;
  }
  return std::nullopt;
}

std::optional<Mode> parse_mode(std::string_view s) {
  if (s == "performance") return Mode::kPerformanceOnly;
  if (s == "accuracy") return Mode::kAccuracyOnly;
  if (s == "submission") return Mode::kSubmission;
  if (s == "find-peak") return Mode::kFindPeakPerformance;
  for (auto v : {Mode::kSubmission, Mode::kAccuracyOnly, Mode::kPerformanceOnly,
                 Mode::kFindPeakPerformance}) {
    if (s == to_string(v)) return v;
  }
  return std::nullopt;
}

}  // namespace infermark::loadgen

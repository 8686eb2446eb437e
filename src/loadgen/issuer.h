// Issuing one series (loadgen-behaviour.md §7): Server arrivals on schedule, Offline all at once,
// SingleStream/MultiStream one query after the previous one completed; max_async_queries,
// coalescing, multi-threaded Server issue, and the ending conditions. Returns once every issued
// sample has completed (or, after a stop request, once a grace period has passed).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "loadgen/detail_log.h"
#include "loadgen/effective_settings.h"
#include "loadgen/interfaces.h"
#include "loadgen/issue_series.h"

namespace infermark::loadgen {

struct IssueStats {
  int64_t start_ns = 0;         // now_ns() at the start of issuing
  uint64_t queries_issued = 0;
  uint64_t samples_issued = 0;
  bool interrupted = false;     // a stop was requested while issuing
  bool incomplete = false;      // some issued samples never completed
  std::string sut_invalid_reason;  // non-empty: the SUT declared the run invalid (SutNote)
};

// `stop`, if given, is polled: once true, issuing ends and the series is wrapped up.
IssueStats issue_series(Series& series, SystemUnderTest& sut, Recorder& recorder,
                        const EffectiveSettings& settings, Mode mode, DetailLog& log,
                        const std::atomic<bool>* stop);

}  // namespace infermark::loadgen

// Issuing one series (loadgen-behaviour.md §7): Server arrivals on schedule, Offline all at once,
// SingleStream/MultiStream one query after the previous one completed; max_async_queries,
// coalescing, multi-threaded Server issue, and the ending conditions. Returns once every issued
// sample has completed, or — after a stop request or a failure of the SUT — once the SUT was
// cancelled and its outstanding samples completed or a grace period passed. On return the series'
// gate is detached: no response reaches the series any more.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

#include "loadgen/detail_log.h"
#include "loadgen/effective_settings.h"
#include "loadgen/interfaces.h"
#include "loadgen/issue_series.h"
#include "loadgen/live_counters.h"
#include "loadgen/response_gate.h"

namespace infermark::loadgen {

// What issuing needs besides the series and its settings.
struct IssueContext {
  SystemUnderTest& sut;
  ResponseGate& gate;    // the Responder the SUT is given; attached to `recorder` while issuing
  Recorder& recorder;
  DetailLog& log;
  const std::atomic<bool>* stop;  // polled, if given: once true, issuing ends
  int64_t stop_grace_ns;          // how long a stopped or failed series waits for stragglers
  LiveCounters* live;             // counts issued samples, if given
};

struct IssueStats {
  int64_t start_ns = 0;         // now_ns() at the start of issuing
  uint64_t queries_issued = 0;
  uint64_t samples_issued = 0;
  bool interrupted = false;     // a stop was requested while issuing
  bool incomplete = false;      // some issued samples never completed
  std::string sut_invalid_reason;  // non-empty: the SUT declared the run invalid (SutNote)
  // Why the series ended on an error: an exception from the SUT's issue() or flush(), with
  // several issue threads or one.
  std::optional<std::string> failure;
};

IssueStats issue_series(Series& series, const EffectiveSettings& settings, Mode mode,
                        const IssueContext& ctx);

}  // namespace infermark::loadgen

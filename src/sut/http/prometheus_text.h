// The counters in a Prometheus text exposition (GET /metrics), so that a run can report how much
// each server says it did (requests, prompt and generated tokens, ...) as deltas over the run.
//
// Counted: every sample of a family typed `counter`, the `_count` and `_sum` samples of
// `histogram` and `summary` families, and, when a family has no TYPE line, samples whose name
// ends in `_total`. Keys are the series as written, `name{labels}`; values are doubles.
// Malformed lines are skipped (a scrape is evidence, not input the run depends on).
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace infermark::sut::http {

using Counters = std::map<std::string, double>;

Counters parse_counters(std::string_view exposition);

// after - before for every series in `after` (a series new in `after` counts from 0). A counter
// that went down (the server restarted) gives its `after` value.
Counters counter_deltas(const Counters& before, const Counters& after);

}  // namespace infermark::sut::http

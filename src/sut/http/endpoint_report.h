// The per-endpoint results of one LoadGen test (the `endpoints.json` beside the MLPerf logs, and
// the table in the run's summary): for each endpoint its samples, failures, retries, tokens,
// client-side TTFT and TPOT p50/p99, the first error reasons and the deltas of its /metrics
// counters over the test; the run's totals; the endpoint events (joined, left, taken out).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sut/http/client_options.h"
#include "sut/http/endpoint.h"
#include "sut/http/endpoint_set.h"
#include "util/json.h"

namespace infermark::sut::http {

struct EndpointPhase {
  std::shared_ptr<Endpoint> endpoint;
  EndpointTally tally;
  std::optional<Counters> metrics_delta;  // nullopt: no /metrics (or unreachable now)
};

struct EndpointEvent {
  double t_s;  // since the SUT started
  std::string endpoint, what, reason;
};

struct PhaseReportInput {
  std::string sut_name;
  Balance balance = Balance::kLeastOutstanding;
  int max_inflight = 0;
  Api api = Api::kCompletions;
  bool stream = true;
  Timeouts timeouts;
  size_t io_threads = 1;
  uint64_t open_file_limit = 0;
  bool comparable = true;
  std::string not_comparable_reason;
  uint64_t retries = 0;
  uint64_t no_endpoint_failures = 0;
  std::vector<EndpointPhase> endpoints;
  std::vector<EndpointEvent> events;
};

util::Json make_phase_report(const PhaseReportInput& in);

// The report as lines for a terminal: a table of endpoints, then totals and events.
std::vector<std::string> format_phase_report(const util::Json& report);

}  // namespace infermark::sut::http

// The per-endpoint results of a run against HTTP endpoints (`infermark run --sut http://…`):
// endpoints.json beside the MLPerf logs (written by src/sut/http/endpoint_report.*), read for
// the report's "Endpoints" section — samples, failures, retries, tokens and client-side TTFT /
// TPOT per endpoint, the run's totals, and every endpoint event (joined, left, taken out) with
// its time. The file is untrusted input: a missing or mistyped field is an Error naming it.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace infermark::report {

struct LatencyPair {
  double p50_ms = 0;
  double p99_ms = 0;
};

struct EndpointRow {
  std::string url, node, dialect, state;
  uint64_t samples = 0, failed = 0, tokens = 0, retried_away = 0, retried_here = 0;
  std::optional<LatencyPair> ttft, tpot;  // none: no sample finished there
  std::string failure;                    // why it was taken out, "" if it was not
};

struct EndpointEventRow {
  double t_s = 0;  // seconds since the SUT started
  std::string endpoint, event, reason;
};

struct EndpointsSummary {
  std::filesystem::path path;
  std::string sut;      // the SUT's Name() ("Network SUT …")
  std::string balance;  // least-outstanding | round-robin
  bool comparable = true;
  std::string not_comparable_reason;
  uint64_t samples = 0, failed = 0, no_endpoint_failures = 0, tokens = 0, retries = 0;
  std::vector<EndpointRow> endpoints;
  std::vector<EndpointEventRow> events;
};

// Reads run_dir/endpoints.json; nullopt if there is none (not an HTTP run).
std::optional<EndpointsSummary> read_endpoints(const std::filesystem::path& run_dir);

}  // namespace infermark::report

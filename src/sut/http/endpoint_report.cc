#include "sut/http/endpoint_report.h"

#include <fmt/format.h>

#include <algorithm>

namespace infermark::sut::http {
namespace {

// LoadGen's percentile: sorted[size * p]. In milliseconds; null when there are no values.
util::Json percentiles_ms(std::vector<int64_t> v) {
  if (v.empty()) return nullptr;
  std::sort(v.begin(), v.end());
  auto at = [&](double p) {
    return static_cast<double>(v[std::min(v.size() - 1, static_cast<size_t>(v.size() * p))]) / 1e6;
  };
  return {{"p50", at(0.50)}, {"p99", at(0.99)}};
}

util::Json endpoint_json(const EndpointPhase& p) {
  const EndpointInfo& info = p.endpoint->info();
  const EndpointTally& t = p.tally;
  util::Json j = {{"url", info.url.str()},
                  {"node", info.node},
                  {"dialect", std::string(to_string(info.dialect))},
                  {"dialect_evidence", info.dialect_evidence},
                  {"model", info.model},
                  {"state", std::string(to_string(p.endpoint->state()))},
                  {"samples", t.samples},
                  {"failed", t.failed},
                  {"tokens", t.tokens},
                  {"retried_away", t.retried_away},
                  {"retried_here", t.retried_here},
                  {"ttft_ms", percentiles_ms(t.ttft_ns)},
                  {"tpot_ms", percentiles_ms(t.tpot_ns)},
                  {"errors", t.first_errors}};
  if (p.endpoint->state() == EndpointState::kFailed) j["failure"] = p.endpoint->failure();
  if (p.metrics_delta) {
    util::Json m = util::Json::object();
    for (const auto& [series, delta] : *p.metrics_delta) {
      if (delta != 0) m[series] = delta;
    }
    j["metrics_delta"] = std::move(m);
  } else {
    j["metrics_delta"] = nullptr;
  }
  return j;
}

std::string pair_ms(const util::Json& p) {
  if (p.is_null()) return "-";
  return fmt::format("{:.1f} / {:.1f}", p["p50"].get<double>(), p["p99"].get<double>());
}

}  // namespace

util::Json make_phase_report(const PhaseReportInput& in) {
  util::Json endpoints = util::Json::array();
  uint64_t samples = 0, failed = 0, tokens = 0;
  for (const auto& p : in.endpoints) {
    endpoints.push_back(endpoint_json(p));
    samples += p.tally.samples;
    failed += p.tally.failed;
    tokens += p.tally.tokens;
  }
  util::Json events = util::Json::array();
  for (const auto& e : in.events) {
    events.push_back(
        {{"t_s", e.t_s}, {"endpoint", e.endpoint}, {"event", e.what}, {"reason", e.reason}});
  }
  return {{"sut", in.sut_name},
          {"comparable", in.comparable},
          {"not_comparable_reason", in.not_comparable_reason},
          {"client",
           {{"balance", std::string(to_string(in.balance))},
            {"max_inflight_per_endpoint", in.max_inflight},
            {"api", std::string(to_string(in.api))},
            {"streamed", in.stream},
            {"io_threads", in.io_threads},
            {"open_file_limit", in.open_file_limit},
            {"timeouts_ms",
             {{"connect", in.timeouts.connect.count()},
              {"idle", in.timeouts.idle.count()},
              {"request", in.timeouts.request.count()}}}}},
          {"totals",
           {{"samples", samples},
            {"failed", failed + in.no_endpoint_failures},
            {"no_endpoint_failures", in.no_endpoint_failures},
            {"tokens", tokens},
            {"retries", in.retries}}},
          {"endpoints", std::move(endpoints)},
          {"events", std::move(events)}};
}

std::vector<std::string> format_phase_report(const util::Json& r) {
  std::vector<std::string> out;
  out.push_back(fmt::format("  {:<28} {:<7} {:>8} {:>7} {:>9} {:>9} {:>17} {:>15}", "endpoint",
                            "state", "samples", "failed", "retried", "tokens", "TTFT p50/p99 ms",
                            "TPOT p50/p99 ms"));
  for (const auto& e : r["endpoints"]) {
    out.push_back(fmt::format(
        "  {:<28} {:<7} {:>8} {:>7} {:>9} {:>9} {:>17} {:>15}", e["url"].get<std::string>(),
        e["state"].get<std::string>(), e["samples"].get<uint64_t>(), e["failed"].get<uint64_t>(),
        fmt::format("{}/{}", e["retried_away"].get<uint64_t>(), e["retried_here"].get<uint64_t>()),
        e["tokens"].get<uint64_t>(), pair_ms(e["ttft_ms"]), pair_ms(e["tpot_ms"])));
  }
  const auto& t = r["totals"];
  out.push_back(
      fmt::format("  retries {} (away/here per endpoint above), failed samples {} ({} "
                  "with no endpoint left)",
                  t["retries"].get<uint64_t>(), t["failed"].get<uint64_t>(),
                  t["no_endpoint_failures"].get<uint64_t>()));
  for (const auto& e : r["endpoints"]) {
    if (e.contains("failure")) {
      out.push_back(fmt::format("  {} taken out: {}", e["url"].get<std::string>(),
                                e["failure"].get<std::string>()));
    }
  }
  for (const auto& ev : r["events"]) {
    out.push_back(fmt::format("  {:.3f} s: {} {}: {}", ev["t_s"].get<double>(),
                              ev["endpoint"].get<std::string>(), ev["event"].get<std::string>(),
                              ev["reason"].get<std::string>()));
  }
  if (!r["comparable"].get<bool>()) {
    out.push_back("  NOT COMPARABLE with an MLPerf run: " +
                  r["not_comparable_reason"].get<std::string>());
  }
  return out;
}

}  // namespace infermark::sut::http

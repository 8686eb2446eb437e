#include "report/endpoints.h"

#include "util/atomic_file.h"
#include "util/error.h"
#include "util/json.h"

namespace infermark::report {
namespace {

using util::Json;
using util::json_field;

std::optional<LatencyPair> latency_pair(const Json& e, const char* key, const std::string& where) {
  const auto it = e.find(key);
  if (it == e.end() || it->is_null()) return std::nullopt;
  return LatencyPair{json_field<double>(*it, "p50", where + "." + key),
                     json_field<double>(*it, "p99", where + "." + key)};
}

EndpointRow endpoint_row(const Json& e, const std::string& where) {
  EndpointRow r;
  r.url = json_field<std::string>(e, "url", where);
  r.node = json_field<std::string>(e, "node", where);
  r.dialect = json_field<std::string>(e, "dialect", where);
  r.state = json_field<std::string>(e, "state", where);
  r.samples = json_field<uint64_t>(e, "samples", where);
  r.failed = json_field<uint64_t>(e, "failed", where);
  r.tokens = json_field<uint64_t>(e, "tokens", where);
  r.retried_away = json_field<uint64_t>(e, "retried_away", where);
  r.retried_here = json_field<uint64_t>(e, "retried_here", where);
  r.ttft = latency_pair(e, "ttft_ms", where);
  r.tpot = latency_pair(e, "tpot_ms", where);
  if (e.contains("failure")) r.failure = json_field<std::string>(e, "failure", where);
  return r;
}

const Json& array_field(const Json& doc, const char* key, const std::string& origin) {
  const auto it = doc.find(key);
  if (it == doc.end() || !it->is_array()) {
    throw Error::format("{}: field '{}' must be an array", origin, key);
  }
  return *it;
}

}  // namespace

std::optional<EndpointsSummary> read_endpoints(const std::filesystem::path& run_dir) {
  const auto path = run_dir / "endpoints.json";
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return std::nullopt;
  const std::string origin = path.string();
  const Json doc = util::parse_json(util::read_file(path), origin);
  EndpointsSummary s;
  s.path = path;
  s.sut = json_field<std::string>(doc, "sut", origin);
  s.comparable = json_field<bool>(doc, "comparable", origin);
  s.not_comparable_reason = json_field<std::string>(doc, "not_comparable_reason", origin);
  const Json client = json_field<Json>(doc, "client", origin);
  s.balance = json_field<std::string>(client, "balance", origin + ": client");
  const Json totals = json_field<Json>(doc, "totals", origin);
  const std::string t = origin + ": totals";
  s.samples = json_field<uint64_t>(totals, "samples", t);
  s.failed = json_field<uint64_t>(totals, "failed", t);
  s.no_endpoint_failures = json_field<uint64_t>(totals, "no_endpoint_failures", t);
  s.tokens = json_field<uint64_t>(totals, "tokens", t);
  s.retries = json_field<uint64_t>(totals, "retries", t);
  const Json& endpoints = array_field(doc, "endpoints", origin);
  for (size_t i = 0; i < endpoints.size(); ++i) {
    s.endpoints.push_back(endpoint_row(endpoints[i], fmt::format("{}: endpoints[{}]", origin, i)));
  }
  const Json& events = array_field(doc, "events", origin);
  for (size_t i = 0; i < events.size(); ++i) {
    const std::string where = fmt::format("{}: events[{}]", origin, i);
    s.events.push_back({json_field<double>(events[i], "t_s", where),
                        json_field<std::string>(events[i], "endpoint", where),
                        json_field<std::string>(events[i], "event", where),
                        json_field<std::string>(events[i], "reason", where)});
  }
  return s;
}

}  // namespace infermark::report

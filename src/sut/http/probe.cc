#include "sut/http/probe.h"

#include <fmt/format.h>

#include "sut/http/simple_get.h"
#include "util/error.h"
#include "util/json.h"

namespace infermark::sut::http {
namespace {

struct Models {
  std::vector<std::string> ids;
  std::string owned_by;  // of the served model
};

Models read_models(const Url& url, const SimpleResponse& r) {
  const std::string where = url.str() + "/v1/models";
  if (r.status != 200) {
    throw Error::format("{} answered HTTP {} {}: {}", where, r.status, r.reason,
                        body_snippet(r.body));
  }
  util::Json j;
  try {
    j = util::Json::parse(r.body);
  } catch (const util::Json::exception&) {
    throw Error::format("{}: not a JSON model list: {}", where, body_snippet(r.body));
  }
  if (!j.is_object() || !j.contains("data") || !j["data"].is_array()) {
    throw Error::format("{}: no \"data\" list in {}", where, body_snippet(r.body));
  }
  Models m;
  for (const auto& model : j["data"]) {
    if (model.is_object() && model.contains("id") && model["id"].is_string()) {
      m.ids.push_back(model["id"].get<std::string>());
    }
  }
  if (m.ids.empty()) throw Error::format("{}: the server lists no model", where);
  return m;
}

std::string owner_of(const SimpleResponse& r, const std::string& model) {
  try {
    const util::Json j = util::Json::parse(r.body);
    for (const auto& m : j["data"]) {
      if (m.value("id", "") == model && m.contains("owned_by") && m["owned_by"].is_string()) {
        return m["owned_by"].get<std::string>();
      }
    }
  } catch (const util::Json::exception&) {
    // read_models has checked the shape; a missing owned_by just means unknown
  }
  return "";
}

// What /version says of the node: its host name if it gives one, and its version.
std::string describe_version(const std::string& body) {
  try {
    const util::Json j = util::Json::parse(body);
    if (!j.is_object()) return "";
    std::string out;
    for (const char* key : {"hostname", "node", "node_name", "host"}) {
      if (j.contains(key) && j[key].is_string()) {
        out = j[key].get<std::string>();
        break;
      }
    }
    if (j.contains("version") && j["version"].is_string()) {
      out += (out.empty() ? "" : ", ") + std::string("version ") + j["version"].get<std::string>();
    }
    return out;
  } catch (const util::Json::exception&) {
    return "";
  }
}

void check_health(const Url& url, const std::vector<boost::asio::ip::tcp::endpoint>& addresses,
                  const ProbeOptions& o, EndpointInfo& info) {
  const SimpleResponse r = simple_get(url, addresses, "/health", o.timeouts, o.auth, 1 << 20);
  info.server = r.server;
  if (r.status == 200) return;
  if (r.status == 404) {
    info.has_health = false;
    return;
  }
  if (r.status == 503) {
    throw Error::format("{}/health answered 503: not ready (still loading?): {}", url.str(),
                        body_snippet(r.body));
  }
  throw Error::format("{}/health answered HTTP {} {}: {}", url.str(), r.status, r.reason,
                      body_snippet(r.body));
}

}  // namespace

EndpointInfo probe_endpoint(const Url& url, const ProbeOptions& o) {
  EndpointInfo info;
  info.url = url;
  info.addresses = resolve(url);
  check_health(url, info.addresses, o, info);

  const SimpleResponse models_answer =
      simple_get(url, info.addresses, "/v1/models", o.timeouts, o.auth, 4 << 20);
  const Models models = read_models(url, models_answer);
  info.model = o.served_model.empty() ? models.ids.front() : o.served_model;
  if (std::find(models.ids.begin(), models.ids.end(), info.model) == models.ids.end()) {
    std::string listed;
    for (const auto& id : models.ids) listed += (listed.empty() ? "" : ", ") + id;
    throw Error::format("{}/v1/models does not list the model '{}' (it serves: {})", url.str(),
                        info.model, listed);
  }
  if (info.server.empty()) info.server = models_answer.server;

  std::string version_body;
  try {
    const SimpleResponse v =
        simple_get(url, info.addresses, "/version", o.timeouts, o.auth, 1 << 16);
    if (v.status == 200) version_body = v.body;
  } catch (const Error&) {
    // /version is optional; /health and /v1/models have shown the server answers
  }
  const Detection d =
      detect_dialect({owner_of(models_answer, info.model), info.server, version_body});
  if (o.dialect) {
    info.dialect = *o.dialect;
    info.dialect_evidence = "--dialect";
  } else {
    info.dialect = d.dialect;
    info.dialect_evidence = d.evidence;
  }
  const std::string self = describe_version(version_body);
  info.node = fmt::format("{} ({}{}{})", url.authority(), to_string(d.dialect),
                          self.empty() ? "" : " ", self);
  return info;
}

std::optional<Counters> scrape_counters(const EndpointInfo& e, const Timeouts& timeouts,
                                        const ClientAuth& auth) {
  try {
    const SimpleResponse r = simple_get(e.url, e.addresses, "/metrics", timeouts, auth, 32 << 20);
    if (r.status != 200) return std::nullopt;
    return parse_counters(r.body);
  } catch (const Error&) {
    return std::nullopt;
  }
}

}  // namespace infermark::sut::http

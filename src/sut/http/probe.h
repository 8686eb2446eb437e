// Start-up checks of an endpoint (also run for one that joins during a run), and /metrics scrapes.
//
// probe_endpoint: resolves the host; GET /health must answer 200 (404 is accepted: the server
// has no such route; 503 means still loading); GET /v1/models must list the served model (the
// first id when none is named); GET /version is read when the server has one. Together they give
// the dialect (unless named), the node's name — the address plus what the node says of itself
// (a "hostname"/"node" field of /version, its software and version) — gathered by these round
// trips as the Network division's Name() rule asks.
#pragma once

#include <optional>
#include <string>

#include "sut/http/client_options.h"
#include "sut/http/endpoint.h"
#include "sut/http/prometheus_text.h"

namespace infermark::sut::http {

struct ProbeOptions {
  std::optional<Dialect> dialect;  // nullopt: detect from the answers
  std::string served_model;        // "": the first id of /v1/models
  Timeouts timeouts;
  ClientAuth auth;
};

// Throws Error "<url>: <reason>" (which route, what it answered) when a check fails.
EndpointInfo probe_endpoint(const Url& url, const ProbeOptions& options);

// The counters of the endpoint's /metrics; nullopt if it exports none or cannot be reached now.
std::optional<Counters> scrape_counters(const EndpointInfo& endpoint, const Timeouts& timeouts,
                                        const ClientAuth& auth);

}  // namespace infermark::sut::http

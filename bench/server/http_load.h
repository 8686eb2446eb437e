// The HTTP side of serve_load: an OpenAI-completions load from one thread (an Asio event loop
// with keep-alive connections), closed loop (N requests always in flight) or open loop (a fixed
// request rate; latency counts from the scheduled send, so queueing in the client is not hidden).
// Streams are read with Beast's parser; SSE events are scanned for their token_ids without a JSON
// parse, so the client costs little next to the server it measures.
#pragma once

#include <cstdint>
#include <string>

#include "load_report.h"

namespace infermark::bench {

struct HttpTarget {
  std::string host = "127.0.0.1";
  uint16_t port = 8000;
  std::string model;  // "model" field; empty: not sent
};

LoadReport run_http_load(const HttpTarget& target, const LoadShape& shape);

}  // namespace infermark::bench

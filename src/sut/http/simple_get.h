// One blocking HTTP/1.1 GET with the client's timeouts, for the cold paths: start-up checks,
// `/metrics` scrapes and endpoints that join during a run. Not for samples (see connection.h).
// Thread-safe (each call has its own I/O context); costs a connection per call.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "sut/http/client_options.h"
#include "sut/http/url.h"

namespace infermark::sut::http {

struct SimpleResponse {
  unsigned status = 0;
  std::string reason;
  std::string server;  // the Server header
  std::string content_type;
  std::string body;  // at most the body limit
};

// Resolves `url`'s host. Throws Error "<url>: cannot resolve '<host>': <why>".
std::vector<boost::asio::ip::tcp::endpoint> resolve(const Url& url);

// GETs `url`'s `route` from `addresses`. Throws Error "<url><route>: <why>" when no answer came
// (refused, timed out, reset, not HTTP, body over `body_limit`). Any status is returned.
SimpleResponse simple_get(const Url& url,
                          const std::vector<boost::asio::ip::tcp::endpoint>& addresses,
                          std::string_view route, const Timeouts& timeouts, const ClientAuth& auth,
                          size_t body_limit = 8 << 20);

// A body as one short line for error messages: JSON errors by their message, HTML by its text,
// whitespace collapsed, cut at `max` characters.
std::string body_snippet(std::string_view body, size_t max = 200);

}  // namespace infermark::sut::http

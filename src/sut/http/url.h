// An endpoint's address as the user writes it: `http://host[:port][/base]`. Only plain HTTP: the
// Network division measures the servers, and TLS between the driver and a node adds client work
// that no MLPerf harness pays (put a TLS-terminating proxy on the node's side if one is needed).
// `base` is a path prefix put before every route (`http://h/llm` → `/llm/v1/completions`).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace infermark::sut::http {

struct Url {
  std::string host;  // name or address; IPv6 without brackets
  uint16_t port = 80;
  std::string base;  // "" or "/prefix" without a trailing slash

  // "http://host:port[/base]" as given (normalised: no trailing slash).
  std::string str() const;
  // "host:port" (IPv6 in brackets): the Host header and the short name in tables.
  std::string authority() const;
  // base + route, e.g. "/v1/models".
  std::string target(std::string_view route) const;
};

// Parses one URL. Throws Error naming `origin` and the text if it is not `http://host[:port][/p]`
// (https, user info, queries and fragments are refused with the reason).
Url parse_url(std::string_view text, std::string_view origin);

// A comma-separated list (`--sut http://a:8000,http://b:8000`). Throws Error on an empty list,
// a bad entry or a duplicate.
std::vector<Url> parse_url_list(std::string_view text, std::string_view origin);

// An endpoints file: one URL a line; blank lines and lines starting with '#' are skipped.
// Throws Error naming the file and line.
std::vector<Url> parse_endpoints_file(std::string_view content, std::string_view origin);

bool operator==(const Url& a, const Url& b);

}  // namespace infermark::sut::http

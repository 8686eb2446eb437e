// The HTTP client's other untrusted text: `--sut` URL lists, an endpoints file (one URL a line),
// and a server's Prometheus /metrics exposition. The input is split at NUL bytes into the three.
#include <cmath>
#include <cstdlib>
#include <string_view>

#include "fuzz_target.h"
#include "sut/http/prometheus_text.h"
#include "sut/http/url.h"
#include "util/error.h"

IM_FUZZ_TARGET(http_client_inputs) {
  using namespace infermark;
  std::string_view rest = fuzz::as_text(data, size);
  auto next = [&rest] {
    const size_t nul = rest.find('\0');
    const std::string_view part = rest.substr(0, nul);
    rest = nul == std::string_view::npos ? std::string_view() : rest.substr(nul + 1);
    return part;
  };
  const std::string_view urls = next();
  const std::string_view file = next();
  const std::string_view metrics = next();
  try {
    for (const auto& u : sut::http::parse_url_list(urls, "--sut")) {
      if (u.host.empty() || (!u.base.empty() && u.base.front() != '/')) std::abort();
      (void)u.target("/v1/completions");
      (void)u.authority();
      if (!(sut::http::parse_url(u.str(), "round trip") == u)) std::abort();
    }
  } catch (const Error&) {
  }
  try {
    (void)sut::http::parse_endpoints_file(file, "endpoints.txt");
  } catch (const Error&) {
  }
  const auto counters = sut::http::parse_counters(metrics);
  const auto deltas = sut::http::counter_deltas(counters, sut::http::parse_counters(rest));
  if (deltas.size() < sut::http::parse_counters(rest).size()) std::abort();
}

#include "sut/http/discovery.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "util/error.h"

namespace infermark::sut::http {

bool is_dns_url(std::string_view text) { return text.starts_with(kDnsScheme); }

Url parse_dns_url(std::string_view text, std::string_view origin) {
  if (!is_dns_url(text)) {
    throw Error::format("{}: '{}': expected dns+http://NAME[:PORT][/path]", origin, text);
  }
  if (text.find(',') != std::string_view::npos) {
    throw Error::format("{}: '{}': give one dns+http:// name (it stands for all its addresses)",
                        origin, text);
  }
  return parse_url(text.substr(kDnsScheme.size()), origin);
}

std::string dns_url_str(const Url& name) { return std::string(kDnsScheme) + name.str(); }

std::vector<boost::asio::ip::address> resolve_host(const std::string& host) {
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::resolver resolver(ioc);
  boost::system::error_code ec;
  // A numeric port: only the host is looked up. address_configured (the default): no IPv6
  // addresses on a machine without IPv6.
  const auto results = resolver.resolve(host, "0",
                                        boost::asio::ip::resolver_base::numeric_service |
                                            boost::asio::ip::resolver_base::address_configured,
                                        ec);
  if (ec) throw Error::format("cannot resolve '{}': {}", host, ec.message());
  std::vector<boost::asio::ip::address> out;
  for (const auto& r : results) out.push_back(r.endpoint().address());
  return out;
}

std::vector<Url> discover_endpoints(const Url& name, const Resolver& resolve) {
  std::vector<boost::asio::ip::address> addresses;
  try {
    addresses = resolve(name.host);
  } catch (const Error& e) {
    throw Error::format("{}: {}", dns_url_str(name), e.what());
  }
  std::sort(addresses.begin(), addresses.end());
  addresses.erase(std::unique(addresses.begin(), addresses.end()), addresses.end());
  if (addresses.empty()) {
    throw Error::format("{}: '{}' resolves to no address", dns_url_str(name), name.host);
  }
  std::vector<Url> out;
  for (const auto& a : addresses) {
    Url url = name;
    url.host = a.to_string();
    out.push_back(std::move(url));
  }
  return out;
}

}  // namespace infermark::sut::http

// Endpoint discovery by DNS: `--sut dns+http://NAME:PORT[/base]` stands for every address NAME
// resolves to, each as the endpoint `http://ADDRESS:PORT[/base]` — a Kubernetes headless
// Service's name resolves to the address of every ready pod (serving.md §5). HttpSut resolves the
// name at start and again every few seconds during the run (endpoints_watcher.h): addresses that
// appear are checked and join, those that vanish are drained (no new samples; those in flight
// finish), each change an event with its time.
//
// Resolution goes through the system resolver (getaddrinfo via Asio: /etc/hosts, DNS, whatever
// nsswitch.conf says), so what the driver sees is as fresh as the caches on the way (CoreDNS keeps
// answers for up to 30 s by default). Tests inject their own Resolver.
//
// Thread safety: free functions; a Resolver is called from the watcher's thread.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "sut/http/url.h"

namespace infermark::sut::http {

// Every address of a host name. Throws Error naming the host and the reason when it cannot be
// resolved.
using Resolver = std::function<std::vector<boost::asio::ip::address>(const std::string& host)>;

inline constexpr std::string_view kDnsScheme = "dns+";

// True for "dns+http://…".
bool is_dns_url(std::string_view text);

// Parses "dns+http://NAME[:PORT][/base]": the part after "dns+" as parse_url does. Throws Error
// naming `origin` and the text.
Url parse_dns_url(std::string_view text, std::string_view origin);

// "dns+http://NAME:PORT[/base]".
std::string dns_url_str(const Url& name);

// The system's resolver (Asio's, over getaddrinfo): the IPv4 and IPv6 addresses of `host`, of
// the families this machine has an address of. Blocks for as long as the lookup takes.
std::vector<boost::asio::ip::address> resolve_host(const std::string& host);

// One URL per distinct address of `name.host`, ordered by address, each with `name`'s port and
// base. Throws Error naming the dns+http URL when the name does not resolve or has no address.
std::vector<Url> discover_endpoints(const Url& name, const Resolver& resolve);

}  // namespace infermark::sut::http

#include "sut/http/url.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "util/error.h"

namespace infermark::sut::http {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

uint16_t parse_port(std::string_view digits, std::string_view text, std::string_view origin) {
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || value == 0 ||
      value > 65535) {
    throw Error::format("{}: '{}': the port must be a number from 1 to 65535", origin, text);
  }
  return static_cast<uint16_t>(value);
}

// RFC 3986's characters for a host name (reg-name without percent-encoding) and for an IPv6
// literal (with a zone id); anything else (spaces, control bytes, non-ASCII) would end up in the
// Host header.
bool valid_host(std::string_view host, bool bracketed) {
  return std::all_of(host.begin(), host.end(), [bracketed](char c) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) != 0) return true;
    return bracketed ? (c == ':' || c == '.' || c == '%') : (c == '-' || c == '.' || c == '_');
  });
}

// RFC 3986's path characters (pchar and '/'): a space, CR or LF in the base path would split the
// request line of every request.
bool valid_path(std::string_view path) {
  constexpr std::string_view kAllowed = "-._~!$&'()*+,;=:@%/";
  return std::all_of(path.begin(), path.end(), [&](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
           kAllowed.find(c) != std::string_view::npos;
  });
}

}  // namespace

std::string Url::authority() const {
  const bool v6 = host.find(':') != std::string::npos;
  return fmt::format("{}{}{}:{}", v6 ? "[" : "", host, v6 ? "]" : "", port);
}

std::string Url::str() const { return "http://" + authority() + base; }

std::string Url::target(std::string_view route) const { return base + std::string(route); }

bool operator==(const Url& a, const Url& b) {
  return a.host == b.host && a.port == b.port && a.base == b.base;
}

Url parse_url(std::string_view text, std::string_view origin) {
  text = trim(text);
  constexpr std::string_view kScheme = "http://";
  if (text.starts_with("https://")) {
    throw Error::format(
        "{}: '{}': https is not supported (the driver speaks plain HTTP to each "
        "node; see docs/http-sut.md)",
        origin, text);
  }
  if (!text.starts_with(kScheme)) {
    throw Error::format("{}: '{}': expected http://host[:port][/path]", origin, text);
  }
  std::string_view rest = text.substr(kScheme.size());
  if (rest.find_first_of("?#") != std::string_view::npos) {
    throw Error::format("{}: '{}': a query or fragment has no meaning here", origin, text);
  }
  const size_t slash = rest.find('/');
  std::string_view hostport = rest.substr(0, slash);
  Url url;
  if (slash != std::string_view::npos) {
    std::string_view base = rest.substr(slash);
    while (!base.empty() && base.back() == '/') base.remove_suffix(1);
    url.base = std::string(base);
  }
  if (hostport.find('@') != std::string_view::npos) {
    throw Error::format("{}: '{}': user info in the URL is not supported (use --api-key)", origin,
                        text);
  }
  if (!valid_path(url.base)) {
    throw Error::format("{}: '{}': the path holds a character a URL path cannot have", origin,
                        text);
  }
  const bool bracketed = hostport.starts_with("[");
  if (bracketed) {  // [v6]:port
    const size_t close = hostport.find(']');
    if (close == std::string_view::npos) {
      throw Error::format("{}: '{}': unclosed '[' in the host", origin, text);
    }
    url.host = std::string(hostport.substr(1, close - 1));
    std::string_view after = hostport.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') throw Error::format("{}: '{}': bad host", origin, text);
      url.port = parse_port(after.substr(1), text, origin);
    }
  } else {
    const size_t colon = hostport.rfind(':');
    url.host = std::string(hostport.substr(0, colon));
    if (colon != std::string_view::npos) {
      url.port = parse_port(hostport.substr(colon + 1), text, origin);
    }
  }
  if (url.host.empty()) throw Error::format("{}: '{}': no host", origin, text);
  if (!valid_host(url.host, bracketed)) {
    throw Error::format("{}: '{}': the host holds a character a host name cannot have", origin,
                        text);
  }
  return url;
}

std::vector<Url> parse_url_list(std::string_view text, std::string_view origin) {
  std::vector<Url> out;
  while (true) {
    const size_t comma = text.find(',');
    const std::string_view item = trim(text.substr(0, comma));
    if (!item.empty()) {
      Url url = parse_url(item, origin);
      if (std::find(out.begin(), out.end(), url) != out.end()) {
        throw Error::format("{}: '{}' is listed twice", origin, url.str());
      }
      out.push_back(std::move(url));
    }
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  if (out.empty()) throw Error::format("{}: no endpoint given", origin);
  return out;
}

std::vector<Url> parse_endpoints_file(std::string_view content, std::string_view origin) {
  std::vector<Url> out;
  int line_no = 0;
  while (!content.empty()) {
    ++line_no;
    const size_t nl = content.find('\n');
    const std::string_view line = trim(content.substr(0, nl));
    content.remove_prefix(nl == std::string_view::npos ? content.size() : nl + 1);
    if (line.empty() || line.front() == '#') continue;
    const std::string where = fmt::format("{}:{}", origin, line_no);
    Url url = parse_url(line, where);
    if (std::find(out.begin(), out.end(), url) != out.end()) {
      throw Error::format("{}: '{}' is listed twice", where, url.str());
    }
    out.push_back(std::move(url));
  }
  return out;
}

}  // namespace infermark::sut::http

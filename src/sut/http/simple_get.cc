#include "sut/http/simple_get.h"

#include <fmt/format.h>

#include <boost/asio/io_context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>

#include "util/error.h"
#include "util/json.h"

namespace infermark::sut::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

std::vector<tcp::endpoint> resolve(const Url& url) {
  asio::io_context ioc;
  tcp::resolver resolver(ioc);
  beast::error_code ec;
  const auto results = resolver.resolve(url.host, std::to_string(url.port), ec);
  if (ec) throw Error::format("{}: cannot resolve '{}': {}", url.str(), url.host, ec.message());
  std::vector<tcp::endpoint> out;
  for (const auto& r : results) out.push_back(r.endpoint());
  if (out.empty()) throw Error::format("{}: '{}' has no address", url.str(), url.host);
  return out;
}

SimpleResponse simple_get(const Url& url, const std::vector<tcp::endpoint>& addresses,
                          std::string_view route, const Timeouts& timeouts, const ClientAuth& auth,
                          size_t body_limit) {
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  bhttp::request<bhttp::empty_body> request{bhttp::verb::get, url.target(route), 11};
  request.set(bhttp::field::host, url.authority());
  request.set(bhttp::field::user_agent, "infermark");
  if (!auth.api_key.empty()) request.set(bhttp::field::authorization, "Bearer " + auth.api_key);
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(body_limit);

  beast::error_code failure;
  std::string stage = "connect";
  stream.expires_after(timeouts.connect);
  stream.async_connect(addresses, [&](beast::error_code ec, const tcp::endpoint&) {
    if (ec) {
      failure = ec;
      return;
    }
    stage = "send";
    stream.expires_after(timeouts.idle);
    bhttp::async_write(stream, request, [&](beast::error_code wec, size_t) {
      if (wec) {
        failure = wec;
        return;
      }
      stage = "answer";
      stream.expires_after(timeouts.idle);
      bhttp::async_read(stream, buffer, parser,
                        [&](beast::error_code rec, size_t) { failure = rec; });
    });
  });
  ioc.run();
  const std::string where = url.str() + std::string(route);
  if (failure == beast::error::timeout) {
    const auto ms = stage == "connect" ? timeouts.connect : timeouts.idle;
    throw Error::format("{}: no {} within {} ms", where, stage, ms.count());
  }
  if (failure == bhttp::error::body_limit) {
    throw Error::format("{}: the answer is larger than {} bytes", where, body_limit);
  }
  if (failure) throw Error::format("{}: {} failed: {}", where, stage, failure.message());
  const auto& res = parser.get();
  SimpleResponse out;
  out.status = res.result_int();
  out.reason = std::string(res.reason());
  out.server = std::string(res[bhttp::field::server]);
  out.content_type = std::string(res[bhttp::field::content_type]);
  out.body = res.body();
  return out;
}

std::string body_snippet(std::string_view body, size_t max) {
  std::string text;
  if (!body.empty() && body.front() == '{') {
    try {
      const util::Json j = util::Json::parse(body);
      const util::Json* e = j.contains("error") ? &j["error"] : &j;
      if (e->is_string()) return e->get<std::string>().substr(0, max);
      if (e->is_object() && e->contains("message") && (*e)["message"].is_string()) {
        return (*e)["message"].get<std::string>().substr(0, max);
      }
    } catch (const util::Json::exception&) {
      // not JSON after all: shown as text
    }
  }
  bool in_tag = false, space = false;
  for (char c : body) {
    if (c == '<') {
      in_tag = true;
      continue;
    }
    if (in_tag) {
      if (c == '>') {
        in_tag = false;
        space = true;
      }
      continue;
    }
    if (std::isspace(static_cast<unsigned char>(c)) ||
        !std::isprint(static_cast<unsigned char>(c))) {
      space = true;
      continue;
    }
    if (space && !text.empty()) text.push_back(' ');
    space = false;
    text.push_back(c);
    if (text.size() >= max) break;
  }
  return text.empty() ? "(empty body)" : text;
}

}  // namespace infermark::sut::http

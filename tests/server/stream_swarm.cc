#include "stream_swarm.h"

#include <memory>

#include "http_test_client.h"
#include "server/asio.h"

namespace infermark::server::testing {
namespace {

// Parses a whole response held in `raw` (head + chunked body).
void parse_outcome(const std::string& raw, StreamOutcome& o) {
  const size_t head_end = raw.find("\r\n\r\n");
  if (raw.size() < 12 || head_end == std::string::npos) return;
  o.status = std::stoi(raw.substr(9, 3));
  size_t at = head_end + 4;
  const bool chunked = raw.find("Transfer-Encoding: chunked") < head_end;
  if (!chunked) {
    o.body = raw.substr(at);
  } else {
    for (;;) {
      const size_t eol = raw.find("\r\n", at);
      if (eol == std::string::npos) return;
      const size_t size = std::stoul(raw.substr(at, eol - at), nullptr, 16);
      if (size == 0) break;
      o.body.append(raw, eol + 2, size);
      at = eol + 2 + size + 2;
    }
  }
  for (const util::Json& e : sse_json(o.body)) {
    if (e.contains("choices")) {
      for (const auto& c : e["choices"]) {
        if (c.contains("token_ids")) o.token_ids += static_cast<int64_t>(c["token_ids"].size());
      }
    }
    if (e.contains("usage") && !e["usage"].is_null()) {
      o.usage_tokens = e["usage"]["completion_tokens"].get<int64_t>();
    }
  }
  o.done = o.body.size() >= 14 && o.body.compare(o.body.size() - 14, 14, "data: [DONE]\n\n") == 0;
}

bool complete(const std::string& raw) {
  const size_t head_end = raw.find("\r\n\r\n");
  if (head_end == std::string::npos) return false;
  if (raw.find("Transfer-Encoding: chunked") > head_end) {
    const size_t cl = raw.find("Content-Length: ");
    if (cl > head_end) return false;
    return raw.size() >= head_end + 4 + std::stoul(raw.substr(cl + 16));
  }
  return raw.size() >= 5 && raw.compare(raw.size() - 5, 5, "0\r\n\r\n") == 0;
}

asio::awaitable<void> one_stream(tcp::socket& socket, uint16_t port, const SwarmOptions& o,
                                 StreamOutcome& out) {
  error_code ec;
  auto token = asio::redirect_error(asio::use_awaitable, ec);
  co_await socket.async_connect({asio::ip::address_v4::loopback(), port}, token);
  if (ec) {
    socket.close(ec);
    co_return;
  }
  socket.set_option(tcp::no_delay(true), ec);
  const std::string request = post_text(o.path, o.body);
  co_await asio::async_write(socket, asio::buffer(request), token);
  std::string raw;
  char buf[16384];
  while (!ec) {
    const size_t n = co_await socket.async_read_some(asio::buffer(buf), token);
    raw.append(buf, n);
    if (o.drop_after_first_event && raw.find("data: ") != std::string::npos) {
      out.dropped = true;
      socket.close(ec);
      co_return;
    }
    if (complete(raw)) break;
  }
  if (socket.is_open()) socket.close(ec);
  parse_outcome(raw, out);
}

}  // namespace

std::vector<StreamOutcome> run_swarm(uint16_t port, const SwarmOptions& options) {
  asio::io_context io;
  std::vector<StreamOutcome> outcomes(static_cast<size_t>(options.streams));
  std::vector<std::unique_ptr<tcp::socket>> sockets;
  int running = options.streams;
  asio::steady_timer deadline(io, options.deadline);
  for (int i = 0; i < options.streams; ++i) {
    sockets.push_back(std::make_unique<tcp::socket>(io));
    asio::co_spawn(io, one_stream(*sockets.back(), port, options, outcomes[static_cast<size_t>(i)]),
                   [&](std::exception_ptr) {
                     if (--running == 0) deadline.cancel();
                   });
  }
  deadline.async_wait([&](error_code ec) {
    if (ec) return;
    for (size_t i = 0; i < sockets.size(); ++i) {
      if (sockets[i]->is_open()) {
        outcomes[i].timed_out = true;
        error_code ignored;
        sockets[i]->close(ignored);
      }
    }
  });
  io.run();
  return outcomes;
}

}  // namespace infermark::server::testing

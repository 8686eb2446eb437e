#include "http_load.h"

#include <chrono>
#include <deque>
#include <memory>
#include <string_view>

#include "server/asio.h"
#include "util/json.h"

namespace infermark::bench {
namespace {

using server::asio::awaitable;
using Clock = std::chrono::steady_clock;
namespace asio = server::asio;
namespace beast = server::beast;
namespace http = server::http;
using server::error_code;
using server::tcp;

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

// Token ids in one SSE event: the elements of its "token_ids" list.
int64_t count_token_ids(std::string_view event) {
  constexpr std::string_view kKey = "\"token_ids\":[";
  const size_t at = event.find(kKey);
  if (at == std::string_view::npos) return 0;
  const size_t start = at + kKey.size();
  const size_t end = event.find(']', start);
  if (end == std::string_view::npos || end == start) return 0;
  int64_t n = 1;
  for (size_t i = start; i < end; ++i) n += event[i] == ',';
  return n;
}

class Load {
 public:
  Load(const HttpTarget& target, const LoadShape& shape) : target_(target), shape_(shape) {
    util::Json body = {{"prompt", shape.prompt()}, {"max_tokens", shape.max_tokens},
                       {"temperature", 0},         {"ignore_eos", true},
                       {"stream", shape.stream},   {"return_token_ids", true}};
    if (!target.model.empty()) body["model"] = target.model;
    request_ = "POST /v1/completions HTTP/1.1\r\nHost: " + target.host +
               "\r\nContent-Type: application/json\r\nContent-Length: " +
               std::to_string(body.dump().size()) + "\r\n\r\n" + body.dump();
    report_.label = shape.rate > 0 ? "http-open" : "http-closed";
  }

  LoadReport run() {
    start_ = Clock::now();
    window_start_ = start_ + to_duration(shape_.warmup_s);
    end_ = window_start_ + to_duration(shape_.duration_s);
    if (shape_.rate > 0) {
      asio::co_spawn(io_, open_loop(), asio::detached);
    } else {
      for (int i = 0; i < shape_.concurrency; ++i) {
        asio::co_spawn(io_, closed_loop(), asio::detached);
      }
    }
    asio::steady_timer stop(io_, end_);
    stop.async_wait([this](error_code) { io_.stop(); });
    io_.run();
    report_.window_s = shape_.duration_s;
    return report_;
  }

 private:
  struct Connection {
    explicit Connection(asio::io_context& io) : stream(io) {}
    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    bool connected = false;
  };

  static Clock::duration to_duration(double s) {
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
  }
  bool in_window(Clock::time_point t) const { return t >= window_start_ && t < end_; }

  // One request on `c`; false if the connection failed.
  awaitable<bool> request(Connection& c, Clock::time_point scheduled) {
    error_code ec;
    auto token = asio::redirect_error(asio::use_awaitable, ec);
    if (!c.connected) {
      co_await c.stream.async_connect(
          tcp::endpoint(asio::ip::make_address(target_.host), target_.port), token);
      if (ec) co_return false;
      c.stream.socket().set_option(tcp::no_delay(true));
      c.connected = true;
    }
    co_await asio::async_write(c.stream, asio::buffer(request_), token);
    if (ec) co_return false;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 << 20);
    std::string pending;
    bool first = true, done = false;
    Clock::time_point first_at{};
    auto on_chunk = [&](uint64_t, beast::string_view data, error_code&) -> uint64_t {
      pending.append(data.data(), data.size());
      size_t at = 0, end;
      while ((end = pending.find("\n\n", at)) != std::string::npos) {
        const std::string_view event(pending.data() + at, end - at);
        at = end + 2;
        if (event == "data: [DONE]") {
          done = true;
          continue;
        }
        const int64_t n = count_token_ids(event);
        if (n == 0) continue;
        const Clock::time_point now = Clock::now();
        if (first) first_at = now, first = false;
        if (in_window(now)) report_.tokens += n, ++report_.events;
      }
      pending.erase(0, at);
      return data.size();
    };
    parser.on_chunk_body(on_chunk);
    co_await http::async_read(c.stream, c.buffer, parser, token);
    if (ec || parser.get().result_int() != 200) {
      ++report_.errors;
      co_return !ec;
    }
    const Clock::time_point now = Clock::now();
    if (!shape_.stream) {
      const std::string& body = parser.get().body();
      const int64_t n = count_token_ids(body);
      if (in_window(now)) report_.tokens += n;
      first_at = now;
      done = true;
    }
    if (!done) ++report_.errors;
    if (in_window(now)) ++report_.requests;
    if (in_window(scheduled)) {
      report_.e2e_ms.push_back(ms_between(scheduled, now));
      report_.ttft_ms.push_back(ms_between(scheduled, first_at));
    }
    co_return parser.get().keep_alive();
  }

  awaitable<void> closed_loop() {
    auto c = std::make_unique<Connection>(io_);
    while (Clock::now() < end_) {
      // (Named locals for co_await results: GCC 12 miscompiled one inside an if-condition.)
      const bool reusable = co_await request(*c, Clock::now());
      if (!reusable) c = std::make_unique<Connection>(io_);
    }
  }

  awaitable<void> open_loop() {
    asio::steady_timer timer(io_);
    const double interval = 1.0 / shape_.rate;
    for (int64_t i = 0;; ++i) {
      const Clock::time_point due = start_ + to_duration(interval * static_cast<double>(i));
      if (due >= end_) co_return;
      timer.expires_at(due);
      error_code ec;
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      std::unique_ptr<Connection> c;
      if (idle_.empty()) {
        c = std::make_unique<Connection>(io_);
      } else {
        c = std::move(idle_.back());
        idle_.pop_back();
      }
      asio::co_spawn(io_, one_open(std::move(c), due), asio::detached);
    }
  }

  awaitable<void> one_open(std::unique_ptr<Connection> c, Clock::time_point due) {
    const bool reusable = co_await request(*c, due);
    if (reusable) idle_.push_back(std::move(c));
    co_return;
  }

  const HttpTarget target_;
  const LoadShape shape_;
  std::string request_;
  asio::io_context io_;
  std::vector<std::unique_ptr<Connection>> idle_;
  Clock::time_point start_, window_start_, end_;
  LoadReport report_;
};

}  // namespace

LoadReport run_http_load(const HttpTarget& target, const LoadShape& shape) {
  return Load(target, shape).run();
}

}  // namespace infermark::bench

// The server's front door on arbitrary bytes: the input is what one client sends on one
// connection (any number of pipelined requests, malformed ones included). It goes through the
// real code over an in-process socket pair (no network): a server Connection (Beast's parser with
// the server's limits, keep-alive, 100-continue, the 431 / 413 / 400 rejections), the ApiRouter
// (404, 405, 401 with an API key set, /health, /metrics, /version, /v1/models, /tokenize,
// /detokenize) and the generation routes (OpenAI validation, admission, a Generation on the null
// backend, whole and SSE responses). Every complete request's body is also validated directly, as
// a completion, a chat, a tokenize and a detokenize request.
//
// Oracles: no 500 (an exception a handler did not expect) and no other exception than ApiError
// from validation; the connection answers exactly the requests Beast's parser takes from the
// bytes; what comes back parses whole as HTTP responses, one per counted answer; an accepted
// generation request is within what validation promises (ids in the vocabulary, prompt plus
// max_tokens within the context, sampling values in range, bounded stop lists).
#include <sys/socket.h>

#include <array>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "fuzz_target.h"
#include "server/api_error.h"
#include "server/generation_request.h"
#include "server/null_backend.h"
#include "server/router.h"

namespace {

using namespace infermark;
using namespace infermark::server;

constexpr size_t kMaxInput = 64 << 10;

HttpLimits fuzz_limits() {
  HttpLimits l;
  l.max_body_bytes = 16 << 10;  // small, so that 413 and 431 are within the fuzzer's reach
  l.max_header_bytes = 2 << 10;
  l.idle_timeout = std::chrono::seconds(5);
  l.request_timeout = std::chrono::seconds(5);
  l.write_timeout = std::chrono::seconds(5);
  return l;
}

ServerState& server_state() {
  static ServerState* state = [] {
    ServerOptions o;
    o.served_model_name = "infermark";
    o.api_key = "fuzz-key";
    o.max_queue = 4;
    auto* s = new ServerState(o);
    s->id_prefix = "fuzz";
    // Few ids per request and a short context: every request ends quickly, and prompts beyond
    // the context are within reach.
    s->backend = std::make_unique<NullBackend>(
        NullBackendOptions{.output_len = 8, .max_seqs = 4, .max_context = 2048});
    const char* dir = std::getenv("INFERMARK_LLAMA3_TOKENIZER_DIR");
    s->tokenizer = text::Tokenizer::load(dir && *dir ? dir : INFERMARK_LLAMA3_TOKENIZER_DIR);
    s->admission.emplace(s->backend->info().max_seqs + *o.max_queue);
    s->metrics.set_backend_kind("null");
    s->ready.store(true);
    return s;
  }();
  return *state;
}

// The requests Beast's parser takes whole from `bytes` with the server's limits, up to and
// including the first that closes the connection.
std::vector<HttpRequest> complete_requests(std::string_view bytes, const HttpLimits& limits) {
  std::vector<HttpRequest> out;
  for (;;) {
    http::request_parser<http::string_body> p;
    p.eager(true);
    p.header_limit(limits.max_header_bytes);
    p.body_limit(limits.max_body_bytes);
    error_code ec;
    const size_t used = p.put(asio::buffer(bytes.data(), bytes.size()), ec);
    if (ec || !p.is_done()) return out;
    bytes.remove_prefix(used);
    out.push_back(p.release());
    if (!out.back().keep_alive()) return out;
  }
}

void check_accepted(const GenerationRequest& r, const BackendInfo& b) {
  const auto& p = r.params;
  if (r.prompts.empty() || p.max_new_tokens < 1 || p.min_new_tokens < 0 ||
      p.min_new_tokens > p.max_new_tokens || !(p.temperature >= 0) ||
      !std::isfinite(p.temperature) || !(p.top_p > 0 && p.top_p <= 1) || p.top_k < 0 ||
      r.stop.size() > 16 || (r.include_usage && !r.stream)) {
    std::abort();
  }
  for (const auto& prompt : r.prompts) {
    if (prompt.empty() || static_cast<int64_t>(prompt.size()) + p.max_new_tokens > b.max_context) {
      std::abort();
    }
    for (TokenId id : prompt) {
      if (id < 0 || id >= b.vocab_size) std::abort();
    }
  }
  for (const std::string& s : r.stop) {
    if (s.empty() || s.size() > 256) std::abort();
  }
}

template <typename F>
void expect_valid_or_api_error(F parse) {
  try {
    parse();
  } catch (const ApiError& e) {
    if (e.status() != 400 && e.status() != 404) std::abort();
  }
}

void validate_directly(const std::string& body, ServerState& state) {
  const RequestContext ctx{&state.backend->info(), state.tokenizer_or_null(),
                           state.options.served_model_name};
  for (Route route : {Route::kCompletions, Route::kChat}) {
    expect_valid_or_api_error(
        [&] { check_accepted(parse_generation_request(route, body, ctx), *ctx.backend); });
  }
  expect_valid_or_api_error([&] { (void)parse_tokenize_request(body, ctx); });
  expect_valid_or_api_error([&] {
    for (TokenId id : parse_detokenize_request(body, ctx)) {
      if (id < 0 || id >= ctx.backend->vocab_size) std::abort();
    }
  });
}

// Counts the requests the router has finished with; once `expected` are, the client stops
// sending (half-close), so that the connection reads end-of-stream instead of waiting.
class CountingHandler final : public HttpHandler {
 public:
  CountingHandler(HttpHandler& inner, size_t expected, std::function<void()> on_all)
      : inner_(inner), expected_(expected), on_all_(std::move(on_all)) {}
  asio::awaitable<void> handle(Exchange& ex) override {
    co_await inner_.handle(ex);
    if (++handled_ == expected_) on_all_();
  }
  size_t handled() const { return handled_; }

 private:
  HttpHandler& inner_;
  size_t expected_;
  std::function<void()> on_all_;
  size_t handled_ = 0;
};

// The final (non-1xx) responses in `bytes`; aborts if they do not parse whole.
size_t count_responses(std::string_view bytes) {
  size_t n = 0;
  while (!bytes.empty()) {
    http::response_parser<http::string_body> p;
    p.eager(true);
    p.body_limit(std::numeric_limits<uint64_t>::max());
    error_code ec;
    bytes.remove_prefix(p.put(asio::buffer(bytes.data(), bytes.size()), ec));
    if (!ec && !p.is_done()) p.put_eof(ec);  // a body that ends with the connection
    if (ec || !p.is_done()) std::abort();
    if (p.get().result_int() >= 200) ++n;
  }
  return n;
}

struct Client {
  explicit Client(asio::io_context& io) : socket(io) {}
  tcp::socket socket;
  std::string received;
  std::array<char, 16 << 10> buffer{};
  bool sent = false;
  bool all_handled = false;

  void maybe_finish_sending() {
    error_code ec;
    if (sent && all_handled) socket.shutdown(tcp::socket::shutdown_send, ec);
  }
  void read() {
    socket.async_read_some(asio::buffer(buffer), [this](error_code ec, size_t n) {
      received.append(buffer.data(), n);
      if (!ec) read();
    });
  }
};

}  // namespace

IM_FUZZ_TARGET(server_http) {
  if (size > kMaxInput) return;
  ServerState& state = server_state();
  const std::string input(infermark::fuzz::as_text(data, size));
  const HttpLimits limits = fuzz_limits();
  const std::vector<HttpRequest> requests = complete_requests(input, limits);
  for (const HttpRequest& r : requests) validate_directly(r.body(), state);

  // Never destroyed: connections of earlier inputs may still be queued in it (see below).
  static asio::io_context& io = *new asio::io_context;
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) std::abort();
  Client client(io);
  client.socket.assign(tcp::v4(), fds[1]);
  tcp::socket server_socket(asio::make_strand(io));
  server_socket.assign(tcp::v4(), fds[0]);

  ApiRouter router(state);
  CountingHandler handler(router, requests.size(), [&client] {
    client.all_handled = true;
    client.maybe_finish_sending();
  });
  size_t answered = 0;
  // Outlives every connection: a backend callback of a cancelled request may still post to a
  // connection of an earlier input (as in the server, where the context outlives them all).
  static ConnectionContext& context = *new ConnectionContext;
  context.limits = limits;
  context.handler = &handler;
  context.on_response = [&](unsigned status) {
    state.metrics.count_response(status);
    if (status == 500) std::abort();
    ++answered;
  };
  client.all_handled = requests.empty();
  asio::async_write(client.socket, asio::buffer(input), [&client](error_code, size_t) {
    client.sent = true;
    client.maybe_finish_sending();
  });
  client.read();
  std::make_shared<Connection>(std::move(server_socket), context)->start();
  io.run();
  io.restart();

  if (handler.handled() != requests.size()) std::abort();
  if (count_responses(client.received) != answered) std::abort();
}

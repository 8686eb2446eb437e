#include "server/generation_handler.h"

#include <fmt/format.h>

#include <chrono>

#include "server/api_error.h"
#include "server/generation.h"
#include "server/openai_format.h"

namespace infermark::server {
namespace {

// nginx's "client closed request": counted in the metrics, never seen by a client.
constexpr unsigned kClientGone = 499;

std::string response_id(Route route, ServerState& state) {
  return fmt::format("{}{}-{}", route == Route::kChat ? "chatcmpl-" : "cmpl-", state.id_prefix,
                     state.next_id.fetch_add(1, std::memory_order_relaxed));
}

int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

HttpResponse failure_response(const GenerationFailure& f) {
  return error_response(f.status, error_body(f.status, f.code, f.message));
}

void append_chunks(std::string& out, const std::vector<Chunk>& chunks, const Generation& g,
                   const ResponseFormat& format) {
  for (const Chunk& c : chunks) {
    const auto& ids = g.choice(c.choice).ids();
    format.append_chunk_event(
        out, c, std::span<const TokenId>(ids).subspan(c.ids_begin, c.ids_end - c.ids_begin),
        g.request().prompts[c.choice]);
  }
}

asio::awaitable<void> stream_response(Exchange& ex, Generation& g, const ResponseFormat& format) {
  std::vector<Chunk> chunks;
  std::string out;
  for (;;) {
    chunks.clear();
    out.clear();
    if (!g.poll(chunks) && !g.done() && !ex.client_gone() && !ex.stopping()) {
      co_await ex.wait();  // nothing new: no suspension since the poll, so no wake is missed
      continue;
    }
    append_chunks(out, chunks, g, format);
    if (g.failure() || (ex.stopping() && !g.done())) {
      const GenerationFailure f = g.failure().value_or(GenerationFailure{
          503, "service_unavailable", "the server is shutting down; the request was cancelled"});
      g.cancel();
      if (!ex.streaming()) {
        co_await ex.respond(failure_response(f));
        co_return;
      }
      ResponseFormat::append_error_event(out, error_body(f.status, f.code, f.message));
      co_await ex.stream(out);
      co_await ex.end_stream(/*close=*/true);
      co_return;
    }
    if (g.done()) {
      if (g.request().include_usage)
        format.append_usage_event(out, {g.prompt_tokens(), g.completion_tokens()});
      ResponseFormat::append_done_event(out);
      co_await ex.stream(out);
      co_await ex.end_stream(/*close=*/false);
      co_return;
    }
    if (!out.empty()) co_await ex.stream(out);
    if (ex.client_gone()) {
      g.cancel();
      if (ex.streaming()) {
        co_await ex.end_stream(/*close=*/true);
      } else {
        HttpResponse gone{kClientGone, "application/json", "", {}, true};
        co_await ex.respond(std::move(gone));
      }
      co_return;
    }
  }
}

asio::awaitable<void> whole_response(Exchange& ex, Generation& g, const ResponseFormat& format) {
  std::vector<Chunk> chunks;
  std::vector<std::string> texts(g.n_choices());
  std::vector<ChoiceEnd> ends(g.n_choices());
  for (;;) {
    chunks.clear();
    const bool reported = g.poll(chunks);
    for (Chunk& c : chunks) {
      texts[c.choice] += c.text;
      if (c.end) ends[c.choice] = std::move(*c.end);
    }
    if (g.done()) break;
    if (ex.client_gone() || ex.stopping()) {
      g.cancel();
      HttpResponse r = ex.client_gone()
                           ? HttpResponse{kClientGone, "application/json", "", {}, true}
                           : error_response(503, error_body(503, "service_unavailable",
                                                            "the server is shutting down"));
      co_await ex.respond(std::move(r));
      co_return;
    }
    if (!reported) co_await ex.wait();
  }
  if (g.failure()) {
    co_await ex.respond(failure_response(*g.failure()));
    co_return;
  }
  std::vector<ChoiceOutput> outputs(g.n_choices());
  for (size_t i = 0; i < outputs.size(); ++i) {
    outputs[i] = {texts[i], g.choice(i).ids(), g.request().prompts[i], &ends[i]};
  }
  HttpResponse r;
  r.body = format.response_body(outputs, {g.prompt_tokens(), g.completion_tokens()});
  co_await ex.respond(std::move(r));
}

}  // namespace

HttpResponse error_response(int status, const std::string& body) {
  HttpResponse r;
  r.status = static_cast<unsigned>(status);
  r.body = body;
  return r;
}

asio::awaitable<void> serve_generation(Exchange& ex, Route route, ServerState& state) {
  if (!state.ready.load(std::memory_order_acquire)) {
    co_await ex.respond(
        error_response(503, error_body(503, "service_unavailable", "the model is still loading")));
    co_return;
  }
  std::optional<GenerationRequest> request;
  std::optional<ApiError> invalid;
  try {
    const RequestContext ctx{&state.backend->info(), state.tokenizer_or_null(),
                             state.options.served_model_name};
    request = parse_generation_request(route, ex.request().body(), ctx);
  } catch (const ApiError& e) {
    invalid = e;
  } catch (const std::exception& e) {
    invalid = ApiError(500, "internal_error", e.what());
  }
  if (invalid) {
    co_await ex.respond(error_response(invalid->status(), invalid->body()));
    co_return;
  }
  const auto n = static_cast<int64_t>(request->prompts.size());
  if (!state.admission->try_acquire(n)) {
    HttpResponse r = error_response(
        429, error_body(429, "rate_limit_exceeded",
                        fmt::format("the server is at capacity ({} requests in flight or "
                                    "queued); retry later",
                                    *state.admission->capacity())));
    r.headers.emplace_back("Retry-After", "1");
    co_await ex.respond(std::move(r));
    co_return;
  }
  const ResponseFormat format(route, response_id(route, state), unix_now(),
                              state.options.served_model_name, request->return_token_ids);
  GenerationSettings settings;
  settings.backend = state.backend.get();
  settings.tokenizer = state.tokenizer_or_null();
  settings.metrics = &state.metrics;
  settings.admission = &*state.admission;
  settings.stream_interval = state.options.stream_interval;
  settings.wake = ex.waker();
  const bool stream = request->stream;
  Generation g(std::move(*request), std::move(settings));
  g.start();
  if (stream) {
    co_await stream_response(ex, g, format);
  } else {
    co_await whole_response(ex, g, format);
  }
}

}  // namespace infermark::server

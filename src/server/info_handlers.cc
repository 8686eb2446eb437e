#include "server/info_handlers.h"

#include <unistd.h>

#include <array>

#include "server/api_error.h"
#include "server/generation_request.h"
#include "util/build_info.h"
#include "util/json.h"

namespace infermark::server {
namespace {

using util::Json;

HttpResponse json_response(const Json& j) {
  HttpResponse r;
  r.body = j.dump(-1, ' ', false, Json::error_handler_t::replace);
  return r;
}

void require_ready(const ServerState& state) {
  if (!state.ready.load(std::memory_order_acquire)) {
    throw ApiError(503, "service_unavailable", "the model is still loading");
  }
}

// The node's name as the HTTP SUT puts it into the Network division's Name(): unique per pod or
// machine. "" if the system will not say.
std::string host_name() {
  std::array<char, 256> host{};
  if (gethostname(host.data(), host.size() - 1) != 0) return "";
  return host.data();
}

RequestContext context_of(const ServerState& state) {
  return {&state.backend->info(), state.tokenizer_or_null(), state.options.served_model_name};
}

}  // namespace

HttpResponse health_response(const ServerState& state, bool shutting_down) {
  const bool ready = state.ready.load(std::memory_order_acquire);
  HttpResponse r;
  if (shutting_down) {
    r.status = 503;
    r.body = R"({"status":"shutting_down"})";
  } else if (!ready) {
    r.status = 503;
    r.body = R"({"status":"loading"})";
  } else {
    r.body = R"({"status":"ok"})";
  }
  return r;
}

HttpResponse metrics_response(ServerState& state) {
  HttpResponse r;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  const bool ready = state.ready.load(std::memory_order_acquire);
  r.body = state.metrics.render(ready ? std::optional(state.backend->load()) : std::nullopt);
  return r;
}

HttpResponse version_response() {
  const util::BuildInfo& b = util::build_info();
  return json_response({{"server", "infermark"},
                        {"version", b.version},
                        {"git_revision", b.git_rev},
                        {"git_dirty", b.dirty},
                        {"hostname", host_name()}});
}

HttpResponse models_response(const ServerState& state) {
  require_ready(state);
  const BackendInfo& info = state.backend->info();
  const std::string& name = state.options.served_model_name;
  Json model = {{"id", name},
                {"object", "model"},
                {"created", state.started_unix},
                {"owned_by", "infermark"},
                {"root", name},
                {"max_model_len", info.max_context},
                {"backend", info.kind}};
  return json_response({{"object", "list"}, {"data", Json::array({std::move(model)})}});
}

HttpResponse tokenize_response(const HttpRequest& request, const ServerState& state) {
  require_ready(state);
  const std::vector<TokenId> ids = parse_tokenize_request(request.body(), context_of(state));
  return json_response({{"tokens", ids},
                        {"count", ids.size()},
                        {"max_model_len", state.backend->info().max_context}});
}

HttpResponse detokenize_response(const HttpRequest& request, const ServerState& state) {
  require_ready(state);
  const std::vector<TokenId> ids = parse_detokenize_request(request.body(), context_of(state));
  return json_response({{"prompt", state.tokenizer->decode(ids)}});
}

}  // namespace infermark::server

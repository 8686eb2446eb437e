#include "server/router.h"

#include <array>

#include "server/api_error.h"
#include "server/generation_handler.h"
#include "server/info_handlers.h"
#include "util/log.h"

namespace infermark::server {
namespace {

struct RouteInfo {
  std::string_view path;
  http::verb method;
  bool needs_key;
};

constexpr std::array<RouteInfo, 8> kRoutes = {{
    {"/v1/completions", http::verb::post, true},
    {"/v1/chat/completions", http::verb::post, true},
    {"/v1/models", http::verb::get, true},
    {"/tokenize", http::verb::post, true},
    {"/detokenize", http::verb::post, true},
    {"/health", http::verb::get, false},
    {"/metrics", http::verb::get, false},
    {"/version", http::verb::get, false},
}};

std::string_view path_of(const HttpRequest& request) {
  const std::string_view target(request.target().data(), request.target().size());
  return target.substr(0, target.find('?'));
}

// Compares in time independent of where the strings differ.
bool same_secret(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ (i < b.size() ? b[i] : 0));
  }
  return diff == 0;
}

bool authorized(const HttpRequest& request, const std::string& key) {
  if (key.empty()) return true;
  const auto h = request[http::field::authorization];
  const std::string_view value(h.data(), h.size());
  constexpr std::string_view kBearer = "Bearer ";
  const std::string_view scheme = value.substr(0, kBearer.size());
  return value.size() > kBearer.size() &&
         beast::iequals(beast::string_view(scheme.data(), scheme.size()),
                        beast::string_view(kBearer.data(), kBearer.size())) &&
         same_secret(value.substr(kBearer.size()), key);
}

}  // namespace

HttpResponse ApiRouter::immediate(std::string_view path, const HttpRequest& request,
                                  bool shutting_down) {
  if (path == "/health") return health_response(state_, shutting_down);
  if (path == "/metrics") return metrics_response(state_);
  if (path == "/version") return version_response();
  if (path == "/v1/models") return models_response(state_);
  if (path == "/tokenize") return tokenize_response(request, state_);
  return detokenize_response(request, state_);
}

asio::awaitable<void> ApiRouter::handle(Exchange& ex) {
  const HttpRequest& request = ex.request();
  const std::string_view path = path_of(request);
  const RouteInfo* route = nullptr;
  for (const RouteInfo& r : kRoutes) {
    if (r.path == path) route = &r;
  }
  std::optional<HttpResponse> response;
  if (!route) {
    response = error_response(
        404, error_body(404, "not_found", fmt::format("no route {}", std::string(path))));
  } else if (request.method() != route->method) {
    response =
        error_response(405, error_body(405, "method_not_allowed",
                                       fmt::format("{} takes {}, not {}", std::string(path),
                                                   std::string(http::to_string(route->method)),
                                                   std::string(request.method_string()))));
    response->headers.emplace_back("Allow", std::string(http::to_string(route->method)));
  } else if (route->needs_key && !authorized(request, state_.options.api_key)) {
    response = error_response(
        401, error_body(401, "invalid_api_key",
                        "missing or wrong API key: send 'Authorization: Bearer <key>'"));
    response->headers.emplace_back("WWW-Authenticate", "Bearer");
  } else if (ex.draining() && path != "/health" && path != "/metrics") {
    response =
        error_response(503, error_body(503, "service_unavailable", "the server is shutting down"));
    response->close = true;
  } else if (path == "/v1/completions" || path == "/v1/chat/completions") {
    co_await serve_generation(
        ex, path == "/v1/chat/completions" ? Route::kChat : Route::kCompletions, state_);
    co_return;
  } else {
    try {
      response = immediate(path, request, ex.draining());
    } catch (const ApiError& e) {
      response = error_response(e.status(), e.body());
    } catch (const std::exception& e) {
      IM_LOG_ERROR("serve: {} failed: {}", std::string(path), e.what());
      response = error_response(500, error_body(500, "internal_error", e.what()));
    }
  }
  co_await ex.respond(std::move(*response));
}

}  // namespace infermark::server

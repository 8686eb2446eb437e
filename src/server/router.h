// The API's routing: method and path to handler (docs/serve.md lists the routes), the API key
// check (401) on /v1/*, /tokenize and /detokenize, 404 and 405 for the rest, 503 while the
// server shuts down, and every ApiError or unexpected exception turned into a JSON error
// response. The HttpHandler that the HTTP server calls for each request.
#pragma once

#include "server/http_connection.h"
#include "server/server_state.h"

namespace infermark::server {

class ApiRouter final : public HttpHandler {
 public:
  // `state` must outlive the router.
  explicit ApiRouter(ServerState& state) : state_(state) {}
  asio::awaitable<void> handle(Exchange& exchange) override;

 private:
  // A route answered at once; throws ApiError.
  HttpResponse immediate(std::string_view path, const HttpRequest& request, bool shutting_down);

  ServerState& state_;
};

}  // namespace infermark::server

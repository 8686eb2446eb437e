// The routes that answer at once, without the backend generating: /health, /metrics, /version,
// /v1/models, /tokenize, /detokenize. Each builds a whole response; bad input throws ApiError.
// Called on a connection's strand; they read the shared state only (thread-safe).
#pragma once

#include "server/http_connection.h"
#include "server/server_state.h"

namespace infermark::server {

HttpResponse health_response(const ServerState& state, bool shutting_down);
HttpResponse metrics_response(ServerState& state);
HttpResponse version_response();
HttpResponse models_response(const ServerState& state);
HttpResponse tokenize_response(const HttpRequest& request, const ServerState& state);
HttpResponse detokenize_response(const HttpRequest& request, const ServerState& state);

}  // namespace infermark::server

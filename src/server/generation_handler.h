// The two generation routes: parse and validate the body, take admission slots (429 when none
// are free), run a Generation, and answer — as an SSE stream (docs/serve.md) or as one JSON body.
// A client that goes away has its requests cancelled at once; a failure before the stream began
// is a plain HTTP error, after it an error event. Runs on the connection's strand.
#pragma once

#include "server/asio.h"
#include "server/generation_request.h"
#include "server/http_connection.h"
#include "server/server_state.h"

namespace infermark::server {

asio::awaitable<void> serve_generation(Exchange& exchange, Route route, ServerState& state);

// An error response with the OpenAI body.
HttpResponse error_response(int status, const std::string& body);

}  // namespace infermark::server

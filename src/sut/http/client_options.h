// Settings of the HTTP client shared by its parts: the three timeouts every request has, and the
// key sent with every request.
#pragma once

#include <chrono>
#include <string>

namespace infermark::sut::http {

struct Timeouts {
  // TCP connect (each address of a name in turn shares it).
  std::chrono::milliseconds connect{10'000};
  // The longest silence on a socket that should be busy: while a request is written; in a stream
  // from the request's send on (a queued request in a Server run is already failed long before);
  // in a non-streamed answer (Offline) from its first byte on, since a server holds the whole
  // answer until it is done. A stalled or half-open stream ends here instead of hanging the run.
  std::chrono::milliseconds idle{60'000};
  // The whole request, from its send to its last byte, retries excluded.
  std::chrono::milliseconds request{3'600'000};
};

struct ClientAuth {
  std::string api_key;  // sent as "Authorization: Bearer <key>" when not empty
};

}  // namespace infermark::sut::http

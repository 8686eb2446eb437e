// Test helper: many streaming requests at once from one thread (an Asio event loop), each on its
// own connection, for load tests: all run to the end, or each drops its connection after its
// first SSE event. Bounded: everything still open at the deadline is closed and reported.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace infermark::server::testing {

struct StreamOutcome {
  int status = 0;        // 0: no reply
  bool done = false;     // the body ended with data: [DONE]
  bool dropped = false;  // closed by us after the first event
  bool timed_out = false;
  int64_t token_ids = 0;      // ids over every chunk's token_ids
  int64_t usage_tokens = -1;  // usage.completion_tokens, -1 if absent
  std::string body;           // the de-chunked body (when it ended)
};

struct SwarmOptions {
  int streams = 1;
  std::string path = "/v1/completions";
  std::string body;  // one JSON request for every stream
  bool drop_after_first_event = false;
  std::chrono::milliseconds deadline{60'000};
};

std::vector<StreamOutcome> run_swarm(uint16_t port, const SwarmOptions& options);

}  // namespace infermark::server::testing

// One sample's trip through the HTTP client, from issue() to its one completion, and how each
// attempt at it ends. A call has at most two attempts: the first, and one retry on another
// endpoint when the first endpoint failed under it.
//
// A call is touched by one thread at a time: the issuing thread until it is dispatched, then the
// I/O thread of its shard.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "loadgen/interfaces.h"
#include "sut/http/endpoint.h"

namespace infermark::sut::http {

class Connection;

struct Call {
  loadgen::ResponseId id = 0;
  loadgen::SampleIndex index = 0;
  std::span<const int32_t> prompt;
  int64_t issued_ns = 0;                // when issue() took it (loadgen clock)
  size_t shard = 0;                     // the I/O thread that runs it
  int attempts = 0;                     // started so far
  std::shared_ptr<Endpoint> endpoint;   // of the current attempt
  const Endpoint* failed_on = nullptr;  // where an earlier attempt failed (not chosen again)
  bool first_reported = false;          // the load generator has its first token

  // The current attempt's answer.
  std::vector<int32_t> ids;
  std::string text;  // collected only when text answers are allowed
  bool saw_text = false;
  int64_t usage_tokens = -1;  // what the server says it generated; -1 if it did not say
  int64_t first_token_ns = -1;
  int64_t last_token_ns = -1;

  void start_attempt() {
    ++attempts;
    ids.clear();
    text.clear();
    saw_text = false;
    usage_tokens = -1;
    first_token_ns = last_token_ns = -1;
  }
};

enum class AttemptEnd {
  kAnswered,         // a complete answer (still to be checked: ids, usage)
  kSampleError,      // the server answered, but not with an answer (HTTP error, error event,
                     // malformed or cut-short stream, deadline): this sample fails
  kEndpointFailure,  // the endpoint failed under it (refused, reset, stalled, taken out)
  kCancelled,        // the run was stopped
};

struct AttemptResult {
  AttemptEnd end = AttemptEnd::kAnswered;
  std::string reason;
};

// Where connections report; implemented by the SUT. Called on the call's shard thread.
class CallSink {
 public:
  // The attempt's first token(s) arrived (call.first_token_ns is set).
  virtual void on_first_token(Call& call) = 0;
  // The attempt ended. Exactly once per attempt.
  virtual void on_attempt_end(std::shared_ptr<Call> call, AttemptResult result) = 0;
  // The connection has no request on it any more: back to its pool if `reusable`.
  virtual void on_connection_free(std::shared_ptr<Connection> connection, bool reusable) = 0;

 protected:
  ~CallSink() = default;
};

}  // namespace infermark::sut::http

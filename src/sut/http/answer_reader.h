// What each piece of an answer means for the sample: one SSE event (or a whole non-streamed
// JSON answer) is decoded into the call — token ids and text appended, first/last token times
// stamped, the server's usage count kept — and judged: go on, the answer is complete ([DONE], or
// llama.cpp's final "stop": true), or the sample failed (an error event or object, malformed
// JSON). This is the per-event path: a decode and a clock read, no allocation once warm.
#pragma once

#include <string>
#include <string_view>

#include "sut/http/call.h"
#include "sut/http/chunk_decoder.h"
#include "sut/http/sse_parser.h"

namespace infermark::sut::http {

struct ReadOptions {
  bool collect_text = false;  // --allow-text: keep text (re-tokenized at the end)
  bool ends_at_stop = false;  // llama.cpp native: the event with "stop": true ends the answer
};

struct EventEffect {
  enum Kind { kContinue, kAnswered, kSampleError };
  Kind kind = kContinue;
  bool first_token = false;  // this event brought the attempt's first token(s)
  std::string reason;        // kSampleError
};

// One JSON object of the answer, `json` having `capacity` readable bytes (simdjson padding).
EventEffect read_answer_json(ChunkDecoder& decoder, std::string_view json, size_t capacity,
                             Call& call, const ReadOptions& options);

// One SSE event: "[DONE]", an error event, or a JSON chunk.
EventEffect read_sse_event(ChunkDecoder& decoder, const SseParser::Event& event, Call& call,
                           const ReadOptions& options);

}  // namespace infermark::sut::http

#include "sut/http/answer_reader.h"

#include "loadgen/clock.h"
#include "sut/http/simple_get.h"

namespace infermark::sut::http {

EventEffect read_answer_json(ChunkDecoder& decoder, std::string_view json, size_t capacity,
                             Call& call, const ReadOptions& options) {
  Chunk chunk;
  const ChunkStatus status =
      decoder.decode(json, capacity, call.ids, options.collect_text ? &call.text : nullptr, chunk);
  if (status == ChunkStatus::kMalformed) {
    return {EventEffect::kSampleError, false, "malformed answer: " + chunk.error};
  }
  if (status == ChunkStatus::kServerError) {
    return {EventEffect::kSampleError, false, "the server reported an error: " + chunk.error};
  }
  EventEffect effect;
  if (chunk.has_text) call.saw_text = true;
  if (chunk.usage_tokens >= 0) call.usage_tokens = chunk.usage_tokens;
  if (chunk.new_ids > 0 || (options.collect_text && chunk.has_text)) {
    const int64_t now = loadgen::now_ns();
    call.last_token_ns = now;
    if (call.first_token_ns < 0) {
      call.first_token_ns = now;
      effect.first_token = true;
    }
  }
  if (options.ends_at_stop && chunk.finished) effect.kind = EventEffect::kAnswered;
  return effect;
}

EventEffect read_sse_event(ChunkDecoder& decoder, const SseParser::Event& event, Call& call,
                           const ReadOptions& options) {
  if (event.name == "error") {
    return {EventEffect::kSampleError, false,
            "error event in the stream: " + body_snippet(event.data)};
  }
  if (event.data == "[DONE]") return {EventEffect::kAnswered, false, ""};
  return read_answer_json(decoder, event.data, event.data.size() + SseParser::kPadding, call,
                          options);
}

}  // namespace infermark::sut::http

// The HTTP client's reading of a streamed answer: a `text/event-stream` body cut at arbitrary
// points (as TCP delivers it), fed piece by piece to the SSE parser, every event then read as
// the client reads it (read_sse_event: [DONE], error events, OpenAI / llama.cpp JSON chunks).
//
// Input: byte 0 seeds the piece sizes, byte 1 picks the read options, the rest is the body.
// Oracle: the events of the cut body are exactly those of the body fed whole (names, data, and
// whether an event was left unfinished), and the ids the reader keeps are token ids.
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "fuzz_target.h"
#include "sut/http/answer_reader.h"
#include "sut/http/sse_parser.h"

namespace {

using infermark::sut::http::SseParser;
using Events = std::vector<std::pair<std::string, std::string>>;

struct Fed {
  Events events;
  SseParser::Status status = SseParser::Status::kOk;
  bool in_event = false;
};

template <typename Pieces>
Fed feed_all(std::string_view body, Pieces&& next_piece) {
  SseParser parser;
  Fed out;
  size_t pos = 0;
  while (pos < body.size() && out.status == SseParser::Status::kOk) {
    const size_t n = std::min(next_piece(), body.size() - pos);
    out.status = parser.feed(body.substr(pos, n), [&](const SseParser::Event& e) {
      out.events.emplace_back(e.name, e.data);
      // The padding promised to simdjson is readable (ASan reports it otherwise).
      volatile char past_end = e.data.data()[e.data.size() + SseParser::kPadding - 1];
      (void)past_end;
      return true;
    });
    pos += n;
  }
  out.in_event = parser.in_event();
  return out;
}

}  // namespace

IM_FUZZ_TARGET(sse_stream) {
  using namespace infermark::sut::http;
  if (size < 2) return;
  uint32_t state = data[0] * 2654435761u + 1;
  const ReadOptions options{.collect_text = (data[1] & 1) != 0, .ends_at_stop = (data[1] & 2) != 0};
  const std::string_view body = infermark::fuzz::as_text(data + 2, size - 2);

  const Fed whole = feed_all(body, [&] { return body.size(); });
  const Fed cut = feed_all(body, [&] {
    state = state * 1103515245u + 12345u;
    return static_cast<size_t>(1 + (state >> 16) % (data[0] % 16 + 1));
  });
  if (whole.status == SseParser::Status::kOk && cut.status == SseParser::Status::kOk &&
      (whole.events != cut.events || whole.in_event != cut.in_event)) {
    std::abort();  // the split points changed what the stream says
  }

  ChunkDecoder decoder;
  Call call;
  call.start_attempt();
  for (const auto& [name, data_text] : cut.events) {
    std::string padded = data_text;
    padded.reserve(padded.size() + SseParser::kPadding);
    const EventEffect effect = read_sse_event(
        decoder, SseParser::Event{name, padded}, call, options);
    if (effect.kind != EventEffect::kContinue) break;
  }
  for (int32_t id : call.ids) {
    if (id < 0) std::abort();
  }
}

// The SSE parser: the same events however the bytes are split, every line ending, comments,
// named and error events, size limits.
#include "sut/http/sse_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace infermark::sut::http {
namespace {

struct Seen {
  std::string name, data;
  bool operator==(const Seen&) const = default;
};

std::vector<Seen> parse_pieces(const std::vector<std::string>& pieces, SseParser& p) {
  std::vector<Seen> out;
  for (const auto& piece : pieces) {
    const auto status = p.feed(piece, [&](const SseParser::Event& e) {
      out.push_back({std::string(e.name), std::string(e.data)});
      return true;
    });
    EXPECT_EQ(status, SseParser::Status::kOk);
  }
  return out;
}

std::vector<Seen> parse_whole(const std::string& s) {
  SseParser p;
  return parse_pieces({s}, p);
}

const std::string kStream =
    ": ping\r\n"
    "data: {\"a\":1}\r\n\r\n"
    "data:{\"b\":2}\n\n"
    "event: message\ndata: line1\ndata: line2\n\n"
    "data: x\r\rdata: y\r\n\r\n"
    "id: 7\nretry: 10\ndata: [DONE]\n\n";

const std::vector<Seen> kExpected = {
    {"", "{\"a\":1}"}, {"", "{\"b\":2}"}, {"message", "line1\nline2"},
    {"", "x"},         {"", "y"},         {"", "[DONE]"}};

TEST(SseParser, ParsesEveryLineEndingAndField) { EXPECT_EQ(parse_whole(kStream), kExpected); }

TEST(SseParser, SameEventsWhereverTheStreamIsSplitInTwo) {
  for (size_t cut = 0; cut <= kStream.size(); ++cut) {
    SseParser p;
    EXPECT_EQ(parse_pieces({kStream.substr(0, cut), kStream.substr(cut)}, p), kExpected)
        << "cut at " << cut;
  }
}

TEST(SseParser, SameEventsOneByteAtATime) {
  std::vector<std::string> bytes;
  for (char c : kStream) bytes.emplace_back(1, c);
  SseParser p;
  EXPECT_EQ(parse_pieces(bytes, p), kExpected);
  EXPECT_EQ(p.comments(), 1u);
  EXPECT_FALSE(p.in_event());
}

TEST(SseParser, DataIsPaddedForSimdjson) {
  SseParser p;
  p.feed("data: {\"k\": [1, 2, 3]}\n\n", [&](const SseParser::Event& e) {
    // The bytes after the data must be readable: the data lives in the parser's own buffer.
    EXPECT_GE(reinterpret_cast<uintptr_t>(e.data.data()), 1u);
    volatile char last = e.data.data()[e.data.size() + SseParser::kPadding - 1];
    (void)last;
    return true;
  });
}

TEST(SseParser, ErrorFieldIsAnErrorEvent) {
  // llama.cpp's server reports a failure inside a stream as `error: {...}`.
  const auto seen = parse_whole("data: {\"tokens\":[1]}\n\nerror: {\"message\":\"boom\"}\n\n");
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1].name, "error");
  EXPECT_EQ(seen[1].data, "{\"message\":\"boom\"}");
}

TEST(SseParser, EventsWithoutDataAreDropped) {
  EXPECT_TRUE(parse_whole("event: ping\n\n:comment\n\n\n\n").empty());
}

TEST(SseParser, UnfinishedEventIsHeld) {
  SseParser p;
  EXPECT_TRUE(parse_pieces({"data: {\"a\":"}, p).empty());
  EXPECT_TRUE(p.in_event());
  p.reset();
  EXPECT_FALSE(p.in_event());
}

TEST(SseParser, StopsWhenTheCallbackSaysSo) {
  SseParser p;
  int n = 0;
  const auto status = p.feed("data: 1\n\ndata: 2\n\n", [&](const SseParser::Event&) {
    ++n;
    return false;
  });
  EXPECT_EQ(status, SseParser::Status::kStopped);
  EXPECT_EQ(n, 1);
}

TEST(SseParser, RefusesAnEventLargerThanTheLimit) {
  SseParser p;
  const std::string big(SseParser::kMaxEventBytes + 10, 'x');
  EXPECT_EQ(p.feed("data: " + big, [](const SseParser::Event&) { return true; }),
            SseParser::Status::kTooLarge);
}

}  // namespace
}  // namespace infermark::sut::http

// The per-event JSON decoder against the chunk shapes of each server family.
#include "sut/http/chunk_decoder.h"

#include <gtest/gtest.h>

namespace infermark::sut::http {
namespace {

struct Decoded {
  ChunkStatus status;
  Chunk chunk;
  std::vector<int32_t> ids;
  std::string text;
};

Decoded decode(const std::string& json, bool collect_text = true) {
  static ChunkDecoder decoder;
  Decoded d;
  d.ids = {7};  // ids already there are kept
  d.status = decoder.decode_copy(json, d.ids, collect_text ? &d.text : nullptr, d.chunk);
  return d;
}

TEST(ChunkDecoder, VllmChunkWithTokenIds) {
  const auto d = decode(
      R"({"id":"cmpl-1","object":"text_completion","created":1,"model":"m","choices":[{"index":0,)"
      R"("text":" the","logprobs":null,"finish_reason":null,"stop_reason":null,"token_ids":[279],)"
      R"("prompt_token_ids":null}],"usage":null})");
  ASSERT_EQ(d.status, ChunkStatus::kOk) << d.chunk.error;
  EXPECT_EQ(d.ids, (std::vector<int32_t>{7, 279}));
  EXPECT_EQ(d.chunk.new_ids, 1);
  EXPECT_TRUE(d.chunk.has_text);
  EXPECT_EQ(d.text, " the");
  EXPECT_FALSE(d.chunk.finished);
  EXPECT_EQ(d.chunk.usage_tokens, -1);
}

TEST(ChunkDecoder, BundledTokensFinishReasonAndUsage) {
  const auto d = decode(
      R"({"choices":[{"index":0,"text":"abc","token_ids":[1,2,3],"finish_reason":"length"}],)"
      R"("usage":{"prompt_tokens":9,"completion_tokens":128,"total_tokens":137}})");
  ASSERT_EQ(d.status, ChunkStatus::kOk);
  EXPECT_EQ(d.ids, (std::vector<int32_t>{7, 1, 2, 3}));
  EXPECT_TRUE(d.chunk.finished);
  EXPECT_EQ(d.chunk.usage_tokens, 128);
}

TEST(ChunkDecoder, UsageOnlyChunk) {
  const auto d = decode(R"({"choices":[],"usage":{"completion_tokens":5}})");
  ASSERT_EQ(d.status, ChunkStatus::kOk);
  EXPECT_EQ(d.chunk.new_ids, 0);
  EXPECT_EQ(d.chunk.usage_tokens, 5);
}

TEST(ChunkDecoder, LlamaCppNativeChunks) {
  auto d = decode(R"({"index":0,"content":"Hi","tokens":[13347],"stop":false,"id_slot":0})");
  ASSERT_EQ(d.status, ChunkStatus::kOk);
  EXPECT_EQ(d.ids, (std::vector<int32_t>{7, 13347}));
  EXPECT_FALSE(d.chunk.finished);
  d = decode(R"({"content":"","tokens":[],"stop":true,"tokens_predicted":42,"timings":{"a":1}})");
  ASSERT_EQ(d.status, ChunkStatus::kOk);
  EXPECT_TRUE(d.chunk.finished);
  EXPECT_EQ(d.chunk.usage_tokens, 42);
}

TEST(ChunkDecoder, ChatDeltaText) {
  const auto d = decode(R"({"choices":[{"index":0,"delta":{"role":"assistant","content":"Yo"}}]})");
  ASSERT_EQ(d.status, ChunkStatus::kOk);
  EXPECT_EQ(d.text, "Yo");
  EXPECT_EQ(d.chunk.new_ids, 0);
}

TEST(ChunkDecoder, TextIsNotCollectedUnlessAsked) {
  const auto d = decode(R"({"choices":[{"text":"abc","token_ids":[1]}]})", false);
  EXPECT_TRUE(d.chunk.has_text);
  EXPECT_TRUE(d.text.empty());
}

TEST(ChunkDecoder, ErrorObjectsInEveryShape) {
  auto d =
      decode(R"({"error":{"message":"out of memory","type":"InternalServerError","code":500}})");
  EXPECT_EQ(d.status, ChunkStatus::kServerError);
  EXPECT_EQ(d.chunk.error, "out of memory (InternalServerError)");
  d = decode(R"({"error":"busy"})");
  EXPECT_EQ(d.status, ChunkStatus::kServerError);
  EXPECT_EQ(d.chunk.error, "busy");
  d = decode(R"({"object":"error","message":"bad prompt","type":"BadRequestError","code":400})");
  EXPECT_EQ(d.status, ChunkStatus::kServerError);
  EXPECT_EQ(d.chunk.error, "bad prompt");
  d = decode(R"({"error":null,"choices":[]})");
  EXPECT_EQ(d.status, ChunkStatus::kOk);
}

TEST(ChunkDecoder, MalformedChunksLeaveIdsUntouched) {
  for (const std::string bad :
       {R"({"choices":[{"token_ids":[1,2,"x"]}]})", R"({"choices":[{"token_ids":[-1]}]})",
        R"({"choices":[{"token_ids":[4294967296]}]})", R"({"choices":{"token_ids":[1]}})",
        R"({"choices":[{"token_ids":[1,2]})", "[1,2]", "not json", "",
        R"({"usage":{"completion_tokens":-3}})", R"({"tokens":"12"})"}) {
    const auto d = decode(bad);
    EXPECT_EQ(d.status, ChunkStatus::kMalformed) << bad;
    EXPECT_EQ(d.ids, (std::vector<int32_t>{7})) << bad;
    EXPECT_FALSE(d.chunk.error.empty()) << bad;
  }
}

TEST(ChunkDecoder, UnknownFieldsAndNullsAreSkipped) {
  const auto d = decode(
      R"({"x":{"y":[1,{"z":null}]},"choices":[{"token_ids":null,"text":null,"w":[true]}],"usage":null})");
  ASSERT_EQ(d.status, ChunkStatus::kOk) << d.chunk.error;
  EXPECT_EQ(d.chunk.new_ids, 0);
  EXPECT_FALSE(d.chunk.has_text);
}

}  // namespace
}  // namespace infermark::sut::http

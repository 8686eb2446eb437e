// The hand-written JSON of the responses: every event and body parses, has the documented
// shape, and escapes text (quotes, control characters, invalid UTF-8) correctly.
#include "server/openai_format.h"

#include <gtest/gtest.h>

#include "http_test_client.h"
#include "server/json_text.h"

namespace infermark::server {
namespace {

using testing::sse_data;
using util::Json;

Json event_json(const std::string& event) {
  EXPECT_EQ(event.substr(0, 6), "data: ");
  EXPECT_EQ(event.substr(event.size() - 2), "\n\n");
  return Json::parse(event.substr(6, event.size() - 8));
}

TEST(OpenAiFormat, CompletionChunksCarryTextIdsAndTheFinish) {
  const ResponseFormat f(Route::kCompletions, "cmpl-1", 1700000000, "my \"model\"", true);
  const std::vector<TokenId> ids = {10, 11}, prompt = {1, 2, 3};
  Chunk first;
  first.text = "He said \"hi\"\n\x01";
  first.ids_end = 1;
  first.first = true;
  std::string out;
  f.append_chunk_event(out, first, std::span(ids).first(1), prompt);
  Json j = event_json(out);
  EXPECT_EQ(j["id"], "cmpl-1");
  EXPECT_EQ(j["object"], "text_completion");
  EXPECT_EQ(j["created"], 1700000000);
  EXPECT_EQ(j["model"], "my \"model\"");
  const Json& c = j["choices"][0];
  EXPECT_EQ(c["index"], 0);
  EXPECT_EQ(c["text"], first.text);
  EXPECT_TRUE(c["finish_reason"].is_null());
  EXPECT_EQ(c["prompt_token_ids"], Json({1, 2, 3}));
  EXPECT_EQ(c["token_ids"], Json({10}));
  EXPECT_FALSE(c.contains("stop_reason"));

  Chunk last;
  last.choice = 2;
  last.end = ChoiceEnd{"stop", std::string("END")};
  out.clear();
  f.append_chunk_event(out, last, std::span(ids).subspan(1), prompt);
  j = event_json(out);
  EXPECT_EQ(j["choices"][0]["index"], 2);
  EXPECT_EQ(j["choices"][0]["finish_reason"], "stop");
  EXPECT_EQ(j["choices"][0]["stop_reason"], "END");
  EXPECT_EQ(j["choices"][0]["token_ids"], Json({11}));
  EXPECT_FALSE(j["choices"][0].contains("prompt_token_ids"));
}

TEST(OpenAiFormat, WithoutReturnTokenIdsThereAreNoIds) {
  const ResponseFormat f(Route::kCompletions, "c", 1, "m", false);
  Chunk c;
  c.first = true;
  std::string out;
  f.append_chunk_event(out, c, {}, {});
  EXPECT_FALSE(event_json(out)["choices"][0].contains("token_ids"));
}

TEST(OpenAiFormat, ChatChunksHaveADeltaWithTheRoleFirst) {
  const ResponseFormat f(Route::kChat, "chatcmpl-1", 1, "m", false);
  Chunk first;
  first.first = true;
  first.text = "Hi";
  Chunk empty_last;
  empty_last.end = ChoiceEnd{"length", {}};
  std::string out;
  f.append_chunk_event(out, first, {}, {});
  f.append_chunk_event(out, empty_last, {}, {});
  f.append_usage_event(out, {5, 2});
  ResponseFormat::append_done_event(out);
  const std::vector<std::string> data = sse_data(out);
  ASSERT_EQ(data.size(), 4u);
  const Json a = Json::parse(data[0]), b = Json::parse(data[1]), u = Json::parse(data[2]);
  EXPECT_EQ(a["object"], "chat.completion.chunk");
  EXPECT_EQ(a["choices"][0]["delta"], Json({{"role", "assistant"}, {"content", "Hi"}}));
  EXPECT_EQ(b["choices"][0]["delta"], Json::object());
  EXPECT_EQ(b["choices"][0]["finish_reason"], "length");
  EXPECT_TRUE(b["choices"][0]["stop_reason"].is_null());
  EXPECT_EQ(u["choices"], Json::array());
  EXPECT_EQ(u["usage"],
            Json({{"prompt_tokens", 5}, {"completion_tokens", 2}, {"total_tokens", 7}}));
  EXPECT_EQ(data[3], "[DONE]");
}

TEST(OpenAiFormat, WholeResponses) {
  const std::vector<TokenId> ids = {7, 8}, prompt = {1};
  const ChoiceEnd end{"stop", TokenId{8}};
  const ChoiceOutput choice{"ab", ids, prompt, &end};
  const Json c = Json::parse(ResponseFormat(Route::kCompletions, "c", 1, "m", true)
                                 .response_body(std::span(&choice, 1), {1, 2}));
  EXPECT_EQ(c["object"], "text_completion");
  EXPECT_EQ(c["choices"][0]["text"], "ab");
  EXPECT_EQ(c["choices"][0]["stop_reason"], 8);
  EXPECT_EQ(c["choices"][0]["token_ids"], Json({7, 8}));
  EXPECT_EQ(c["choices"][0]["prompt_token_ids"], Json({1}));
  EXPECT_EQ(c["usage"]["total_tokens"], 3);
  const Json chat = Json::parse(ResponseFormat(Route::kChat, "c", 1, "m", false)
                                    .response_body(std::span(&choice, 1), {1, 2}));
  EXPECT_EQ(chat["object"], "chat.completion");
  EXPECT_EQ(chat["choices"][0]["message"], Json({{"role", "assistant"}, {"content", "ab"}}));
}

TEST(JsonText, EscapesAndRepairs) {
  std::string out;
  append_json_string(out, std::string("a\"b\\c\n\t\x1f\x7f") + "\xff" + "é");
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\t\\u001f\x7f\xef\xbf\xbd\xc3\xa9\"");
  EXPECT_EQ(Json::parse(out), "a\"b\\c\n\t\x1f\x7f\xef\xbf\xbd\xc3\xa9");
  out.clear();
  append_int_list(out, std::vector<int32_t>{-1, 0, 2147483647});
  EXPECT_EQ(out, "[-1,0,2147483647]");
}

}  // namespace
}  // namespace infermark::server

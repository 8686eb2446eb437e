// Request validation of the generation routes: defaults, the resolved stop ids, and every kind
// of bad input the issue lists — each rejected with an ApiError whose status, code and param name
// the field, and whose message quotes the value.
#include "server/generation_request.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/api_error.h"

namespace infermark::server {
namespace {

using ::testing::HasSubstr;

class GenerationRequestTest : public ::testing::Test {
 protected:
  GenerationRequestTest() {
    info_.kind = "null";
    info_.vocab_size = 1000;
    info_.max_context = 64;
    info_.max_seqs = 4;
    info_.eos_ids = {998, 999};
    ctx_.backend = &info_;
    ctx_.served_model_name = "m";
  }
  GenerationRequest parse(std::string_view body, Route route = Route::kCompletions) {
    return parse_generation_request(route, body, ctx_);
  }
  // The ApiError for `body`; fails the test if there is none.
  ApiError error(std::string_view body, Route route = Route::kCompletions) {
    try {
      parse(body, route);
    } catch (const ApiError& e) {
      return e;
    }
    ADD_FAILURE() << "accepted: " << body;
    return ApiError(0, "", "");
  }
  BackendInfo info_;
  RequestContext ctx_;
};

TEST_F(GenerationRequestTest, DefaultsAndTheResolvedStopIds) {
  const GenerationRequest r = parse(R"({"prompt": [1, 2, 3]})");
  ASSERT_EQ(r.prompts.size(), 1u);
  EXPECT_EQ(r.prompts[0], (std::vector<TokenId>{1, 2, 3}));
  EXPECT_EQ(r.params.max_new_tokens, 16);
  EXPECT_EQ(r.params.min_new_tokens, 0);
  EXPECT_EQ(r.params.temperature, 1.0f);
  EXPECT_EQ(r.params.top_k, 0);
  EXPECT_TRUE(r.params.ignore_eos);  // the list below is complete
  EXPECT_EQ(r.params.stop_ids, (std::vector<TokenId>{998, 999}));
  EXPECT_FALSE(r.stream);
  EXPECT_FALSE(r.return_token_ids);
}

TEST_F(GenerationRequestTest, TheInfermarkDialect) {
  const GenerationRequest r = parse(
      R"({"model": "m", "prompt": [5, 6], "max_tokens": 10, "min_tokens": 1, "temperature": 0,
          "top_p": 1, "top_k": 1, "seed": -1, "stream": true,
          "stream_options": {"include_usage": true}, "return_token_ids": true,
          "stop_token_ids": [7], "ignore_eos": true, "unknown_field": {"x": 1}})");
  EXPECT_EQ(r.params.max_new_tokens, 10);
  EXPECT_EQ(r.params.min_new_tokens, 1);
  EXPECT_EQ(r.params.temperature, 0.0f);
  EXPECT_EQ(r.params.top_k, 1);
  EXPECT_EQ(r.params.seed, ~uint64_t{0});
  EXPECT_EQ(r.params.stop_ids, (std::vector<TokenId>{7}));
  EXPECT_EQ(r.stop_token_ids, (std::vector<TokenId>{7}));
  EXPECT_TRUE(r.stream && r.include_usage && r.return_token_ids);
}

TEST_F(GenerationRequestTest, SeveralPromptsAreSeveralChoicesInOrder) {
  const GenerationRequest r = parse(R"({"prompt": [[1], [2, 3]], "stop": "x"})");
  ASSERT_EQ(r.prompts.size(), 2u);
  EXPECT_EQ(r.prompts[1], (std::vector<TokenId>{2, 3}));
  EXPECT_EQ(r.stop, (std::vector<std::string>{"x"}));
}

TEST_F(GenerationRequestTest, ChatDefaultsToTheRestOfTheContext) {
  // No tokenizer here: chat is refused, naming messages.
  const ApiError e = error(R"({"messages": [{"role": "user", "content": "hi"}]})", Route::kChat);
  EXPECT_EQ(e.status(), 400);
  EXPECT_EQ(e.param(), "messages");
  EXPECT_THAT(e.what(), HasSubstr("tokenizer"));
}

struct BadCase {
  const char* body;
  int status;
  const char* code;
  const char* param;
  const char* message_part;
};

TEST_F(GenerationRequestTest, EveryMalformedRequestNamesTheFieldAndValue) {
  const BadCase cases[] = {
      {"", 400, "invalid_json", "", "empty"},
      {"   \r\n", 400, "invalid_json", "", "empty"},
      {"{\"prompt\": [1,", 400, "invalid_json", "", "not valid JSON"},
      {"{\"prompt\": \"caf\xe9\"}", 400, "invalid_json", "", "not valid UTF-8 (byte 15)"},
      {"[1, 2]", 400, "invalid_json", "", "must be a JSON object"},
      {"{}", 400, "missing_required_parameter", "prompt", "'prompt' is required"},
      {R"({"prompt": null})", 400, "missing_required_parameter", "prompt", "required"},
      {R"({"prompt": 17})", 400, "invalid_type", "prompt", "prompt = 17"},
      {R"({"prompt": []})", 400, "invalid_type", "prompt", "prompt = []"},
      {R"({"prompt": [1, "a"]})", 400, "invalid_value", "prompt", "prompt[1] = \"a\""},
      {R"({"prompt": [1, 1000]})", 400, "invalid_value", "prompt", "prompt[1] = 1000: outside"},
      {R"({"prompt": [-1]})", 400, "invalid_value", "prompt", "prompt[0] = -1"},
      {R"({"prompt": [1.5]})", 400, "invalid_value", "prompt", "prompt[0] = 1.5"},
      {R"({"prompt": [[1], []]})", 400, "invalid_value", "prompt", "prompt[1] is empty"},
      {R"({"prompt": [[1], {"a": 1}]})", 400, "invalid_type", "prompt", "prompt[1]"},
      {R"({"prompt": [99999999999999999999]})", 400, "invalid_value", "prompt", "prompt[0]"},
      {R"({"prompt": [1], "max_tokens": 0})", 400, "invalid_value", "max_tokens", "max_tokens = 0"},
      {R"({"prompt": [1], "max_tokens": -5})", 400, "invalid_value", "max_tokens",
       "max_tokens = -5"},
      {R"({"prompt": [1], "max_tokens": 64})", 400, "invalid_value", "max_tokens",
       "at most 63 tokens"},
      {R"({"prompt": [1], "max_tokens": 1e300})", 400, "invalid_value", "max_tokens",
       "max_tokens = 1e+300"},
      {R"({"prompt": [1], "max_tokens": 18446744073709551615})", 400, "invalid_value", "max_tokens",
       "18446744073709551615"},
      {R"({"prompt": [1], "max_tokens": "16"})", 400, "invalid_type", "max_tokens",
       "must be an integer, got string"},
      {R"({"prompt": [1], "temperature": "hot"})", 400, "invalid_type", "temperature", "hot"},
      {R"({"prompt": [1], "temperature": -0.5})", 400, "invalid_value", "temperature", "-0.5"},
      {R"({"prompt": [1], "top_p": 0})", 400, "invalid_value", "top_p", "top_p = 0"},
      {R"({"prompt": [1], "top_p": 1.5})", 400, "invalid_value", "top_p", "1.5"},
      {R"({"prompt": [1], "top_k": -2})", 400, "invalid_value", "top_k", "top_k = -2"},
      {R"({"prompt": [1], "min_tokens": 20})", 400, "invalid_value", "min_tokens", "20"},
      {R"({"prompt": [1], "seed": "x"})", 400, "invalid_type", "seed", "\"x\""},
      {R"({"prompt": [1], "stream": "yes"})", 400, "invalid_type", "stream", "\"yes\""},
      {R"({"prompt": [1], "stream_options": {"include_usage": true}})", 400, "invalid_value",
       "stream_options", "only allowed"},
      {R"({"prompt": [1], "stream": true, "stream_options": 3})", 400, "invalid_type",
       "stream_options", "stream_options = 3"},
      {R"({"prompt": [1], "stop": 5})", 400, "invalid_type", "stop", "stop = 5"},
      {R"({"prompt": [1], "stop": [""]})", 400, "invalid_value", "stop", "1 to 256 bytes"},
      {R"({"prompt": [1], "stop_token_ids": [5000]})", 400, "invalid_value", "stop_token_ids",
       "stop_token_ids[0] = 5000"},
      {R"({"prompt": [1], "n": 2})", 400, "unsupported_parameter", "n", "n = 2"},
      {R"({"prompt": [1], "n": 0})", 400, "invalid_value", "n", "n = 0"},
      {R"({"prompt": [1], "best_of": 3})", 400, "unsupported_parameter", "best_of", "3"},
      {R"({"prompt": [1], "logprobs": 5})", 400, "unsupported_parameter", "logprobs", "5"},
      {R"({"prompt": [1], "echo": true})", 400, "unsupported_parameter", "echo", "true"},
      {R"({"prompt": [1], "presence_penalty": 0.5})", 400, "unsupported_parameter",
       "presence_penalty", "0.5"},
      {R"({"prompt": [1], "model": "other"})", 404, "model_not_found", "model", "'other'"},
      {R"({"prompt": [1], "model": 5})", 400, "invalid_type", "model", "model must be a string"},
      {R"({"prompt": "text"})", 400, "invalid_value", "prompt", "no tokenizer"},
  };
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.body);
    const ApiError e = error(c.body);
    EXPECT_EQ(e.status(), c.status);
    EXPECT_EQ(e.code(), c.code);
    EXPECT_EQ(e.param(), c.param);
    EXPECT_THAT(e.what(), HasSubstr(c.message_part));
    const util::Json body = util::Json::parse(e.body());
    EXPECT_EQ(body["error"]["message"], e.what());
    EXPECT_EQ(body["error"]["code"], c.code);
    EXPECT_TRUE(body["error"].contains("type") && body["error"].contains("param"));
  }
}

TEST_F(GenerationRequestTest, PromptsLongerThanTheContextAreRejected) {
  std::string ids = "1";
  for (int i = 1; i < 65; ++i) ids += ",1";
  const ApiError e = error(R"({"prompt": [)" + ids + "]}");
  EXPECT_EQ(e.code(), "context_length_exceeded");
  EXPECT_EQ(e.param(), "prompt");
  EXPECT_THAT(e.what(), HasSubstr("65 tokens"));
  // A prompt that fills the context leaves no room either.
  const ApiError full = error(R"({"prompt": [)" + ids.substr(2) + "]}");
  EXPECT_EQ(full.code(), "context_length_exceeded");
}

TEST_F(GenerationRequestTest, ChatMessagesAreCheckedBeforeTheTokenizer) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({})", "'messages' is required"},
      {R"({"messages": []})", "non-empty list"},
      {R"({"messages": ["hi"]})", "messages[0] must be an object"},
      {R"({"messages": [{"content": "hi"}]})", "'messages[0].role' is required"},
      {R"({"messages": [{"role": "robot", "content": "hi"}]})", "messages[0].role = 'robot'"},
      {R"({"messages": [{"role": "user", "content": 5}]})", "messages[0].content = 5"},
      {R"({"messages": [{"role": "user", "content": [{"type": "image_url"}]}]})",
       "only text parts"},
  };
  for (const auto& [body, part] : cases) {
    SCOPED_TRACE(body);
    const ApiError e = error(body, Route::kChat);
    EXPECT_EQ(e.status(), 400);
    EXPECT_THAT(e.what(), HasSubstr(part));
  }
}

}  // namespace
}  // namespace infermark::server

// The Llama-3.1 chat template: the exact ids for a single "Hi" message (from
// tokenizer-model-rouge.md §1.7, checked there against @huggingface/jinja and transformers.js),
// system messages, Jinja-style trimming, tool messages, and the generation prompt switch.
#include "text/chat_template.h"

#include <gtest/gtest.h>

#include <vector>

#include "llama3_tokenizer.h"

namespace infermark::text {
namespace {

using testing::llama3;
using Ids = std::vector<int32_t>;

const std::string kSystemHeader =
    "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
    "Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n";

TEST(ChatTemplate, HiHasTheReferenceIds) {
  const std::vector<ChatMessage> messages = {{"user", "Hi"}};
  EXPECT_EQ(encode_chat(llama3(), messages, true),
            (Ids{128000, 128006, 9125,  128007, 271,    38766,  1303,  33025,  2696,
                 25,     6790,   220,   2366,   18,     198,    15724, 2696,   25,
                 220,    1627,   10263, 220,    2366,   19,     271,   128009, 128006,
                 882,    128007, 271,   13347,  128009, 128006, 78191, 128007, 271}));
}

TEST(ChatTemplate, RendersSystemAndTrimsContent) {
  const std::vector<ChatMessage> messages = {{"system", "  You are a helpful assistant.\n"},
                                             {"user", "\n Summarize this article:\n\nText. \t"},
                                             {"assistant", "A summary."}};
  EXPECT_EQ(render_chat(messages, false),
            kSystemHeader +
                "You are a helpful assistant.<|eot_id|>"
                "<|start_header_id|>user<|end_header_id|>\n\n"
                "Summarize this article:\n\nText.<|eot_id|>"
                "<|start_header_id|>assistant<|end_header_id|>\n\nA summary.<|eot_id|>");
}

TEST(ChatTemplate, GenerationPromptAndEmptyList) {
  EXPECT_EQ(render_chat({}, false), kSystemHeader + "<|eot_id|>");
  EXPECT_EQ(render_chat({}, true),
            kSystemHeader + "<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n");
}

TEST(ChatTemplate, OnlyALeadingSystemMessageIsTheSystemPrompt) {
  const std::vector<ChatMessage> messages = {{"user", "a"}, {"system", " b "}};
  EXPECT_EQ(render_chat(messages, false),
            kSystemHeader +
                "<|eot_id|><|start_header_id|>user<|end_header_id|>\n\na<|eot_id|>"
                "<|start_header_id|>system<|end_header_id|>\n\nb<|eot_id|>");
}

TEST(ChatTemplate, ToolMessagesAreJsonStrings) {
  const std::vector<ChatMessage> messages = {{"tool", " {\"x\": \"é\"}\n"}};
  EXPECT_EQ(render_chat(messages, false),
            kSystemHeader +
                "<|eot_id|><|start_header_id|>ipython<|end_header_id|>\n\n"
                "\" {\\\"x\\\": \\\"é\\\"}\\n\"<|eot_id|>");
}

TEST(ChatTemplate, OptionsChangeDateAndBos) {
  ChatOptions options;
  options.date_string = "01 Jan 2025";
  options.bos_token = "";
  const std::string out = render_chat({}, false, options);
  EXPECT_EQ(out.rfind("<|start_header_id|>", 0), 0u);
  EXPECT_NE(out.find("Today Date: 01 Jan 2025\n\n"), std::string::npos);
}

TEST(ChatTemplate, PythonStripUsesPythonWhiteSpace) {
  EXPECT_EQ(python_strip("  a b \t\n"), "a b");
  EXPECT_EQ(python_strip("\x1C\x1F"
                         "a"
                         "\xC2\x85\xE3\x80\x80"),
            "a");  // \x1c-\x1f, NEL, U+3000
  EXPECT_EQ(python_strip("\xEF\xBB\xBF"
                         "a"),
            "\xEF\xBB\xBF"
            "a");  // BOM is not a space
  EXPECT_EQ(python_strip("\xE2\x80\x8B"
                         "a"),
            "\xE2\x80\x8B"
            "a");  // nor is ZWSP
  EXPECT_EQ(python_strip(" \t "), "");
  EXPECT_EQ(python_strip(""), "");
}

}  // namespace
}  // namespace infermark::text

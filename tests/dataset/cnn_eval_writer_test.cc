// The cnn_eval.json writer against hand-written expected text: string escapes as Python's json
// module makes them with ensure_ascii=False, the indent=4 layout of both instruction forms, and
// the empty array. cnn_eval_writer_peer_test checks random content against Python itself.
#include "dataset/cnn_eval_writer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace infermark::dataset {
namespace {

std::string json_string(std::string_view s) {
  std::string out;
  append_python_json_string(out, s);
  return out;
}

TEST(CnnEvalWriterTest, EscapesLikePythonWithEnsureAsciiFalse) {
  EXPECT_EQ(json_string(""), R"("")");
  EXPECT_EQ(json_string("plain text"), R"("plain text")");
  EXPECT_EQ(json_string("say \"hi\" \\ /"), R"("say \"hi\" \\ /")");
  EXPECT_EQ(json_string("a\nb\rc\td\be\ff"), R"("a\nb\rc\td\be\ff")");
  EXPECT_EQ(json_string(std::string("\x00\x01\x1f", 3)), R"("\u0000\u0001\u001f")");
  EXPECT_EQ(json_string("\x7f"), "\"\x7f\"");  // DEL is not escaped
  // Non-ASCII stays UTF-8: é, U+2028, U+FEFF, an astral emoji.
  EXPECT_EQ(json_string("caf\xc3\xa9 \xe2\x80\xa8 \xef\xbb\xbf \xf0\x9f\xa6\x99"),
            "\"caf\xc3\xa9 \xe2\x80\xa8 \xef\xbb\xbf \xf0\x9f\xa6\x99\"");
}

TEST(CnnEvalWriterTest, WritesBothInstructionFormsInMlperfLayout) {
  const Sample eval{"T {input}", InstructionForm::kLlamaObject, "A\nB", {128000, 51, 7}, "S"};
  Sample calibration = eval;
  calibration.instruction_form = InstructionForm::kString;
  calibration.tok_input = {128000};
  const std::vector<Sample> samples = {eval, calibration};
  EXPECT_EQ(cnn_eval_json(samples),
            "[\n"
            "    {\n"
            "        \"instruction\": {\n"
            "            \"llama\": \"T {input}\"\n"
            "        },\n"
            "        \"input\": \"A\\nB\",\n"
            "        \"tok_input\": [\n"
            "            128000,\n"
            "            51,\n"
            "            7\n"
            "        ],\n"
            "        \"output\": \"S\"\n"
            "    },\n"
            "    {\n"
            "        \"instruction\": \"T {input}\",\n"
            "        \"input\": \"A\\nB\",\n"
            "        \"tok_input\": [\n"
            "            128000\n"
            "        ],\n"
            "        \"output\": \"S\"\n"
            "    }\n"
            "]");
}

TEST(CnnEvalWriterTest, EmptyPartsAreWrittenAsPythonDoes) {
  EXPECT_EQ(cnn_eval_json({}), "[]");
  Sample bare;  // no instruction, no tokens
  bare.input = "x";
  const std::vector<Sample> samples = {bare};
  EXPECT_EQ(cnn_eval_json(samples),
            "[\n    {\n        \"input\": \"x\",\n        \"tok_input\": [],\n        \"output\": "
            "\"\"\n    }\n]");
}

}  // namespace
}  // namespace infermark::dataset

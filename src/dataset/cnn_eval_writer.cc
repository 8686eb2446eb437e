#include "dataset/cnn_eval_writer.h"

#include <fmt/format.h>

#include <charconv>
#include <iterator>

namespace infermark::dataset {
namespace {

constexpr std::string_view kIndent1 = "    ";
constexpr std::string_view kIndent2 = "        ";
constexpr std::string_view kIndent3 = "            ";

void append_key(std::string& out, std::string_view indent, std::string_view key) {
  out += indent;
  append_python_json_string(out, key);
  out += ": ";
}

}  // namespace

void append_python_json_string(std::string& out, std::string_view text) {
  out += '"';
  size_t plain_from = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text, plain_from, i - plain_from);
    plain_from = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        fmt::format_to(std::back_inserter(out), "\\u{:04x}", c);
    }
  }
  out.append(text, plain_from, text.size() - plain_from);
  out += '"';
}

void append_cnn_eval_sample(std::string& out, const Sample& sample) {
  out += kIndent1;
  out += "{\n";
  if (sample.instruction) {
    append_key(out, kIndent2, "instruction");
    if (sample.instruction_form == InstructionForm::kLlamaObject) {
      out += "{\n";
      append_key(out, kIndent3, "llama");
      append_python_json_string(out, *sample.instruction);
      out += '\n';
      out += kIndent2;
      out += "},\n";
    } else {
      append_python_json_string(out, *sample.instruction);
      out += ",\n";
    }
  }
  append_key(out, kIndent2, "input");
  append_python_json_string(out, sample.input);
  out += ",\n";
  append_key(out, kIndent2, "tok_input");
  if (sample.tok_input.empty()) {
    out += "[]";
  } else {
    out += "[\n";
    for (size_t i = 0; i < sample.tok_input.size(); ++i) {
      if (i > 0) out += ",\n";
      char digits[16];
      const auto end = std::to_chars(digits, digits + sizeof digits, sample.tok_input[i]).ptr;
      out += kIndent3;
      out.append(digits, end);
    }
    out += '\n';
    out += kIndent2;
    out += ']';
  }
  out += ",\n";
  append_key(out, kIndent2, "output");
  append_python_json_string(out, sample.output);
  out += '\n';
  out += kIndent1;
  out += '}';
}

void write_cnn_eval_json(std::span<const Sample> samples,
                         const std::function<void(std::string_view)>& sink, size_t piece_bytes) {
  if (samples.empty()) {
    sink("[]");
    return;
  }
  std::string piece(kJsonArrayOpen);
  for (size_t i = 0; i < samples.size(); ++i) {
    if (i > 0) piece += kJsonArraySeparator;
    append_cnn_eval_sample(piece, samples[i]);
    if (piece.size() >= piece_bytes) {
      sink(piece);
      piece.clear();
    }
  }
  piece += kJsonArrayClose;
  sink(piece);
}

std::string cnn_eval_json(std::span<const Sample> samples) {
  std::string out;
  write_cnn_eval_json(samples, [&](std::string_view piece) { out += piece; });
  return out;
}

}  // namespace infermark::dataset

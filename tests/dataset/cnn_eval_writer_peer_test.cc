// Peer test: cnn_eval_json() writes the bytes Python's json.dump(indent=4, ensure_ascii=False)
// and simplejson.dump(...) write for the same samples (Debian python3, python3-simplejson; via
// tests/dataset/peers/json_dump.py). The samples hold random text over every ASCII byte, Latin-1,
// the BMP (U+2028/2029, U+FEFF, private use, U+FFFF) and astral code points, both instruction
// forms, empty strings and large token ids. Fails (never skips) when python3 or simplejson is
// missing.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "accuracy/python_peer.h"
#include "dataset/cnn_eval_writer.h"
#include "text/utf8.h"
#include "util/json.h"

namespace infermark::dataset {
namespace {

namespace peer = accuracy::testing;

uint32_t random_code_point(std::mt19937& rng) {
  static const uint32_t kPicks[] = {0x2028, 0x2029, 0xFEFF, 0xFFFD, 0xFFFF, 0xE000, 0x85,    0xA0,
                                    0x7F,   0x22,   0x5C,   0x2F,   0x0,    0x1F,   0x10FFFF};
  switch (rng() % 6) {
    case 0:
      return rng() % 0x80;  // every ASCII byte, controls included
    case 1:
      return 0x80 + rng() % 0x780;  // two-byte UTF-8
    case 2: {
      uint32_t cp = 0x800 + rng() % (0x10000 - 0x800);
      return cp >= 0xD800 && cp <= 0xDFFF ? cp - 0x800 : cp;  // three-byte, no surrogates
    }
    case 3:
      return 0x10000 + rng() % 0x100000;  // astral
    case 4:
      return kPicks[rng() % std::size(kPicks)];
    default:
      return 'a' + rng() % 26;
  }
}

std::string random_text(std::mt19937& rng, size_t max_len) {
  std::string s;
  const size_t n = rng() % (max_len + 1);
  for (size_t i = 0; i < n; ++i) text::append_utf8(random_code_point(rng), s);
  return s;
}

std::vector<Sample> random_samples(size_t count) {
  std::mt19937 rng(20240601);
  std::vector<Sample> samples(count);
  for (size_t i = 0; i < count; ++i) {
    Sample& s = samples[i];
    if (i % 5 != 4) {
      s.instruction = random_text(rng, 40);
      s.instruction_form = i % 2 ? InstructionForm::kString : InstructionForm::kLlamaObject;
    }
    s.input = random_text(rng, 300);
    s.output = random_text(rng, 60);
    const size_t tokens = 1 + rng() % 30;
    for (size_t t = 0; t < tokens; ++t)
      s.tok_input.push_back(static_cast<int32_t>(rng() % 2147483647u));
  }
  return samples;
}

// The samples as neutral JSON (ASCII-escaped, compact) for Python to load.
std::string neutral_json(const std::vector<Sample>& samples) {
  nlohmann::ordered_json array = nlohmann::ordered_json::array();
  for (const Sample& s : samples) {
    nlohmann::ordered_json o;
    if (s.instruction) {
      if (s.instruction_form == InstructionForm::kLlamaObject) {
        o["instruction"] = {{"llama", *s.instruction}};
      } else {
        o["instruction"] = *s.instruction;
      }
    }
    o["input"] = s.input;
    o["tok_input"] = s.tok_input;
    o["output"] = s.output;
    array.push_back(std::move(o));
  }
  return array.dump(-1, ' ', /*ensure_ascii=*/true);
}

void expect_same_bytes(const std::string& ours, const std::string& python, const char* who) {
  if (ours == python) return;
  const auto diff = std::mismatch(ours.begin(), ours.end(), python.begin(), python.end());
  const size_t at = static_cast<size_t>(diff.first - ours.begin());
  ADD_FAILURE() << who << " differs at byte " << at << ": ours "
                << ours.substr(at >= 40 ? at - 40 : 0, 80) << "\n"
                << who << " " << python.substr(at >= 40 ? at - 40 : 0, 80);
}

TEST(CnnEvalWriterPeerTest, MatchesPythonJsonAndSimplejsonDump) {
  const std::vector<Sample> samples = random_samples(400);
  peer::TempDir tmp;
  peer::write_text(tmp.path() / "in.json", neutral_json(samples));
  peer::run_python(peer::source_dir() / "tests" / "dataset" / "peers" / "json_dump.py",
                   peer::quoted(tmp.path() / "in.json") + " " +
                       peer::quoted(tmp.path() / "json.out") + " " +
                       peer::quoted(tmp.path() / "simplejson.out"));
  const std::string ours = cnn_eval_json(samples);
  expect_same_bytes(ours, peer::read_text(tmp.path() / "json.out"), "json.dump");
  expect_same_bytes(ours, peer::read_text(tmp.path() / "simplejson.out"), "simplejson.dump");
}

TEST(CnnEvalWriterPeerTest, EmptyArrayMatchesPython) {
  peer::TempDir tmp;
  peer::write_text(tmp.path() / "in.json", "[]");
  peer::run_python(peer::source_dir() / "tests" / "dataset" / "peers" / "json_dump.py",
                   peer::quoted(tmp.path() / "in.json") + " " +
                       peer::quoted(tmp.path() / "json.out") + " " +
                       peer::quoted(tmp.path() / "simplejson.out"));
  EXPECT_EQ(cnn_eval_json({}), peer::read_text(tmp.path() / "json.out"));
  EXPECT_EQ(cnn_eval_json({}), peer::read_text(tmp.path() / "simplejson.out"));
}

}  // namespace
}  // namespace infermark::dataset

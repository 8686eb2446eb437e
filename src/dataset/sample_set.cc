#include "dataset/sample_set.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>

#include "dataset/prompt.h"
#include "util/error.h"
#include "util/json.h"
#include "util/sha256.h"

namespace infermark::dataset {
namespace {

using Json = util::Json;

// MLPerf's field order (download_cnndm.py builds each sample dict in this order).
constexpr std::string_view kMlperfFields[] = {"instruction", "input", "tok_input", "output"};
constexpr size_t kMlperfFieldCount = std::size(kMlperfFields);

// Streaming reader for the cnn_eval.json array (nlohmann SAX interface). Builds samples as the
// events arrive; on bad data it records the message and returns false, which stops the parse.
class SampleReader {
 public:
  SampleReader(std::vector<Sample>& out, int64_t vocab_size, bool strict)
      : out_(out), vocab_size_(vocab_size), strict_(strict) {}

  const std::string& error() const { return error_; }
  // Indices of samples that had no tok_input.
  const std::vector<size_t>& untokenized() const { return untokenized_; }

  bool null() { return scalar("null"); }
  bool boolean(bool) { return scalar("boolean"); }
  bool number_integer(int64_t v) {
    return level_ == kTokens && !skip_ ? token(v, false) : scalar("number");
  }
  bool number_unsigned(uint64_t v) {
    if (level_ != kTokens || skip_) return scalar("number");
    bool big = v > uint64_t{std::numeric_limits<int64_t>::max()};
    return token(big ? std::numeric_limits<int64_t>::max() : static_cast<int64_t>(v), big);
  }
  bool number_float(double, const std::string& text) { return scalar("number " + text); }
  bool string(std::string& s) {
    if (skip_) return true;
    if (level_ == kInstruction) {
      if (key_ == "llama") set_instruction(s, InstructionForm::kLlamaObject);
      return true;
    }
    if (level_ != kSample) return scalar("string");
    if (key_ == "input") return set_text(out_.back().input, has_input_, s);
    if (key_ == "output") return set_text(out_.back().output, has_output_, s);
    if (key_ == "instruction") set_instruction(s, InstructionForm::kString);
    if (key_ == "tok_input")
      return fail_field("tok_input", "must be a list of token ids", "string");
    return true;
  }
  bool binary(Json::binary_t&) { return scalar("binary"); }
  bool key(std::string& k) {
    if (skip_) return true;
    if (strict_ && level_ == kSample && !check_field_order(k)) return false;
    if (strict_ && level_ == kInstruction && k != "llama") {
      return fail(fmt::format(
          "sample {}: field 'instruction' must be {{\"llama\": template}} (got key '{}')",
          out_.size() - 1, k));
    }
    if (strict_ && level_ == kInstruction && ++llama_keys_ > 1) {
      return fail(
          fmt::format("sample {}: field 'instruction' has the key 'llama' twice", out_.size() - 1));
    }
    key_ = std::move(k);
    return true;
  }
  bool start_object(size_t) { return open(true); }
  bool start_array(size_t) { return open(false); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }
  bool parse_error(size_t, const std::string&, const nlohmann::detail::exception& e) {
    error_ = "invalid JSON: " + std::string(e.what());
    if (level_ == kArray) error_ += fmt::format(" (at sample {})", out_.size());
    if (level_ == kSample || level_ == kTokens || level_ == kInstruction) {
      error_ += fmt::format(" (in sample {})", out_.size() - 1);
    }
    return false;
  }

 private:
  enum Level { kTop, kArray, kSample, kTokens, kInstruction, kDone };

  bool fail(std::string message) {
    error_ = std::move(message);
    return false;
  }
  bool fail_field(std::string_view field, std::string_view what, std::string_view got) {
    return fail(
        fmt::format("sample {}: field '{}' {} (got {})", out_.size() - 1, field, what, got));
  }

  void set_instruction(std::string& s, InstructionForm form) {
    out_.back().instruction = std::move(s);
    out_.back().instruction_form = form;
  }

  bool check_field_order(const std::string& k) {
    const size_t i = out_.size() - 1;
    if (fields_seen_ >= kMlperfFieldCount) {
      return fail(fmt::format("sample {}: unexpected field '{}' after 'output'", i, k));
    }
    if (k != kMlperfFields[fields_seen_]) {
      return fail(fmt::format(
          "sample {}: field '{}' where MLPerf's layout has '{}' (instruction, input, tok_input, "
          "output, in that order)",
          i, k, kMlperfFields[fields_seen_]));
    }
    ++fields_seen_;
    return true;
  }

  bool set_text(std::string& dst, bool& seen, std::string& s) {
    dst = std::move(s);
    seen = true;
    return true;
  }

  bool token(int64_t v, bool too_big) {
    const auto& tokens = out_.back().tok_input;
    if (too_big || v < 0 || v > std::numeric_limits<int32_t>::max() ||
        (vocab_size_ > 0 && v >= vocab_size_)) {
      return fail(fmt::format("sample {}: tok_input[{}] = {} is not a valid token id{}",
                              out_.size() - 1, tokens.size(), v,
                              vocab_size_ > 0 ? fmt::format(" (vocab size {})", vocab_size_) : ""));
    }
    out_.back().tok_input.push_back(static_cast<int32_t>(v));
    return true;
  }

  // A scalar anywhere but a tok_input element.
  bool scalar(const std::string& got) {
    if (skip_) return true;
    switch (level_) {
      case kTop:
      case kDone:
        return fail(fmt::format("expected a JSON array of samples (got {})", got));
      case kArray:
        return fail(fmt::format("sample {}: expected an object (got {})", out_.size(), got));
      case kTokens:
        return fail(fmt::format("sample {}: tok_input[{}] must be an integer token id (got {})",
                                out_.size() - 1, out_.back().tok_input.size(), got));
      case kSample:
        if (key_ == "input" || key_ == "output") return fail_field(key_, "must be a string", got);
        if (key_ == "tok_input" && (strict_ || got != "null")) {
          return fail_field(key_, "must be a list of token ids", got);
        }
        if (key_ == "instruction" && (strict_ || got != "null")) {
          return fail_field(key_, "must be a string or an object", got);
        }
        return true;
      case kInstruction:
        return strict_ ? fail_field("instruction.llama", "must be a string", got) : true;
    }
    return true;
  }

  bool open(bool object) {
    const char* got = object ? "object" : "array";
    if (skip_) return ++skip_, true;
    switch (level_) {
      case kTop:
        if (object) return fail("expected a JSON array of samples (got object)");
        level_ = kArray;
        return true;
      case kArray:
        if (!object)
          return fail(fmt::format("sample {}: expected an object (got array)", out_.size()));
        out_.emplace_back();
        has_input_ = has_output_ = has_tokens_ = false;
        fields_seen_ = 0;
        key_.clear();
        level_ = kSample;
        return true;
      case kSample:
        if (key_ == "tok_input" && !object) {
          has_tokens_ = true;
          out_.back().tok_input.clear();
          level_ = kTokens;
          return true;
        }
        if (key_ == "instruction" && object) {
          llama_keys_ = 0;
          return level_ = kInstruction, true;
        }
        if (key_ == "input" || key_ == "output") return fail_field(key_, "must be a string", got);
        if (key_ == "tok_input") return fail_field(key_, "must be a list of token ids", got);
        if (key_ == "instruction") return fail_field(key_, "must be a string or an object", got);
        return skip_ = 1, true;
      case kTokens:
        return scalar(got);
      case kInstruction:
        if (strict_) return fail_field("instruction.llama", "must be a string", got);
        return skip_ = 1, true;
      case kDone:
        return fail("unexpected data after the sample array");
    }
    return true;
  }

  bool close() {
    if (skip_) return --skip_, true;
    switch (level_) {
      case kInstruction:
        if (strict_ && llama_keys_ == 0) {
          return fail_field("instruction", "must be {\"llama\": template}", "an object without it");
        }
        level_ = kSample;
        return true;
      case kTokens:
        level_ = kSample;
        return true;
      case kSample:
        level_ = kArray;
        return finish_sample();
      case kArray:
        level_ = kDone;
        return true;
      default:
        return true;
    }
  }

  bool finish_sample() {
    const size_t i = out_.size() - 1;
    if (strict_ && fields_seen_ < kMlperfFieldCount) {
      return fail(fmt::format("sample {}: missing field '{}'", i, kMlperfFields[fields_seen_]));
    }
    if (!has_input_) return fail(fmt::format("sample {}: missing field 'input'", i));
    if (!has_output_) return fail(fmt::format("sample {}: missing field 'output'", i));
    if (!has_tokens_) {
      untokenized_.push_back(i);
    } else if (out_.back().tok_input.empty()) {
      return fail(fmt::format("sample {}: field 'tok_input' is empty", i));
    }
    return true;
  }

  std::vector<Sample>& out_;
  const int64_t vocab_size_;
  const bool strict_;
  Level level_ = kTop;
  int skip_ = 0;  // depth inside a value being ignored
  std::string key_;
  bool has_input_ = false, has_output_ = false, has_tokens_ = false;
  size_t fields_seen_ = 0;  // strict: MLPerf fields seen so far in this sample
  int llama_keys_ = 0;      // strict: keys seen in this sample's instruction object
  std::vector<size_t> untokenized_;
  std::string error_;
};

void tokenize_missing(std::vector<Sample>& samples, const std::vector<size_t>& indices,
                      const LoadOptions& options, std::string_view origin) {
  for (size_t i : indices) {
    Sample& s = samples[i];
    if (!options.tokenize) {
      throw Error::format(
          "{}: sample {}: no field 'tok_input', and no tokenizer was given to build "
          "it",
          origin, i);
    }
    std::string where = fmt::format("{}: sample {}", origin, i);
    std::string prompt =
        format_prompt(s.instruction.value_or(std::string(kMlperfPromptTemplate)), s.input, where);
    try {
      s.tok_input = options.tokenize(prompt);
    } catch (const Error& e) {
      throw Error::format("{}: cannot tokenise the prompt: {}", where, e.what());
    }
    if (s.tok_input.empty()) throw Error::format("{}: the tokenizer returned no tokens", where);
  }
}

// One read into an exactly sized buffer: the official file is ~100-300 MB, so no stream copies.
std::string read_whole_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (!in || ec)
    throw Error::format("{}: cannot open file: {}", path.string(), std::strerror(errno));
  std::string text(size, '\0');
  if (!in.read(text.data(), static_cast<std::streamsize>(size))) {
    throw Error::format("{}: read failed", path.string());
  }
  return text;
}

}  // namespace

SampleSet SampleSet::parse(std::string_view json, std::string_view origin,
                           const LoadOptions& options) {
  SampleSet set;
  set.origin_ = origin;
  set.sha256_ = util::sha256_hex(json);
  SampleReader reader(set.samples_, options.vocab_size, options.strict_layout);
  bool ok = Json::sax_parse(json.begin(), json.end(), &reader);
  if (!ok || !reader.error().empty()) {
    throw Error::format("{}: {}", origin, reader.error().empty() ? "invalid JSON" : reader.error());
  }
  if (set.samples_.empty()) throw Error::format("{}: the sample array is empty", origin);
  tokenize_missing(set.samples_, reader.untokenized(), options, origin);
  set.tokenized_count_ = reader.untokenized().size();
  return set;
}

SampleSet SampleSet::load(const std::filesystem::path& path, const LoadOptions& options) {
  return parse(read_whole_file(path), path.string(), options);
}

Variant SampleSet::variant() const {
  if (samples_.size() == kDatacenterSampleCount) return Variant::kDatacenter;
  if (samples_.size() == kEdgeSampleCount) return Variant::kEdge;
  return Variant::kOther;
}

std::string_view SampleSet::variant_name() const {
  switch (variant()) {
    case Variant::kDatacenter:
      return "datacenter (13368 samples)";
    case Variant::kEdge:
      return "edge (5000 samples)";
    case Variant::kOther:
      break;
  }
  return "custom";
}

size_t SampleSet::max_input_tokens() const {
  size_t n = 0;
  for (const Sample& s : samples_) n = std::max(n, s.tok_input.size());
  return n;
}

uint64_t SampleSet::total_input_tokens() const {
  uint64_t n = 0;
  for (const Sample& s : samples_) n += s.tok_input.size();
  return n;
}

}  // namespace infermark::dataset

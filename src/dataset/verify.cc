#include "dataset/verify.h"

#include <algorithm>
#include <string_view>
#include <unordered_map>

#include "dataset/cnn_eval_writer.h"
#include "dataset/prompt.h"
#include "dataset/sample_set.h"
#include "text/tokenizer.h"
#include "util/atomic_file.h"
#include "util/error.h"
#include "util/sha256.h"

namespace infermark::dataset {
namespace {

// The set a file's sample count says it is, and the instruction form that set is written with.
struct Kind {
  std::string name;
  bool known = false;
  std::optional<InstructionForm> form;
};

Kind kind_of(size_t count) {
  if (count == kDatacenterSampleCount) {
    return {"full evaluation set (datacenter)", true, InstructionForm::kLlamaObject};
  }
  if (count == kEdgeSampleCount) return {"edge set", true, InstructionForm::kLlamaObject};
  if (count == 1000) return {"calibration set", true, InstructionForm::kString};
  return {"custom set", false, std::nullopt};
}

// Failures of one check: how many, and the first few described.
class Findings {
 public:
  void add(std::string what) {
    if (++count_ <= kShown) shown_.push_back(std::move(what));
  }
  bool empty() const { return count_ == 0; }
  VerifyCheck check(std::string name, std::string ok_detail) const {
    if (count_ == 0) return {std::move(name), true, std::move(ok_detail)};
    std::string detail = fmt::format("{} sample{}", count_, count_ == 1 ? "" : "s");
    for (const std::string& s : shown_) detail += "; " + s;
    if (count_ > kShown) detail += "; ...";
    return {std::move(name), false, std::move(detail)};
  }

 private:
  static constexpr size_t kShown = 3;
  size_t count_ = 0;
  std::vector<std::string> shown_;
};

std::string_view form_text(InstructionForm form) {
  return form == InstructionForm::kString ? "the template string" : "{\"llama\": template}";
}

VerifyCheck check_count(size_t count, const Kind& kind, bool any_count) {
  if (kind.known) return {"count", true, fmt::format("{} samples: the {}", count, kind.name)};
  return {"count", any_count,
          fmt::format("{} samples{}", count,
                      any_count ? " (any count accepted)"
                                : ": MLPerf's sets have 13368 (full), 5000 (edge) or 1000 "
                                  "(calibration)")};
}

VerifyCheck check_fields(const std::vector<Sample>& samples, const Kind& kind) {
  const InstructionForm form = kind.form.value_or(samples.front().instruction_form);
  Findings bad;
  for (size_t i = 0; i < samples.size(); ++i) {
    const Sample& s = samples[i];
    if (s.instruction_form != form) {
      bad.add(fmt::format("sample {}: field 'instruction' is {}, the {} has {}", i,
                          form_text(s.instruction_form), kind.name, form_text(form)));
    }
    if (s.input.empty()) bad.add(fmt::format("sample {}: field 'input' is empty", i));
    if (s.output.empty()) bad.add(fmt::format("sample {}: field 'output' is empty", i));
  }
  return bad.check("fields", fmt::format("instruction ({}), input, tok_input, output in every "
                                         "sample",
                                         form_text(form)));
}

VerifyCheck check_template(const std::vector<Sample>& samples) {
  Findings bad;
  for (size_t i = 0; i < samples.size(); ++i) {
    if (samples[i].instruction != kMlperfPromptTemplate) {
      bad.add(fmt::format("sample {}: field 'instruction' is not the MLPerf template", i));
    }
  }
  return bad.check("template", "the MLPerf prompt template in every sample");
}

// Where two id sequences first differ.
std::string token_difference(const std::vector<int32_t>& file, const std::vector<int32_t>& ours) {
  const auto [f, o] = std::mismatch(file.begin(), file.end(), ours.begin(), ours.end());
  const size_t at = static_cast<size_t>(f - file.begin());
  const std::string file_id = f == file.end() ? "end" : std::to_string(*f);
  const std::string our_id = o == ours.end() ? "end" : std::to_string(*o);
  return fmt::format("tok_input[{}] is {}, the tokenizer gives {} ({} vs {} tokens)", at, file_id,
                     our_id, file.size(), ours.size());
}

VerifyCheck check_tokens(const std::vector<Sample>& samples, const text::Tokenizer& tokenizer,
                         std::string_view origin) {
  Findings bad;
  std::vector<int32_t> ids;
  for (size_t i = 0; i < samples.size(); ++i) {
    const Sample& s = samples[i];
    std::string prompt;
    try {
      prompt = format_prompt(*s.instruction, s.input, fmt::format("{}: sample {}", origin, i));
    } catch (const Error& e) {
      bad.add(fmt::format("sample {}: field 'instruction': {}", i, e.what()));
      continue;
    }
    ids.clear();
    tokenizer.encode_into(prompt, /*add_bos=*/true, ids);
    if (ids != s.tok_input)
      bad.add(fmt::format("sample {}: {}", i, token_difference(s.tok_input, ids)));
  }
  return bad.check("tok_input",
                   fmt::format("equal to encode(template.format(input)) with BOS in all {} "
                               "samples",
                               samples.size()));
}

PromptLengths prompt_lengths(const std::vector<Sample>& samples) {
  std::vector<size_t> sizes;
  sizes.reserve(samples.size());
  PromptLengths l;
  double total = 0;
  for (size_t i = 0; i < samples.size(); ++i) {
    const size_t n = samples[i].tok_input.size();
    sizes.push_back(n);
    total += static_cast<double>(n);
    if (n > l.max) l.max = n, l.max_sample = i;
  }
  std::sort(sizes.begin(), sizes.end());
  l.min = sizes.front();
  const size_t rank = (sizes.size() * 99 + 99) / 100;  // ceil(0.99 n)
  l.p99 = sizes[rank - 1];
  l.mean = total / static_cast<double>(sizes.size());
  return l;
}

VerifyCheck check_length(const std::vector<Sample>& samples, const PromptLengths& l) {
  Findings over;
  for (size_t i = 0; i < samples.size(); ++i) {
    if (samples[i].tok_input.size() > kMaxPromptTokens) {
      over.add(fmt::format("sample {}: {} tokens", i, samples[i].tok_input.size()));
    }
  }
  VerifyCheck c = over.check("length", fmt::format("longest prompt {} tokens (sample {}) <= {}",
                                                   l.max, l.max_sample, kMaxPromptTokens));
  if (!c.ok) c.detail += fmt::format(" (above the {}-token bound)", kMaxPromptTokens);
  return c;
}

// Compares the file with the canonical serialization, sample by sample.
VerifyCheck check_layout(std::string_view bytes, const std::vector<Sample>& samples) {
  std::string expected(kJsonArrayOpen);
  size_t offset = 0;
  auto differs = [&](std::string_view what) -> std::optional<VerifyCheck> {
    const std::string_view actual = bytes.substr(offset, expected.size());
    if (actual == expected) {
      offset += expected.size();
      expected.clear();
      return std::nullopt;
    }
    const auto [a, e] = std::mismatch(actual.begin(), actual.end(), expected.begin());
    const size_t at = offset + static_cast<size_t>(a - actual.begin());
    const size_t line =
        1 + static_cast<size_t>(std::count(bytes.begin(), bytes.begin() + at, '\n'));
    return VerifyCheck{"layout", false,
                       fmt::format("{}: the bytes differ from json.dump(indent=4, "
                                   "ensure_ascii=False) at line {} (byte {})",
                                   what, line, at)};
  };
  for (size_t i = 0; i < samples.size(); ++i) {
    if (i > 0) expected += kJsonArraySeparator;
    append_cnn_eval_sample(expected, samples[i]);
    if (auto d = differs(fmt::format("sample {}", i))) return *d;
  }
  expected = kJsonArrayClose;
  if (auto d = differs("the end of the array")) return *d;
  if (offset != bytes.size()) {
    return {"layout", false,
            fmt::format("{} bytes after the array (json.dump writes no trailing newline)",
                        bytes.size() - offset)};
  }
  return {"layout", true, "byte-identical to json.dump(indent=4, ensure_ascii=False)"};
}

std::vector<std::string> duplicate_warnings(const std::vector<Sample>& samples) {
  std::unordered_map<std::string_view, size_t> first;
  first.reserve(samples.size());
  size_t count = 0;
  std::string shown;
  for (size_t i = 0; i < samples.size(); ++i) {
    auto [it, fresh] = first.emplace(samples[i].input, i);
    if (fresh) continue;
    if (++count <= 3) shown += fmt::format("; sample {} repeats sample {}", i, it->second);
  }
  if (count == 0) return {};
  return {fmt::format("{} duplicate article{}{}{}", count, count == 1 ? "" : "s", shown,
                      count > 3 ? "; ..." : "")};
}

VerifyCheck check_sha256(const std::string& actual, const std::string& expected) {
  if (actual == expected) return {"sha256", true, "matches the expected digest"};
  return {"sha256", false, fmt::format("expected {}", expected)};
}

}  // namespace

bool VerifyReport::ok() const {
  return std::all_of(checks.begin(), checks.end(), [](const VerifyCheck& c) { return c.ok; });
}

VerifyReport verify_cnn_eval(const std::filesystem::path& path, const text::Tokenizer& tokenizer,
                             const VerifyOptions& options) {
  VerifyReport r;
  r.path = path.string();
  const std::string bytes = util::read_file(path);
  r.bytes = bytes.size();
  r.sha256 = util::sha256_hex(bytes);

  LoadOptions lo;
  lo.vocab_size = tokenizer.vocab_size();
  lo.strict_layout = true;
  std::optional<SampleSet> set;
  try {
    set = SampleSet::parse(bytes, r.path, lo);
  } catch (const Error& e) {
    std::string_view what = e.what();
    if (what.starts_with(r.path + ": ")) what.remove_prefix(r.path.size() + 2);
    r.checks.push_back({"fields", false, std::string(what)});
  }
  if (set) {
    const std::vector<Sample>& samples = set->samples();
    const Kind kind = kind_of(samples.size());
    r.samples = samples.size();
    r.kind = kind.name;
    r.lengths = prompt_lengths(samples);
    r.checks.push_back(check_count(samples.size(), kind, options.any_count));
    r.checks.push_back(check_fields(samples, kind));
    r.checks.push_back(check_template(samples));
    r.checks.push_back(check_tokens(samples, tokenizer, r.path));
    r.checks.push_back(check_length(samples, *r.lengths));
    r.checks.push_back(check_layout(bytes, samples));
    r.warnings = duplicate_warnings(samples);
  }
  if (options.expected_sha256) r.checks.push_back(check_sha256(r.sha256, *options.expected_sha256));
  return r;
}

}  // namespace infermark::dataset

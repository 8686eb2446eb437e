#include "report/run_inputs.h"

#include <fmt/format.h>

#include <algorithm>
#include <system_error>

#include "accuracy/evaluation.h"
#include "report/text_scan.h"
#include "util/atomic_file.h"
#include "util/error.h"
#include "util/json.h"

namespace infermark::report {
namespace {

constexpr size_t kMaxMetadataValue = 400;

// The values the submission checker reads (mlperf-llama31-8b.md §3.3: `'rouge1':\s+'?([\d.]+)'?`
// and the like), plus gen_num, in the order they are shown.
constexpr std::string_view kScoreNames[] = {"rouge1",    "rouge2",  "rougeL",
                                            "rougeLsum", "gen_len", "gen_num"};

void check_against_targets(AccuracyScores& s) {
  accuracy::AccuracyResults r;
  for (const auto& [name, v] : s.values) {
    if (name == "rouge1") r.rouge1 = v;
    if (name == "rouge2") r.rouge2 = v;
    if (name == "rougeL") r.rougeL = v;
    if (name == "rougeLsum") r.rougeLsum = v;
    if (name == "gen_len") r.gen_len = static_cast<int64_t>(v);
    if (name == "gen_num") r.gen_num = static_cast<int64_t>(v);
  }
  const auto target =
      r.gen_num == accuracy::accuracy_reference(accuracy::AccuracyTarget::kEdge).sample_count
          ? accuracy::AccuracyTarget::kEdge
          : accuracy::AccuracyTarget::kDatacenter;
  const accuracy::AccuracyReference& ref = accuracy::accuracy_reference(target);
  s.target_name = std::string(ref.name);
  for (const auto& [name, v] : s.values) {
    const double rouge = name == "rouge1"   ? ref.rouge1
                         : name == "rouge2" ? ref.rouge2
                         : name == "rougeL" ? ref.rougeL
                                            : ref.rougeLsum;
    if (name == "gen_len") {
      s.requirements.push_back(fmt::format("{} ± 10%", ref.gen_len));
    } else if (name == "gen_num") {
      s.requirements.push_back(fmt::format("= {}", ref.sample_count));
    } else {
      s.requirements.push_back(fmt::format("≥ {:.4f} (99% of {})", rouge * 0.99, rouge));
    }
  }
  s.failures = accuracy::check_targets(r, target).failures;
}

}  // namespace

AccuracyScores parse_accuracy_txt(const std::string& text, const std::filesystem::path& origin) {
  AccuracyScores s;
  s.path = origin;
  for (const std::string_view name : kScoreNames) {
    const auto value = dict_value_after(text, fmt::format("'{}':", name));
    if (!value) continue;
    const auto number = parse_number(*value);
    if (!number) {
      throw Error::format("{}: '{}' is followed by '{}', not a number", origin.string(), name,
                          value->substr(0, 40));
    }
    s.values.emplace_back(name, *number);
  }
  if (s.values.empty() || s.values.front().first != "rouge1") {
    throw Error::format("{}: no ROUGE results (expected a line like {{'rouge1': '38.7792', ...}})",
                        origin.string());
  }
  if (const auto hash = line_value(text, "hash=")) {
    s.hash =
        hash->substr(0, std::min(hash->find_first_not_of("0123456789abcdefABCDEF"), hash->size()));
  }
  const std::string_view marker = accuracy::kNotComparableNote.substr(0, 26);
  if (const size_t at = text.find(marker); at != std::string::npos) {
    s.not_comparable = text.substr(at, text.find('\n', at) - at);
  }
  check_against_targets(s);
  return s;
}

std::optional<AccuracyScores> find_accuracy(const std::filesystem::path& run_dir) {
  std::error_code ec;
  for (const auto& p : {run_dir / "accuracy.txt", run_dir / ".." / "accuracy" / "accuracy.txt",
                        run_dir / ".." / ".." / "accuracy" / "accuracy.txt"}) {
    if (std::filesystem::is_regular_file(p, ec)) {
      return parse_accuracy_txt(util::read_file(p), p.lexically_normal());
    }
  }
  return std::nullopt;
}

std::optional<RunMetadata> read_run_metadata(const std::filesystem::path& run_dir) {
  const auto path = run_dir / "run.json";
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return std::nullopt;
  nlohmann::ordered_json doc;  // keeps the file's key order
  try {
    doc = nlohmann::ordered_json::parse(util::read_file(path));
  } catch (const nlohmann::ordered_json::exception& e) {
    throw Error::format("{}: invalid JSON: {}", path.string(), e.what());
  }
  if (!doc.is_object()) throw Error::format("{}: expected a JSON object", path.string());
  RunMetadata out{path, {}};
  for (const auto& [key, value] : doc.items()) {
    std::string text = value.is_string() ? value.get<std::string>() : value.dump();
    if (text.size() > kMaxMetadataValue) {
      size_t cut = kMaxMetadataValue;
      while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
      text = text.substr(0, cut) + "…";
    }
    out.rows.emplace_back(key, std::move(text));
  }
  return out;
}

}  // namespace infermark::report

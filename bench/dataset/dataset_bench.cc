// The cost of `infermark dataset prepare` and `verify` on a split the size of CNN-DailyMail
// 3.0.0's validation set: 13,368 articles, ~50 MB. The articles are generated here (English-like
// news prose from a Zipf-weighted vocabulary, made-up names, numbers, quotes, a little non-ASCII;
// nothing downloaded), written as the RFC 4180 CSV people hold, then prepared stage by stage
// (read+parse, tokenize, write) and verified, each timed once on one thread. With --keep DIR the
// CSV and the output stay in DIR so the CLI can be timed on the same input.
//
//   dataset_bench [--tokenizer DIR] [--articles 13368] [--mean-bytes 3740] [--keep DIR]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "dataset/article_source.h"
#include "dataset/prepare.h"
#include "dataset/verify.h"
#include "text/tokenizer.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace infermark;

struct Args {
  std::string tokenizer = INFERMARK_LLAMA3_TOKENIZER_DIR;
  size_t articles = dataset::kDatacenterSampleCount;
  size_t mean_bytes = 3740;  // 13,368 x 3,740 B = 50 MB
  std::string keep;
};

Args parse_args(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i + 1 >= argc) throw Error::format("{} needs a value", arg);
    const std::string value = argv[++i];
    if (arg == "--tokenizer") {
      a.tokenizer = value;
    } else if (arg == "--articles") {
      a.articles = std::stoul(value);
    } else if (arg == "--mean-bytes") {
      a.mean_bytes = std::stoul(value);
    } else if (arg == "--keep") {
      a.keep = value;
    } else {
      throw Error::format("unknown argument {}", arg);
    }
  }
  if (a.articles == 0 || a.mean_bytes < 100) throw Error("--articles >= 1, --mean-bytes >= 100");
  return a;
}

// Words drawn with Zipf-like weights from common news vocabulary, plus made-up capitalised
// names and numbers, so the tokenizer sees both frequent words and rare pieces.
class NewsText {
 public:
  explicit NewsText(uint32_t seed)
      : rng_(seed),
        words_(split(kWords)),
        accented_(split(kAccented)),
        syllables_(split(kSyllables)) {}

  std::string sentence() {
    std::string s = capitalised(word());
    const size_t n = 8 + rng_() % 22;
    for (size_t i = 1; i < n; ++i) {
      s += ' ';
      const uint32_t r = rng_() % 100;
      if (r < 8) {
        s += name();
      } else if (r < 11) {
        s += number();
      } else if (r < 12) {
        s += accented_[rng_() % accented_.size()];
      } else {
        s += word();
      }
      if (rng_() % 14 == 0 && i + 1 < n) s += ',';
    }
    if (rng_() % 9 == 0) return fmt::format("\"{},\" {} said.", s, name());
    return s + '.';
  }

  std::string article(size_t target_bytes) {
    std::string a = upper(name()) + ", " + name() + " (CNN) -- ";
    while (a.size() < target_bytes) a += sentence() + (rng_() % 6 == 0 ? "\n\n" : " ");
    return a;
  }

  std::string highlights() {
    std::string h;
    for (size_t i = 0, n = 3 + rng_() % 2; i < n; ++i) h += (i ? " .\n" : "") + sentence();
    return h + " .";
  }

  size_t target_bytes(size_t mean) {
    std::gamma_distribution<double> size(4.0, static_cast<double>(mean) / 4.0);
    // Capped so that prompts stay under the 2,540-token bound, as CNN-DailyMail's do.
    return std::clamp<size_t>(static_cast<size_t>(size(rng_)), 200, 8000);
  }

 private:
  // Common news vocabulary, most frequent first.
  static constexpr std::string_view kWords =
      "the of to and a in said for that on is was with he it as at by his from have has be were "
      "are but they an after their who not been this had she which will police government people "
      "year officials told city country new president week would could state former children "
      "family school report court team season hospital minister election company million percent "
      "statement investigation authorities according during before including against between "
      "however thousands spokesman weather storm flooding economy market prices energy climate "
      "football championship manager players scientists researchers study university museum "
      "library council residents neighbourhood bridge airport passengers flight train engineers "
      "construction budget";
  static constexpr std::string_view kAccented =
      "café résumé naïve — ’s Zürich São €12 £3.5m fiancée";
  static constexpr std::string_view kSyllables =
      "ka lo mar ten vi shu ran bel dor ix que zan hel o ste wick ford ley ton berg";

  static std::vector<std::string> split(std::string_view words) {
    std::vector<std::string> out;
    for (size_t pos = 0; pos < words.size();) {
      const size_t end = std::min(words.find(' ', pos), words.size());
      out.emplace_back(words.substr(pos, end - pos));
      pos = end + 1;
    }
    return out;
  }

  std::string word() {
    // Zipf: index ~ floor(n^u) for u uniform in [0, 1) favours the first words.
    const double u = std::uniform_real_distribution<double>(0, 1)(rng_);
    return words_[static_cast<size_t>(std::pow(static_cast<double>(words_.size() + 1), u)) - 1];
  }
  std::string name() {
    std::string n;
    for (size_t i = 0, k = 2 + rng_() % 2; i < k; ++i) n += syllables_[rng_() % syllables_.size()];
    return capitalised(n);
  }
  std::string number() {
    switch (rng_() % 3) {
      case 0:
        return std::to_string(rng_() % 100);
      case 1:
        return std::to_string(1900 + rng_() % 130);
      default:
        return fmt::format("${},{}", 1 + rng_() % 900, 100 + rng_() % 900);
    }
  }
  static std::string capitalised(std::string s) {
    if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 32);
    return s;
  }
  static std::string upper(std::string s) {
    for (char& c : s) c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c;
    return s;
  }

  std::mt19937 rng_;
  std::vector<std::string> words_, accented_, syllables_;
};

std::string csv_field(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + '"';
}

std::string make_split_csv(const Args& a) {
  NewsText gen(2024);
  std::string csv = "id,article,highlights\n";
  for (size_t i = 0; i < a.articles; ++i) {
    csv += fmt::format("{:040x},", i * 2654435761u) +
           csv_field(gen.article(gen.target_bytes(a.mean_bytes))) + "," +
           csv_field(gen.highlights()) + "\n";
  }
  return csv;
}

double since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

int run(const Args& a) {
  const fs::path dir =
      a.keep.empty() ? fs::temp_directory_path() / "infermark_dataset_bench" : fs::path(a.keep);
  fs::create_directories(dir);
  const fs::path csv_path = dir / "validation.csv", out_path = dir / "cnn_eval.json";
  const std::string csv = make_split_csv(a);
  util::write_file_atomic(csv_path, csv);
  std::printf("input: %s, %zu articles, %.1f MB\n", csv_path.c_str(), a.articles,
              static_cast<double>(csv.size()) / 1e6);

  auto t = Clock::now();
  const text::Tokenizer tokenizer = text::Tokenizer::load(a.tokenizer);
  const double load_s = since(t);
  t = Clock::now();
  const dataset::ArticleSource source =
      dataset::read_articles(csv_path, dataset::SourceFormat::kAuto);
  const std::vector<size_t> all = dataset::select_articles(source, {});
  const double read_s = since(t);
  t = Clock::now();
  const auto samples =
      dataset::build_samples(source, all, dataset::InstructionForm::kLlamaObject, tokenizer);
  const double tokenize_s = since(t);
  size_t tokens = 0, text_bytes = 0;
  for (const auto& s : samples) tokens += s.tok_input.size(), text_bytes += s.input.size();
  t = Clock::now();
  const dataset::WrittenFile written = dataset::write_cnn_eval_file(out_path, samples);
  const double write_s = since(t);
  t = Clock::now();
  dataset::Selection edge;
  edge.kind = dataset::Selection::Kind::kShuffledSubset;
  edge.n_samples = std::min<size_t>(dataset::kEdgeSampleCount, a.articles);
  const double permute_s = (dataset::select_articles(source, edge), since(t));
  t = Clock::now();
  const dataset::VerifyReport report = dataset::verify_cnn_eval(out_path, tokenizer, {});
  const double verify_s = since(t);

  std::printf("load tokenizer     %7.2f s\n", load_s);
  std::printf("read + parse CSV   %7.2f s  %6.1f MB/s\n", read_s, csv.size() / 1e6 / read_s);
  std::printf(
      "tokenize prompts   %7.2f s  %6.1f MB/s of article text, %.2f M tokens/s "
      "(%zu tokens, mean %.0f per prompt)\n",
      tokenize_s, text_bytes / 1e6 / tokenize_s, tokens / 1e6 / tokenize_s, tokens,
      static_cast<double>(tokens) / static_cast<double>(samples.size()));
  std::printf("write cnn_eval     %7.2f s  %6.1f MB/s (%.1f MB incl. SHA-256 and fsync)\n", write_s,
              written.bytes / 1e6 / write_s, written.bytes / 1e6);
  std::printf("prepare total      %7.2f s  (without the tokenizer load)\n",
              read_s + tokenize_s + write_s);
  std::printf("edge permutation   %7.4f s\n", permute_s);
  std::printf("verify             %7.2f s  (%s; count check: %s)\n", verify_s,
              report.ok() ? "all checks ok" : "FAILED", report.checks.front().detail.c_str());
  for (const dataset::VerifyCheck& c : report.checks) {
    if (!c.ok) std::printf("  FAIL %s: %s\n", c.name.c_str(), c.detail.c_str());
  }
  if (a.keep.empty()) fs::remove_all(dir);
  return report.ok() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(parse_args(argc, argv));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "dataset_bench: %s\n", e.what());
    return 1;
  }
}

// `infermark dataset`: makes and checks MLPerf llama3.1-8b sample files (cnn_eval.json format)
// from CNN-DailyMail 3.0.0 as users hold it (mlperf-llama31-8b.md §1; docs/dataset.md).
//
//   infermark dataset prepare --from FILE --tokenizer DIR --out cnn_eval.json [--format F]
//                             [--n-samples 5000 [--seed 42] | --calibration --ids LIST]
//   infermark dataset verify FILE --tokenizer DIR [--any-count] [--sha256 HEX]
//
// prepare prints a short summary; verify prints a one-screen report and exits 1 if any check
// fails.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "command.h"
#include "dataset/article_source.h"
#include "dataset/prepare.h"
#include "dataset/sample_set.h"
#include "dataset/verify.h"
#include "text/tokenizer.h"
#include "util/error.h"

namespace infermark::cli {
namespace {

struct PrepareOptions {
  std::string from;
  std::string format = "auto";
  std::string tokenizer;
  std::string out;
  uint64_t n_samples = 0;
  uint64_t seed = dataset::kMlperfEdgeSeed;
  bool calibration = false;
  std::string ids;
};

struct VerifyOptions {
  std::string file;
  std::string tokenizer;
  bool any_count = false;
  std::string sha256;
};

std::string megabytes(uint64_t bytes) {
  return fmt::format("{:.1f} MB", static_cast<double>(bytes) / 1e6);
}

dataset::Selection selection_of(const PrepareOptions& o) {
  dataset::Selection s;
  if (o.calibration) {
    s.kind = dataset::Selection::Kind::kIdList;
    s.ids = dataset::read_id_list(o.ids);
    s.ids_origin = o.ids;
  } else if (o.n_samples > 0) {
    s.kind = dataset::Selection::Kind::kShuffledSubset;
    s.n_samples = o.n_samples;
    s.seed = o.seed;
  }
  return s;
}

// What MLPerf's scripts would have made from the same source, if it is not this.
void print_notes(const PrepareOptions& o, size_t source_articles, size_t samples) {
  if (!o.calibration && source_articles != dataset::kDatacenterSampleCount) {
    std::fprintf(stderr,
                 "infermark: note: the CNN-DailyMail 3.0.0 validation split has %zu articles, "
                 "this source %zu: the result is not MLPerf's %s set\n",
                 dataset::kDatacenterSampleCount, source_articles,
                 o.n_samples > 0 ? "edge" : "full");
  }
  if (o.calibration && samples != dataset::kCalibrationSampleCount) {
    std::fprintf(stderr, "infermark: note: MLPerf's calibration list has %zu ids, this one %zu\n",
                 dataset::kCalibrationSampleCount, samples);
  }
}

int run_prepare(const PrepareOptions& o) {
  const auto start = std::chrono::steady_clock::now();
  const dataset::Selection selection = selection_of(o);
  const dataset::ArticleSource source =
      dataset::read_articles(o.from, dataset::parse_source_format(o.format));
  const std::vector<size_t> indices = dataset::select_articles(source, selection);
  const text::Tokenizer tokenizer = text::Tokenizer::load(o.tokenizer);
  const std::vector<dataset::Sample> samples =
      dataset::build_samples(source, indices, dataset::instruction_form_for(selection), tokenizer);
  const dataset::WrittenFile written = dataset::write_cnn_eval_file(o.out, samples);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  size_t max_tokens = 0;
  uint64_t total_tokens = 0;
  for (const dataset::Sample& s : samples) {
    max_tokens = std::max(max_tokens, s.tok_input.size());
    total_tokens += s.tok_input.size();
  }
  std::printf("%s: %zu samples from %s (%s, %zu articles)\n", o.out.c_str(), samples.size(),
              o.from.c_str(), std::string(dataset::source_format_name(source.format)).c_str(),
              source.articles.size());
  std::printf("  prompt tokens  max %zu, total %llu\n", max_tokens,
              static_cast<unsigned long long>(total_tokens));
  std::printf("  %s, sha256 %s\n", megabytes(written.bytes).c_str(), written.sha256.c_str());
  std::printf("  %.2f s\n", seconds);
  print_notes(o, source.articles.size(), samples.size());
  return 0;
}

int run_verify(const VerifyOptions& o) {
  const text::Tokenizer tokenizer = text::Tokenizer::load(o.tokenizer);
  dataset::VerifyOptions vo;
  vo.any_count = o.any_count;
  if (!o.sha256.empty()) vo.expected_sha256 = o.sha256;
  const dataset::VerifyReport r = dataset::verify_cnn_eval(o.file, tokenizer, vo);

  std::printf("%s  %s", r.path.c_str(), megabytes(r.bytes).c_str());
  if (!r.kind.empty()) std::printf(", %zu samples: %s", r.samples, r.kind.c_str());
  std::printf("\nsha256         %s\n", r.sha256.c_str());
  if (r.lengths) {
    const dataset::PromptLengths& l = *r.lengths;
    std::printf("prompt tokens  min %zu  mean %.1f  p99 %zu  max %zu (sample %zu)  bound %zu\n",
                l.min, l.mean, l.p99, l.max, l.max_sample, dataset::kMaxPromptTokens);
  }
  size_t failed = 0;
  for (const dataset::VerifyCheck& c : r.checks) {
    failed += c.ok ? 0 : 1;
    std::printf("  %-4s  %-9s  %s\n", c.ok ? "ok" : "FAIL", c.name.c_str(), c.detail.c_str());
  }
  for (const std::string& w : r.warnings) std::printf("  warning: %s\n", w.c_str());
  if (failed == 0) {
    std::printf("verify: ok\n");
    return 0;
  }
  std::printf("verify: FAILED (%zu of %zu checks)\n", failed, r.checks.size());
  return 1;
}

CLI::App* add_prepare(CLI::App& app, PrepareOptions& o) {
  CLI::App* sub = app.add_subcommand(
      "prepare", "Build cnn_eval.json (full, edge subset or calibration set) from CNN-DailyMail");
  sub->add_option("--from", o.from, "the split: CSV (id,article,highlights), JSON Lines or JSON")
      ->required();
  sub->add_option("--format", o.format, "auto, csv, jsonl or json")->capture_default_str();
  sub->add_option("--tokenizer", o.tokenizer, "Llama-3.1 tokenizer.json or its folder")->required();
  sub->add_option("--out", o.out, "the file to write")->required();
  auto* n = sub->add_option("--n-samples", o.n_samples,
                            "take the first N of the seeded shuffle (MLPerf edge: 5000)")
                ->check(CLI::PositiveNumber);
  sub->add_option("--seed", o.seed, "the shuffle's seed (datasets' shuffle(seed))")
      ->needs(n)
      ->capture_default_str();
  auto* cal = sub->add_flag("--calibration", o.calibration,
                            "the calibration set: the train-split articles named by --ids");
  auto* ids = sub->add_option("--ids", o.ids, "calibration-list.txt: one id per line");
  cal->needs(ids)->excludes(n);
  ids->needs(cal);
  return sub;
}

CLI::App* add_verify(CLI::App& app, VerifyOptions& o) {
  CLI::App* sub =
      app.add_subcommand("verify", "Check a cnn_eval.json-format file against MLPerf's sets");
  sub->add_option("file", o.file, "the file to check")->required();
  sub->add_option("--tokenizer", o.tokenizer, "Llama-3.1 tokenizer.json or its folder")->required();
  sub->add_flag("--any-count", o.any_count,
                "accept any sample count (not only 13368, 5000 or 1000)");
  sub->add_option("--sha256", o.sha256, "the SHA-256 the file must have");
  return sub;
}

CommandRegistration reg{
    "dataset", "Prepare or verify the MLPerf CNN-DailyMail sample files", [](CLI::App& app) {
      auto prepare = std::make_shared<PrepareOptions>();
      auto verify = std::make_shared<VerifyOptions>();
      CLI::App* prepare_app = add_prepare(app, *prepare);
      add_verify(app, *verify);
      app.require_subcommand(1);
      return [=] { return prepare_app->parsed() ? run_prepare(*prepare) : run_verify(*verify); };
    }};

}  // namespace
}  // namespace infermark::cli

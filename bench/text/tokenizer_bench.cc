// Tokenizer throughput on one thread: encode (MB/s of UTF-8 input and tokens/s), decode, and
// loading tokenizer.json. The input is bench/text/news_sample.txt (original news-style English),
// encoded as ARTICLES separate calls per pass like prompts; the fastest of REPEATS passes is
// reported after a warm-up pass. With --peer, the same input is encoded by Hugging Face's JS
// tokenizer (scripts/peers/bench_encode.cjs, node) and the ratio is printed.
//
//   tokenizer_bench [--tokenizer DIR] [--text FILE] [--articles N] [--repeats N] [--peer]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "text/tokenizer.h"
#include "util/atomic_file.h"
#include "util/error.h"
#include "util/json.h"

namespace {

using Clock = std::chrono::steady_clock;
using infermark::text::Tokenizer;

struct Args {
  std::string tokenizer = INFERMARK_LLAMA3_TOKENIZER_DIR;
  std::string text = INFERMARK_BENCH_TEXT;
  int articles = 300;
  int repeats = 5;
  bool peer = false;
};

Args parse_args(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw infermark::Error::format("{} needs a value", arg);
      return argv[++i];
    };
    if (arg == "--tokenizer")
      a.tokenizer = value();
    else if (arg == "--text")
      a.text = value();
    else if (arg == "--articles")
      a.articles = std::atoi(value().c_str());
    else if (arg == "--repeats")
      a.repeats = std::atoi(value().c_str());
    else if (arg == "--peer")
      a.peer = true;
    else
      throw infermark::Error::format("unknown argument {}", arg);
  }
  if (a.articles < 1 || a.repeats < 1)
    throw infermark::Error("--articles and --repeats must be >= 1");
  return a;
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Runs `pass` once to warm up, then `repeats` times; returns the fastest time in seconds.
template <typename F>
double best_of(int repeats, F&& pass) {
  pass();
  double best = 1e30;
  for (int r = 0; r < repeats; ++r) {
    const auto start = Clock::now();
    pass();
    best = std::min(best, seconds_since(start));
  }
  return best;
}

double run_peer(const Args& a) {
  const std::string cmd = std::string("'") + INFERMARK_SOURCE_DIR +
                          "/scripts/peers/run' bench_encode.cjs '" + a.tokenizer + "' '" + a.text +
                          "' " + std::to_string(a.articles) + " " + std::to_string(a.repeats);
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) throw infermark::Error("cannot start the node peer");
  std::string out;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  if (pclose(p) != 0) throw infermark::Error("node peer failed: " + cmd);
  const auto j = infermark::util::parse_json(out, "bench_encode.cjs output");
  return j.at("best_ms").get<double>() / 1e3;
}

int run(const Args& a) {
  auto start = Clock::now();
  const Tokenizer tok = Tokenizer::load(a.tokenizer);
  const double load_s = seconds_since(start);
  const std::string text = infermark::util::read_file(a.text);
  const double mb = static_cast<double>(text.size()) * a.articles / 1e6;

  std::vector<int32_t> ids;
  size_t tokens = 0;
  const double enc_s = best_of(a.repeats, [&] {
    tokens = 0;
    for (int i = 0; i < a.articles; ++i) {
      ids.clear();
      tok.encode_into(text, false, ids);
      tokens += ids.size();
    }
  });
  size_t chars = 0;
  const double dec_s = best_of(a.repeats, [&] {
    chars = 0;
    for (int i = 0; i < a.articles; ++i) chars += tok.decode(ids).size();
  });

  std::printf("input: %s, %d copies of %zu bytes = %.2f MB, %zu tokens per pass\n", a.text.c_str(),
              a.articles, text.size(), mb, tokens);
  std::printf("load tokenizer.json:   %8.1f ms\n", load_s * 1e3);
  std::printf("infermark encode:      %8.1f ms  %7.1f MB/s  %6.2f M tokens/s  (best of %d)\n",
              enc_s * 1e3, mb / enc_s, tokens / enc_s / 1e6, a.repeats);
  std::printf("infermark decode:      %8.1f ms  %7.1f MB/s  %6.2f M tokens/s\n", dec_s * 1e3,
              static_cast<double>(chars) / 1e6 / dec_s, tokens / dec_s / 1e6);
  if (a.peer) {
    const double peer_s = run_peer(a);
    std::printf("peer encode (HF JS):   %8.1f ms  %7.1f MB/s  %6.2f M tokens/s\n", peer_s * 1e3,
                mb / peer_s, tokens / peer_s / 1e6);
    std::printf("encode speed-up vs peer: %.1fx\n", peer_s / enc_s);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(parse_args(argc, argv));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tokenizer_bench: %s\n", e.what());
    return 1;
  }
}

// Opening a checkpoint: time to open (map + validate every header) and bind all Llama tensors,
// and resident memory before the open, after it, and after touching one layer's weights.
//
//   bench_checkpoint_open [--model DIR] [--cold] [google-benchmark flags]
//
// Without --model (or $INFERMARK_BENCH_MODEL) it makes a tiny demo model in a temporary folder.
// Expected reading: opening is independent of the checkpoint's size (headers only), RSS grows
// by about nothing on open and by about one layer's bytes when a layer is touched. The touch
// rate is reported with the page-cache state it ran in (first touch after writing the files is
// usually cached). --cold first asks the kernel to drop the checkpoint's files from the page
// cache (posix_fadvise DONTNEED, those files only), so the touch runs at disk speed.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "model/checkpoint.h"
#include "model/config.h"
#include "model/demo_model.h"
#include "model/weights.h"

namespace {

using namespace infermark;
namespace fs = std::filesystem;

fs::path g_model;
bool g_cold = false;

// Resident set of this process, total and file-backed, in MiB (from /proc/self/status).
struct Rss {
  double total_mib = 0, file_mib = 0;
};

Rss read_rss() {
  Rss r;
  std::ifstream in("/proc/self/status");
  std::string key;
  while (in >> key) {
    double kb = 0;
    if (key == "VmRSS:" && in >> kb) r.total_mib = kb / 1024;
    if (key == "RssFile:" && in >> kb) r.file_mib = kb / 1024;
  }
  return r;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Reads every byte of the tensors of one layer; returns their total size.
uint64_t touch_layer(const model::LayerWeights& l) {
  uint64_t bytes = 0, sum = 0;
  for (const model::TensorView* t : {&l.attn_norm, &l.q.weight, &l.k.weight, &l.v.weight,
                                     &l.o.weight, &l.ffn_norm, &l.gate.weight, &l.up.weight,
                                     &l.down.weight}) {
    for (uint64_t i = 0; i < t->nbytes; i += 64) sum += static_cast<uint8_t>(t->data[i]);
    bytes += t->nbytes;
  }
  benchmark::DoNotOptimize(sum);
  return bytes;
}

// Drops the checkpoint's .safetensors files from the page cache.
void evict_from_page_cache() {
  for (const auto& entry : fs::directory_iterator(g_model)) {
    if (entry.path().extension() != ".safetensors") continue;
    int fd = ::open(entry.path().c_str(), O_RDONLY);
    if (fd < 0) continue;
    ::fdatasync(fd);
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    ::close(fd);
  }
}

void report_once() {
  if (g_cold) evict_from_page_cache();
  Rss before = read_rss();
  auto t0 = std::chrono::steady_clock::now();
  auto config = model::Config::load(g_model);
  auto checkpoint = model::Checkpoint::open(g_model);
  auto weights = model::bind_llama_weights(checkpoint, config);
  double open_s = seconds_since(t0);
  Rss opened = read_rss();
  t0 = std::chrono::steady_clock::now();
  uint64_t layer_bytes = touch_layer(weights.layers[0]);
  double touch_s = seconds_since(t0);
  Rss touched = read_rss();
  std::printf("checkpoint     %s (%s, %zu files, %zu tensors, %.2f GB)\n", g_model.c_str(),
              checkpoint.sharded() ? "sharded" : "single file", checkpoint.files().size(),
              checkpoint.size(), static_cast<double>(checkpoint.total_bytes()) / 1e9);
  std::printf("page cache     %s\n", g_cold ? "evicted first (--cold)" : "as found");
  std::printf("first open     %.3f ms (config + map + validate + bind)\n", open_s * 1e3);
  std::printf("RSS before     %8.1f MiB (file-backed %.1f)\n", before.total_mib, before.file_mib);
  std::printf("RSS opened     %8.1f MiB (file-backed %.1f)\n", opened.total_mib, opened.file_mib);
  std::printf(
      "RSS layer 0    %8.1f MiB (file-backed %.1f) after touching %.1f MiB in %.3f s "
      "(%.2f GB/s)\n\n",
      touched.total_mib, touched.file_mib, static_cast<double>(layer_bytes) / (1 << 20), touch_s,
      static_cast<double>(layer_bytes) / touch_s / 1e9);
}

void BM_OpenAndBind(benchmark::State& state) {
  auto config = model::Config::load(g_model);
  size_t tensors = 0;
  for (auto _ : state) {
    auto checkpoint = model::Checkpoint::open(g_model);
    auto weights = model::bind_llama_weights(checkpoint, config);
    tensors = checkpoint.size();
    benchmark::DoNotOptimize(weights.layers.data());
  }
  state.counters["tensors"] = static_cast<double>(tensors);
  state.counters["rss_MiB"] = read_rss().total_mib;
}
BENCHMARK(BM_OpenAndBind)->Unit(benchmark::kMillisecond);

void BM_ConfigLoad(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(model::Config::load(g_model));
}
BENCHMARK(BM_ConfigLoad)->Unit(benchmark::kMicrosecond);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  fs::path temp;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--model") == 0) g_model = argv[i + 1];
  }
  for (int i = 1; i < argc; ++i) g_cold = g_cold || std::strcmp(argv[i], "--cold") == 0;
  if (g_model.empty() && std::getenv("INFERMARK_BENCH_MODEL")) {
    g_model = std::getenv("INFERMARK_BENCH_MODEL");
  }
  try {
    if (g_model.empty()) {
      temp =
          fs::temp_directory_path() / ("infermark_bench_tiny_model_" + std::to_string(::getpid()));
      model::DemoModelOptions o;
      o.out = temp;
      model::make_demo_model(o);
      g_model = temp;
    }
    report_once();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_checkpoint_open: %s\n", e.what());
    return 1;
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  if (!temp.empty()) fs::remove_all(temp);
  return 0;
}

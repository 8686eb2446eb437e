#include "report/sample_runs.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <functional>

#include "util/atomic_file.h"

namespace infermark::report::sample_runs {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kShortConf =
    "*.*.min_duration = 500\n*.*.performance_sample_count_override = 256\n"
    "*.Server.target_qps = 200\n*.Offline.target_qps = 100\n"
    "llama3_1-8b.Offline.min_query_count = 50\n";

int run_command(const std::string& cmd) {
  const int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Removes the cached runs named `name` other than `keep` (made by earlier CLI builds).
void remove_stale(const fs::path& root, const std::string& name, const fs::path& keep) {
  for (const auto& e : fs::directory_iterator(root)) {
    const std::string f = e.path().filename().string();
    const bool ours = f.starts_with(name + "-") &&
                      f.find_first_not_of("0123456789", name.size() + 1) == std::string::npos;
    std::error_code ec;
    if (ours && e.path() != keep) fs::remove_all(e.path(), ec);
  }
}

// A folder with the logs of `infermark run --sut null --qsl-size 256 <args>` under kShortConf,
// made once per CLI binary (keyed by its size and mtime) and reused by later test processes.
// With `interrupt`, the run gets SIGTERM half a second after it starts logging. Treat the
// folder as read-only: copy it (copy_run) before writing into it.
fs::path cached_run(const std::string& name, const std::string& args, bool interrupt = false) {
  const std::string bin = std::getenv("INFERMARK_BIN");
  struct stat st {};
  EXPECT_EQ(::stat(bin.c_str(), &st), 0) << bin;
  const size_t key = std::hash<std::string>{}(bin + args + kShortConf + std::to_string(st.st_size) +
                                              std::to_string(st.st_mtime));
  const fs::path root = fs::path(std::getenv("INFERMARK_BUILD_DIR")) / "test-data" / "report";
  const fs::path dir = root / (name + "-" + std::to_string(key % 1000000007));
  if (fs::exists(dir / "logs" / "mlperf_log_detail.txt")) return dir / "logs";
  const fs::path tmp = root / (name + ".tmp." + std::to_string(::getpid()));
  fs::remove_all(tmp);
  fs::create_directories(tmp);
  std::ofstream(tmp / "user.conf") << kShortConf;
  const std::string logs = (tmp / "logs").string();
  std::string cmd = bin + " run --sut null --qsl-size 256 --user-conf " +
                    (tmp / "user.conf").string() + " --output " + logs + " " + args + " >" +
                    (tmp / "out.txt").string() + " 2>&1";
  if (interrupt) {
    cmd += " & pid=$!; i=0; while [ -z \"$(ls " + logs +
           " 2>/dev/null)\" ] && [ $i -lt 600 ]; "
           "do sleep 0.05; i=$((i+1)); done; sleep 0.5; kill -TERM $pid; wait $pid";
  }
  EXPECT_EQ(run_command(cmd), interrupt ? 130 : 0) << cmd << "\n"
                                                   << util::read_file(tmp / "out.txt");
  std::error_code ec;
  fs::rename(tmp, dir, ec);  // another process may have won the race; its run is as good
  if (ec) fs::remove_all(tmp);
  remove_stale(root, name, dir);
  return dir / "logs";
}

}  // namespace

std::filesystem::path server_run() {
  return cached_run("server", "--scenario Server --null-ttft-ms 5 --null-tpot-ms 1 --null-random");
}
std::filesystem::path server_untraced_run() {
  return cached_run("server-notrace",
                    "--scenario Server --null-ttft-ms 5 --null-tpot-ms 1 --no-trace");
}
std::filesystem::path offline_valid_run() {
  return cached_run("offline-valid", "--scenario Offline --null-serial-ms 12");
}
std::filesystem::path offline_fast_run() { return cached_run("offline-fast", "--scenario Offline"); }
std::filesystem::path interrupted_run() {
  return cached_run("server-stopped", "--scenario Server --null-serial-ms 20", true);
}

std::filesystem::path copy_run(const std::filesystem::path& from, const std::string& name) {
  const std::filesystem::path to = std::filesystem::path(::testing::TempDir()) / ("report_" + name) / "run";
  std::filesystem::remove_all(to.parent_path());
  std::filesystem::create_directories(to);
  std::filesystem::copy(from, to, std::filesystem::copy_options::recursive);
  return to;
}

void expect_self_contained(const std::string& html) {
  EXPECT_THAT(html, Not(HasSubstr("http://")));
  EXPECT_THAT(html, Not(HasSubstr("https://")));
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, Not(HasSubstr("<link")));
  EXPECT_THAT(html, Not(HasSubstr("src=")));
  EXPECT_THAT(html, Not(HasSubstr("url(")));
}

size_t count_of(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

}  // namespace infermark::report::sample_runs

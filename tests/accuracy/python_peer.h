// Runs a Python peer script for the accuracy tests and returns what it printed.
//
// The peers are the real NLTK / numpy code that MLPerf's evaluation uses (Debian python3-nltk,
// python3-numpy). The interpreter is $INFERMARK_PYTHON, else /usr/bin/python3 (Debian's, which
// sees Debian's python packages), else python3 on PATH. A missing interpreter or module makes
// the script exit non-zero, and the caller's test fails: peer tests never skip.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace infermark::accuracy::testing {

inline std::string python_interpreter() {
  if (const char* env = std::getenv("INFERMARK_PYTHON"); env && *env) return env;
  if (::access("/usr/bin/python3", X_OK) == 0) return "/usr/bin/python3";
  return "python3";
}

inline std::filesystem::path source_dir() {
  const char* env = std::getenv("INFERMARK_SOURCE_DIR");
  return std::filesystem::absolute(env && *env ? std::filesystem::path(env)
                                               : std::filesystem::path("."));
}

inline std::filesystem::path peer_script(const std::string& name) {
  return source_dir() / "tests" / "accuracy" / "peers" / name;
}

// A fresh temporary folder, removed when the object goes away.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "infermark-acc-XXXXXX").string();
    char* made = ::mkdtemp(tmpl.data());
    if (made) path_ = made;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// `path` in single quotes for the shell (paths here never contain quotes).
inline std::string quoted(const std::filesystem::path& path) {
  std::string out;
  out.reserve(path.native().size() + 2);
  out.push_back('\'');
  out.append(path.native());
  out.push_back('\'');
  return out;
}

// Runs `python script args...` with stdout redirected to a file and returns the output.
// Records a test failure (and returns "") if the interpreter exits non-zero.
inline std::string run_python(const std::filesystem::path& script, const std::string& args) {
  TempDir tmp;
  const auto out_path = tmp.path() / "stdout.txt";
  const std::string cmd = "PYTHONIOENCODING=utf-8 '" + python_interpreter() + "' '" +
                          script.string() + "' " + args + " > '" + out_path.string() + "'";
  const int rc = std::system(cmd.c_str());
  const bool ok = rc != -1 && WIFEXITED(rc) && WEXITSTATUS(rc) == 0;
  EXPECT_TRUE(ok) << "peer failed (is Debian python3-nltk / python3-numpy installed?): " << cmd;
  return ok ? read_text(out_path) : std::string();
}

}  // namespace infermark::accuracy::testing

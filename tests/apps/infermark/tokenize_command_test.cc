// `infermark tokenize` end to end through the real binary (INFERMARK_BIN): encoding, --bos,
// --chat, --decode with and without special tokens and clean-up, and one clear stderr line with a
// non-zero exit for each kind of bad input.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "text/llama3_tokenizer.h"
#include "text/test_env.h"
#include "util/atomic_file.h"

namespace infermark::text {
namespace {

struct CliResult {
  int exit_code;
  std::string out;
  std::string err;
};

CliResult run_cli(const std::string& args, const std::string& input) {
  const std::string bin = testing::infermark_bin();
  const auto dir =
      std::filesystem::temp_directory_path() / fmt::format("infermark_tokenize_cli_{}", ::getpid());
  std::filesystem::create_directories(dir);
  util::write_file_atomic(dir / "in", input);
  const std::string cmd =
      fmt::format("'{}' tokenize {} < '{}' > '{}' 2> '{}'", bin, args, (dir / "in").string(),
                  (dir / "out").string(), (dir / "err").string());
  const int status = std::system(cmd.c_str());
  CliResult r{WIFEXITED(status) ? WEXITSTATUS(status) : -1, util::read_file(dir / "out"),
              util::read_file(dir / "err")};
  std::filesystem::remove_all(dir);
  return r;
}

std::string tok_arg() {
  return fmt::format("--tokenizer '{}'", testing::llama3_tokenizer_dir().string());
}

TEST(TokenizeCommand, Encodes) {
  EXPECT_EQ(run_cli(tok_arg(), "Hello world").out, "[9906,1917]\n");
  EXPECT_EQ(run_cli(tok_arg() + " --bos", "Hello world").out, "[128000,9906,1917]\n");
  EXPECT_EQ(run_cli(tok_arg(), "").out, "[]\n");
  EXPECT_EQ(run_cli(tok_arg(), "a<|eot_id|>").out, "[64,128009]\n");
}

TEST(TokenizeCommand, ChatTemplate) {
  const CliResult r = run_cli(tok_arg() + " --chat", "Hi");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "[128000,128006,9125,128007,271,38766,1303,33025,2696,25,6790,220,2366,18,198,15724,"
            "2696,25,220,1627,10263,220,2366,19,271,128009,128006,882,128007,271,13347,128009,"
            "128006,78191,128007,271]\n");
}

TEST(TokenizeCommand, Decodes) {
  EXPECT_EQ(run_cli(tok_arg() + " --decode", "[9906, 1917]").out, "Hello world\n");
  EXPECT_EQ(run_cli(tok_arg() + " --decode", "[128000,9906,128009]").out,
            "<|begin_of_text|>Hello<|eot_id|>\n");
  EXPECT_EQ(run_cli(tok_arg() + " --decode --skip-special", "[128000,9906,128009]").out, "Hello\n");
  // " ." -> "." by default (tokenizer_config.json), kept with --no-clean-up.
  EXPECT_EQ(run_cli(tok_arg() + " --decode", "[64,662]").out, "a.\n");
  EXPECT_EQ(run_cli(tok_arg() + " --decode --no-clean-up", "[64,662]").out, "a .\n");
}

void expect_error(const std::string& args, const std::string& input, const std::string& needle) {
  const CliResult r = run_cli(args, input);
  EXPECT_NE(r.exit_code, 0) << args;
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_NE(r.err.find(needle), std::string::npos) << "stderr: " << r.err;
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "expected one line: " << r.err;
}

TEST(TokenizeCommand, BadInputGivesOneClearLine) {
  expect_error(tok_arg() + " --decode", "[1, 2", "stdin: invalid JSON");
  expect_error(tok_arg() + " --decode", "{\"ids\": [1]}", "expected a JSON array");
  expect_error(tok_arg() + " --decode", "[1, \"x\"]", "element 1");
  expect_error(tok_arg() + " --decode", "[5, 128256]", "token id 128256 is not in the vocabulary");
  expect_error(tok_arg() + " --decode", "[-1]", "token id -1");
  expect_error(tok_arg(), "ok \xFF", "not valid UTF-8 (byte offset 3)");
  expect_error("--tokenizer /nonexistent/tok", "x", "/nonexistent/tok");
}

TEST(TokenizeCommand, ConflictingFlagsAreRejected) {
  EXPECT_NE(run_cli(tok_arg() + " --decode --bos", "[1]").exit_code, 0);
  EXPECT_NE(run_cli(tok_arg() + " --skip-special", "x").exit_code, 0);
  EXPECT_NE(run_cli("", "x").exit_code, 0);  // --tokenizer is required
}

}  // namespace
}  // namespace infermark::text

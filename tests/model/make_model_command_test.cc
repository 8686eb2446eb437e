// `infermark make-model` end to end through the CLI binary: output folder, exit codes and
// one-line errors for bad options.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "model/checkpoint.h"
#include "model/config.h"
#include "model/weights.h"
#include "test_files.h"

namespace infermark::model {
namespace {

using ::testing::HasSubstr;

struct Result {
  int exit_code;
  std::string output;
};

// The CLI binary: $INFERMARK_BIN, else the path CMake compiled in.
std::string binary() {
  const char* env = std::getenv("INFERMARK_BIN");
  return env ? env : INFERMARK_MODEL_TEST_BIN;
}

Result run_cli(const std::string& args) {
  std::string cmd = binary() + " " + args + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int status = ::pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

TEST(MakeModelCommandTest, WritesShardedTinyModelThatBinds) {
  testing::TempDir dir;
  auto r = run_cli("make-model --shape tiny --seed 3 --dtype f32 --max-shard-size 10MB --out " +
                   (dir / "m").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("wrote tiny"));
  Checkpoint ck = Checkpoint::open(dir / "m");
  EXPECT_TRUE(ck.sharded());
  Weights w = bind_llama_weights(ck, Config::load(dir / "m"));
  EXPECT_EQ(w.dtype, DType::kF32);
}

TEST(MakeModelCommandTest, BadOptionsGiveOneLineErrorAndExitCode1) {
  testing::TempDir dir;
  auto r = run_cli("make-model --shape huge --out " + dir.path().string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("error: make-model: unknown --shape 'huge'"));
  r = run_cli("make-model --dtype int4 --out " + dir.path().string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("--dtype 'int4' is not one of bf16, f16, f32"));
  r = run_cli("make-model --max-shard-size 5TB --out " + dir.path().string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("--max-shard-size '5TB'"));
  r = run_cli("make-model --shape tiny");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.output, HasSubstr("--out"));
}

}  // namespace
}  // namespace infermark::model

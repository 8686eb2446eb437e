// A SUT's notes (Responder::note: what the HTTP SUT says when an endpoint joins, a request fails,
// or no endpoint is left) reach the official library's detail log as they reach infermark's —
// the same keys, texts and error flags — and a run the SUT declared invalid is INVALID under both
// load generators, with the SUT's reason.
#include <gtest/gtest.h>

#include <filesystem>

#include "loadgen/loadgen.h"
#include "loadgen/log_parsing.h"
#include "support/official_loadgen.h"
#include "sut/null_qsl.h"

namespace infermark::loadgen_official {
namespace {

namespace fs = std::filesystem;

// Answers every sample at once with two tokens; with the first issue call it sends one note of
// each kind.
class NotingSut final : public loadgen::SystemUnderTest {
 public:
  std::string name() const override { return "NotingSUT"; }
  void issue(std::span<const loadgen::QuerySample> samples, loadgen::Responder& r) override {
    if (!noted_) {
      r.note(loadgen::SutNote::kInfo, "endpoint http://127.0.0.1:1 joined");
      r.note(loadgen::SutNote::kError, "request 7 failed: connection reset");
      r.note(loadgen::SutNote::kRunInvalid, "no endpoint left");
      noted_ = true;
    }
    static constexpr int32_t kTokens[2] = {11, 12};
    const auto bytes = std::as_bytes(std::span(kTokens));
    for (const auto& s : samples) {
      r.complete(std::vector{loadgen::SampleResponse{s.id, bytes, 2}});
    }
  }

 private:
  bool noted_ = false;  // only the issuing thread touches it
};

std::vector<infermark::testing::DetailEntry> sut_entries(const fs::path& detail) {
  std::vector<infermark::testing::DetailEntry> out;
  for (auto& e : infermark::testing::read_detail_log(detail)) {
    if (e.value.is_string() && e.value.get<std::string>().starts_with("SUT: ")) out.push_back(e);
  }
  return out;
}

TEST(SutNotesTest, ReachTheDetailLogAndInvalidateTheRunUnderBoth) {
  IM_REQUIRE_OFFICIAL_LOADGEN();
  const fs::path dir = fs::path(::testing::TempDir()) / "official_sut_notes";
  fs::remove_all(dir);
  loadgen::TestSettings t;
  t.scenario = loadgen::Scenario::kOffline;
  t.min_duration_ms = 0;
  t.min_query_count = 1;
  t.offline_expected_qps = 20;
  std::vector<infermark::testing::DetailEntry> logged[2];
  for (bool official : {false, true}) {
    NotingSut sut;
    sut::NullSampleLibrary qsl(20, 20);
    loadgen::LogSettings ls;
    ls.outdir = dir / (official ? "official" : "builtin");
    ls.enable_trace = false;
    const loadgen::RunResult r = official ? loadgen_official::run(sut, qsl, t, ls)
                                          : loadgen::run(sut, qsl, t, ls);
    EXPECT_EQ(r.sut_invalid_reason, "no endpoint left") << ls.outdir;
    ASSERT_TRUE(r.performance.has_value()) << ls.outdir;
    EXPECT_FALSE(r.performance->valid()) << ls.outdir;
    EXPECT_GE(r.errors, 2) << ls.outdir;
    logged[official] = sut_entries(r.detail_path);
  }
  ASSERT_EQ(logged[0].size(), 3u);
  ASSERT_EQ(logged[1].size(), logged[0].size());
  for (size_t i = 0; i < logged[0].size(); ++i) {
    EXPECT_EQ(logged[1][i].key, logged[0][i].key) << i;
    EXPECT_EQ(logged[1][i].value, logged[0][i].value) << i;
    EXPECT_EQ(logged[1][i].is_error, logged[0][i].is_error) << i;
  }
}

}  // namespace
}  // namespace infermark::loadgen_official

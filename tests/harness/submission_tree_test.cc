// The submission tree a run writes, as MLPerf's submission checker reads it: the folder named for
// division and submitter, the system description (filled from the machine and the options, and
// never undoing a submitter's edit), src/, each scenario's README.md, the accuracy log truncated
// with its hash kept, and which required scenarios are still missing.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "dataset/sample_set.h"
#include "harness/benchmark_run.h"
#include "harness/submission_files.h"
#include "harness/system_description.h"
#include "loadgen_official/official_loadgen.h"
#include "sut/null_sut.h"
#include "util/atomic_file.h"
#include "util/error.h"
#include "util/sha256.h"

namespace infermark::harness {
namespace {

namespace fs = std::filesystem;

const dataset::SampleSet& bundled() {
  static const dataset::SampleSet set = dataset::SampleSet::load(
      fs::path(std::getenv("INFERMARK_SOURCE_DIR")) / "data" / "cnn_eval_sample.json");
  return set;
}

fs::path fresh(const std::string& name) {
  const fs::path p = fs::path(::testing::TempDir()) / ("submission_tree_" + name);
  fs::remove_all(p);
  return p;
}

BenchmarkRunOptions submission(BenchmarkScenario sc, const fs::path& out) {
  BenchmarkRunOptions o;
  o.benchmark = make_benchmark(sc, false);
  o.mode = loadgen::Mode::kSubmission;
  o.output = out;
  o.system_name = "test-system";
  o.quick = true;
  o.progress = false;
  o.submitter = "TestOrg";
  o.division = "closed";
  o.system_fields = {{"cooling", "air"}};
  o.command_line = "infermark run --quick";
  o.decode = [](std::span<const int32_t>) { return std::string("A short summary. Of news."); };
  o.punkt_dir = fs::path(std::getenv("INFERMARK_SOURCE_DIR")) / "tests/fixtures/punkt_tab";
  util::write_file_atomic(out.parent_path() / (out.filename().string() + ".conf"),
                          "*.Server.target_qps = 400\n");
  o.user_conf = (out.parent_path() / (out.filename().string() + ".conf")).string();
  return o;
}

util::Json read_json(const fs::path& p) { return util::parse_json(util::read_file(p), p.string()); }

TEST(SubmissionTreeTest, HoldsWhatTheCheckerRequires) {
  const fs::path out = fresh("offline");
  sut::NullSut sut({});
  DatasetQsl qsl(bundled());
  const BenchmarkRunResult r = run_benchmark(submission(BenchmarkScenario::kOffline, out), sut, qsl);
  const fs::path root = out / "closed" / "TestOrg";
  EXPECT_EQ(r.layout.root, root);
  const fs::path sc = root / "results/test-system/llama3.1-8b/Offline";
  for (const fs::path& f : {root / "systems/test-system.json", root / "src/README.md",
                            sc / "README.md", sc / "user.conf", sc / "measurements.json",
                            sc / "accuracy/accuracy.txt", sc / "performance/run_1/mlperf_log_detail.txt"}) {
    EXPECT_TRUE(fs::exists(f)) << f;
    EXPECT_GT(fs::file_size(f), 0u) << f;
  }
  // Nothing but the tree under the submitter's folder: TEST06's run and the whole accuracy log
  // are beside it.
  EXPECT_TRUE(fs::exists(out / "logs/test-system/llama3.1-8b/Offline/TEST06/mlperf_log_detail.txt"));
  EXPECT_FALSE(fs::exists(root / "logs"));

  const util::Json system = read_json(root / "systems/test-system.json");
  EXPECT_EQ(system["submitter"], "TestOrg");
  EXPECT_EQ(system["division"], "closed");
  EXPECT_EQ(system["cooling"], "air");
  EXPECT_EQ(system["system_name"], "test-system");
  EXPECT_EQ(system["host_networking_topology"], "N/A (single node)");
  for (const auto& f : r.system_fields_to_fill) EXPECT_TRUE(system[f] == "") << f;
  EXPECT_EQ(std::count(r.system_fields_to_fill.begin(), r.system_fields_to_fill.end(), "cooling"), 0);

  const std::string readme = util::read_file(sc / "README.md");
  EXPECT_NE(readme.find("infermark run --quick"), std::string::npos) << readme;
  EXPECT_NE(readme.find(r.loadgen), std::string::npos) << readme;

  EXPECT_EQ(r.missing_scenarios, std::vector<std::string>{"Server or Interactive"});
}

TEST(SubmissionTreeTest, AccuracyLogIsTruncatedWithTheWholeLogsHashKept) {
  const fs::path out = fresh("truncated");
  sut::NullSut sut({});
  DatasetQsl qsl(bundled());
  const BenchmarkRunResult r = run_benchmark(submission(BenchmarkScenario::kOffline, out), sut, qsl);
  const fs::path log = r.layout.accuracy_dir() / "mlperf_log_accuracy.json";
  const std::string whole = util::read_file(r.layout.full_accuracy_log());
  const std::string truncated = util::read_file(log);
  ASSERT_GT(whole.size(), 2u * 4096) << "the test needs a log worth truncating";
  EXPECT_LE(truncated.size(), 10u * 1024);  // the checker's MAX_ACCURACY_LOG_SIZE
  EXPECT_EQ(truncated, whole.substr(0, 4096) + "\n\n...\n\n" + whole.substr(whole.size() - 4096));
  const std::string acc = util::read_file(r.layout.accuracy_dir() / "accuracy.txt");
  EXPECT_NE(acc.find("hash=" + util::sha256_hex(whole) + "\n"), std::string::npos) << acc;
  EXPECT_EQ(r.phases[0].accuracy->gen_num, 34);  // scored on the whole log
}

TEST(SubmissionTreeTest, SmallLogsStayWhole) {
  const fs::path dir = fresh("small_log");
  fs::create_directories(dir);
  util::write_file_atomic(dir / "log.json", "[\n]\n");
  truncate_accuracy_log(dir / "log.json", dir / "kept/log.json");
  EXPECT_EQ(util::read_file(dir / "log.json"), "[\n]\n");
  EXPECT_EQ(util::read_file(dir / "kept/log.json"), "[\n]\n");
}

TEST(SubmissionTreeTest, ServerBesideOfflineCompletesTheScenariosAndKeepsEdits) {
  const fs::path out = fresh("two_scenarios");
  sut::NullSut sut({});
  DatasetQsl qsl(bundled());
  const BenchmarkRunResult offline =
      run_benchmark(submission(BenchmarkScenario::kOffline, out), sut, qsl);
  // The submitter edits the description between the runs.
  util::Json system = read_json(offline.layout.system_json());
  system["hw_notes"] = "edited by hand";
  system["host_storage_type"] = "4x NVMe SSD (RAID 0)";
  util::write_file_atomic(offline.layout.system_json(), system.dump(4));

  BenchmarkRunOptions o = submission(BenchmarkScenario::kServer, out);
  o.system_fields = {};
  const BenchmarkRunResult server = run_benchmark(o, sut, qsl);
  EXPECT_TRUE(server.missing_scenarios.empty());
  const util::Json after = read_json(server.layout.system_json());
  EXPECT_EQ(after["hw_notes"], "edited by hand");
  EXPECT_EQ(after["host_storage_type"], "4x NVMe SSD (RAID 0)");
  EXPECT_EQ(after["cooling"], "air");  // from the first run's option
  EXPECT_TRUE(fs::exists(server.layout.benchmark_dir() / "Offline"));
  EXPECT_TRUE(fs::exists(server.layout.benchmark_dir() / "Server" / "TEST06/verify_accuracy.txt"));
}

TEST(SubmissionTreeTest, WithoutSubmitterTheOutputIsTheRoot) {
  const fs::path out = fresh("no_submitter");
  sut::NullSut sut({});
  DatasetQsl qsl(bundled());
  BenchmarkRunOptions o = submission(BenchmarkScenario::kOffline, out);
  o.submitter.clear();
  o.division.clear();
  o.mode = loadgen::Mode::kPerformanceOnly;
  const BenchmarkRunResult r = run_benchmark(o, sut, qsl);
  EXPECT_EQ(r.layout.root, out);
  const util::Json system = read_json(out / "systems/test-system.json");
  EXPECT_EQ(system["division"], "open");
  EXPECT_EQ(system["submitter"], "infermark user");
}

TEST(SubmissionTreeTest, BadSubmissionOptionsAreRejectedBeforeAnythingIsWritten) {
  sut::NullSut sut({});
  DatasetQsl qsl(bundled());
  const auto rejects = [&](auto change, const std::string& needle) {
    const fs::path out = fresh("rejected");
    BenchmarkRunOptions o = submission(BenchmarkScenario::kOffline, out);
    change(o);
    try {
      run_benchmark(o, sut, qsl);
      ADD_FAILURE() << "accepted; expected an error about " << needle;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
    EXPECT_FALSE(fs::exists(out)) << needle;
  };
  rejects([](BenchmarkRunOptions& o) { o.submitter = "My Org"; }, "--submitter");
  rejects([](BenchmarkRunOptions& o) { o.submitter = ".."; }, "--submitter");
  rejects([](BenchmarkRunOptions& o) { o.division = "network"; }, "--division");
  rejects([](BenchmarkRunOptions& o) { o.system_fields["colour"] = "blue"; }, "colour");
  rejects([](BenchmarkRunOptions& o) { o.system_fields["division"] = "open"; }, "--division");
  rejects([](BenchmarkRunOptions& o) { o.system_fields["status"] = "soon"; }, "status");
  if (!loadgen_official::available()) {
    rejects([](BenchmarkRunOptions& o) { o.official_loadgen = true; }, "built without");
  }
}

TEST(SystemDescriptionTest, PrecedenceIsOptionsThenFileThenMachine) {
  MachineInfo m;
  m.cpu_model = "Probed CPU";
  m.storage_type = "1x SSD";
  SystemDescriptionOptions o;
  o.system_name = "sys";
  o.fields = {{"cooling", "liquid"}};
  const util::Json generated = system_description(m, o);
  const util::Json existing = {{"host_processor_model_name", "Edited CPU"},
                               {"host_storage_type", ""},
                               {"cooling", "air"},
                               {"extra_note", "kept"},
                               {"submitter", "Old"}};
  o.submitter = "New";
  const util::Json d = merge_system_description(existing, generated, o);
  EXPECT_EQ(d["host_processor_model_name"], "Edited CPU");  // the file's value
  EXPECT_EQ(d["host_storage_type"], "1x SSD");              // empty in the file: the machine's
  EXPECT_EQ(d["cooling"], "liquid");                        // the option
  EXPECT_EQ(d["submitter"], "New");                         // explicit --submitter
  EXPECT_EQ(d["extra_note"], "kept");
  for (std::string_view f : required_system_fields()) EXPECT_TRUE(d.contains(f)) << f;
  const auto empty = empty_meaningful_fields(d);
  EXPECT_NE(std::find(empty.begin(), empty.end(), "host_memory_configuration"), empty.end());
  EXPECT_EQ(std::find(empty.begin(), empty.end(), "cooling"), empty.end());
}

TEST(SystemDescriptionTest, PrecisionIsTheRunsAndAChangeIsNamed) {
  SystemDescriptionOptions o;
  o.system_name = "sys";
  o.weight_data_types = "int4-g128 (lm_head bf16)";
  o.activation_data_types = "f32";
  const util::Json generated = system_description(MachineInfo{}, o);
  EXPECT_EQ(generated["weight_data_types"], "int4-g128 (lm_head bf16)");
  EXPECT_EQ(generated["activation_data_types"], "f32");

  std::vector<std::string> notes;
  const util::Json same = merge_system_description(generated, generated, o, &notes);
  EXPECT_EQ(same["weight_data_types"], "int4-g128 (lm_head bf16)");
  EXPECT_TRUE(notes.empty());

  const util::Json earlier = {{"weight_data_types", "bf16"}, {"activation_data_types", "f32"}};
  const util::Json d = merge_system_description(earlier, generated, o, &notes);
  EXPECT_EQ(d["weight_data_types"], "int4-g128 (lm_head bf16)");  // the run's, not the file's
  EXPECT_EQ(d["activation_data_types"], "f32");
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("weight_data_types"), std::string::npos) << notes[0];
  EXPECT_NE(notes[0].find("\"bf16\""), std::string::npos) << notes[0];

  SystemDescriptionOptions unknown;  // no precision given: the file's stays
  notes.clear();
  EXPECT_EQ(merge_system_description(earlier, system_description(MachineInfo{}, unknown), unknown,
                                     &notes)["weight_data_types"],
            "bf16");
  EXPECT_TRUE(notes.empty());
}

}  // namespace
}  // namespace infermark::harness

// MLPerf compliance TEST06 for LLMs (compliance/TEST06/run_verification.py), natively.
//
// TEST06 runs a short performance-mode test that logs ~100 samples to mlperf_log_accuracy.json
// and then checks every logged entry (duplicates included):
//   1. first token (skipped for Offline): the first-token payload token_data agrees with data
//      element by element over the shorter of the two (zip), i.e. is a prefix of it;
//   2. EOS: the output ends in at most one EOS token (index 0 is never counted, and an output of
//      exactly two EOS tokens is allowed, as in the script);
//   3. sample length: the number of int32 ids in data equals token_count.
// It writes verify_accuracy.txt with the lines the submission checker greps for.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "accuracy/accuracy_log.h"

namespace infermark::accuracy {

struct Test06Options {
  // False for the Offline scenario (the script only runs it for Server/SingleStream/MultiStream).
  bool check_first_token = true;
  // Token ids that count as EOS. The script takes one id (-e, default 2, the Llama-2 id);
  // Llama-3.1 ends turns with 128009 and may also emit 128001 or 128008.
  std::vector<int32_t> eos_ids = {128009};
};

// Options for a LoadGen scenario name ("Offline", "Server", "SingleStream", "MultiStream").
Test06Options test06_options_for_scenario(std::string_view scenario,
                                          std::vector<int32_t> eos_ids = {128009});

struct Test06Result {
  std::optional<bool> first_token_pass;  // nullopt: skipped (Offline)
  bool eos_pass = true;
  bool sample_length_pass = true;
  // One line per failing entry (first few per check), naming the entry and qsl_idx.
  std::vector<std::string> problems;
  bool passed() const { return first_token_pass.value_or(true) && eos_pass && sample_length_pass; }
};

Test06Result run_test06_checks(const AccuracyLog& log, const Test06Options& options);

// The content of verify_accuracy.txt, e.g.
//   First token check pass: Skipped
//   EOS check pass: True
//   Sample length check pass: True
//   TEST06 verification complete
std::string verify_accuracy_txt(const Test06Result& result);

// Writes `test06_dir`/verify_accuracy.txt and copies the accuracy log to
// `test06_dir`/accuracy/mlperf_log_accuracy.json, the layout of compliance/<...>/TEST06 (the
// script's -o folder plus "TEST06"). Throws Error naming the path on failure.
void write_test06_outputs(const std::filesystem::path& test06_dir,
                          const std::filesystem::path& accuracy_log_path,
                          const Test06Result& result);

}  // namespace infermark::accuracy

#include "accuracy/test06.h"

#include <algorithm>

#include "util/atomic_file.h"
#include "util/error.h"

namespace infermark::accuracy {
namespace {

constexpr size_t kMaxProblemsPerCheck = 5;

std::string where(const AccuracyLog& log, size_t i) {
  return fmt::format("entry {} (qsl_idx {})", i, log.entries[i].qsl_idx);
}

bool is_eos(int32_t id, const std::vector<int32_t>& eos_ids) {
  return std::find(eos_ids.begin(), eos_ids.end(), id) != eos_ids.end();
}

// The script's eos_check for one sample: walk back from the end while the ids are EOS (never
// looking at index 0); two or more fail unless the whole output is exactly two ids.
bool eos_ok(const std::vector<int32_t>& data, const std::vector<int32_t>& eos_ids,
            size_t* trailing) {
  size_t n = 0;
  for (size_t i = data.size(); i-- > 1;) {
    if (!is_eos(data[i], eos_ids)) break;
    ++n;
  }
  *trailing = n;
  return n < 2 || data.size() == 2;
}

}  // namespace

Test06Options test06_options_for_scenario(std::string_view scenario, std::vector<int32_t> eos_ids) {
  Test06Options o;
  o.check_first_token = scenario != "Offline";
  o.eos_ids = std::move(eos_ids);
  return o;
}

Test06Result run_test06_checks(const AccuracyLog& log, const Test06Options& options) {
  Test06Result r;
  size_t first_token_failures = 0;
  size_t eos_failures = 0;
  size_t length_failures = 0;
  auto note = [&](size_t* count, std::string line) {
    if ((*count)++ < kMaxProblemsPerCheck) r.problems.push_back(std::move(line));
  };
  if (options.check_first_token) r.first_token_pass = true;
  for (size_t i = 0; i < log.entries.size(); ++i) {
    const AccuracyLogEntry& e = log.entries[i];
    if (options.check_first_token) {
      if (!e.token_data) {
        r.first_token_pass = false;
        note(&first_token_failures, where(log, i) + ": no token_data for the first-token check");
      } else {
        const size_t n = std::min(e.data.size(), e.token_data->size());
        const auto diff = std::mismatch(e.data.begin(), e.data.begin() + n, e.token_data->begin());
        if (diff.first != e.data.begin() + n) {
          r.first_token_pass = false;
          note(&first_token_failures,
               fmt::format("{}: first token {} but output token {} at position {}", where(log, i),
                           *diff.second, *diff.first, diff.first - e.data.begin()));
        }
      }
    }
    size_t trailing = 0;
    if (!eos_ok(e.data, options.eos_ids, &trailing)) {
      r.eos_pass = false;
      note(&eos_failures,
           fmt::format("{}: output ends with {} EOS tokens", where(log, i), trailing));
    }
    if (!e.token_count) {
      r.sample_length_pass = false;
      note(&length_failures, where(log, i) + ": no token_count");
    } else if (static_cast<int64_t>(e.data.size()) != *e.token_count) {
      r.sample_length_pass = false;
      note(&length_failures, fmt::format("{}: {} token ids in data but token_count {}",
                                         where(log, i), e.data.size(), *e.token_count));
    }
  }
  return r;
}

std::string verify_accuracy_txt(const Test06Result& r) {
  auto py_bool = [](bool b) { return b ? "True" : "False"; };
  std::string out = "First token check pass: ";
  out += r.first_token_pass ? py_bool(*r.first_token_pass) : "Skipped";
  out += "\nEOS check pass: ";
  out += py_bool(r.eos_pass);
  out += "\nSample length check pass: ";
  out += py_bool(r.sample_length_pass);
  out += r.passed() ? "\nTEST06 verification complete\n" : "\nTEST06 verification failed\n";
  return out;
}

void write_test06_outputs(const std::filesystem::path& test06_dir,
                          const std::filesystem::path& accuracy_log_path,
                          const Test06Result& result) {
  util::ensure_writable_dir(test06_dir / "accuracy");
  util::write_file_atomic(test06_dir / "verify_accuracy.txt", verify_accuracy_txt(result));
  util::write_file_atomic(test06_dir / "accuracy" / "mlperf_log_accuracy.json",
                          util::read_file(accuracy_log_path));
}

}  // namespace infermark::accuracy

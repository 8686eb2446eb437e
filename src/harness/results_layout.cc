#include "harness/results_layout.h"

#include <algorithm>
#include <cctype>

#include "util/error.h"

namespace infermark::harness {
namespace {

bool folder_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
}

}  // namespace

ResultsLayout make_results_layout(const std::filesystem::path& output, const std::string& system,
                                  const Benchmark& benchmark, const std::string& submitter,
                                  const std::string& division) {
  const std::filesystem::path root = submitter.empty() ? output : output / division / submitter;
  return ResultsLayout{root, output / "logs", system, benchmark};
}

std::string sanitize_system_name(std::string name) {
  for (char& c : name) {
    if (!folder_char(c)) c = '_';
  }
  if (name.empty() || name == "." || name == "..") name = "system";
  return name;
}

void validate_submitter_name(const std::string& submitter) {
  if (submitter.empty() || submitter == "." || submitter == ".." ||
      !std::all_of(submitter.begin(), submitter.end(), folder_char)) {
    throw Error::format("--submitter: '{}' must be a folder name of letters, digits, '-', '_' and "
                        "'.' (MLPerf's checker requires the folder to be named as the submitter)",
                        submitter);
  }
}

}  // namespace infermark::harness

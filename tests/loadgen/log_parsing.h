// Reading the four MLPerf log files back in tests, the way MLPerf's own tools read them: the
// detail log as JSON after ":::MLLOG ", the accuracy log as a JSON array, the summary as text.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace infermark::testing {

struct DetailEntry {
  std::string key;
  nlohmann::json value;
  bool is_error = false;
  bool is_warning = false;
};

// Every line must parse as JSON; fails the test otherwise.
std::vector<DetailEntry> read_detail_log(const std::filesystem::path& path);
// The last value logged under `key`, or null.
nlohmann::json detail_value(const std::vector<DetailEntry>& entries, const std::string& key);
std::vector<std::string> detail_keys(const std::vector<DetailEntry>& entries);

std::string read_text(const std::filesystem::path& path);
// "Label : value" lines of the summary, keyed by the label with surrounding spaces removed.
std::map<std::string, std::string> summary_fields(const std::string& summary);

}  // namespace infermark::testing

#include "log_parsing.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace infermark::testing {

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<DetailEntry> read_detail_log(const std::filesystem::path& path) {
  std::vector<DetailEntry> out;
  std::istringstream lines(read_text(path));
  std::string line;
  const std::string prefix = ":::MLLOG ";
  while (std::getline(lines, line)) {
    EXPECT_EQ(line.rfind(prefix, 0), 0u) << line;
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(line.substr(prefix.size()));
    } catch (const std::exception& e) {
      ADD_FAILURE() << "detail line is not JSON: " << line << " (" << e.what() << ")";
      continue;
    }
    out.push_back({j.at("key").get<std::string>(), j.at("value"),
                   j.at("metadata").at("is_error").get<bool>(),
                   j.at("metadata").at("is_warning").get<bool>()});
  }
  return out;
}

nlohmann::json detail_value(const std::vector<DetailEntry>& entries, const std::string& key) {
  nlohmann::json v;
  for (const auto& e : entries) {
    if (e.key == key) v = e.value;
  }
  return v;
}

std::vector<std::string> detail_keys(const std::vector<DetailEntry>& entries) {
  std::vector<std::string> keys;
  for (const auto& e : entries) keys.push_back(e.key);
  return keys;
}

std::map<std::string, std::string> summary_fields(const std::string& summary) {
  std::map<std::string, std::string> out;
  std::istringstream lines(summary);
  std::string line;
  auto trim = [](std::string s) {
    s.erase(0, s.find_first_not_of(' '));
    s.erase(s.find_last_not_of(' ') + 1);
    return s;
  };
  while (std::getline(lines, line)) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    out[trim(line.substr(0, colon))] = trim(line.substr(colon + 1));
  }
  return out;
}

}  // namespace infermark::testing

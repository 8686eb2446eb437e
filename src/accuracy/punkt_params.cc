// Loading and locating NLTK punkt_tab parameter files (see punkt.h).
#include <charconv>
#include <cstdlib>
#include <system_error>

#include "accuracy/punkt.h"
#include "accuracy/python_unicode.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace infermark::accuracy {
namespace {

constexpr const char* kFiles[] = {"abbrev_types.txt", "collocations.tab", "ortho_context.tab",
                                  "sent_starters.txt"};

// Calls on_line(line_number, line) for each non-empty line, without its "\n" or "\r\n".
template <typename OnLine>
void for_each_line(const std::filesystem::path& path, OnLine on_line) {
  const std::string text = util::read_file(path);
  size_t start = 0;
  size_t number = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    ++number;
    if (!line.empty()) on_line(number, line);
    start = end + 1;
  }
}

std::pair<std::string_view, std::string_view> split_tab(const std::filesystem::path& path,
                                                        size_t number, std::string_view line) {
  const size_t tab = line.find('\t');
  if (tab == std::string_view::npos || line.find('\t', tab + 1) != std::string_view::npos) {
    throw Error::format("{}:{}: expected two tab-separated fields, got '{}'", path.string(), number,
                        line);
  }
  return {line.substr(0, tab), line.substr(tab + 1)};
}

bool has_all_files(const std::filesystem::path& dir) {
  std::error_code ec;
  for (const char* name : kFiles) {
    if (!std::filesystem::is_regular_file(dir / name, ec)) return false;
  }
  return true;
}

}  // namespace

PunktParameters load_punkt_parameters(const std::filesystem::path& language_dir) {
  PunktParameters p;
  for_each_line(language_dir / "abbrev_types.txt",
                [&](size_t, std::string_view line) { p.abbrev_types.insert(utf8_decode(line)); });
  for_each_line(language_dir / "sent_starters.txt",
                [&](size_t, std::string_view line) { p.sent_starters.insert(utf8_decode(line)); });
  const auto collocations = language_dir / "collocations.tab";
  for_each_line(collocations, [&](size_t number, std::string_view line) {
    split_tab(collocations, number, line);
    p.collocations.insert(utf8_decode(line));
  });
  const auto ortho = language_dir / "ortho_context.tab";
  for_each_line(ortho, [&](size_t number, std::string_view line) {
    const auto [type, flags] = split_tab(ortho, number, line);
    int value = 0;
    const auto [end, ec] = std::from_chars(flags.data(), flags.data() + flags.size(), value);
    if (ec != std::errc() || end != flags.data() + flags.size() || value < 0) {
      throw Error::format("{}:{}: ortho context of '{}' is not a non-negative integer: '{}'",
                          ortho.string(), number, type, flags);
    }
    p.ortho_context[utf8_decode(type)] = value;
  });
  return p;
}

std::vector<std::filesystem::path> punkt_search_dirs(
    const std::optional<std::filesystem::path>& explicit_dir) {
  const std::filesystem::path suffix =
      std::filesystem::path("tokenizers") / "punkt_tab" / "english";
  std::vector<std::filesystem::path> dirs;
  if (explicit_dir) {
    dirs = {*explicit_dir, *explicit_dir / "english", *explicit_dir / "punkt_tab" / "english",
            *explicit_dir / suffix};
    return dirs;
  }
  if (const char* env = std::getenv("NLTK_DATA"); env && *env) {
    std::string_view list(env);
    while (!list.empty()) {
      const size_t colon = list.find(':');
      std::string_view entry = list.substr(0, colon);
      if (!entry.empty()) dirs.push_back(std::filesystem::path(entry) / suffix);
      if (colon == std::string_view::npos) break;
      list.remove_prefix(colon + 1);
    }
  }
  if (const char* home = std::getenv("HOME"); home && *home) {
    dirs.push_back(std::filesystem::path(home) / "nltk_data" / suffix);
  }
  for (const char* root : {"/usr/share/nltk_data", "/usr/local/share/nltk_data",
                           "/usr/lib/nltk_data", "/usr/local/lib/nltk_data"}) {
    dirs.push_back(std::filesystem::path(root) / suffix);
  }
  return dirs;
}

std::optional<std::filesystem::path> find_punkt_dir(
    const std::optional<std::filesystem::path>& explicit_dir) {
  for (const auto& dir : punkt_search_dirs(explicit_dir)) {
    if (has_all_files(dir)) return dir;
  }
  return std::nullopt;
}

}  // namespace infermark::accuracy

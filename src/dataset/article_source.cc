#include "dataset/article_source.h"

#include <algorithm>
#include <optional>

#include "dataset/csv_reader.h"
#include "text/utf8.h"
#include "util/atomic_file.h"
#include "util/error.h"
#include "util/json.h"

namespace infermark::dataset {
namespace {

using util::Json;

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
constexpr std::string_view kBlank = " \t\r\n\v\f";

std::string_view without_bom(std::string_view text) {
  return text.substr(0, kUtf8Bom.size()) == kUtf8Bom ? text.substr(kUtf8Bom.size()) : text;
}

SourceFormat detect_format(std::string_view text) {
  const size_t first = text.find_first_not_of(kBlank);
  if (first != std::string_view::npos && text[first] == '[') return SourceFormat::kJsonArray;
  if (first != std::string_view::npos && text[first] == '{') return SourceFormat::kJsonLines;
  return SourceFormat::kCsv;
}

// Checks one article or highlights value.
void check_text(std::string_view value, std::string_view field, const SourceArticle& a,
                std::string_view origin) {
  if (value.find_first_not_of(kBlank) == std::string_view::npos) {
    throw Error::format("{}: {}: field '{}' is empty{}", origin, a.where, field,
                        value.empty() ? "" : " (only whitespace)");
  }
  if (const size_t bad = text::find_invalid_utf8(value); bad != std::string_view::npos) {
    throw Error::format("{}: {}: field '{}' is not valid UTF-8 (byte {} of the field)", origin,
                        a.where, field, bad);
  }
}

void check_article(const SourceArticle& a, std::string_view origin) {
  check_text(a.article, "article", a, origin);
  check_text(a.highlights, "highlights", a, origin);
  if (const size_t bad = text::find_invalid_utf8(a.id); bad != std::string_view::npos) {
    throw Error::format("{}: {}: field 'id' is not valid UTF-8", origin, a.where);
  }
}

// nlohmann's message without its "[json.exception.parse_error.101] " prefix.
std::string json_reason(const Json::exception& e) {
  std::string_view what = e.what();
  const size_t end = what.find("] ");
  return std::string(end == std::string_view::npos ? what : what.substr(end + 2));
}

// ---- CSV

std::optional<size_t> find_column(const CsvRecord& header, std::string_view name,
                                  std::string_view origin) {
  std::optional<size_t> found;
  for (size_t i = 0; i < header.fields.size(); ++i) {
    if (header.fields[i] != name) continue;
    if (found) {
      throw Error::format("{}: row 1 (line {}): column '{}' appears twice (columns {} and {})",
                          origin, header.line, name, *found + 1, i + 1);
    }
    found = i;
  }
  return found;
}

size_t require_column(const CsvRecord& header, std::string_view name, std::string_view origin) {
  if (auto i = find_column(header, name, origin)) return *i;
  std::string names;
  for (const std::string& f : header.fields) names += (names.empty() ? "" : ", ") + f;
  throw Error::format("{}: row 1 (line {}): missing column '{}' (the header has: {})", origin,
                      header.line, name, names);
}

std::vector<SourceArticle> csv_articles(std::string_view text, std::string_view origin) {
  std::vector<CsvRecord> records = parse_csv(text, origin);
  if (records.empty()) throw Error::format("{}: the file is empty (no header row)", origin);
  const CsvRecord& header = records.front();
  const size_t article = require_column(header, "article", origin);
  const size_t highlights = require_column(header, "highlights", origin);
  const std::optional<size_t> id = find_column(header, "id", origin);
  std::vector<SourceArticle> out;
  out.reserve(records.size() - 1);
  for (size_t r = 1; r < records.size(); ++r) {
    CsvRecord& rec = records[r];
    SourceArticle a;
    a.where = fmt::format("row {} (line {})", rec.row, rec.line);
    a.article = std::move(rec.fields[article]);
    a.highlights = std::move(rec.fields[highlights]);
    if (id) a.id = std::move(rec.fields[*id]);
    check_article(a, origin);
    out.push_back(std::move(a));
  }
  return out;
}

// ---- JSON

std::string json_string_field(const Json& obj, std::string_view key, bool required,
                              const SourceArticle& a, std::string_view origin) {
  auto it = obj.find(key);
  if (it == obj.end()) {
    if (!required) return {};
    throw Error::format("{}: {}: missing field '{}'", origin, a.where, key);
  }
  if (!it->is_string()) {
    throw Error::format("{}: {}: field '{}' must be a string (got {})", origin, a.where, key,
                        it->type_name());
  }
  return it->get<std::string>();
}

SourceArticle json_article(const Json& obj, std::string where, std::string_view origin) {
  SourceArticle a;
  a.where = std::move(where);
  if (!obj.is_object()) {
    throw Error::format("{}: {}: expected an object with 'article' and 'highlights' (got {})",
                        origin, a.where, obj.type_name());
  }
  a.article = json_string_field(obj, "article", true, a, origin);
  a.highlights = json_string_field(obj, "highlights", true, a, origin);
  a.id = json_string_field(obj, "id", false, a, origin);
  check_article(a, origin);
  return a;
}

std::vector<SourceArticle> json_lines_articles(std::string_view text, std::string_view origin) {
  std::vector<SourceArticle> out;
  size_t line_no = 0;
  for (size_t pos = 0; pos < text.size();) {
    size_t end = text.find('\n', pos);
    const bool last = end == std::string_view::npos;
    if (last) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (line.find_first_not_of(kBlank) == std::string_view::npos) continue;
    Json obj;
    try {
      obj = Json::parse(line);
    } catch (const Json::parse_error& e) {
      throw Error::format("{}: line {}: invalid JSON: {}{}", origin, line_no, json_reason(e),
                          last ? " (the file ends inside this line: is it truncated?)" : "");
    }
    out.push_back(json_article(obj, fmt::format("line {}", line_no), origin));
  }
  return out;
}

std::vector<SourceArticle> json_array_articles(std::string_view text, std::string_view origin) {
  Json array;
  try {
    array = Json::parse(text);
  } catch (const Json::parse_error& e) {
    const size_t at = std::min(e.byte, text.size());
    const size_t line = 1 + static_cast<size_t>(std::count(text.begin(), text.begin() + at, '\n'));
    throw Error::format("{}: invalid JSON at line {}: {}{}", origin, line, json_reason(e),
                        at >= text.size() ? " (the file ends early: is it truncated?)" : "");
  }
  if (!array.is_array()) {
    throw Error::format("{}: expected a JSON array of articles (got {})", origin,
                        array.type_name());
  }
  std::vector<SourceArticle> out;
  out.reserve(array.size());
  for (size_t i = 0; i < array.size(); ++i) {
    out.push_back(json_article(array[i], fmt::format("element {}", i), origin));
  }
  return out;
}

}  // namespace

SourceFormat parse_source_format(std::string_view name) {
  if (name == "auto") return SourceFormat::kAuto;
  if (name == "csv") return SourceFormat::kCsv;
  if (name == "jsonl") return SourceFormat::kJsonLines;
  if (name == "json") return SourceFormat::kJsonArray;
  throw Error::format("unknown source format '{}' (auto, csv, jsonl or json)", name);
}

std::string_view source_format_name(SourceFormat format) {
  switch (format) {
    case SourceFormat::kAuto:
      return "auto";
    case SourceFormat::kCsv:
      return "csv";
    case SourceFormat::kJsonLines:
      return "jsonl";
    case SourceFormat::kJsonArray:
      return "json";
  }
  return "?";
}

ArticleSource parse_articles(std::string_view text, std::string_view origin, SourceFormat format) {
  ArticleSource source;
  source.origin = origin;
  source.format = format == SourceFormat::kAuto ? detect_format(without_bom(text)) : format;
  switch (source.format) {
    case SourceFormat::kCsv:
      source.articles = csv_articles(text, origin);
      break;
    case SourceFormat::kJsonLines:
      source.articles = json_lines_articles(without_bom(text), origin);
      break;
    case SourceFormat::kJsonArray:
    case SourceFormat::kAuto:
      source.articles = json_array_articles(without_bom(text), origin);
      break;
  }
  if (source.articles.empty()) throw Error::format("{}: the file holds no articles", origin);
  return source;
}

ArticleSource read_articles(const std::filesystem::path& path, SourceFormat format) {
  return parse_articles(util::read_file(path), path.string(), format);
}

}  // namespace infermark::dataset

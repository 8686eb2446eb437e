// CNN-DailyMail 3.0.0 articles in the forms people hold a split (the input of
// `infermark dataset prepare`):
//   - CSV with a header naming `article`, `highlights` and optionally `id` (any order, other
//     columns ignored): the widely mirrored export. RFC 4180 (csv_reader.h).
//   - JSON Lines: one object per line with `article`, `highlights` and optionally `id` (what
//     Hugging Face datasets' `to_json` writes).
//   - A JSON array of such objects.
// Articles keep the source order (the order of HF's split, which MLPerf's qsl_idx indexes).
//
// Every article and highlights must be a non-empty string of valid UTF-8 (not only whitespace);
// an `id`, when present, a string. Errors name the file, where in it (CSV "row R (line L)",
// JSON Lines "line L", JSON array "element I" counted from 0) and the field. A file whose end is
// cut off is reported as possibly truncated.
//
// Pure functions, thread-safe. Memory: the articles are copied out (about the file's size).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace infermark::dataset {

enum class SourceFormat { kAuto, kCsv, kJsonLines, kJsonArray };

// "auto", "csv", "jsonl" or "json"; Error otherwise.
SourceFormat parse_source_format(std::string_view name);
std::string_view source_format_name(SourceFormat format);

struct SourceArticle {
  std::string id;  // empty when the source has none
  std::string article;
  std::string highlights;
  std::string where;  // "row 12 (line 40)", "line 12" or "element 11", for messages
};

struct ArticleSource {
  std::string origin;                         // the file name, for messages
  SourceFormat format = SourceFormat::kAuto;  // as detected
  std::vector<SourceArticle> articles;
};

// kAuto: a JSON array if the first non-blank character is '[', JSON Lines if '{', else CSV.
ArticleSource parse_articles(std::string_view text, std::string_view origin, SourceFormat format);
// Reads the file and parses it. Throws Error naming the file.
ArticleSource read_articles(const std::filesystem::path& path, SourceFormat format);

}  // namespace infermark::dataset

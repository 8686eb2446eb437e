#include "dataset/csv_reader.h"

#include <algorithm>

#include "util/error.h"

namespace infermark::dataset {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

class CsvParser {
 public:
  CsvParser(std::string_view text, std::string_view origin) : text_(text), origin_(origin) {
    if (text_.substr(0, kUtf8Bom.size()) == kUtf8Bom) pos_ = kUtf8Bom.size();
  }

  std::vector<CsvRecord> parse() {
    std::vector<CsvRecord> records;
    while (pos_ < text_.size()) {
      if (skip_line_break()) continue;  // a blank line
      CsvRecord record{{}, records.size() + 1, line_};
      read_record(record);
      if (!records.empty() && record.fields.size() != records.front().fields.size()) {
        const bool last = pos_ >= text_.size() && !ends_with_line_break();
        throw Error::format("{}: row {} (line {}): {} field{}, the header has {}{}", origin_,
                            record.row, record.line, record.fields.size(),
                            record.fields.size() == 1 ? "" : "s", records.front().fields.size(),
                            last ? " (the file ends inside this record: is it truncated?)" : "");
      }
      records.push_back(std::move(record));
      if (records.size() == 1) header_ = records.front().fields;
    }
    return records;
  }

 private:
  // Reads fields up to and including the record's line break (or the end of the text).
  void read_record(CsvRecord& record) {
    record_ = &record;
    while (true) {
      record.fields.push_back(at_quote() ? quoted_field() : unquoted_field());
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      skip_line_break();
      return;
    }
  }

  bool at_quote() const { return pos_ < text_.size() && text_[pos_] == '"'; }

  std::string unquoted_field() {
    const size_t end = std::min(text_.find_first_of(",\r\n", pos_), text_.size());
    std::string_view field = text_.substr(pos_, end - pos_);
    if (field.find('"') != std::string_view::npos) {
      fail(
          "a quote inside an unquoted field (RFC 4180: quote the whole field and double the "
          "quote)");
    }
    pos_ = end;
    return std::string(field);
  }

  std::string quoted_field() {
    const size_t open_line = line_;
    std::string field;
    ++pos_;  // the opening quote
    while (true) {
      const size_t quote = text_.find('"', pos_);
      if (quote == std::string_view::npos) {
        fail(
            fmt::format("the quoted field opened on line {} is not closed before the end of the "
                        "file (is the file truncated?)",
                        open_line));
      }
      std::string_view chunk = text_.substr(pos_, quote - pos_);
      line_ += static_cast<size_t>(std::count(chunk.begin(), chunk.end(), '\n'));
      field.append(chunk);
      pos_ = quote + 1;
      if (pos_ < text_.size() && text_[pos_] == '"') {  // a doubled quote
        field += '"';
        ++pos_;
        continue;
      }
      break;
    }
    if (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '\r' && text_[pos_] != '\n') {
      fail(
          fmt::format("unexpected '{}' after a closing quote (RFC 4180: a quote inside a quoted "
                      "field is doubled)",
                      text_[pos_]));
    }
    return field;
  }

  // Consumes one CRLF, LF or CR; false if there is none at the current position.
  bool skip_line_break() {
    if (pos_ >= text_.size()) return false;
    if (text_[pos_] == '\r') {
      ++pos_;
      if (pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
    } else if (text_[pos_] == '\n') {
      ++pos_;
    } else {
      return false;
    }
    ++line_;
    return true;
  }

  bool ends_with_line_break() const {
    return !text_.empty() && (text_.back() == '\n' || text_.back() == '\r');
  }

  [[noreturn]] void fail(const std::string& what) const {
    const size_t column = record_->fields.size();  // 0-based index of the field being read
    std::string name;
    if (column < header_.size()) name = fmt::format(" '{}'", header_[column]);
    throw Error::format("{}: row {} (line {}), column {}{}: {}", origin_, record_->row,
                        record_->line, column + 1, name, what);
  }

  std::string_view text_;
  std::string_view origin_;
  size_t pos_ = 0;
  size_t line_ = 1;
  CsvRecord* record_ = nullptr;
  std::vector<std::string> header_;  // column names, once the first record is read
};

}  // namespace

std::vector<CsvRecord> parse_csv(std::string_view text, std::string_view origin) {
  return CsvParser(text, origin).parse();
}

}  // namespace infermark::dataset

// An RFC 4180 CSV reader for the CNN-DailyMail exports people hold (`id,article,highlights`,
// written by pandas' to_csv): comma-separated fields, records ending in CRLF or LF, fields in
// double quotes when they hold commas, quotes or line breaks, a quote inside doubled (""). A UTF-8
// byte-order mark at the start is skipped; blank lines between records are skipped.
//
// Strict where the RFC is: a quote inside an unquoted field, anything but a comma or line end
// after a closing quote, a quoted field still open at the end of the file (a truncated file) and
// a record with a different number of fields than the header are errors. Every error names the
// file, the record's row (the header is row 1, as a spreadsheet counts), the line the record
// starts on, and the column (by its header name once the header is read).
//
// Pure function, thread-safe. Cost: one pass; the fields are copied out.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace infermark::dataset {

struct CsvRecord {
  std::vector<std::string> fields;
  size_t row = 0;   // 1-based record number; the header is row 1
  size_t line = 0;  // 1-based line on which the record starts
};

// Parses `text`; `origin` (the file name) starts every error message. The first record is the
// header. Throws Error "<origin>: row R (line L), column 'C': <what>".
std::vector<CsvRecord> parse_csv(std::string_view text, std::string_view origin);

}  // namespace infermark::dataset

// Typed reads of the fields of a request's JSON object, each failing with an ApiError (400) that
// names the field and quotes the offending value. A field that is absent or null reads as
// nullopt (clients send null for "default").
//
//   FieldReader f(body, "");                       // or a path prefix such as "messages[2]."
//   int max_tokens = f.integer("max_tokens", 1, context).value_or(16);
//
// Pure functions of the JSON; cheap.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/json.h"

namespace infermark::server {

// `value` as compact JSON, cut to about 80 characters, for error messages.
std::string quote_json(const util::Json& value);

class FieldReader {
 public:
  // `object` must outlive the reader; `prefix` is put before field names in messages.
  FieldReader(const util::Json& object, std::string prefix);

  // The field, or null when absent or JSON null.
  const util::Json* get(std::string_view name) const;
  std::optional<int64_t> integer(std::string_view name, int64_t min, int64_t max) const;
  // Any JSON integer (signed or unsigned 64-bit), as its two's complement bits.
  std::optional<uint64_t> integer_bits(std::string_view name) const;
  // A finite number in [min, max]; `min_open` excludes min itself.
  std::optional<double> number(std::string_view name, double min, double max,
                               bool min_open = false) const;
  std::optional<bool> boolean(std::string_view name) const;
  std::optional<std::string> string(std::string_view name) const;
  // Fails with "unsupported" unless the field is absent, null, or equals `neutral`.
  void reject_unless(std::string_view name, const util::Json& neutral, std::string_view what) const;

  std::string path(std::string_view name) const { return prefix_ + std::string(name); }

 private:
  const util::Json& object_;
  std::string prefix_;
};

}  // namespace infermark::server

#include "server/json_fields.h"

#include <cmath>

#include "server/api_error.h"

namespace infermark::server {

std::string quote_json(const util::Json& value) {
  std::string s = value.dump(-1, ' ', false, util::Json::error_handler_t::replace);
  if (s.size() > 80) {
    s.resize(77);
    s += "...";
  }
  return s;
}

FieldReader::FieldReader(const util::Json& object, std::string prefix)
    : object_(object), prefix_(std::move(prefix)) {}

const util::Json* FieldReader::get(std::string_view name) const {
  const auto it = object_.find(name);
  if (it == object_.end() || it->is_null()) return nullptr;
  return &*it;
}

std::optional<int64_t> FieldReader::integer(std::string_view name, int64_t min, int64_t max) const {
  const util::Json* v = get(name);
  if (!v) return std::nullopt;
  const std::string p = path(name);
  auto range_error = [&] {
    return ApiError::invalid_value(
        p, fmt::format("{} = {}: must be an integer in [{}, {}]", p, quote_json(*v), min, max));
  };
  if (v->is_number_unsigned()) {
    const auto u = v->get<uint64_t>();
    if (u > static_cast<uint64_t>(max) || (min > 0 && u < static_cast<uint64_t>(min))) {
      throw range_error();
    }
    return static_cast<int64_t>(u);
  }
  if (v->is_number_integer()) {
    const auto i = v->get<int64_t>();
    if (i < min || i > max) throw range_error();
    return i;
  }
  if (v->is_number()) throw range_error();
  throw ApiError::invalid_type(
      p, fmt::format("{} must be an integer, got {} {}", p, v->type_name(), quote_json(*v)));
}

std::optional<uint64_t> FieldReader::integer_bits(std::string_view name) const {
  const util::Json* v = get(name);
  if (!v) return std::nullopt;
  if (v->is_number_unsigned()) return v->get<uint64_t>();
  if (v->is_number_integer()) return static_cast<uint64_t>(v->get<int64_t>());
  const std::string p = path(name);
  throw ApiError::invalid_type(p, fmt::format("{} must be an integer, got {}", p, quote_json(*v)));
}

std::optional<double> FieldReader::number(std::string_view name, double min, double max,
                                          bool min_open) const {
  const util::Json* v = get(name);
  if (!v) return std::nullopt;
  const std::string p = path(name);
  if (!v->is_number()) {
    throw ApiError::invalid_type(
        p, fmt::format("{} must be a number, got {} {}", p, v->type_name(), quote_json(*v)));
  }
  const auto d = v->get<double>();
  if (!std::isfinite(d) || d > max || (min_open ? d <= min : d < min)) {
    throw ApiError::invalid_value(p, fmt::format("{} = {}: must be in {}{}, {}]", p, quote_json(*v),
                                                 min_open ? "(" : "[", min, max));
  }
  return d;
}

std::optional<bool> FieldReader::boolean(std::string_view name) const {
  const util::Json* v = get(name);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) {
    const std::string p = path(name);
    throw ApiError::invalid_type(
        p, fmt::format("{} must be true or false, got {}", p, quote_json(*v)));
  }
  return v->get<bool>();
}

std::optional<std::string> FieldReader::string(std::string_view name) const {
  const util::Json* v = get(name);
  if (!v) return std::nullopt;
  if (!v->is_string()) {
    const std::string p = path(name);
    throw ApiError::invalid_type(
        p, fmt::format("{} must be a string, got {} {}", p, v->type_name(), quote_json(*v)));
  }
  return v->get<std::string>();
}

void FieldReader::reject_unless(std::string_view name, const util::Json& neutral,
                                std::string_view what) const {
  const util::Json* v = get(name);
  if (!v || *v == neutral) return;
  const std::string p = path(name);
  throw ApiError::unsupported(
      p, fmt::format("{} = {}: {} is not supported by this server", p, quote_json(*v), what));
}

}  // namespace infermark::server

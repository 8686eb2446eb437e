#include "loadgen/accuracy_log_writer.h"

#include <fmt/format.h>

#include "util/atomic_file.h"

namespace infermark::loadgen {

std::string to_hex(std::span<const std::byte> bytes) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out(bytes.size() * 2, '0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    const auto b = static_cast<unsigned>(bytes[i]);
    out[2 * i] = kDigits[b >> 4];
    out[2 * i + 1] = kDigits[b & 15];
  }
  return out;
}

void AccuracyLogWriter::add(Entry entry) {
  std::lock_guard lock(mu_);
  entries_.push_back(std::move(entry));
}

size_t AccuracyLogWriter::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

void AccuracyLogWriter::write(const std::filesystem::path& path) const {
  std::lock_guard lock(mu_);
  util::AtomicFile file(path);
  file.write("[");
  bool first = true;
  for (const Entry& e : entries_) {
    std::string line = fmt::format("{}{{ \"seq_id\" : {}, \"qsl_idx\" : {}, \"data\" : \"{}\"",
                                   first ? "\n" : ",\n", e.seq_id, e.qsl_idx, to_hex(e.data));
    if (e.token_data) line += fmt::format(", \"token_data\" : \"{}\"", to_hex(*e.token_data));
    if (e.token_count) line += fmt::format(", \"token_count\" : {}", *e.token_count);
    line += " }";
    file.write(line);
    first = false;
  }
  file.write("\n]\n");
  file.commit();
}

}  // namespace infermark::loadgen

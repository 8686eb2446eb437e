#include "model/safetensors.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <utility>

#include "util/error.h"
#include "util/json.h"

namespace infermark::model {
namespace fs = std::filesystem;
using util::Json;

int64_t TensorView::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::string TensorView::describe() const {
  std::string s(dtype_name(dtype));
  s += '[';
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + ']';
}

MappedFile::MappedFile(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error::format("{}: cannot open: {}", path.string(), std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw Error::format("{}: not a regular file", path.string());
  }
  size_ = static_cast<uint64_t>(st.st_size);
  if (size_ > 0) {
    void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      int err = errno;
      ::close(fd);
      throw Error::format("{}: cannot map {} bytes: {}", path.string(), size_, std::strerror(err));
    }
    data_ = static_cast<const std::byte*>(p);
  }
  ::close(fd);
}

MappedFile::~MappedFile() {
  if (data_) ::munmap(const_cast<std::byte*>(data_), size_);
}

MappedFile::MappedFile(MappedFile&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
  if (this != &other) {
    if (data_) ::munmap(const_cast<std::byte*>(data_), size_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

namespace {

// A header entry with its data range relative to the start of the data buffer.
struct Entry {
  TensorView view;
  uint64_t begin = 0;
  uint64_t end = 0;
};

uint64_t read_u64_le(const std::byte* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

std::string range_text(const Entry& e) { return fmt::format("[{}, {}]", e.begin, e.end); }

Entry parse_entry(const std::string& name, const Json& v, const std::string& where) {
  std::string origin = fmt::format("{}: tensor '{}'", where, name);
  if (!v.is_object()) throw Error::format("{}: entry must be an object", origin);
  Entry e;
  e.view.name = name;
  auto dtype_name_text = util::json_field<std::string>(v, "dtype", origin);
  auto dtype = parse_dtype(dtype_name_text);
  if (!dtype) throw Error::format("{}: unknown dtype '{}'", origin, dtype_name_text);
  e.view.dtype = *dtype;
  const Json& shape = v.contains("shape") ? v["shape"] : Json();
  if (!shape.is_array()) throw Error::format("{}: 'shape' must be a list of sizes", origin);
  // numel * element size must fit in 63 bits; checked as we go.
  uint64_t bytes = dtype_size(*dtype);
  for (const Json& d : shape) {
    if (!d.is_number_unsigned()) {
      throw Error::format("{}: shape {} has a dimension that is not a non-negative integer", origin,
                          shape.dump());
    }
    auto dim = d.get<uint64_t>();
    if (dim != 0 && bytes > uint64_t{std::numeric_limits<int64_t>::max()} / dim) {
      throw Error::format("{}: shape {} is too large", origin, shape.dump());
    }
    bytes *= dim;
    e.view.shape.push_back(static_cast<int64_t>(dim));
  }
  const Json& offsets = v.contains("data_offsets") ? v["data_offsets"] : Json();
  if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
      !offsets[1].is_number_unsigned()) {
    throw Error::format("{}: 'data_offsets' must be [begin, end] byte offsets", origin);
  }
  e.begin = offsets[0].get<uint64_t>();
  e.end = offsets[1].get<uint64_t>();
  if (e.end < e.begin) {
    throw Error::format("{}: data_offsets {} end before they begin", origin, range_text(e));
  }
  if (e.end - e.begin != bytes) {
    throw Error::format("{}: data_offsets {} hold {} bytes but {} needs {} bytes", origin,
                        range_text(e), e.end - e.begin, e.view.describe(), bytes);
  }
  e.view.nbytes = bytes;
  return e;
}

// Ranges must tile the data buffer exactly: sorted by offset, starting at 0, each beginning
// where the previous one ended, the last ending at the end of the file.
void check_layout(std::vector<Entry>& entries, uint64_t buffer_size, const std::string& where) {
  for (const Entry& e : entries) {
    if (e.end > buffer_size) {
      throw Error::format(
          "{}: tensor '{}': data_offsets {} lie outside the {}-byte data buffer "
          "(file truncated?)",
          where, e.view.name, range_text(e), buffer_size);
    }
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  uint64_t expected = 0;
  const Entry* prev = nullptr;
  for (const Entry& e : entries) {
    if (e.begin < expected) {
      throw Error::format("{}: tensor '{}' {} overlaps tensor '{}' {}", where, e.view.name,
                          range_text(e), prev->view.name, range_text(*prev));
    }
    if (e.begin > expected) {
      throw Error::format(
          "{}: tensor '{}' begins at byte {} but the previous tensor ends at {} "
          "(ranges must be contiguous)",
          where, e.view.name, e.begin, expected);
    }
    expected = e.end;
    prev = &e;
  }
  if (expected != buffer_size) {
    throw Error::format("{}: tensors cover {} bytes but the data buffer holds {} (trailing bytes)",
                        where, expected, buffer_size);
  }
}

}  // namespace

SafetensorsFile::SafetensorsFile(fs::path path, MappedFile map)
    : path_(std::move(path)), map_(std::move(map)) {}

std::unique_ptr<SafetensorsFile> SafetensorsFile::open(const fs::path& path) {
  std::unique_ptr<SafetensorsFile> f(new SafetensorsFile(path, MappedFile(path)));
  f->parse_header();
  return f;
}

void SafetensorsFile::parse_header() {
  const std::string where = path_.string();
  const uint64_t size = map_.size();
  if (size < 8) {
    throw Error::format("{}: file is {} bytes, too short for the 8-byte header length (truncated?)",
                        where, size);
  }
  const uint64_t header_len = read_u64_le(map_.data());
  if (header_len > kMaxSafetensorsHeaderBytes) {
    throw Error::format("{}: header length {} exceeds the limit of {} bytes", where, header_len,
                        kMaxSafetensorsHeaderBytes);
  }
  if (header_len > size - 8) {
    throw Error::format("{}: header length {} goes past the end of the {}-byte file (truncated?)",
                        where, header_len, size);
  }
  std::string_view text(reinterpret_cast<const char*>(map_.data() + 8), header_len);
  Json header = util::parse_json(text, where + ": header");
  if (!header.is_object()) throw Error::format("{}: header must be a JSON object", where);

  std::vector<Entry> entries;
  entries.reserve(header.size());
  for (const auto& [key, value] : header.items()) {
    if (key == "__metadata__") {
      if (!value.is_object()) throw Error::format("{}: __metadata__ must be an object", where);
      for (const auto& [mk, mv] : value.items()) {
        if (!mv.is_string()) {
          throw Error::format("{}: __metadata__ value '{}' must be a string", where, mk);
        }
        metadata_[mk] = mv.get<std::string>();
      }
      continue;
    }
    entries.push_back(parse_entry(key, value, where));
  }
  const uint64_t data_start = 8 + header_len;
  check_layout(entries, size - data_start, where);

  tensors_.reserve(entries.size());
  for (Entry& e : entries) {
    e.view.data = map_.data() + data_start + e.begin;
    by_name_.emplace(e.view.name, tensors_.size());
    tensors_.push_back(std::move(e.view));
  }
}

const TensorView* SafetensorsFile::find(std::string_view name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : &tensors_[it->second];
}

}  // namespace infermark::model

#include "util/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "util/error.h"

namespace infermark::util {
namespace fs = std::filesystem;

namespace {
std::string errno_text() { return std::strerror(errno); }
}  // namespace

AtomicFile::AtomicFile(fs::path path) : path_(std::move(path)) {
  tmp_path_ = path_;
  tmp_path_ += ".tmp." + std::to_string(::getpid());
  file_ = std::fopen(tmp_path_.c_str(), "wb");
  if (!file_) {
    throw Error::format("{}: cannot create file ({}): {}", path_.string(),
                        tmp_path_.filename().string(), errno_text());
  }
  std::setvbuf(file_, nullptr, _IOFBF, 1 << 20);
}

AtomicFile::~AtomicFile() {
  if (file_) {
    std::fclose(file_);
    std::error_code ec;
    fs::remove(tmp_path_, ec);
  }
}

void AtomicFile::write(std::string_view bytes) {
  if (!file_) throw Error::format("{}: write after commit", path_.string());
  if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) {
    throw Error::format("{}: write failed: {}", path_.string(), errno_text());
  }
}

void AtomicFile::commit() {
  if (!file_) throw Error::format("{}: committed twice", path_.string());
  bool ok = std::fflush(file_) == 0 && ::fsync(::fileno(file_)) == 0;
  std::string reason = ok ? "" : errno_text();
  ok = (std::fclose(file_) == 0) && ok;
  file_ = nullptr;
  if (!ok || std::rename(tmp_path_.c_str(), path_.c_str()) != 0) {
    if (reason.empty()) reason = errno_text();
    std::error_code ec;
    fs::remove(tmp_path_, ec);
    throw Error::format("{}: cannot write file: {}", path_.string(), reason);
  }
}

void write_file_atomic(const fs::path& path, std::string_view content) {
  AtomicFile f(path);
  f.write(content);
  f.commit();
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error::format("{}: cannot open file: {}", path.string(), errno_text());
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw Error::format("{}: read failed", path.string());
  return ss.str();
}

void ensure_writable_dir(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw Error::format("{}: cannot create folder: {}", dir.string(), ec.message());
  if (!fs::is_directory(dir)) throw Error::format("{}: not a folder", dir.string());
  // access() says yes to root on a read-only mount and knows nothing of a full disk or a file
  // size limit: a real write, flushed to the file system, is the only honest probe.
  const fs::path probe = dir / (".infermark-write-probe." + std::to_string(::getpid()));
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw Error::format("{}: folder is not writable: {}", dir.string(), errno_text());
  const std::string block(kWriteProbeBytes, '\0');
  size_t written = 0;
  ssize_t n = 0;
  while (written < block.size() &&
         (n = ::write(fd, block.data() + written, block.size() - written)) > 0) {
    written += static_cast<size_t>(n);
  }
  const bool ok = written == block.size() && ::fsync(fd) == 0;
  const std::string reason = ok ? "" : errno_text();
  ::close(fd);
  fs::remove(probe, ec);
  if (!ok) {
    throw Error::format("{}: cannot write files in this folder: {}", dir.string(), reason);
  }
}

}  // namespace infermark::util

// Whole-file writes that are atomic: readers see either the old file or the complete new one,
// never a partial write. Content goes to "<path>.tmp.<pid>" and is renamed over `path` on commit.
#pragma once

#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>

namespace infermark::util {

// Writes `content` to `path` atomically. Throws Error naming the path on any failure.
void write_file_atomic(const std::filesystem::path& path, std::string_view content);

// Reads a whole file. Throws Error naming the path if it cannot be read.
std::string read_file(const std::filesystem::path& path);

// A file being written: buffered appends to a temporary sibling, published by commit().
// If destroyed without commit() the temporary is removed and `path` is untouched.
// Not thread-safe; one writer.
class AtomicFile {
 public:
  explicit AtomicFile(std::filesystem::path path);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(std::string_view bytes);
  // Flushes, fsyncs and renames into place. Throws Error on failure.
  void commit();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  std::filesystem::path tmp_path_;
  std::FILE* file_ = nullptr;
};

// Checks that `dir` exists (creating it and its parents if needed) and that files can be written
// in it: a probe file of kWriteProbeBytes is written, fsynced and removed, so that a read-only
// mount, a full disk or a file-size limit (RLIMIT_FSIZE) below that size is reported before a
// run, not after it. Throws Error naming the folder and the system's reason otherwise.
inline constexpr size_t kWriteProbeBytes = 64 * 1024;
void ensure_writable_dir(const std::filesystem::path& dir);

}  // namespace infermark::util

// safetensors: the 8-byte header length, the JSON header (dtypes, shapes, data offsets,
// __metadata__) and the tensor table, from a file of arbitrary bytes. Every tensor the reader
// accepts must lie inside the file: its bytes are read end to end.
#include <sys/mman.h>
#include <unistd.h>

#include <string>

#include "fuzz_target.h"
#include "model/safetensors.h"
#include "util/error.h"

IM_FUZZ_TARGET(safetensors) {
  const int fd = ::memfd_create("fuzz.safetensors", 0);
  if (fd < 0) return;
  if (size > 0 && ::write(fd, data, size) != static_cast<ssize_t>(size)) {
    ::close(fd);
    return;
  }
  try {
    auto file = infermark::model::SafetensorsFile::open("/proc/self/fd/" + std::to_string(fd));
    uint64_t sum = 0;
    for (const auto& t : file->tensors()) {
      for (uint64_t i = 0; i < t.nbytes; ++i) sum += static_cast<uint8_t>(t.data[i]);
      (void)t.describe();
    }
    (void)file->metadata().size();
    if (sum == 0xffffffffffffffffull) ::abort();  // keeps the reads
  } catch (const infermark::Error&) {
  }
  ::close(fd);
}

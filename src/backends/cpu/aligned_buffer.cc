#include "backends/cpu/aligned_buffer.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

namespace infermark::cpu {
namespace {
constexpr size_t kHugePage = size_t{2} << 20;
}

void* allocate_aligned(size_t bytes) {
  const size_t align = bytes >= kHugePage ? kHugePage : 64;
  const size_t rounded = (std::max<size_t>(bytes, 1) + align - 1) / align * align;
  void* data = std::aligned_alloc(align, rounded);
  if (data == nullptr) throw std::bad_alloc();
  if (align == kHugePage) madvise(data, rounded, MADV_HUGEPAGE);  // a hint; failure is harmless
  std::memset(data, 0, rounded);
  return data;
}

void free_aligned(void* data) { std::free(data); }

AlignedBuffer::AlignedBuffer(size_t bytes) : size_(bytes) {
  if (bytes > 0) data_ = allocate_aligned(bytes);
}

AlignedBuffer::~AlignedBuffer() { free_aligned(data_); }

AlignedBuffer::AlignedBuffer(AlignedBuffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

AlignedBuffer& AlignedBuffer::operator=(AlignedBuffer&& other) noexcept {
  if (this != &other) {
    free_aligned(data_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

}  // namespace infermark::cpu

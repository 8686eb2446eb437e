// An owned, zero-initialised block of memory aligned for SIMD loads (64 bytes; 2 MiB with a
// transparent-huge-page hint for blocks of 2 MiB or more, which cuts TLB misses when weights are
// streamed). Move-only. Used for packed weights and other long-lived kernel buffers.
#pragma once

#include <cstddef>

namespace infermark::cpu {

// The allocation behind AlignedBuffer, for owners that keep a raw pointer (ops::Buffer): `bytes`
// zero-initialised bytes, aligned as above; throws std::bad_alloc. Release with free_aligned.
void* allocate_aligned(size_t bytes);
void free_aligned(void* data);

class AlignedBuffer {
 public:
  AlignedBuffer() = default;
  explicit AlignedBuffer(size_t bytes);
  ~AlignedBuffer();
  AlignedBuffer(AlignedBuffer&& other) noexcept;
  AlignedBuffer& operator=(AlignedBuffer&& other) noexcept;
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;

  void* data() { return data_; }
  const void* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  void* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace infermark::cpu

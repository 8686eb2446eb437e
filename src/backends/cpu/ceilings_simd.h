// The SIMD probe loops of ceilings.cc, declared apart from anything inline so that the files
// compiled with -mavx2 / -mavx512f include no shared inline code (see CMakeLists.txt).
#pragma once

#include <cstddef>

namespace infermark::cpu {
namespace avx2 {
// Sums the 32-byte words of [p, p + bytes), p 32-byte aligned, bytes a multiple of 256: a pure
// streaming read.
long long stream_read(const void* p, size_t bytes);
// The same sum read as the quantized decode kernels read their weights: two streams (the two
// halves of the range, bytes a multiple of 256) advanced together, each with a software
// prefetch 1 KiB ahead.
long long stream_read_prefetched(const void* p, size_t bytes);
// 12 independent chains of `iters` 8-wide FMAs: 2 * 8 * 12 * iters flops. Returns a checksum.
float fma_chains(long long iters);
}  // namespace avx2
namespace avx512 {
// 12 chains of 16-wide FMAs: 2 * 16 * 12 * iters flops.
float fma_chains(long long iters);
}  // namespace avx512
}  // namespace infermark::cpu

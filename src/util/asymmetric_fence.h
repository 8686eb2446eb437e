// An asymmetric memory fence: a cheap side that fast-path threads run on every operation and an
// expensive side that one rare thread runs, which together order memory like a full fence on both
// sides (the pattern of folly's asymmetric_thread_fence and liburcu's membarrier flavour).
//
// Contract: if thread A does `store X; asymmetric_fence_light(); load Y` and thread B does
// `store Y; asymmetric_fence_heavy(); load X`, then A sees B's Y or B sees A's X (or both) — the
// store-load ordering a full fence on both sides would give. The light side is a compiler barrier;
// the heavy side is membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED), which interrupts every CPU
// running a thread of this process (microseconds). Use both sides only when
// asymmetric_fence_available(); otherwise fall back to real atomics on the fast path.
//
// Thread safety: all functions from any thread. asymmetric_fence_available() registers the process
// with the kernel on its first call (once; later calls read a cached answer).
#pragma once

#include <atomic>

namespace infermark {

// True where the kernel offers private expedited membarrier (Linux >= 4.14; not under every
// sandbox or seccomp policy).
bool asymmetric_fence_available();

inline void asymmetric_fence_light() { std::atomic_signal_fence(std::memory_order_seq_cst); }

// Requires asymmetric_fence_available(). Never fails once registration succeeded.
void asymmetric_fence_heavy();

}  // namespace infermark

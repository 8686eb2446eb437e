// A persistent pool of worker threads for the CPU kernels.
//
// `run(f)` calls f(thread_index, n_threads) once on each of the pool's n threads — the calling
// thread is index 0, workers are 1..n-1 — and returns when all have finished: a fork/join with
// one barrier. Work is partitioned statically by the callee (see `split_range`). Nothing is
// allocated per call. Workers spin briefly after a task (ops in a forward step follow each
// other within microseconds) and then sleep on a futex, so an idle pool uses no CPU.
//
// Thread safety: one `run` at a time (the engine thread drives the pool); `run` must not be
// called from inside a task (checked). Tasks must not throw.
#pragma once

#include <atomic>
#include <cstdint>
#include <thread>
#include <utility>
#include <vector>

namespace infermark::cpu {

class ThreadPool {
 public:
  using TaskFn = void (*)(void* context, int thread_index, int n_threads);

  // n_threads <= 0 means one thread per physical core.
  explicit ThreadPool(int n_threads = 0);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // Total threads taking part in `run`, including the caller.
  int size() const { return n_threads_; }

  // Calls fn(context, i, size()) on every thread i and waits for all of them.
  void run_raw(TaskFn fn, void* context);

  // Calls f(thread_index, n_threads) on every thread and waits for all of them.
  template <typename F>
  void run(F&& f) {
    using Fn = std::remove_reference_t<F>;
    run_raw([](void* c, int i, int n) { (*static_cast<Fn*>(c))(i, n); },
            const_cast<void*>(static_cast<const void*>(&f)));
  }

  // Calls f(begin, end, thread_index) with the static partition of [0, n) for each thread
  // (threads with an empty range are not called). When n is 1, or n * work_per_item (in rough
  // units of simple arithmetic operations) is below kMinParallelWork, calls f(0, n, 0) on the
  // caller alone: one item cannot be shared, and waking the workers would cost more than small
  // work.
  template <typename F>
  void parallel_for(int64_t n, F&& f, int64_t work_per_item = kMinParallelWork);

  static constexpr int64_t kMinParallelWork = 32768;

 private:
  void worker_loop(int index);

  int n_threads_;
  std::vector<std::thread> workers_;
  TaskFn fn_ = nullptr;
  void* context_ = nullptr;
  alignas(64) std::atomic<uint32_t> generation_{0};
  alignas(64) std::atomic<int> pending_{0};
  std::atomic<bool> stop_{false};
};

// The i-th of n near-equal contiguous parts of [0, total): [first, second).
inline std::pair<int64_t, int64_t> split_range(int64_t total, int i, int n) {
  return {total * i / n, total * (i + 1) / n};
}

template <typename F>
void ThreadPool::parallel_for(int64_t n, F&& f, int64_t work_per_item) {
  if (n <= 0) return;
  if (n_threads_ == 1 || n == 1 || n * work_per_item < kMinParallelWork) {
    f(int64_t{0}, n, 0);
    return;
  }
  auto task = [&](int i, int nt) {
    const auto [b, e] = split_range(n, i, nt);
    if (b < e) f(b, e, i);
  };
  run(task);
}

}  // namespace infermark::cpu

#include "backends/cpu/thread_pool.h"

#include <chrono>

#include "backends/cpu/cpu_features.h"
#include "util/error.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define IM_CPU_RELAX() _mm_pause()
#else
#define IM_CPU_RELAX() ((void)0)
#endif

namespace infermark::cpu {
namespace {

// How long a thread busy-waits for the next task or for the others to finish before it blocks.
constexpr auto kSpinTime = std::chrono::microseconds(50);

thread_local bool t_in_task = false;

// Spins until value != old or the spin time is over; then blocks until value != old.
template <typename T>
void wait_while_equal(const std::atomic<T>& value, T old) {
  const auto start = std::chrono::steady_clock::now();
  for (int i = 1;; ++i) {
    if (value.load(std::memory_order_acquire) != old) return;
    IM_CPU_RELAX();
    if ((i & 63) == 0 && std::chrono::steady_clock::now() - start > kSpinTime) break;
  }
  while (value.load(std::memory_order_acquire) == old) value.wait(old, std::memory_order_acquire);
}

}  // namespace

ThreadPool::ThreadPool(int n_threads) : n_threads_(n_threads > 0 ? n_threads : physical_cores()) {
  workers_.reserve(static_cast<size_t>(n_threads_ - 1));
  for (int i = 1; i < n_threads_; ++i) workers_.emplace_back([this, i] { worker_loop(i); });
}

ThreadPool::~ThreadPool() {
  stop_.store(true, std::memory_order_relaxed);
  generation_.fetch_add(1, std::memory_order_release);
  generation_.notify_all();
  for (auto& t : workers_) t.join();
}

void ThreadPool::run_raw(TaskFn fn, void* context) {
  IM_CHECK_MSG(!t_in_task, "ThreadPool::run called from inside a task");
  t_in_task = true;
  if (n_threads_ == 1) {
    fn(context, 0, 1);
    t_in_task = false;
    return;
  }
  fn_ = fn;
  context_ = context;
  pending_.store(n_threads_ - 1, std::memory_order_relaxed);
  generation_.fetch_add(1, std::memory_order_release);
  generation_.notify_all();
  fn(context, 0, n_threads_);
  for (int left = pending_.load(std::memory_order_acquire); left != 0;
       left = pending_.load(std::memory_order_acquire)) {
    wait_while_equal(pending_, left);
  }
  t_in_task = false;
}

void ThreadPool::worker_loop(int index) {
  t_in_task = true;
  uint32_t seen = 0;
  for (;;) {
    wait_while_equal(generation_, seen);
    seen = generation_.load(std::memory_order_acquire);
    if (stop_.load(std::memory_order_relaxed)) return;
    fn_(context_, index, n_threads_);
    if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) pending_.notify_one();
  }
}

}  // namespace infermark::cpu

// Where and with what resources ops run: the device, and for the CPU the thread pool that kernels
// split their work over. Created by the engine (which owns the pool) and passed to every op;
// model code hands it through without looking inside. A CUDA backend adds its stream here.
#pragma once

#include "backends/cpu/thread_pool.h"
#include "ops/tensor.h"

namespace infermark::ops {

struct Context {
  Device device = Device::kCpu;
  cpu::ThreadPool* pool = nullptr;  // required when device == kCpu; not owned

  static Context cpu(cpu::ThreadPool& pool) { return Context{Device::kCpu, &pool}; }
};

}  // namespace infermark::ops

// Where a system under test finds the prompt of a sample: token ids by sample-library index.
// Implemented by the benchmark's sample library (harness::DatasetQsl).
#pragma once

#include <cstdint>
#include <span>

#include "loadgen/interfaces.h"

namespace infermark::sut {

class PromptSource {
 public:
  virtual ~PromptSource() = default;
  // The prompt of sample `index`; valid while the source lives. Thread-safe.
  virtual std::span<const int32_t> prompt(loadgen::SampleIndex index) const = 0;
};

}  // namespace infermark::sut

// The sample library of the benchmark: CNN-DailyMail samples (dataset::SampleSet) served to the
// load generator by index, prompts as the dataset's `tok_input` token ids. Reports every sample
// as loadable at once (performance count = total), as MLPerf's reference QSL does.
// load/unload only track which samples are loaded; the token ids are always in memory.
#pragma once

#include <atomic>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "dataset/sample_set.h"
#include "loadgen/interfaces.h"
#include "sut/prompt_source.h"

namespace infermark::harness {

class DatasetQsl final : public loadgen::SampleLibrary, public sut::PromptSource {
 public:
  // `samples` must outlive the library.
  explicit DatasetQsl(const dataset::SampleSet& samples);

  std::string name() const override { return "CNN-DailyMail (" + samples_.origin() + ")"; }
  uint64_t total_count() const override { return samples_.size(); }
  uint64_t performance_count() const override { return samples_.size(); }
  void load(std::span<const loadgen::SampleIndex> indices) override;
  void unload(std::span<const loadgen::SampleIndex> indices) override;

  // The prompt of sample `index` (< total_count()). Thread-safe.
  std::span<const int32_t> prompt(loadgen::SampleIndex index) const override {
    return samples_[index].tok_input;
  }
  const dataset::SampleSet& samples() const { return samples_; }
  uint64_t loaded_count() const { return loaded_.load(); }

 private:
  const dataset::SampleSet& samples_;
  std::atomic<uint64_t> loaded_{0};
};

}  // namespace infermark::harness

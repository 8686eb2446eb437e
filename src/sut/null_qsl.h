// A sample library with no data: `total` samples of which `performance` can be loaded at once.
// Pairs with NullSut to run the load generator on its own. Counts the load/unload calls.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "loadgen/interfaces.h"

namespace infermark::sut {

class NullSampleLibrary final : public loadgen::SampleLibrary {
 public:
  NullSampleLibrary(uint64_t total, uint64_t performance) : total_(total), performance_(performance) {}
  std::string name() const override { return "NullQSL"; }
  uint64_t total_count() const override { return total_; }
  uint64_t performance_count() const override { return performance_; }
  void load(std::span<const loadgen::SampleIndex> indices) override { loaded_ += indices.size(); }
  void unload(std::span<const loadgen::SampleIndex> indices) override {
    unloaded_ += indices.size();
  }
  uint64_t loaded() const { return loaded_; }
  uint64_t unloaded() const { return unloaded_; }

 private:
  uint64_t total_, performance_;
  uint64_t loaded_ = 0, unloaded_ = 0;
};

}  // namespace infermark::sut

#include "harness/dataset_qsl.h"

#include "util/error.h"

namespace infermark::harness {

DatasetQsl::DatasetQsl(const dataset::SampleSet& samples) : samples_(samples) {
  if (samples_.size() == 0) throw Error::format("{}: the dataset has no samples", samples_.origin());
}

void DatasetQsl::load(std::span<const loadgen::SampleIndex> indices) {
  for (auto i : indices) IM_CHECK(i < samples_.size());
  loaded_ += indices.size();
}

void DatasetQsl::unload(std::span<const loadgen::SampleIndex> indices) {
  loaded_ -= std::min<uint64_t>(loaded_.load(), indices.size());
}

}  // namespace infermark::harness

#include "model/forward_dump.h"

#include <fmt/format.h>

#include <string>
#include <vector>

#include "ops/memory.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace infermark::model {
namespace {

// The .npy (format version 1.0) bytes of a float32 C-order [rows, cols] array.
std::string npy_bytes(const std::vector<float>& values, int64_t rows, int64_t cols) {
  std::string header =
      fmt::format("{{'descr': '<f4', 'fortran_order': False, 'shape': ({}, {}), }}", rows, cols);
  // Magic (6) + version (2) + length (2) + header + '\n' is padded to a multiple of 64.
  const size_t unpadded = 10 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header.push_back('\n');
  std::string out("\x93NUMPY\x01\x00", 8);
  out.push_back(static_cast<char>(header.size() & 0xff));
  out.push_back(static_cast<char>(header.size() >> 8));
  out += header;
  out.append(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float));
  return out;
}

std::string step_folder(int64_t step) { return fmt::format("step{:04}", step); }

}  // namespace

ForwardDump::ForwardDump(std::filesystem::path dir) : dir_(std::move(dir)) {
  util::ensure_writable_dir(dir_);
}

void ForwardDump::begin_step() {
  util::ensure_writable_dir(dir_ / step_folder(step_));
  ++step_;
}

void ForwardDump::add(std::string_view name, ops::Backend& backend, const ops::TensorView& t) {
  IM_CHECK(step_ > 0);
  std::vector<float> values(static_cast<size_t>(t.dim(0) * t.dim(1)));
  ops::to_host(backend, t, values);
  const std::string file = fmt::format("{}/{}.npy", step_folder(step_ - 1), name);
  util::write_file_atomic(dir_ / file, npy_bytes(values, t.dim(0), t.dim(1)));
  index_.push_back({{"step", step_ - 1},
                    {"name", name},
                    {"file", file},
                    {"dtype", "f32"},
                    {"shape", {t.dim(0), t.dim(1)}}});
}

void ForwardDump::end_step() {
  util::write_file_atomic(dir_ / "index.json", util::Json{{"tensors", index_}}.dump(1) + "\n");
}

}  // namespace infermark::model

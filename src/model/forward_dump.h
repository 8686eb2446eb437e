// Debug dumps of the forward pass's intermediate tensors, by name, so a numerical problem can be
// located by diffing against a reference implementation (`infermark generate --dump DIR`).
//
// Each forward step that is given a ForwardDump writes every intermediate it computes as a
// NumPy .npy file (little-endian f32, C order, shape [rows, cols]) named
// `DIR/step<NNNN>/<name>.npy`, and rewrites `DIR/index.json` ({"tensors": [{"step", "name",
// "file", "dtype", "shape"}]}) after the step. Names: "embed", "layer<l>.attn_norm",
// "layer<l>.q", ".k", ".v" (after rope for q/k), "layer<l>.attn_out" (before o_proj),
// "layer<l>.attn_res" (residual after o_proj), "layer<l>.ffn_norm", "layer<l>.ffn_act"
// (silu(gate)*up), "layer<l>.out" (residual after the MLP), "final_norm", "logits". In the last
// layer, rows after attn_out are only those that produce logits.
//
// Off by default: the forward pass takes a nullable pointer and does nothing when it is null.
// Not thread-safe; used by the thread that runs the forward pass.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "ops/backend.h"
#include "ops/tensor.h"
#include "util/json.h"

namespace infermark::model {

class ForwardDump {
 public:
  // Creates `dir` if needed. Throws Error naming it if it cannot be written.
  explicit ForwardDump(std::filesystem::path dir);

  const std::filesystem::path& dir() const { return dir_; }
  // Steps begun so far.
  int64_t steps() const { return step_; }

  // Starts the next step's folder.
  void begin_step();
  // Writes `t` (f32 matrix on the backend's device, rows may be strided) as `name` of the current
  // step, copying it to the host first.
  void add(std::string_view name, ops::Backend& backend, const ops::TensorView& t);
  // Rewrites index.json. Called by the forward pass at the end of each step.
  void end_step();

 private:
  std::filesystem::path dir_;
  int64_t step_ = 0;
  util::Json index_ = util::Json::array();
};

}  // namespace infermark::model

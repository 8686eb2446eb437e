// `--quantize int8|w8a8|int4|w4a8|fp8` and `--quantize-lm-head` of the commands that load a model
// (run, serve, generate, bench): quantize a float checkpoint's layer Linears, and a float lm_head,
// at load (model/quantize.h, LoadQuantization; model/llama.h, LoadOptions).
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <string_view>

#include "model/llama.h"

namespace infermark::cli {

struct QuantizeFlags {
  std::string layers;   // --quantize ("" = as stored)
  std::string lm_head;  // --quantize-lm-head ("" = as stored)

  bool empty() const { return layers.empty() && lm_head.empty(); }
  // The flags as typed ("--quantize int4 --quantize-lm-head int8"), "" when neither was given.
  std::string command_line() const;
};

void add_quantize_options(CLI::App& app, QuantizeFlags& flags);

// The load options for the flags. Throws Error naming `command`, the flag and the value when a
// value is not one of the names.
model::LoadOptions load_options(const QuantizeFlags& flags, std::string_view command);

}  // namespace infermark::cli

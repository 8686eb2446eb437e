// `--quantize int8|w8a8|int4|fp8` of the commands that load a model (run, serve, generate,
// bench): quantizes a float checkpoint's layer Linears at load (model/quantize.h, LoadQuantization).
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <string_view>

#include "model/llama.h"

namespace infermark::cli {

void add_quantize_option(CLI::App& app, std::string& value);

// The load options for a --quantize value ("" = as stored). Throws Error naming `command` and
// the value when it is not one of the names.
model::LoadOptions load_options(const std::string& quantize, std::string_view command);

}  // namespace infermark::cli

// Internal to the text layer: reading tokenizer_config.json (bos/eos tokens,
// clean_up_tokenization_spaces) and generation_config.json (eos_token_id) into a
// Tokenizer::Impl whose vocabulary is already loaded. Errors name the file and the field.
#pragma once

#include <filesystem>
#include <string_view>

#include "text/tokenizer_impl.h"

namespace infermark::text {

void load_tokenizer_config(std::string_view text, std::string_view origin, Tokenizer::Impl& impl);

// Appends generation_config.json's eos_token_id (a number or a list) to impl.eos_ids.
void load_generation_config(const std::filesystem::path& path, Tokenizer::Impl& impl);

}  // namespace infermark::text

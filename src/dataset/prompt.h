// The MLPerf llama3.1-8b prompt: plain instruction text around the article, no chat template
// (mlperf-llama31-8b.md §1.1). cnn_eval.json carries the tokenised prompt in `tok_input`; these
// functions rebuild it when a file has no `tok_input`.
#pragma once

#include <string>
#include <string_view>

namespace infermark::dataset {

// The template of download_cnndm.py; `{input}` is the article.
inline constexpr std::string_view kMlperfPromptTemplate =
    "Summarize the following news article in 128 tokens. Please output the summary only, without "
    "any other text.\n\nArticle:\n{input}\n\nSummary:";

// Python `template.format_map({"input": input})` for the subset templates use: `{input}` is
// replaced, `{{` and `}}` are literal braces. Any other field, or a lone brace, is an Error
// naming `origin`.
std::string format_prompt(std::string_view tmpl, std::string_view input, std::string_view origin);

// kMlperfPromptTemplate applied to `article`.
std::string build_prompt(std::string_view article);

}  // namespace infermark::dataset

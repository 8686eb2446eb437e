#include "dataset/prompt.h"

#include "util/error.h"

namespace infermark::dataset {

std::string format_prompt(std::string_view tmpl, std::string_view input, std::string_view origin) {
  std::string out;
  out.reserve(tmpl.size() + input.size());
  for (size_t i = 0; i < tmpl.size(); ++i) {
    char c = tmpl[i];
    if ((c == '{' || c == '}') && i + 1 < tmpl.size() && tmpl[i + 1] == c) {
      out += c;
      ++i;
    } else if (c == '{') {
      size_t close = tmpl.find('}', i);
      if (close == std::string_view::npos) {
        throw Error::format("{}: prompt template has a '{{' without a closing '}}'", origin);
      }
      std::string_view field = tmpl.substr(i + 1, close - i - 1);
      if (field != "input") {
        throw Error::format("{}: prompt template field '{{{}}}' is not supported (only {{input}})",
                            origin, field);
      }
      out += input;
      i = close;
    } else if (c == '}') {
      throw Error::format("{}: prompt template has a single '}}'", origin);
    } else {
      out += c;
    }
  }
  return out;
}

std::string build_prompt(std::string_view article) {
  return format_prompt(kMlperfPromptTemplate, article, "MLPerf prompt template");
}

}  // namespace infermark::dataset

#include "harness/results_layout.h"

#include <cctype>

namespace infermark::harness {

std::string sanitize_system_name(std::string name) {
  for (char& c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (!std::isalnum(u) && c != '-' && c != '_' && c != '.') c = '_';
  }
  if (name.empty() || name == "." || name == "..") name = "system";
  return name;
}

}  // namespace infermark::harness

// The 44 reference cases of the workplace's ../shared/data/tokenizer/llama3_cases.json (ids from
// Hugging Face's Llama-3 tokenizer, via llama.cpp's test vectors), encoded with the real
// Llama-3.1 vocabulary. Label `shared`: skipped with the reason when ../shared is absent, failed
// under CI=true (tests/support/shared_data.h).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "llama3_tokenizer.h"
#include "support/shared_data.h"
#include "text/tokenizer.h"
#include "util/atomic_file.h"
#include "util/json.h"

namespace infermark::text {
namespace {

using Ids = std::vector<int32_t>;

TEST(Llama3Tokenizer, AllReferenceCasesMatch) {
  IM_REQUIRE_SHARED_FILE(path, "data/tokenizer/llama3_cases.json");
  const auto doc = util::parse_json(util::read_file(path), path.string());
  const auto& cases = doc.at("cases");
  ASSERT_EQ(cases.size(), 44u);
  for (const auto& c : cases) {
    const auto text = c.at("text").get<std::string>();
    SCOPED_TRACE("text: \"" + text + "\"");
    EXPECT_EQ(testing::llama3().encode(text, false), c.at("ids").get<Ids>());
  }
}

}  // namespace
}  // namespace infermark::text

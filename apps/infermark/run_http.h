// `infermark run --sut http://…`: the HTTP SUT built from the run's options, and what the run
// writes and prints about its endpoints (endpoints.json in each run folder, a table per test).
#pragma once

#include <filesystem>
#include <memory>
#include <utility>
#include <vector>

#include "run_options.h"
#include "sut/http/http_sut.h"
#include "text/tokenizer.h"

namespace infermark::cli {

// Checks every endpoint (throws Error naming it and the reason). `tokenizer` may be null unless
// the chat API or --allow-text is asked for. `offline`: non-streamed requests, no first tokens.
std::unique_ptr<sut::http::HttpSut> make_http_sut(const RunOptions& o,
                                                  const sut::PromptSource& prompts,
                                                  const text::Tokenizer* tokenizer, bool offline);

// The per-endpoint results of each finished LoadGen test, for the summary.
class EndpointReports {
 public:
  explicit EndpointReports(sut::http::HttpSut& sut) : sut_(sut) {}
  // Takes the test's report from the SUT and writes it to run_dir/endpoints.json.
  void write(const std::filesystem::path& run_dir);
  void print() const;

 private:
  sut::http::HttpSut& sut_;
  std::vector<std::pair<std::filesystem::path, util::Json>> reports_;
};

}  // namespace infermark::cli

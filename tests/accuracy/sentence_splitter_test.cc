// MLPerf's postprocess_text (strip, sentence split, join with "\n") with Punkt and with the
// fallback splitter, and choosing between them.
#include "accuracy/sentence_splitter.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "python_peer.h"
#include "util/error.h"

namespace infermark::accuracy {
namespace {

std::filesystem::path punkt_dir() { return testing::shared_dir() / "data/punkt_tab/english"; }

TEST(SentenceSplitter, PostprocessWithPunkt) {
  const SentenceSplitter s = SentenceSplitter::punkt(load_punkt_parameters(punkt_dir()));
  EXPECT_TRUE(s.exact());
  EXPECT_EQ(s.postprocess("  Mr. Smith arrived. He sat down.\n\nThen he left!  "),
            "Mr. Smith arrived.\nHe sat down.\nThen he left!");
  EXPECT_EQ(s.postprocess(""), "");
  EXPECT_EQ(s.postprocess(" \n\t "), "");
  EXPECT_EQ(s.postprocess("No final period"), "No final period");
}

TEST(SentenceSplitter, PythonStrip) {
  EXPECT_EQ(python_strip("\xC2\xA0 text \xE3\x80\x80\n"), "text");  // NBSP, ideographic space
  EXPECT_EQ(python_strip("\xE2\x80\x8Btext"), "\xE2\x80\x8Btext");  // zero-width space stays
  EXPECT_EQ(python_strip("   "), "");
}

TEST(SentenceSplitter, Fallback) {
  const SentenceSplitter s = SentenceSplitter::fallback();
  EXPECT_FALSE(s.exact());
  EXPECT_EQ(s.postprocess("Mr. Smith went to Washington. He arrived at 3 p.m. Monday."),
            "Mr. Smith went to Washington.\nHe arrived at 3 p.m. Monday.");
  EXPECT_EQ(s.postprocess("\"Stop!\" he said. Why? Because. J. K. Rowling wrote it."),
            "\"Stop!\" he said.\nWhy?\nBecause.\nJ. K. Rowling wrote it.");
  EXPECT_EQ(s.postprocess("The U.S. Army arrived. It was 3.5 km away."),
            "The U.S. Army arrived.\nIt was 3.5 km away.");
}

TEST(SentenceSplitter, ExplicitPunktFolder) {
  const SplitterChoice c = load_sentence_splitter(testing::shared_dir() / "data");
  EXPECT_TRUE(c.splitter.exact());
  EXPECT_TRUE(c.warning.empty());
  ASSERT_TRUE(c.punkt_dir.has_value());
  EXPECT_EQ(c.punkt_dir->filename(), "english");
  try {
    load_sentence_splitter(std::filesystem::path("/no/such/folder"));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/no/such/folder"), std::string::npos);
  }
}

TEST(SentenceSplitter, DefaultLocationsOrFallbackWithWarning) {
  testing::TempDir home;
  const char* old_home = std::getenv("HOME");
  const std::string saved = old_home ? old_home : "";
  ::setenv("HOME", home.path().c_str(), 1);
  ::unsetenv("NLTK_DATA");
  const SplitterChoice none = load_sentence_splitter(std::nullopt);
  // Without any data the fallback is used and says so; a system-wide nltk_data is used if present.
  EXPECT_EQ(none.splitter.exact(), find_punkt_dir(std::nullopt).has_value());
  EXPECT_EQ(none.warning.empty(), none.splitter.exact());
  if (!none.splitter.exact()) {
    EXPECT_NE(none.warning.find("rougeLsum"), std::string::npos);
  }
  // Data under ~/nltk_data is found.
  const auto english = home.path() / "nltk_data/tokenizers/punkt_tab/english";
  std::filesystem::create_directories(english);
  for (const auto& f : std::filesystem::directory_iterator(punkt_dir())) {
    std::filesystem::copy_file(f.path(), english / f.path().filename());
  }
  const SplitterChoice found = load_sentence_splitter(std::nullopt);
  EXPECT_TRUE(found.splitter.exact());
  ::setenv("HOME", saved.c_str(), 1);
}

}  // namespace
}  // namespace infermark::accuracy

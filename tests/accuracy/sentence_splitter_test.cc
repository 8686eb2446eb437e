// MLPerf's postprocess_text (strip, sentence split, join with "\n") with Punkt (the small
// parameter set in tests/fixtures/punkt_tab; its expected splits are NLTK's) and with the
// approximate splitter, and finding Punkt data or refusing to score without it.
#include "accuracy/sentence_splitter.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "python_peer.h"
#include "util/error.h"

namespace infermark::accuracy {
namespace {

std::filesystem::path fixture_root() { return testing::source_dir() / "tests/fixtures"; }
std::filesystem::path punkt_dir() { return fixture_root() / "punkt_tab/english"; }

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

TEST(SentenceSplitter, Approximate) {
  const SentenceSplitter s = SentenceSplitter::approximate();
  EXPECT_FALSE(s.exact());
  EXPECT_EQ(s.postprocess("Mr. Smith went to Washington. He arrived at 3 p.m. Monday."),
            "Mr. Smith went to Washington.\nHe arrived at 3 p.m. Monday.");
  EXPECT_EQ(s.postprocess("\"Stop!\" he said. Why? Because. J. K. Rowling wrote it."),
            "\"Stop!\" he said.\nWhy?\nBecause.\nJ. K. Rowling wrote it.");
  EXPECT_EQ(s.postprocess("The U.S. Army arrived. It was 3.5 km away."),
            "The U.S. Army arrived.\nIt was 3.5 km away.");
}

TEST(SentenceSplitter, ExplicitPunktFolder) {
  const SplitterChoice c = load_sentence_splitter(fixture_root());  // finds punkt_tab/english
  EXPECT_TRUE(c.splitter.exact());
  ASSERT_TRUE(c.punkt_dir.has_value());
  EXPECT_EQ(*c.punkt_dir, punkt_dir());
  // An explicit folder without the data is an error even when approximation is allowed.
  for (bool allow : {false, true}) {
    try {
      load_sentence_splitter(std::filesystem::path("/no/such/folder"), allow);
      FAIL() << "expected an error";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("/no/such/folder"), std::string::npos);
    }
  }
}

// HOME and NLTK_DATA pointed at an empty folder for the test's duration.
class NoPunktData : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const char* h = std::getenv("HOME")) saved_home_ = h;
    if (const char* n = std::getenv("NLTK_DATA")) saved_nltk_ = n;
    ::setenv("HOME", home_.path().c_str(), 1);
    ::setenv("NLTK_DATA", (home_.path() / "none").c_str(), 1);
    if (find_punkt_dir(std::nullopt)) {
      GTEST_SKIP() << "this machine has NLTK punkt_tab data in a system folder ("
                   << find_punkt_dir(std::nullopt)->string() << "), so it cannot be hidden";
    }
  }
  void TearDown() override {
    ::setenv("HOME", saved_home_.c_str(), 1);
    if (saved_nltk_.empty()) {
      ::unsetenv("NLTK_DATA");
    } else {
      ::setenv("NLTK_DATA", saved_nltk_.c_str(), 1);
    }
  }
  testing::TempDir home_;
  std::string saved_home_, saved_nltk_;
};

TEST_F(NoPunktData, ScoringStopsWithWhereItLookedAndHowToGetTheData) {
  try {
    load_sentence_splitter(std::nullopt);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    const std::string m = e.what();
    for (const char* part : {"nltk_data/tokenizers/punkt_tab/english", "nltk.downloader punkt_tab",
                             "--punkt DIR", "MLPerf", "--approximate-sentence-split"}) {
      EXPECT_NE(m.find(part), std::string::npos) << "missing '" << part << "' in: " << m;
    }
    EXPECT_NE(m.find(home_.path().string()), std::string::npos) << m;
  }
}

TEST_F(NoPunktData, ApproximateOnlyWhenAskedFor) {
  const SplitterChoice c = load_sentence_splitter(std::nullopt, /*allow_approximate=*/true);
  EXPECT_FALSE(c.splitter.exact());
  EXPECT_FALSE(c.punkt_dir.has_value());
}

TEST_F(NoPunktData, DataUnderHomeNltkDataIsFound) {
  const auto english = home_.path() / "nltk_data/tokenizers/punkt_tab/english";
  std::filesystem::create_directories(english);
  for (const auto& f : std::filesystem::directory_iterator(punkt_dir())) {
    std::filesystem::copy_file(f.path(), english / f.path().filename());
  }
  const SplitterChoice found = load_sentence_splitter(std::nullopt);
  EXPECT_TRUE(found.splitter.exact());
  EXPECT_EQ(found.punkt_dir, english);
}

}  // namespace
}  // namespace infermark::accuracy

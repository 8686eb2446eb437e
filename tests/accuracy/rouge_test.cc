// rouge_score 0.1.2 behaviour: its published test values (google-research rouge/
// rouge_scorer_test.py, whose ROUGE-1.5.5 ground truths use the random-text fixtures quoted
// below from rouge/testdata) and the tie-breaking of ROUGE-Lsum's union LCS.
#include "accuracy/rouge.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "accuracy/python_unicode.h"

namespace infermark::accuracy {
namespace {

// rouge/testdata/target.txt and prediction.txt, lines 0 and 1 (as read by readlines()).
const char* const kTargets[] = {
    "ZfbCUIUuePaiLVUlCaUXxkpu XPeWing tUHfPMuZ',-Xd Y BrUgVJing M-HV.-DgdDaY.rFDJCRing Ht-LM "
    "EKBDXkME,yz'RBr q'wtion wIojNbN wL,b .a-'XdQggyFl jB-RPP'iyOIcUxer tKM L\n",
    "KsJdPByEtAor fE-Qg Dpdbring cw-WeFyu vC MoBL Xdn g wkvcEiGvKtion BDFhrpMtion psing sbKao Q "
    "m qiing LMmer HqqLFXe,XPY,J XsurkMer ,ed nB'wH'bWVHjWFEing tQ.saefZwJtKrTlixYpMMsJing "
    "UCAPwNHeYVjDing c T BUySKtion gMPfJpwGw p'NvxAoping eu pBwMBKV'I DNxqelhu,PHPxDEq,mtion SN\n"};
const char* const kPredictions[] = {
    "rFDJCRtion Ht-LM EKtDXkME,yz'RBr q'wer wrojNbN wL,b .a-'XdQggyFl jB-RPP'iyOIcUxi\n",
    "n cw-WeFyu vC MoBL Xdn g wkvcEiGvKtion BDFhrpMer pstion sbKao Q m qier LMmed "
    "HqqLFXe,XPY,J XsurkMeo ,ed nB'wH'bWVHjWFEer tQ.saefZwJtKrTlixYpMMNJtion UCAPwNHeYVjD\n"};
// rouge/testdata/pyrouge_files/target_multi.0.txt and prediction_multi.0.txt.
const char kTargetMulti[] =
    "ZfbCUIUuePaiLVUlCaUXxkpu XPeWing tUHfPMuZ',-Xd Y BrUgVJing M-HV.-DgdDaY.rFDJCRing Ht-LM "
    "EKBDXkME,yz'RBr q'wtion wIojNbN wL,b .a-'XdQggyFl jB-RPP'iyOIcUxer tKM L\n"
    "KsJdPByEtAor fE-Qg Dpdbring cw-WeFyu vC MoBL Xdn g wkvcEiGvKtion BDFhrpMtion psing sbKao Q "
    "m qiing LMmer HqqLFXe,XPY,J XsurkMer ,ed nB'wH'bWVHjWFEing tQ.saefZwJtKrTlixYpMMsJing "
    "UCAPwNHeYVjDing c T BUySKtion gMPfJpwGw p'NvxAoping eu pBwMBKV'I DNxqelhu,PHPxDEq,mtion SN\n"
    "NhETebUbBk'er WOvoHMTjSRizKgH'vHiing Xu,hWxfs VkNE QhgKiLHE -HidivzoM.dO anhtion "
    "jbLQiSGDTCsuhREebUaKM dv J dVN tmbOT\n"
    "vMR HDm,xOAetion D,tion HJtodT.mHl UIv-p VjWH'BdyWjnfGU-OjT aEMdFICyLWfQMtion wEMfdOKing "
    "AwkeKbO 'DxqNOHBH qKtVvm OYJl mM\n";
const char kPredictionMulti[] =
    "rFDJCRtion Ht-LM EKtDXkME,yz'RBr q'wer wrojNbN wL,b .a-'XdQggyFl jB-RPP'iyOIcUxi\n"
    "n cw-WeFyu vC MoBL Xdn g wkvcEiGvKtion BDFhrpMer pstion sbKao Q m qier LMmed "
    "HqqLFXe,XPY,J XsurkMeo ,ed nB'wH'bWVHjWFEer tQ.saefZwJtKrTlixYpMMNJtion UCAPwNHeYVjD\n"
    "xfs VkJE QhgKiLHE -HidivzoM.dO anhing jbLQiSGDTCsuhREebUaKM dv J\n"
    "VjWH'BdyWjnfGU-OjTNaEMdFICyLWfQMing wEMfdOKijg AwkeKbO 'DxqNO\n";

void expect_score(const Score& s, double p, double r, double f, double tol) {
  EXPECT_NEAR(s.precision, p, tol);
  EXPECT_NEAR(s.recall, r, tol);
  EXPECT_NEAR(s.fmeasure, f, tol);
}

TEST(RougeTokenize, LowerCaseSeparateAndStem) {
  EXPECT_EQ(rouge_tokenize("The quick-brown FOX's 2 jumps!", false),
            (std::vector<std::string>{"the", "quick", "brown", "fox", "s", "2", "jumps"}));
  EXPECT_EQ(rouge_tokenize("The runners were running, happily.", true),
            (std::vector<std::string>{"the", "runner", "were", "run", "happili"}));
  EXPECT_EQ(rouge_tokenize("was this", true), (std::vector<std::string>{"was", "thi"}));
  EXPECT_TRUE(rouge_tokenize(" /-- \n ", true).empty());
}

TEST(RougeTokenize, NonAsciiIsASeparatorExceptTwoCodePoints) {
  EXPECT_EQ(rouge_tokenize("caf\xC3\xA9 na\xC3\xAFve", false),
            (std::vector<std::string>{"caf", "na", "ve"}));
  EXPECT_EQ(rouge_tokenize("\xC4\xB0stanbul", false),  // U+0130 -> "i" + U+0307
            (std::vector<std::string>{"i", "stanbul"}));
  EXPECT_EQ(rouge_tokenize("\xE2\x84\xAA"
                           "elvin",
                           false),  // KELVIN SIGN -> "k"
            (std::vector<std::string>{"kelvin"}));
  EXPECT_EQ(rouge_tokenize("a\xE2\x80\x94"
                           "b\xFF"
                           "c",
                           false),
            (std::vector<std::string>{"a", "b", "c"}));
}

TEST(RougeTokenize, OnlyTwoNonAsciiCodePointsLowerCaseToAsciiAlnum) {
  // Ties the special cases above to the CPython-verified lower-casing tables.
  std::vector<char32_t> found;
  for (char32_t cp = 0x80; cp < 0x110000; ++cp) {
    std::u32string low;
    append_lower(cp, low);
    for (char32_t c : low) {
      if ((c >= U'a' && c <= U'z') || (c >= U'0' && c <= U'9')) {
        found.push_back(cp);
        break;
      }
    }
  }
  EXPECT_EQ(found, (std::vector<char32_t>{0x130, 0x212A}));
}

TEST(RougeScorer, PublishedSmallCases) {
  RougeScorer scorer(false);
  expect_score(scorer.score("testing one two", "testing").rouge1, 1, 1.0 / 3, 0.5, 1e-12);
  expect_score(scorer.score("testing one two", "testing one").rouge2, 1, 0.5, 2.0 / 3, 1e-12);
  expect_score(scorer.score("testing one two", "testing one").rougeL, 1, 2.0 / 3, 0.8, 1e-12);
  expect_score(scorer.score("testing one two", "testing two").rougeL, 1, 2.0 / 3, 0.8, 1e-12);
  const RougeScores empty = scorer.score("testing one two", "");
  for (const Score& s : {empty.rouge1, empty.rouge2, empty.rougeL, empty.rougeLsum}) {
    expect_score(s, 0, 0, 0, 0);
  }
}

TEST(RougeScorer, AgainstRouge155) {
  RougeScorer plain(false);
  RougeScores r0 = plain.score(kTargets[0], kPredictions[0]);
  RougeScores r1 = plain.score(kTargets[1], kPredictions[1]);
  expect_score(r0.rouge1, 0.68750, 0.40741, 0.51163, 5e-6);
  expect_score(r1.rouge1, 0.65385, 0.40476, 0.50000, 5e-6);
  expect_score(r0.rouge2, 0.53333, 0.30769, 0.39024, 5e-6);
  expect_score(r1.rouge2, 0.48000, 0.29268, 0.36364, 5e-6);
  expect_score(r0.rougeL, 0.68750, 0.40741, 0.51163, 5e-6);
  expect_score(r1.rougeL, 0.65385, 0.40476, 0.50000, 5e-6);
}

TEST(RougeScorer, AgainstRouge155WithStemming) {
  RougeScorer stemmed(true);
  RougeScores r0 = stemmed.score(kTargets[0], kPredictions[0]);
  RougeScores r1 = stemmed.score(kTargets[1], kPredictions[1]);
  expect_score(r0.rouge1, 0.68750, 0.40741, 0.51163, 5e-6);
  expect_score(r1.rouge1, 0.69231, 0.42857, 0.52941, 5e-6);
  expect_score(r0.rouge2, 0.53333, 0.30769, 0.39024, 5e-6);
  expect_score(r1.rouge2, 0.48000, 0.29268, 0.36364, 5e-6);
  expect_score(stemmed.score(kTargetMulti, kPredictionMulti).rougeLsum, 0.66667, 0.36538, 0.47205,
               5e-6);
}

TEST(RougeScorer, LsumPublishedCases) {
  RougeScorer scorer(false);
  expect_score(scorer.score("w1 w2 w3 w4 w5", "w1 w2 w6 w7 w8\nw1 w3 w8 w9 w5").rougeLsum, 0.4, 0.8,
               0.5333333333333333, 1e-12);
  expect_score(scorer.score("w1 w2 w3 w4 w5", "").rougeLsum, 0, 0, 0, 0);
  expect_score(scorer.score("", "w1").rougeLsum, 0, 0, 0, 0);
  expect_score(scorer.score("w1 w2 w3 w4 w5", "/").rougeLsum, 0, 0, 0, 0);
}

TEST(RougeLcs, TableAndBacktrack) {
  const std::vector<int32_t> ref = {1, 2, 3, 4, 5};
  EXPECT_EQ(lcs_indices(ref, std::vector<int32_t>{2, 5, 3, 4}), (std::vector<size_t>{1, 2, 3}));
  EXPECT_TRUE(lcs_indices(ref, std::vector<int32_t>{8, 9}).empty());
  EXPECT_EQ(lcs_indices(ref, std::vector<int32_t>{1, 2, 6, 7, 8}), (std::vector<size_t>{0, 1}));
  EXPECT_EQ(lcs_indices(ref, std::vector<int32_t>{1, 3, 8, 9, 5}), (std::vector<size_t>{0, 2, 4}));
}

TEST(RougeLcs, BacktrackTieBreaks) {
  // Equal-length alternatives: rouge_score steps back in `can` only on a strict improvement,
  // so it keeps the earliest reference token ([x] rather than [y]) ...
  EXPECT_EQ(lcs_indices(std::vector<int32_t>{7, 8}, std::vector<int32_t>{8, 7}),
            (std::vector<size_t>{0}));
  // ... and takes matches from the end: the last 'a' of the reference.
  EXPECT_EQ(lcs_indices(std::vector<int32_t>{1, 2, 1}, std::vector<int32_t>{1}),
            (std::vector<size_t>{2}));
  EXPECT_EQ(lcs_indices(std::vector<int32_t>{1, 2, 1}, std::vector<int32_t>{1, 2}),
            (std::vector<size_t>{0, 1}));
}

TEST(RougeLcs, SummaryLevelUnion) {
  const Score s = summary_level_lcs({{1, 2, 3, 4, 5}}, {{1, 2, 6, 7, 8}, {1, 3, 8, 9, 5}});
  EXPECT_EQ(s.recall, 0.8);
  EXPECT_EQ(s.precision, 0.4);
  EXPECT_NEAR(s.fmeasure, 0.5333, 1e-3);
  EXPECT_EQ(summary_level_lcs({{1}}, {{}}).recall, 0.0);
}

TEST(RougeLcs, LsumHitCountingFollowsTheTieBreak) {
  // Reference sentences [x y] and [x], candidate [y x]. rouge_score's LCS of [x y] with [y x]
  // is [x]; that uses up the candidate's only x, so the second sentence scores no hit:
  // hits = 1, P = 1/2, R = 1/3, F = 0.4. (Picking [y] would give hits = 2 and F = 0.8.)
  const Score s = summary_level_lcs({{1, 2}, {1}}, {{2, 1}});
  EXPECT_DOUBLE_EQ(s.precision, 0.5);
  EXPECT_DOUBLE_EQ(s.recall, 1.0 / 3);
  EXPECT_DOUBLE_EQ(s.fmeasure, 0.4);
  RougeScorer scorer(true);
  EXPECT_DOUBLE_EQ(scorer.score("alpha beta\nalpha", "beta alpha").rougeLsum.fmeasure, 0.4);
  // Without newlines the same words are one sentence each: LCS 1 of 3 and 2 tokens.
  EXPECT_DOUBLE_EQ(scorer.score("alpha beta alpha", "beta alpha").rougeLsum.fmeasure, 0.8);
}

TEST(RougeLcs, LsumCountsEachTokenOnceAcrossSentences) {
  // The candidate says "a" once; two reference sentences both containing "a" get one hit.
  RougeScorer scorer(false);
  const Score s = scorer.score("a b\na c", "a").rougeLsum;
  EXPECT_DOUBLE_EQ(s.precision, 1.0);
  EXPECT_DOUBLE_EQ(s.recall, 0.25);
  // Blank and punctuation-only lines are not sentences with tokens and change nothing.
  EXPECT_DOUBLE_EQ(scorer.score("a b\n\n...\na c", "\na\n").rougeLsum.recall, 0.25);
}

TEST(RougeScorer, StemmingMergesInflections) {
  RougeScorer stemmed(true);
  RougeScorer plain(false);
  EXPECT_DOUBLE_EQ(stemmed.score("cats running", "cat runs").rouge1.fmeasure, 1.0);
  EXPECT_DOUBLE_EQ(plain.score("cats running", "cat runs").rouge1.fmeasure, 0.0);
  EXPECT_DOUBLE_EQ(stemmed.score("the cats were running", "the cat was running").rouge1.recall,
                   0.75);
}

// The scorer's allocation-free fast path must equal the plain building blocks on any input.
TEST(RougeScorer, FastPathEqualsBuildingBlocks) {
  std::mt19937 rng(7);
  const std::vector<std::string> vocab = {"alpha", "beta", "gamma", "running", "runs",  "a",
                                          "the",   "cats", "cat",   "x1",      "delta", "epsilon"};
  auto random_text = [&](int max_words) {
    std::string t;
    const int n = std::uniform_int_distribution<int>(0, max_words)(rng);
    for (int i = 0; i < n; ++i) {
      t += vocab[std::uniform_int_distribution<size_t>(0, vocab.size() - 1)(rng)];
      const int sep = std::uniform_int_distribution<int>(0, 9)(rng);
      t += sep == 0 ? "\n" : sep == 1 ? ". " : sep == 2 ? "\n\n" : " ";
    }
    return t;
  };
  auto ids = [](const std::vector<std::string>& words, std::map<std::string, int32_t>& dict) {
    std::vector<int32_t> out;
    for (const auto& w : words) out.push_back(dict.emplace(w, dict.size()).first->second);
    return out;
  };
  RougeScorer scorer(true);
  for (int iter = 0; iter < 2000; ++iter) {
    const std::string target = random_text(40);
    const std::string prediction = random_text(60);
    std::map<std::string, int32_t> dict;
    const auto t = ids(rouge_tokenize(target, true), dict);
    const auto p = ids(rouge_tokenize(prediction, true), dict);
    auto sentences = [&](const std::string& text) {
      std::vector<std::vector<int32_t>> out;
      size_t start = 0;
      while (start <= text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        if (end > start)
          out.push_back(ids(rouge_tokenize(text.substr(start, end - start), true), dict));
        start = end + 1;
      }
      return out;
    };
    const RougeScores fast = scorer.score(target, prediction);
    EXPECT_EQ(fast.rouge1.fmeasure, score_ngrams(t, p, 1).fmeasure) << target << "|" << prediction;
    EXPECT_EQ(fast.rouge2.fmeasure, score_ngrams(t, p, 2).fmeasure) << target << "|" << prediction;
    EXPECT_EQ(fast.rougeL.fmeasure, score_lcs(t, p).fmeasure);
    const Score lsum = summary_level_lcs(sentences(target), sentences(prediction));
    EXPECT_EQ(fast.rougeLsum.precision, lsum.precision) << target << "|" << prediction;
    EXPECT_EQ(fast.rougeLsum.recall, lsum.recall);
  }
}

}  // namespace
}  // namespace infermark::accuracy

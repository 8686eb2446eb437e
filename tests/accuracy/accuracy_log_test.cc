// Reading mlperf_log_accuracy.json: hex decoding, validation errors that name the entry and
// field, deduplication by qsl_idx and the file digest.
#include "accuracy/accuracy_log.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "util/sha256.h"
#include "python_peer.h"
#include "util/error.h"

namespace infermark::accuracy {
namespace {

std::string error_of(std::string_view json) {
  try {
    parse_accuracy_log(json, "log.json");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(AccuracyLog, HexIsLittleEndianInt32) {
  EXPECT_EQ(hex_to_int32("01000000FFFFFFFF09F40100", "x"), (std::vector<int32_t>{1, -1, 128009}));
  EXPECT_EQ(hex_to_int32("09f40100", "x"), (std::vector<int32_t>{128009}));
  EXPECT_EQ(hex_to_int32(" 09 f4\t01 00\n", "x"), (std::vector<int32_t>{128009}));
  EXPECT_TRUE(hex_to_int32("", "x").empty());
  const std::vector<int32_t> ids = {0, 7, -5, 128000, 2147483647};
  EXPECT_EQ(hex_to_int32(int32_to_hex(ids), "x"), ids);
  EXPECT_EQ(int32_to_hex({128009}), "09F40100");
}

TEST(AccuracyLog, BadHexIsAnError) {
  EXPECT_THROW(hex_to_int32("0900000", "x"), Error);    // odd digit count
  EXPECT_THROW(hex_to_int32("0900000G", "x"), Error);   // not hex
  EXPECT_THROW(hex_to_int32("090000", "x"), Error);     // 3 bytes
  EXPECT_THROW(hex_to_int32("0 9000000", "x"), Error);  // space inside a byte
}

TEST(AccuracyLog, ParsesEntries) {
  const AccuracyLog log = parse_accuracy_log(
      R"([{"seq_id": 0, "qsl_idx": 5, "data": "0100000002000000", "token_count": 2},
          {"seq_id": 1, "qsl_idx": 3, "data": "03000000", "token_data": "03000000",
           "token_count": 1}])",
      "log.json");
  ASSERT_EQ(log.entries.size(), 2u);
  EXPECT_EQ(log.entries[0].seq_id, 0);
  EXPECT_EQ(log.entries[0].qsl_idx, 5);
  EXPECT_EQ(log.entries[0].data, (std::vector<int32_t>{1, 2}));
  EXPECT_EQ(log.entries[0].token_count, 2);
  EXPECT_FALSE(log.entries[0].token_data.has_value());
  EXPECT_EQ(log.entries[1].token_data, (std::vector<int32_t>{3}));
  EXPECT_TRUE(parse_accuracy_log("[]", "log.json").entries.empty());
}

TEST(AccuracyLog, ErrorsNameTheEntryAndField) {
  EXPECT_NE(error_of("{}").find("expected a JSON array"), std::string::npos);
  EXPECT_NE(error_of("[1,").find("invalid JSON"), std::string::npos);
  EXPECT_NE(error_of(R"([{"qsl_idx": 0, "data": ""}, 7])").find("entry 1"), std::string::npos);
  const std::string missing = error_of(R"([{"qsl_idx": 0}])");
  EXPECT_NE(missing.find("entry 0: missing field 'data'"), std::string::npos) << missing;
  const std::string bad_hex = error_of(R"([{"qsl_idx": 0, "data": ""},
                                            {"qsl_idx": 1, "data": "01Z00000"}])");
  EXPECT_NE(bad_hex.find("log.json: entry 1: field 'data'"), std::string::npos) << bad_hex;
  EXPECT_NE(bad_hex.find("'Z'"), std::string::npos) << bad_hex;
  EXPECT_NE(error_of(R"([{"qsl_idx": "3", "data": ""}])").find("'qsl_idx' must be an integer"),
            std::string::npos);
  EXPECT_NE(error_of(R"([{"qsl_idx": -1, "data": ""}])").find("negative"), std::string::npos);
  EXPECT_NE(error_of(R"([{"qsl_idx": 1, "data": "010000"}])").find("3 bytes"), std::string::npos);
  EXPECT_NE(error_of(R"([{"qsl_idx": 1, "data": "", "token_count": 1.5}])")
                .find("'token_count' must be an integer"),
            std::string::npos);
}

TEST(AccuracyLog, FirstEntryPerSample) {
  const AccuracyLog log = parse_accuracy_log(
      R"([{"qsl_idx": 2, "data": ""}, {"qsl_idx": 0, "data": ""}, {"qsl_idx": 2, "data": ""},
          {"qsl_idx": 1, "data": ""}, {"qsl_idx": 0, "data": ""}])",
      "log.json");
  EXPECT_EQ(first_entry_per_sample(log), (std::vector<size_t>{0, 1, 3}));
}

TEST(AccuracyLog, ReadsFilesAndHashesTheirBytes) {
  testing::TempDir tmp;
  const std::string text = "[\n{ \"seq_id\" : 0, \"qsl_idx\" : 0, \"data\" : \"09F40100\" }\n]\n";
  testing::write_text(tmp.path() / "mlperf_log_accuracy.json", text);
  const AccuracyLog log = read_accuracy_log(tmp.path() / "mlperf_log_accuracy.json");
  EXPECT_EQ(log.sha256, util::sha256_hex(text));
  EXPECT_EQ(log.entries.at(0).data, (std::vector<int32_t>{128009}));
  EXPECT_THROW(read_accuracy_log(tmp.path() / "missing.json"), Error);
}

}  // namespace
}  // namespace infermark::accuracy

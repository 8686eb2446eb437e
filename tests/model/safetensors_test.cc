// The .safetensors reader on hand-assembled files: a valid one read byte for byte, and every
// kind of corruption rejected with its own message naming the file and tensor.
#include "model/safetensors.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>

#include "test_files.h"
#include "util/error.h"

namespace infermark::model {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::safetensors_bytes;
using testing::TempDir;
using testing::write_bytes;

// Two I32 values then one BF16 [2, 2] matrix: 8 + 8 = 16 bytes of data.
const std::string kHeader = R"({"a":{"dtype":"I32","shape":[2],"data_offsets":[0,8]},)"
                            R"("b":{"dtype":"BF16","shape":[2,2],"data_offsets":[8,16]},)"
                            R"("__metadata__":{"format":"pt"}})";
const std::string kData("\x01\0\0\0\x02\0\0\0\x80\x3f\0\x40\0\0\x80\xbf", 16);

class SafetensorsTest : public ::testing::Test {
 protected:
  // Writes `bytes` to a file and returns the Error message from opening it ("" if it opened).
  std::string open_error(const std::string& bytes) {
    write_bytes(path_, bytes);
    try {
      SafetensorsFile::open(path_);
    } catch (const Error& e) {
      std::string msg = e.what();
      EXPECT_THAT(msg, HasSubstr(path_.string()));  // every message names the file
      return msg;
    }
    return "";
  }

  TempDir dir_;
  std::filesystem::path path_ = dir_ / "model.safetensors";
};

TEST_F(SafetensorsTest, ReadsTensorsAndMetadata) {
  write_bytes(path_, safetensors_bytes(kHeader, kData));
  auto f = SafetensorsFile::open(path_);
  ASSERT_EQ(f->tensors().size(), 2u);
  EXPECT_EQ(f->metadata().at("format"), "pt");
  const TensorView* a = f->find("a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->dtype, DType::kI32);
  EXPECT_THAT(a->shape, ElementsAre(2));
  EXPECT_EQ(a->nbytes, 8u);
  int32_t ints[2];
  std::memcpy(ints, a->data, 8);
  EXPECT_EQ(ints[0], 1);
  EXPECT_EQ(ints[1], 2);
  const TensorView* b = f->find("b");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->numel(), 4);
  EXPECT_EQ(b->describe(), "BF16[2, 2]");
  float vals[4];
  convert_to_f32(DType::kBF16, b->data, 4, vals);
  EXPECT_EQ(vals[0], 1.0f);
  EXPECT_EQ(vals[1], 2.0f);
  EXPECT_EQ(vals[2], 0.0f);
  EXPECT_EQ(vals[3], -1.0f);
  EXPECT_EQ(f->find("c"), nullptr);
  // The data pointer is inside the mapping at 8 + header length + offset: no copy.
  EXPECT_EQ(b->data, a->data + 8);
}

TEST_F(SafetensorsTest, AcceptsUnpaddedHeaderAndEmptyFile) {
  std::string header = kHeader + " ";  // odd length: data not aligned, still valid
  ASSERT_NE(header.size() % 2, 0u);
  write_bytes(path_, safetensors_bytes(header, kData));
  EXPECT_EQ(SafetensorsFile::open(path_)->tensors().size(), 2u);
  EXPECT_EQ(open_error(safetensors_bytes("{}", "")), "");
}

TEST_F(SafetensorsTest, AcceptsZeroSizedTensor) {
  EXPECT_EQ(
      open_error(safetensors_bytes(R"({"z":{"dtype":"F32","shape":[0,4],"data_offsets":[0,0]},)"
                                   R"("a":{"dtype":"I32","shape":[2],"data_offsets":[0,8]}})",
                                   kData.substr(0, 8))),
      "");
}

TEST_F(SafetensorsTest, MissingFile) {
  try {
    SafetensorsFile::open(dir_ / "absent.safetensors");
    FAIL();
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("absent.safetensors: cannot open"));
  }
}

TEST_F(SafetensorsTest, FileShorterThanLengthPrefix) {
  EXPECT_THAT(open_error(std::string("\x10\0\0", 3)),
              HasSubstr("file is 3 bytes, too short for the 8-byte header length"));
}

TEST_F(SafetensorsTest, TruncatedData) {
  std::string bytes = safetensors_bytes(kHeader, kData);
  EXPECT_THAT(open_error(bytes.substr(0, bytes.size() - 3)),
              HasSubstr("tensor 'b': data_offsets [8, 16] lie outside the 13-byte data buffer"));
}

TEST_F(SafetensorsTest, HeaderLengthBeyondFile) {
  std::string bytes = safetensors_bytes(kHeader, kData);
  bytes[0] = static_cast<char>(0xff);
  bytes[1] = static_cast<char>(0x7f);  // 0x7fff bytes of header in a ~150-byte file
  EXPECT_THAT(open_error(bytes), HasSubstr("header length 32767 goes past the end of the"));
}

TEST_F(SafetensorsTest, HeaderLengthOverLimit) {
  std::string bytes = safetensors_bytes(kHeader, kData);
  bytes[7] = 1;  // 2^56 + ...
  EXPECT_THAT(open_error(bytes), HasSubstr("exceeds the limit of 100000000 bytes"));
}

// A download or copy cut short anywhere — inside the length prefix, inside the JSON header, at
// the header's end, inside or between the tensors — is refused, with the file named.
TEST_F(SafetensorsTest, TruncatedAtEveryByteIsRefused) {
  const std::string bytes = safetensors_bytes(kHeader, kData);
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    SCOPED_TRACE(cut);
    EXPECT_NE(open_error(bytes.substr(0, cut)), "");
  }
  EXPECT_EQ(open_error(bytes), "");
}

// Header lengths whose arithmetic overflows (8 + length wraps past 2^64 or turns negative as a
// signed size) must be caught before any allocation or read.
TEST_F(SafetensorsTest, HeaderLengthNearTwoToThe64) {
  for (const uint64_t length :
       {uint64_t{1} << 63, (uint64_t{1} << 63) - 1, ~uint64_t{0}, ~uint64_t{0} - 7}) {
    SCOPED_TRACE(length);
    std::string bytes = safetensors_bytes(kHeader, kData);
    std::memcpy(bytes.data(), &length, 8);  // little-endian on every supported target
    EXPECT_THAT(open_error(bytes), HasSubstr("exceeds the limit of 100000000 bytes"));
  }
}

TEST_F(SafetensorsTest, BadJson) {
  EXPECT_THAT(open_error(safetensors_bytes(R"({"a":{"dtype":"I32",)", "")),
              HasSubstr("header: invalid JSON"));
  EXPECT_THAT(open_error(safetensors_bytes("[1,2]", "")),
              HasSubstr("header must be a JSON object"));
}

TEST_F(SafetensorsTest, UnknownDtype) {
  EXPECT_THAT(open_error(safetensors_bytes(
                  R"({"a":{"dtype":"Q4","shape":[2],"data_offsets":[0,8]}})", kData.substr(0, 8))),
              HasSubstr("tensor 'a': unknown dtype 'Q4'"));
}

TEST_F(SafetensorsTest, MissingOrMalformedFields) {
  EXPECT_THAT(open_error(safetensors_bytes(R"({"a":{"shape":[2],"data_offsets":[0,8]}})",
                                           kData.substr(0, 8))),
              HasSubstr("tensor 'a': missing field 'dtype'"));
  EXPECT_THAT(
      open_error(safetensors_bytes(R"({"a":{"dtype":"I32","shape":[-2],"data_offsets":[0,8]}})",
                                   kData.substr(0, 8))),
      HasSubstr("tensor 'a': shape [-2] has a dimension that is not a non-negative"));
  EXPECT_THAT(open_error(safetensors_bytes(
                  R"({"a":{"dtype":"I32","shape":[2],"data_offsets":[0]}})", kData.substr(0, 8))),
              HasSubstr("tensor 'a': 'data_offsets' must be [begin, end]"));
  EXPECT_THAT(open_error(safetensors_bytes(
                  R"({"a":{"dtype":"I32","shape":[2],"data_offsets":[8,0]}})", kData.substr(0, 8))),
              HasSubstr("tensor 'a': data_offsets [8, 0] end before they begin"));
}

TEST_F(SafetensorsTest, OffsetsOutOfRange) {
  EXPECT_THAT(
      open_error(safetensors_bytes(R"({"a":{"dtype":"I32","shape":[2],"data_offsets":[0,8]},)"
                                   R"("b":{"dtype":"I32","shape":[2],"data_offsets":[1000,1008]}})",
                                   kData)),
      HasSubstr("tensor 'b': data_offsets [1000, 1008] lie outside the 16-byte data buffer"));
}

TEST_F(SafetensorsTest, OverlappingRanges) {
  EXPECT_THAT(
      open_error(safetensors_bytes(R"({"a":{"dtype":"I32","shape":[3],"data_offsets":[0,12]},)"
                                   R"("b":{"dtype":"I32","shape":[2],"data_offsets":[8,16]}})",
                                   kData)),
      HasSubstr("tensor 'b' [8, 16] overlaps tensor 'a' [0, 12]"));
}

TEST_F(SafetensorsTest, GapBetweenRanges) {
  EXPECT_THAT(
      open_error(safetensors_bytes(R"({"a":{"dtype":"I32","shape":[1],"data_offsets":[0,4]},)"
                                   R"("b":{"dtype":"I32","shape":[2],"data_offsets":[8,16]}})",
                                   kData)),
      HasSubstr("tensor 'b' begins at byte 8 but the previous tensor ends at 4"));
}

TEST_F(SafetensorsTest, TrailingBytes) {
  EXPECT_THAT(open_error(safetensors_bytes(kHeader, kData + "xyz")),
              HasSubstr("tensors cover 16 bytes but the data buffer holds 19"));
}

TEST_F(SafetensorsTest, SizeDoesNotMatchShapeAndDtype) {
  // BF16 [2, 2] needs 8 bytes, the offsets give 16 (right size for F32).
  EXPECT_THAT(open_error(safetensors_bytes(
                  R"({"w":{"dtype":"BF16","shape":[2,2],"data_offsets":[0,16]}})", kData)),
              HasSubstr("tensor 'w': data_offsets [0, 16] hold 16 bytes but BF16[2, 2] needs 8"));
}

TEST_F(SafetensorsTest, OverflowingShape) {
  EXPECT_THAT(
      open_error(safetensors_bytes(
          R"({"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,16]}})", kData)),
      HasSubstr("tensor 'w': shape [4294967296,4294967296] is too large"));
}

TEST_F(SafetensorsTest, MetadataMustMapStringsToStrings) {
  EXPECT_THAT(open_error(safetensors_bytes(R"({"__metadata__":{"step":3}})", "")),
              HasSubstr("__metadata__ value 'step' must be a string"));
}

}  // namespace
}  // namespace infermark::model

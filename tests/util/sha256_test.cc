// SHA-256 against the FIPS 180-4 example digests and against coreutils' sha256sum.
#include "util/sha256.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "util/error.h"

namespace infermark::util {
namespace {

TEST(ChecksumTest, KnownAnswers) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex(std::string(1'000'000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(ChecksumTest, IncrementalEqualsOneShotAtEveryPaddingBoundary) {
  std::string data;
  for (int i = 0; i < 300; ++i) data += static_cast<char>(i * 31 + 7);
  for (size_t len : {55u, 56u, 63u, 64u, 65u, 119u, 120u, 128u, 300u}) {
    std::string_view d(data.data(), len);
    Sha256 h;
    for (size_t i = 0; i < len; i += 7) h.update(d.substr(i, 7));
    EXPECT_EQ(h.hex_digest(), sha256_hex(d)) << len;
  }
}

TEST(ChecksumTest, FileHashMatchesSha256sum) {
  auto path = std::filesystem::temp_directory_path() /
              ("infermark_checksum_test_" + std::to_string(::getpid()) + ".bin");
  std::string data;
  for (uint32_t i = 0; i < 3'000'000; ++i) data += static_cast<char>((i * 7919u) >> 3);
  std::ofstream(path, std::ios::binary) << data;
  std::string cmd = "sha256sum " + path.string();
  FILE* p = ::popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  char out[65] = {};
  ASSERT_EQ(std::fread(out, 1, 64, p), 64u);
  ::pclose(p);
  EXPECT_EQ(sha256_file(path), std::string(out));
  std::filesystem::remove(path);
  EXPECT_THROW(sha256_file(path), Error);
}

}  // namespace
}  // namespace infermark::util

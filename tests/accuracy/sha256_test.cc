// SHA-256 against the FIPS 180-4 / NIST example vectors, incremental updates and files.
#include "accuracy/sha256.h"

#include <gtest/gtest.h>

#include <string>

#include "python_peer.h"
#include "util/error.h"

namespace infermark::accuracy {
namespace {

TEST(Sha256, StandardVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(
      sha256_hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklm"
                 "nopqklmnopqrlmnopqrsmnopqrstnopqrstu"),
      "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
  EXPECT_EQ(sha256_hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, IncrementalEqualsOneShotAcrossBlockBoundaries) {
  std::string data;
  for (int i = 0; i < 300; ++i) data.push_back(static_cast<char>(i * 7 + 3));
  for (size_t split : {0u, 1u, 55u, 56u, 63u, 64u, 65u, 128u, 299u}) {
    Sha256 s;
    s.update(std::string_view(data).substr(0, split));
    s.update(std::string_view(data).substr(split));
    const auto digest = s.finish();
    std::string hex;
    for (uint8_t b : digest) hex += "0123456789abcdef"[b >> 4], hex += "0123456789abcdef"[b & 15];
    EXPECT_EQ(hex, sha256_hex(data)) << split;
  }
}

TEST(Sha256, Files) {
  testing::TempDir tmp;
  testing::write_text(tmp.path() / "f.json", "abc");
  EXPECT_EQ(sha256_file_hex(tmp.path() / "f.json"), sha256_hex("abc"));
  EXPECT_THROW(sha256_file_hex(tmp.path() / "missing.json"), Error);
}

}  // namespace
}  // namespace infermark::accuracy

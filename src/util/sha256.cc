#include "util/sha256.h"

#include <array>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <vector>

#include "util/error.h"

namespace infermark::util {
namespace {

// The first n primes.
std::vector<int> primes(int n) {
  std::vector<int> out;
  for (int c = 2; static_cast<int>(out.size()) < n; ++c) {
    bool prime = true;
    for (int p : out) prime = prime && c % p != 0;
    if (prime) out.push_back(c);
  }
  return out;
}

// First 32 bits of the fractional part of x (long double keeps ~64 bits, enough here; the
// known-answer tests check every constant through the digest).
uint32_t frac32(long double x) {
  long double f = x - std::floor(x);
  return static_cast<uint32_t>(std::floor(std::ldexp(f, 32)));
}

// Round constants: cube roots of the first 64 primes (FIPS 180-4 §4.2.2).
const std::array<uint32_t, 64>& round_constants() {
  static const auto k = [] {
    std::array<uint32_t, 64> t{};
    auto p = primes(64);
    for (int i = 0; i < 64; ++i) t[i] = frac32(std::cbrt(static_cast<long double>(p[i])));
    return t;
  }();
  return k;
}

uint32_t rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

}  // namespace

Sha256::Sha256() {
  // Initial hash: square roots of the first 8 primes (§5.3.3).
  auto p = primes(8);
  for (int i = 0; i < 8; ++i) h_[i] = frac32(std::sqrt(static_cast<long double>(p[i])));
}

void Sha256::block(const unsigned char* p) {
  const auto& k = round_constants();
  uint32_t w[64];
  for (int i = 0; i < 16; ++i) {
    w[i] = uint32_t{p[4 * i]} << 24 | uint32_t{p[4 * i + 1]} << 16 | uint32_t{p[4 * i + 2]} << 8 |
           uint32_t{p[4 * i + 3]};
  }
  for (int i = 16; i < 64; ++i) {
    uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
    uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  uint32_t a = h_[0], b = h_[1], c = h_[2], d = h_[3], e = h_[4], f = h_[5], g = h_[6], h = h_[7];
  for (int i = 0; i < 64; ++i) {
    uint32_t t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + k[i] + w[i];
    uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    h = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
  }
  h_[0] += a, h_[1] += b, h_[2] += c, h_[3] += d, h_[4] += e, h_[5] += f, h_[6] += g, h_[7] += h;
}

void Sha256::update(std::string_view bytes) {
  total_ += bytes.size();
  auto p = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t n = bytes.size();
  if (buf_len_ > 0) {
    size_t take = std::min(n, sizeof buf_ - buf_len_);
    std::memcpy(buf_ + buf_len_, p, take);
    buf_len_ += take, p += take, n -= take;
    if (buf_len_ < sizeof buf_) return;
    block(buf_);
    buf_len_ = 0;
  }
  for (; n >= 64; p += 64, n -= 64) block(p);
  std::memcpy(buf_, p, n);
  buf_len_ = n;
}

std::string Sha256::hex_digest() {
  const uint64_t bits = total_ * 8;
  const unsigned char pad = 0x80;
  update(std::string_view(reinterpret_cast<const char*>(&pad), 1));
  const char zero[64] = {};
  update(std::string_view(zero, (64 + 56 - buf_len_) % 64));
  char len[8];
  for (int i = 0; i < 8; ++i) len[i] = static_cast<char>(bits >> (56 - 8 * i));
  update(std::string_view(len, 8));
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (uint32_t v : h_) {
    for (int s = 28; s >= 0; s -= 4) out += kHex[(v >> s) & 0xf];
  }
  return out;
}

std::string sha256_hex(std::string_view bytes) {
  Sha256 h;
  h.update(bytes);
  return h.hex_digest();
}

std::string sha256_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error::format("{}: cannot open file: {}", path.string(), std::strerror(errno));
  Sha256 h;
  std::vector<char> buf(1 << 20);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    h.update(std::string_view(buf.data(), static_cast<size_t>(in.gcount())));
  }
  if (in.bad()) throw Error::format("{}: read failed", path.string());
  return h.hex_digest();
}

}  // namespace infermark::util

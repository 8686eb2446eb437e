#include "harness/hardware_probe.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <regex>
#include <set>
#include <utility>

namespace infermark::harness {
namespace fs = std::filesystem;
namespace {

std::string read_word(const fs::path& p) {
  std::ifstream in(p);
  std::string s;
  in >> s;
  return s;
}

// The entries of `dir` in name order (none if it cannot be read).
std::vector<fs::path> sorted_entries(const fs::path& dir) {
  std::error_code ec;
  std::vector<fs::path> out;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// "2x NVMe SSD, 1x HDD": counts of each kind, in order of first appearance.
std::string count_kinds(const std::vector<std::string>& kinds) {
  std::vector<std::pair<std::string, int>> counts;
  for (const auto& k : kinds) {
    auto it = std::find_if(counts.begin(), counts.end(), [&](const auto& c) { return c.first == k; });
    if (it == counts.end()) {
      counts.emplace_back(k, 1);
    } else {
      ++it->second;
    }
  }
  std::string out;
  for (const auto& [kind, n] : counts) out += fmt::format("{}{}x {}", out.empty() ? "" : ", ", n, kind);
  return out;
}

std::string disk_kind(const fs::path& block) {
  const std::string name = block.filename().string();
  if (name.starts_with("nvme")) return "NVMe SSD";
  if (name.starts_with("vd")) return "virtio disk";
  if (name.starts_with("xvd")) return "Xen virtual disk";
  const std::string rotational = read_word(block / "queue" / "rotational");
  if (rotational == "1") return "HDD";
  if (rotational == "0") return "SSD";
  return "";
}

std::string link_speed(const fs::path& port) {
  long mbps = 0;
  try {
    mbps = std::stol(read_word(port / "speed"));
  } catch (const std::exception&) {
    return "";  // link down or not reported
  }
  if (mbps <= 0) return "";
  if (mbps < 1000) return fmt::format(" {} Mb/s", mbps);
  return mbps % 1000 == 0 ? fmt::format(" {} Gb/s", mbps / 1000)
                          : fmt::format(" {:.1f} Gb/s", mbps / 1000.0);
}

// The PCI slot (domain:bus:device, without the function) a port's device sits in; the ports of
// one card differ only in the function. Falls back to the device path itself.
std::string card_of(const fs::path& port) {
  std::error_code ec;
  const fs::path device = fs::canonical(port / "device", ec);
  if (ec) return port.string();
  static const std::regex kPciFunction(R"(^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$)");
  std::string slot;
  for (const auto& part : device) {
    const std::string s = part.string();
    if (std::regex_match(s, kPciFunction)) slot = s.substr(0, s.size() - 2);
  }
  return slot.empty() ? device.string() : slot;
}

uint32_t le(std::span<const uint8_t> raw, size_t offset, size_t bytes) {
  uint32_t v = 0;
  for (size_t i = 0; i < bytes; ++i) v |= static_cast<uint32_t>(raw[offset + i]) << (8 * i);
  return v;
}

// SMBIOS 3.x, table "Memory Device — Type" (7.18.2).
std::string memory_type_name(uint8_t t) {
  switch (t) {
    case 0x0F: return "SDRAM";
    case 0x12: return "DDR";
    case 0x13: return "DDR2";
    case 0x18: return "DDR3";
    case 0x1A: return "DDR4";
    case 0x1B: return "LPDDR";
    case 0x1C: return "LPDDR2";
    case 0x1D: return "LPDDR3";
    case 0x1E: return "LPDDR4";
    case 0x20: return "HBM";
    case 0x21: return "HBM2";
    case 0x22: return "DDR5";
    case 0x23: return "LPDDR5";
    case 0x24: return "HBM3";
    default: return "";
  }
}

// A speed word (MT/s): 0 is unknown, 0xFFFF means "see the extended dword at `ext`".
uint32_t speed_at(std::span<const uint8_t> raw, size_t length, size_t word, size_t ext) {
  if (length < word + 2) return 0;
  const uint32_t v = le(raw, word, 2);
  if (v == 0xFFFF) return length >= ext + 4 ? le(raw, ext, 4) & 0x7FFFFFFF : 0;
  return v;
}

}  // namespace

std::string probe_storage_type(const fs::path& sys) {
  std::vector<std::string> kinds;
  for (const fs::path& block : sorted_entries(sys / "block")) {
    std::error_code ec;
    if (!fs::exists(block / "device", ec) || read_word(block / "removable") == "1") continue;
    if (std::string kind = disk_kind(block); !kind.empty()) kinds.push_back(std::move(kind));
  }
  return count_kinds(kinds);
}

NetworkDescription probe_networking(const fs::path& sys) {
  NetworkDescription out;
  std::set<std::string> cards;
  for (const fs::path& port : sorted_entries(sys / "class" / "net")) {
    std::error_code ec;
    if (!fs::exists(port / "device", ec)) continue;
    const std::string type = read_word(port / "type");
    const std::string kind = type == "1"    ? "Ethernet"
                             : type == "32" ? "InfiniBand"
                                            : "link type " + type;
    out.ports += fmt::format("{}{}: {}{}", out.ports.empty() ? "" : ", ",
                             port.filename().string(), kind, link_speed(port));
    cards.insert(card_of(port));
  }
  out.card_count = static_cast<int>(cards.size());
  return out;
}

std::string probe_memory_configuration(const fs::path& sys) {
  std::vector<std::pair<int, fs::path>> entries;  // SMBIOS instance number, folder
  for (const fs::path& e : sorted_entries(sys / "firmware" / "dmi" / "entries")) {
    const std::string name = e.filename().string();
    if (!name.starts_with("17-")) continue;
    try {
      entries.emplace_back(std::stoi(name.substr(3)), e);
    } catch (const std::exception&) {
    }
  }
  std::sort(entries.begin(), entries.end());
  std::vector<MemoryModule> modules;
  for (const auto& [index, dir] : entries) {
    std::ifstream in(dir / "raw", std::ios::binary);
    const std::vector<uint8_t> raw((std::istreambuf_iterator<char>(in)),
                                   std::istreambuf_iterator<char>());
    if (auto m = parse_smbios_memory_device(raw)) modules.push_back(*m);
  }
  return describe_memory_modules(modules);
}

std::optional<MemoryModule> parse_smbios_memory_device(std::span<const uint8_t> raw) {
  constexpr size_t kSize = 0x0C, kType = 0x12, kSpeed = 0x15, kExtendedSize = 0x1C,
                   kConfiguredSpeed = 0x20, kExtendedSpeed = 0x54, kExtendedConfigured = 0x58;
  if (raw.size() < 2 || raw[0] != 17) return std::nullopt;
  const size_t length = raw[1];
  if (length < kType + 1 || raw.size() < length) return std::nullopt;
  MemoryModule m;
  const uint32_t size = le(raw, kSize, 2);
  if (size == 0 || size == 0xFFFF) return std::nullopt;  // empty slot / unknown
  if (size == 0x7FFF) {
    if (length < kExtendedSize + 4) return std::nullopt;
    m.size_mb = le(raw, kExtendedSize, 4) & 0x7FFFFFFF;
  } else {
    m.size_mb = (size & 0x8000) ? (size & 0x7FFF) / 1024 : size;  // bit 15: KB granularity
  }
  if (m.size_mb == 0) return std::nullopt;
  m.type = memory_type_name(raw[kType]);
  m.speed_mts = speed_at(raw, length, kConfiguredSpeed, kExtendedConfigured);
  if (m.speed_mts == 0) m.speed_mts = speed_at(raw, length, kSpeed, kExtendedSpeed);
  return m;
}

std::string describe_memory_modules(const std::vector<MemoryModule>& modules) {
  std::vector<std::string> kinds;
  for (const MemoryModule& m : modules) {
    std::string d = m.size_mb % 1024 == 0 ? fmt::format("{} GB", m.size_mb / 1024)
                                          : fmt::format("{} MB", m.size_mb);
    if (!m.type.empty()) {
      d += " " + m.type + (m.speed_mts ? fmt::format("-{}", m.speed_mts) : "");
    } else if (m.speed_mts) {
      d += fmt::format(" {} MT/s", m.speed_mts);
    }
    kinds.push_back(std::move(d));
  }
  return count_kinds(kinds);
}

}  // namespace infermark::harness

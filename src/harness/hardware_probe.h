// The machine's disks, network ports and memory modules, described for MLPerf's system
// description (host_storage_type, host_networking, host_network_card_count,
// host_memory_configuration), from Linux's sysfs. Each probe returns an empty description when
// the machine does not tell (a container without the files, memory modules readable only by
// root): the field is then left for the submitter, never guessed. `sys` is the sysfs root, a
// parameter so that tests can give a made-up tree. Cheap (a few small files); any thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace infermark::harness {

// "2x NVMe SSD", "1x HDD, 1x SSD", "1x virtio disk": whole block devices backed by a device
// (loop, zram, device-mapper and RAM disks are not storage hardware).
std::string probe_storage_type(const std::filesystem::path& sys = "/sys");

struct NetworkDescription {
  std::string ports;   // "eth0: Ethernet 25 Gb/s, ib0: InfiniBand 200 Gb/s"
  int card_count = 0;  // distinct PCI devices (the ports of one card share one)
};
// Ports backed by a device (not lo, bridges, veth, tunnels).
NetworkDescription probe_networking(const std::filesystem::path& sys = "/sys");

// "16x 32 GB DDR5-4800" from the SMBIOS memory-device entries (dmi/entries/17-*/raw).
std::string probe_memory_configuration(const std::filesystem::path& sys = "/sys");

struct MemoryModule {
  uint64_t size_mb = 0;
  std::string type;  // "DDR5", "LPDDR4", ... or "" if not one SMBIOS names
  uint32_t speed_mts = 0;  // configured speed, else rated speed; 0 if unknown
  bool operator==(const MemoryModule&) const = default;
};
// One SMBIOS type-17 structure (formatted area, SMBIOS 2.3+); nullopt when it is not one, or is
// an empty slot or of unknown size.
std::optional<MemoryModule> parse_smbios_memory_device(std::span<const uint8_t> raw);
// Identical modules grouped, in order of first appearance: "16x 32 GB DDR5-4800".
std::string describe_memory_modules(const std::vector<MemoryModule>& modules);

}  // namespace infermark::harness

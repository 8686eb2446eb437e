// The machine probes for the MLPerf system description, on made-up sysfs trees (and SMBIOS
// memory-device structures built byte by byte from the SMBIOS 3.x layout).
#include "harness/hardware_probe.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace infermark::harness {
namespace {

namespace fs = std::filesystem;

class FakeSys {
 public:
  explicit FakeSys(const std::string& name) : root_(fs::path(::testing::TempDir()) / name) {
    fs::remove_all(root_);
  }
  void file(const fs::path& rel, const std::string& content) {
    fs::create_directories((root_ / rel).parent_path());
    std::ofstream(root_ / rel, std::ios::binary) << content;
  }
  // `rel` becomes a symlink to `target` (relative to the root).
  void link(const fs::path& rel, const fs::path& target) {
    fs::create_directories(root_ / target);
    fs::create_directories((root_ / rel).parent_path());
    fs::create_directory_symlink(root_ / target, root_ / rel);
  }
  const fs::path& root() const { return root_; }

 private:
  fs::path root_;
};

TEST(HardwareProbeTest, StorageCountsDisksByKindAndSkipsVirtualAndRemovableOnes) {
  FakeSys sys("probe_storage");
  for (const char* d : {"nvme0n1", "nvme1n1", "sda", "sdb", "vda"}) {
    sys.link(fs::path("block") / d / "device", fs::path("devices") / d);
  }
  sys.file("block/sda/queue/rotational", "1\n");
  sys.file("block/sdb/queue/rotational", "0\n");
  sys.link("block/sr0/device", "devices/sr0");
  sys.file("block/sr0/removable", "1\n");
  sys.file("block/loop0/queue/rotational", "0\n");  // no device: not storage hardware
  sys.file("block/zram0/queue/rotational", "0\n");
  EXPECT_EQ(probe_storage_type(sys.root()), "2x NVMe SSD, 1x HDD, 1x SSD, 1x virtio disk");
  EXPECT_EQ(probe_storage_type(sys.root() / "nothing"), "");
}

TEST(HardwareProbeTest, NetworkingNamesPortsAndCountsCardsByPciSlot) {
  FakeSys sys("probe_net");
  // Two ports of one dual-port card (functions 0 and 1 of one slot), one InfiniBand card, one
  // virtio port, and the loopback and a bridge, which have no device.
  sys.link("class/net/eth0/device", "devices/pci0000:00/0000:3b:00.0");
  sys.link("class/net/eth1/device", "devices/pci0000:00/0000:3b:00.1");
  sys.link("class/net/ib0/device", "devices/pci0000:00/0000:5e:00.0");
  sys.link("class/net/ens3/device", "devices/pci0000:00/0000:00:03.0/virtio2");
  sys.file("class/net/eth0/type", "1\n");
  sys.file("class/net/eth0/speed", "25000\n");
  sys.file("class/net/eth1/type", "1\n");
  sys.file("class/net/eth1/speed", "-1\n");
  sys.file("class/net/ib0/type", "32\n");
  sys.file("class/net/ib0/speed", "200000\n");
  sys.file("class/net/ens3/type", "1\n");
  sys.file("class/net/lo/type", "772\n");
  sys.file("class/net/br0/type", "1\n");
  const NetworkDescription n = probe_networking(sys.root());
  EXPECT_EQ(n.ports,
            "ens3: Ethernet, eth0: Ethernet 25 Gb/s, eth1: Ethernet, ib0: InfiniBand 200 Gb/s");
  EXPECT_EQ(n.card_count, 3);
}

// A type-17 structure of `length` bytes with the given size word, type, speeds and extended
// size; fields not set are 0.
std::vector<uint8_t> memory_device(uint8_t length, uint16_t size, uint8_t type, uint16_t speed,
                                   uint16_t configured = 0, uint32_t extended_size = 0) {
  std::vector<uint8_t> raw(length, 0);
  raw[0] = 17;
  raw[1] = length;
  auto put = [&](size_t at, uint32_t v, size_t bytes) {
    for (size_t i = 0; i < bytes && at + i < raw.size(); ++i) raw[at + i] = uint8_t(v >> (8 * i));
  };
  put(0x0C, size, 2);
  put(0x12, type, 1);
  put(0x15, speed, 2);
  put(0x1C, extended_size, 4);
  put(0x20, configured, 2);
  return raw;
}

TEST(HardwareProbeTest, ParsesSmbiosMemoryDevices) {
  EXPECT_EQ(parse_smbios_memory_device(memory_device(0x28, 16384, 0x22, 5600, 4800)),
            (MemoryModule{16384, "DDR5", 4800}));
  // 0x7FFF: the size is in the extended dword (here 128 GB); no configured speed: the rated one.
  EXPECT_EQ(parse_smbios_memory_device(memory_device(0x28, 0x7FFF, 0x1A, 3200, 0, 131072)),
            (MemoryModule{131072, "DDR4", 3200}));
  // An SMBIOS 2.3 structure (no configured-speed field); bit 15 of the size: KB units.
  EXPECT_EQ(parse_smbios_memory_device(memory_device(0x1B, 8192, 0x18, 1600)),
            (MemoryModule{8192, "DDR3", 1600}));
  EXPECT_EQ(parse_smbios_memory_device(memory_device(0x1B, 0x8000 | 2048, 0x18, 0)),
            (MemoryModule{2, "DDR3", 0}));
  EXPECT_FALSE(parse_smbios_memory_device(memory_device(0x28, 0, 0x22, 0)));  // empty slot
  EXPECT_FALSE(parse_smbios_memory_device(memory_device(0x28, 0xFFFF, 0x22, 0)));  // unknown
  auto other = memory_device(0x28, 1024, 0x22, 0);
  other[0] = 16;  // not a memory device
  EXPECT_FALSE(parse_smbios_memory_device(other));
  EXPECT_FALSE(parse_smbios_memory_device(std::vector<uint8_t>{17, 0x28, 0}));  // cut short
}

TEST(HardwareProbeTest, DescribesMemoryModulesGroupedInOrder) {
  EXPECT_EQ(describe_memory_modules({{32768, "DDR5", 4800},
                                     {32768, "DDR5", 4800},
                                     {16384, "DDR5", 4800},
                                     {512, "", 0},
                                     {2048, "", 2133}}),
            "2x 32 GB DDR5-4800, 1x 16 GB DDR5-4800, 1x 512 MB, 1x 2 GB 2133 MT/s");
  EXPECT_EQ(describe_memory_modules({}), "");
}

TEST(HardwareProbeTest, MemoryConfigurationReadsEveryEntryInNumericOrder) {
  FakeSys sys("probe_memory");
  const auto write = [&](const std::string& entry, const std::vector<uint8_t>& raw) {
    sys.file(fs::path("firmware/dmi/entries") / entry / "raw", std::string(raw.begin(), raw.end()));
  };
  write("17-0", memory_device(0x28, 16384, 0x22, 4800));
  write("17-1", memory_device(0x28, 0, 0x22, 0));  // empty slot
  write("17-10", memory_device(0x28, 0x7FFF, 0x22, 4800, 0, 32768));
  write("17-2", memory_device(0x28, 16384, 0x22, 4800));
  write("16-0", memory_device(0x28, 8192, 0x22, 4800));  // not a memory device entry
  EXPECT_EQ(probe_memory_configuration(sys.root()), "2x 16 GB DDR5-4800, 1x 32 GB DDR5-4800");
}

}  // namespace
}  // namespace infermark::harness

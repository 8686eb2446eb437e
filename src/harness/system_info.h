// What machine a run happened on, read from /proc, /sys and /etc (Linux), for run.json and the
// pre-filled MLPerf system description (system_description.h). Fields that cannot be read are
// left empty for the submitter to fill in, never guessed.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "util/json.h"

namespace infermark::harness {

struct MachineInfo {
  std::string hostname;
  std::string cpu_model;      // "AMD EPYC 9654 96-Core Processor"
  int sockets = 0;
  int cores_per_socket = 0;   // physical cores
  int logical_cpus = 0;
  double cpu_mhz = 0;         // current frequency of cpu0 as /proc/cpuinfo reports it
  std::string cpu_caches;     // "L1d 32 KiB, L1i 32 KiB, L2 1 MiB, L3 32 MiB" (per cpu0)
  std::string cpu_flags;      // the SIMD extensions that matter here: "avx2 fma f16c avx512f"
  uint64_t memory_bytes = 0;
  std::string os;             // PRETTY_NAME of /etc/os-release
  std::string kernel;         // uname -r
  std::vector<std::string> gpus;  // NVIDIA models from /proc/driver/nvidia, else empty
  uint64_t storage_bytes = 0;     // capacity of the filesystem holding the output
  std::string storage_type;       // "2x NVMe SSD" (hardware_probe.h)
  std::string network_ports;      // "eth0: Ethernet 25 Gb/s"
  int network_cards = 0;
  std::string memory_configuration;  // "16x 32 GB DDR5-4800"; empty unless SMBIOS is readable
};

// Reads the machine. `output_dir` selects the filesystem whose size is reported.
MachineInfo probe_machine(const std::filesystem::path& output_dir);

util::Json to_json(const MachineInfo& m);

}  // namespace infermark::harness

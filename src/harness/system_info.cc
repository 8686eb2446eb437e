#include "harness/system_info.h"

#include <fmt/format.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <sstream>

#include "harness/hardware_probe.h"

namespace infermark::harness {
namespace fs = std::filesystem;
namespace {

std::string trim(std::string s) {
  s.erase(0, s.find_first_not_of(" \t\n\""));
  s.erase(s.find_last_not_of(" \t\n\"") + 1);
  return s;
}

std::string read_first_line(const fs::path& p) {
  std::ifstream in(p);
  std::string line;
  std::getline(in, line);
  return trim(line);
}

void read_cpuinfo(MachineInfo& m) {
  std::ifstream in("/proc/cpuinfo");
  std::set<std::string> sockets;
  std::string line, flags;
  while (std::getline(in, line)) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::string key = trim(line.substr(0, colon)), value = trim(line.substr(colon + 1));
    if (key == "processor") ++m.logical_cpus;
    if (key == "model name" && m.cpu_model.empty()) m.cpu_model = value;
    if (key == "physical id") sockets.insert(value);
    if (key == "cpu cores" && m.cores_per_socket == 0) m.cores_per_socket = std::stoi(value);
    if (key == "cpu MHz" && m.cpu_mhz == 0) m.cpu_mhz = std::stod(value);
    if (key == "flags" && flags.empty()) flags = " " + value + " ";
  }
  m.sockets = sockets.empty() ? 1 : static_cast<int>(sockets.size());
  for (const char* f : {"avx2", "fma", "f16c", "avx512f", "avx512bf16", "amx_tile"}) {
    if (flags.find(std::string(" ") + f + " ") != std::string::npos) {
      m.cpu_flags += (m.cpu_flags.empty() ? "" : " ") + std::string(f);
    }
  }
}

void read_caches(MachineInfo& m) {
  const fs::path base = "/sys/devices/system/cpu/cpu0/cache";
  std::error_code ec;
  std::vector<std::string> parts;
  for (int i = 0; i < 8; ++i) {
    const fs::path dir = base / ("index" + std::to_string(i));
    if (!fs::exists(dir, ec)) break;
    std::string type = read_first_line(dir / "type");
    std::string name = "L" + read_first_line(dir / "level") +
                       (type == "Data" ? "d" : type == "Instruction" ? "i" : "");
    parts.push_back(name + " " + read_first_line(dir / "size"));
  }
  for (size_t i = 0; i < parts.size(); ++i) m.cpu_caches += (i ? ", " : "") + parts[i];
}

void read_memory_and_os(MachineInfo& m) {
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  uint64_t kib = 0;
  if (meminfo >> key >> kib && key == "MemTotal:") m.memory_bytes = kib * 1024;
  std::ifstream os("/etc/os-release");
  std::string line;
  while (std::getline(os, line)) {
    if (line.rfind("PRETTY_NAME=", 0) == 0) m.os = trim(line.substr(12));
  }
  utsname u{};
  if (uname(&u) == 0) m.kernel = u.release;
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) == 0) m.hostname = host;
}

void read_gpus(MachineInfo& m) {
  std::error_code ec;
  const fs::path base = "/proc/driver/nvidia/gpus";
  if (!fs::is_directory(base, ec)) return;
  for (const auto& e : fs::directory_iterator(base, ec)) {
    std::ifstream in(e.path() / "information");
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("Model:", 0) == 0) m.gpus.push_back(trim(line.substr(6)));
    }
  }
}

}  // namespace

MachineInfo probe_machine(const fs::path& output_dir) {
  MachineInfo m;
  read_cpuinfo(m);
  read_caches(m);
  read_memory_and_os(m);
  read_gpus(m);
  m.storage_type = probe_storage_type();
  const NetworkDescription net = probe_networking();
  m.network_ports = net.ports;
  m.network_cards = net.card_count;
  m.memory_configuration = probe_memory_configuration();
  struct statvfs st {};
  fs::path p = output_dir;
  std::error_code ec;
  while (!p.empty() && !fs::exists(p, ec)) p = p.parent_path();
  if (statvfs(p.empty() ? "." : p.c_str(), &st) == 0) {
    m.storage_bytes = static_cast<uint64_t>(st.f_blocks) * st.f_frsize;
  }
  return m;
}

util::Json to_json(const MachineInfo& m) {
  return util::Json{{"hostname", m.hostname},
                    {"cpu_model", m.cpu_model},
                    {"sockets", m.sockets},
                    {"cores_per_socket", m.cores_per_socket},
                    {"logical_cpus", m.logical_cpus},
                    {"cpu_mhz", m.cpu_mhz},
                    {"cpu_caches", m.cpu_caches},
                    {"cpu_flags", m.cpu_flags},
                    {"memory_bytes", m.memory_bytes},
                    {"os", m.os},
                    {"kernel", m.kernel},
                    {"gpus", m.gpus},
                    {"storage_bytes", m.storage_bytes},
                    {"storage_type", m.storage_type},
                    {"network_ports", m.network_ports},
                    {"network_cards", m.network_cards},
                    {"memory_configuration", m.memory_configuration}};
}

}  // namespace infermark::harness

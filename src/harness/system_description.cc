#include "harness/system_description.h"

#include <fmt/format.h>

#include <algorithm>

#include "util/atomic_file.h"
#include "util/build_info.h"
#include "util/error.h"

namespace infermark::harness {
namespace {

// tools/submission/submission_checker/constants.py, SYSTEM_DESC_MEANINGFUL_RESPONSE_REQUIRED_FIELDS.
constexpr std::string_view kMeaningfulFields[] = {
    "division", "submitter", "system_type", "status", "system_name", "number_of_nodes",
    "host_processor_model_name", "host_processors_per_node", "host_processor_core_count",
    "host_memory_capacity", "host_memory_configuration", "host_storage_capacity",
    "host_storage_type", "host_networking", "host_network_card_count", "host_networking_topology",
    "accelerators_per_node", "accelerator_model_name", "accelerator_memory_capacity",
    "accelerator_host_interconnect", "accelerator_memory_configuration",
    "accelerator_interconnect", "cooling", "framework", "operating_system",
    "other_software_stack"};

bool is_empty(const util::Json& v) {
  return v.is_null() || (v.is_string() && v.get<std::string>().empty());
}

std::string gb(uint64_t bytes) { return fmt::format("{:.0f} GB", bytes / 1e9); }

void check_one_of(std::string_view option, const std::string& value,
                  std::initializer_list<std::string_view> allowed) {
  if (std::find(allowed.begin(), allowed.end(), value) != allowed.end()) return;
  std::string list;
  for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
  throw Error::format("{}: '{}' is not one of {}", option, value, list);
}

}  // namespace

const std::vector<std::string_view>& required_system_fields() {
  static const std::vector<std::string_view> fields = {
      "division", "submitter", "status", "system_name", "number_of_nodes",
      "host_processor_model_name", "host_processors_per_node", "host_processor_core_count",
      "host_memory_capacity", "host_storage_capacity", "host_storage_type",
      "accelerators_per_node", "accelerator_model_name", "accelerator_memory_capacity",
      "framework", "operating_system", "system_type", "other_software_stack",
      "host_processor_frequency", "host_processor_caches", "host_memory_configuration",
      "host_processor_interconnect", "host_networking", "host_networking_topology",
      "accelerator_frequency", "accelerator_host_interconnect", "accelerator_interconnect",
      "accelerator_interconnect_topology", "accelerator_memory_configuration",
      "accelerator_on-chip_memories", "cooling", "hw_notes", "sw_notes",
      "host_network_card_count", "system_type_detail"};
  return fields;
}

void validate_system_options(const SystemDescriptionOptions& o) {
  const auto& known = required_system_fields();
  for (const auto& [key, value] : o.fields) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      throw Error::format("--system-field {}: not a field of MLPerf's system description (see "
                          "systems/<system>.json for the names)",
                          key);
    }
    if (key == "division" || key == "submitter") {
      throw Error::format("--system-field {}: use --{} (it also names the results folder)", key,
                          key);
    }
    if (key == "status") check_one_of("--system-field status", value, {"available", "preview", "rdi"});
    if (key == "system_type") {
      check_one_of("--system-field system_type", value,
                   {"datacenter", "edge", "datacenter,edge", "edge,datacenter"});
    }
  }
  if (o.division) check_one_of("--division", *o.division, {"open", "closed"});
}

util::Json system_description(const MachineInfo& m, const SystemDescriptionOptions& o) {
  const bool gpu = !m.gpus.empty();
  const std::string framework = "infermark " + util::build_info().version;
  return util::Json{
      {"division", o.division.value_or("open")},
      {"submitter", o.submitter.value_or("infermark user")},
      {"status", "available"},
      {"system_name", o.system_name},
      {"number_of_nodes", "1"},
      {"host_processor_model_name", m.cpu_model},
      {"host_processors_per_node", std::to_string(m.sockets)},
      {"host_processor_core_count", std::to_string(m.cores_per_socket)},
      {"host_processor_frequency", m.cpu_mhz > 0 ? fmt::format("{:.0f} MHz", m.cpu_mhz) : ""},
      {"host_processor_caches", m.cpu_caches},
      {"host_processor_interconnect", ""},
      {"host_memory_capacity", m.memory_bytes ? gb(m.memory_bytes) : ""},
      {"host_memory_configuration", m.memory_configuration},
      {"host_storage_capacity", m.storage_bytes ? gb(m.storage_bytes) : ""},
      {"host_storage_type", m.storage_type},
      {"host_networking", m.network_ports},
      {"host_networking_topology", "N/A (single node)"},
      {"host_network_card_count", m.network_cards ? std::to_string(m.network_cards) : ""},
      {"accelerators_per_node", std::to_string(m.gpus.size())},
      {"accelerator_model_name", gpu ? m.gpus.front() : "N/A"},
      {"accelerator_memory_capacity", gpu ? "" : "N/A"},
      {"accelerator_memory_configuration", gpu ? "" : "N/A"},
      {"accelerator_frequency", gpu ? "" : "N/A"},
      {"accelerator_host_interconnect", gpu ? "" : "N/A"},
      {"accelerator_interconnect", gpu ? "" : "N/A"},
      {"accelerator_interconnect_topology", gpu ? "" : "N/A"},
      {"accelerator_on-chip_memories", gpu ? "" : "N/A"},
      {"cooling", ""},
      {"framework", framework},
      {"operating_system", m.os + (m.kernel.empty() ? "" : " (Linux " + m.kernel + ")")},
      {"other_software_stack", "infermark " + util::build_info().describe() +
                                   (m.cpu_flags.empty() ? "" : "; CPU kernels: " + m.cpu_flags)},
      {"system_type", o.system_type},
      {"system_type_detail", "N/A"},
      {"hw_notes", ""},
      {"sw_notes", "Generated by infermark from the machine; empty fields are for the submitter."},
      {"weight_data_types", o.weight_data_types},
      {"activation_data_types", o.activation_data_types}};
}

util::Json merge_system_description(const util::Json& existing, const util::Json& generated,
                                    const SystemDescriptionOptions& o,
                                    std::vector<std::string>* notes) {
  util::Json out = existing.is_object() ? existing : util::Json::object();
  for (const auto& [key, value] : generated.items()) {
    if (!out.contains(key) || is_empty(out[key])) out[key] = value;
  }
  if (o.submitter) out["submitter"] = *o.submitter;
  if (o.division) out["division"] = *o.division;
  for (const auto& [key, value] : o.fields) out[key] = value;
  for (const auto& [key, run] : {std::pair{"weight_data_types", &o.weight_data_types},
                                 std::pair{"activation_data_types", &o.activation_data_types}}) {
    if (run->empty() || out[key] == *run) continue;
    if (notes) {
      notes->push_back(fmt::format(
          "{} of the system description was {} and is now this run's {}: results of both "
          "precisions now share one system name (give each precision its own --system)",
          key, out[key].dump(), *run));
    }
    out[key] = *run;
  }
  return out;
}

std::vector<std::string> empty_meaningful_fields(const util::Json& d) {
  std::vector<std::string> out;
  for (std::string_view key : kMeaningfulFields) {
    const auto it = d.find(key);
    if (it == d.end() || is_empty(*it)) out.emplace_back(key);
  }
  return out;
}

SystemDescriptionWritten write_system_description(const std::filesystem::path& path,
                                                  const MachineInfo& m,
                                                  const SystemDescriptionOptions& o) {
  util::Json existing = util::Json::object();
  if (std::filesystem::exists(path)) existing = util::parse_json(util::read_file(path), path.string());
  SystemDescriptionWritten written;
  const util::Json d = merge_system_description(existing, system_description(m, o), o, &written.notes);
  util::ensure_writable_dir(path.parent_path());
  util::write_file_atomic(path, d.dump(4) + "\n");
  written.fields_to_fill = empty_meaningful_fields(d);
  return written;
}

}  // namespace infermark::harness

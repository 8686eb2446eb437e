#include "model/checkpoint.h"

#include "util/atomic_file.h"
#include "util/error.h"
#include "util/json.h"

namespace infermark::model {
namespace fs = std::filesystem;
using util::Json;

namespace {

// Shard names come from an untrusted index: only plain file names in the same folder.
void check_shard_name(const std::string& shard, const std::string& tensor,
                      const std::string& where) {
  if (shard.empty() || shard == "." || shard == ".." ||
      shard.find_first_of("/\\") != std::string::npos) {
    throw Error::format(
        "{}: tensor '{}' is mapped to '{}', which is not a file name in the "
        "checkpoint folder",
        where, tensor, shard);
  }
}

}  // namespace

Checkpoint Checkpoint::open(const fs::path& path) {
  Checkpoint c;
  c.path_ = path;
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) {
    c.add_file(SafetensorsFile::open(path));
    return c;
  }
  if (!fs::is_directory(path, ec)) {
    throw Error::format("{}: checkpoint folder does not exist", path.string());
  }
  if (fs::exists(path / kSingleFileName, ec)) {
    c.add_file(SafetensorsFile::open(path / kSingleFileName));
  } else if (fs::exists(path / kIndexFileName, ec)) {
    c.open_sharded(path / kIndexFileName);
  } else {
    throw Error::format("{}: no {} or {} in the checkpoint folder", path.string(), kSingleFileName,
                        kIndexFileName);
  }
  return c;
}

void Checkpoint::add_file(std::unique_ptr<SafetensorsFile> file) {
  for (const TensorView& t : file->tensors()) {
    auto [it, inserted] = by_name_.emplace(t.name, &t);
    if (!inserted) {
      throw Error::format("{}: tensor '{}' is also in another file of the checkpoint",
                          file->path().string(), t.name);
    }
  }
  files_.push_back(std::move(file));
}

void Checkpoint::open_sharded(const fs::path& index_path) {
  sharded_ = true;
  const std::string where = index_path.string();
  Json index = util::parse_json(util::read_file(index_path), where);
  if (!index.is_object() || !index.contains("weight_map") || !index["weight_map"].is_object()) {
    throw Error::format("{}: missing object 'weight_map'", where);
  }
  // shard file name -> tensor names mapped to it, shards in first-appearance order.
  std::vector<std::string> shard_order;
  std::map<std::string, std::vector<std::string>> mapped;
  for (const auto& [tensor, shard_json] : index["weight_map"].items()) {
    if (!shard_json.is_string()) {
      throw Error::format("{}: weight_map entry '{}' must be a file name", where, tensor);
    }
    auto shard = shard_json.get<std::string>();
    check_shard_name(shard, tensor, where);
    auto [it, inserted] = mapped.try_emplace(shard);
    if (inserted) shard_order.push_back(shard);
    it->second.push_back(tensor);
  }
  if (mapped.empty()) throw Error::format("{}: weight_map is empty", where);

  // First every shard and every mapped tensor, then tensors the index does not list: a tensor
  // moved to the wrong shard is reported as missing from the shard it is mapped to.
  const fs::path dir = index_path.parent_path();
  std::vector<std::unique_ptr<SafetensorsFile>> shards;
  for (const std::string& shard : shard_order) {
    const auto& names = mapped[shard];
    std::error_code ec;
    if (!fs::exists(dir / shard, ec)) {
      throw Error::format("{}: shard '{}' (holding '{}') does not exist", where, shard,
                          names.front());
    }
    shards.push_back(SafetensorsFile::open(dir / shard));
    for (const std::string& name : names) {
      if (!shards.back()->find(name)) {
        throw Error::format(
            "{}: tensor '{}' is mapped to shard '{}' but that file does not "
            "contain it",
            where, name, shard);
      }
    }
  }
  const Json& weight_map = index["weight_map"];
  for (size_t k = 0; k < shards.size(); ++k) {
    for (const TensorView& t : shards[k]->tensors()) {
      auto it = weight_map.find(t.name);
      if (it == weight_map.end() || *it != shard_order[k]) {
        throw Error::format(
            "{}: shard '{}' holds tensor '{}', which the index does not map to "
            "it",
            where, shard_order[k], t.name);
      }
    }
    add_file(std::move(shards[k]));
  }
}

std::vector<fs::path> Checkpoint::files() const {
  std::vector<fs::path> out;
  for (const auto& f : files_) out.push_back(f->path());
  return out;
}

uint64_t Checkpoint::total_bytes() const {
  uint64_t n = 0;
  for (const auto& [name, t] : by_name_) n += t->nbytes;
  return n;
}

const TensorView* Checkpoint::find(std::string_view name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : it->second;
}

const TensorView& Checkpoint::get(std::string_view name) const {
  const TensorView* t = find(name);
  if (!t) throw Error::format("{}: no tensor '{}'", path_.string(), name);
  return *t;
}

std::vector<const TensorView*> Checkpoint::tensors() const {
  std::vector<const TensorView*> out;
  out.reserve(by_name_.size());
  for (const auto& [name, t] : by_name_) out.push_back(t);
  return out;
}

}  // namespace infermark::model

#include "model/checkpoint_writer.h"

#include <fmt/format.h>

#include <algorithm>

#include "model/checkpoint.h"
#include "util/atomic_file.h"
#include "util/error.h"
#include "util/json.h"
#include "util/log.h"

namespace infermark::model {
namespace fs = std::filesystem;
using util::Json;

uint64_t TensorToWrite::nbytes() const {
  uint64_t n = dtype_size(dtype);
  for (int64_t d : shape) n *= static_cast<uint64_t>(d);
  return n;
}

std::string safetensors_header(std::span<const TensorToWrite> tensors,
                               const std::map<std::string, std::string>& metadata) {
  Json header = Json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  uint64_t offset = 0;
  for (const TensorToWrite& t : tensors) {
    uint64_t end = offset + t.nbytes();
    header[t.name] = {
        {"dtype", dtype_name(t.dtype)}, {"shape", t.shape}, {"data_offsets", {offset, end}}};
    offset = end;
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');
  return text;
}

void write_safetensors(const fs::path& path, std::span<const TensorToWrite> tensors,
                       const TensorFill& fill, const std::map<std::string, std::string>& metadata) {
  const std::string header = safetensors_header(tensors, metadata);
  char len[8];
  for (int i = 0; i < 8; ++i)
    len[i] = static_cast<char>((uint64_t{header.size()} >> (8 * i)) & 0xff);
  util::AtomicFile file(path);
  file.write(std::string_view(len, 8));
  file.write(header);
  std::vector<std::byte> chunk;
  for (const TensorToWrite& t : tensors) {
    const uint64_t total = t.nbytes();
    for (uint64_t offset = 0; offset < total;) {
      size_t n = static_cast<size_t>(std::min<uint64_t>(kWriteChunkBytes, total - offset));
      chunk.resize(n);
      fill(t, offset, std::span<std::byte>(chunk.data(), n));
      file.write(std::string_view(reinterpret_cast<const char*>(chunk.data()), n));
      offset += n;
    }
  }
  file.commit();
}

std::vector<std::vector<TensorToWrite>> plan_shards(std::span<const TensorToWrite> tensors,
                                                    uint64_t max_shard_bytes) {
  std::vector<std::vector<TensorToWrite>> shards;
  uint64_t current = 0;
  for (const TensorToWrite& t : tensors) {
    const uint64_t bytes = t.nbytes();
    if (shards.empty() || (current > 0 && current + bytes > max_shard_bytes)) {
      shards.emplace_back();
      current = 0;
    }
    shards.back().push_back(t);
    current += bytes;
  }
  return shards;
}

namespace {

void remove_stale(const fs::path& path) {
  std::error_code ec;
  if (fs::exists(path, ec)) {
    IM_LOG_INFO("removing stale {} (replaced by the checkpoint being written)", path.string());
    fs::remove(path, ec);
    if (ec) throw Error::format("{}: cannot remove: {}", path.string(), ec.message());
  }
}

}  // namespace

std::vector<fs::path> write_checkpoint(const fs::path& dir, std::span<const TensorToWrite> tensors,
                                       const TensorFill& fill, uint64_t max_shard_bytes) {
  util::ensure_writable_dir(dir);
  auto shards = plan_shards(tensors, max_shard_bytes);
  if (shards.size() <= 1) {
    remove_stale(dir / kIndexFileName);
    fs::path path = dir / kSingleFileName;
    write_safetensors(path, tensors, fill);
    return {path};
  }
  remove_stale(dir / kSingleFileName);
  std::vector<fs::path> written;
  Json weight_map = Json::object();
  uint64_t total = 0;
  for (size_t k = 0; k < shards.size(); ++k) {
    std::string name = fmt::format("model-{:05d}-of-{:05d}.safetensors", k + 1, shards.size());
    for (const TensorToWrite& t : shards[k]) {
      weight_map[t.name] = name;
      total += t.nbytes();
    }
    written.push_back(dir / name);
    write_safetensors(written.back(), shards[k], fill);
  }
  Json index = {{"metadata", {{"total_size", total}}}, {"weight_map", weight_map}};
  written.push_back(dir / kIndexFileName);
  util::write_file_atomic(written.back(), index.dump(2) + "\n");
  return written;
}

}  // namespace infermark::model

#include "dataset/prepare.h"

#include <algorithm>
#include <string_view>
#include <unordered_map>

#include "dataset/cnn_eval_writer.h"
#include "dataset/numpy_random.h"
#include "dataset/prompt.h"
#include "text/tokenizer.h"
#include "util/atomic_file.h"
#include "util/error.h"
#include "util/sha256.h"

namespace infermark::dataset {
namespace {

std::vector<size_t> shuffled_subset(const ArticleSource& source, const Selection& selection) {
  const size_t n = source.articles.size();
  if (selection.n_samples == 0 || selection.n_samples > n) {
    throw Error::format("{}: cannot take {} samples from {} articles", source.origin,
                        selection.n_samples, n);
  }
  const std::vector<uint64_t> permutation = numpy_permutation(n, selection.seed);
  return std::vector<size_t>(permutation.begin(),
                             permutation.begin() + static_cast<ptrdiff_t>(selection.n_samples));
}

std::vector<size_t> listed_ids(const ArticleSource& source, const Selection& selection) {
  if (selection.ids.empty()) throw Error::format("{}: the id list is empty", selection.ids_origin);
  // prepare-calibration.py: dict((x["id"], x) for x in dataset), so the last occurrence wins.
  std::unordered_map<std::string_view, size_t> by_id;
  by_id.reserve(source.articles.size());
  for (size_t i = 0; i < source.articles.size(); ++i) {
    if (!source.articles[i].id.empty()) by_id[source.articles[i].id] = i;
  }
  if (by_id.empty()) {
    throw Error::format("{}: the articles have no 'id' (the id list selects by id)", source.origin);
  }
  std::vector<size_t> out;
  out.reserve(selection.ids.size());
  for (const ListedId& listed : selection.ids) {
    auto it = by_id.find(listed.id);
    if (it == by_id.end()) {
      throw Error::format("{}: line {}: id '{}' is not in {} ({} articles)", selection.ids_origin,
                          listed.line, listed.id, source.origin, source.articles.size());
    }
    out.push_back(it->second);
  }
  return out;
}

}  // namespace

std::vector<ListedId> parse_id_list(std::string_view text, std::string_view origin) {
  std::vector<ListedId> ids;
  size_t line = 0;
  for (size_t pos = 0; pos < text.size();) {
    const size_t end = std::min(text.find_first_of("\r\n", pos), text.size());
    ++line;
    if (end == pos) throw Error::format("{}: line {} is empty (one id per line)", origin, line);
    ids.push_back({std::string(text.substr(pos, end - pos)), line});
    pos = text.compare(end, 2, "\r\n") == 0 ? end + 2 : end + 1;
  }
  return ids;
}

std::vector<ListedId> read_id_list(const std::filesystem::path& path) {
  return parse_id_list(util::read_file(path), path.string());
}

std::vector<size_t> select_articles(const ArticleSource& source, const Selection& selection) {
  switch (selection.kind) {
    case Selection::Kind::kAll: {
      std::vector<size_t> all(source.articles.size());
      for (size_t i = 0; i < all.size(); ++i) all[i] = i;
      return all;
    }
    case Selection::Kind::kShuffledSubset:
      return shuffled_subset(source, selection);
    case Selection::Kind::kIdList:
      return listed_ids(source, selection);
  }
  return {};
}

InstructionForm instruction_form_for(const Selection& selection) {
  return selection.kind == Selection::Kind::kIdList ? InstructionForm::kString
                                                    : InstructionForm::kLlamaObject;
}

std::vector<Sample> build_samples(const ArticleSource& source, std::span<const size_t> indices,
                                  InstructionForm form, const text::Tokenizer& tokenizer) {
  if (!tokenizer.bos_id()) {
    throw Error("the tokenizer has no BOS token (MLPerf's tok_input starts with it)");
  }
  std::vector<Sample> samples(indices.size());
  for (size_t i = 0; i < indices.size(); ++i) {
    const SourceArticle& a = source.articles[indices[i]];
    Sample& s = samples[i];
    s.instruction = std::string(kMlperfPromptTemplate);
    s.instruction_form = form;
    s.input = a.article;
    s.output = a.highlights;
    tokenizer.encode_into(build_prompt(a.article), /*add_bos=*/true, s.tok_input);
  }
  return samples;
}

WrittenFile write_cnn_eval_file(const std::filesystem::path& path,
                                std::span<const Sample> samples) {
  util::AtomicFile file(path);
  util::Sha256 hash;
  WrittenFile written;
  write_cnn_eval_json(samples, [&](std::string_view piece) {
    file.write(piece);
    hash.update(piece);
    written.bytes += piece.size();
  });
  file.commit();
  written.sha256 = hash.hex_digest();
  return written;
}

}  // namespace infermark::dataset

// Encoding (added tokens -> pre-tokenizer -> BPE -> template) and decoding (bytes per id -> UTF-8
// repair -> optional clean-up) over the tables in tokenizer_impl.h.
#include "text/tokenizer.h"

#include "text/pre_tokenizer.h"
#include "text/tokenizer_impl.h"
#include "text/utf8.h"

namespace infermark::text {
namespace {

struct EncodeScratch {
  std::vector<Segment> segments;
  std::vector<std::string_view> pieces;
};

EncodeScratch& scratch() {
  thread_local EncodeScratch s;
  return s;
}

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  size_t pos = s.find(from);
  if (pos == std::string::npos) return;
  std::string out;
  out.reserve(s.size());
  size_t done = 0;
  for (; pos != std::string::npos; pos = s.find(from, done)) {
    out.append(s, done, pos - done);
    out.append(to);
    done = pos + from.size();
  }
  out.append(s, done, std::string::npos);
  s.swap(out);
}

}  // namespace

void Tokenizer::encode_into(std::string_view text, bool add_bos, std::vector<int32_t>& out) const {
  const Impl& impl = *impl_;
  if (add_bos) out.insert(out.end(), impl.prefix_ids.begin(), impl.prefix_ids.end());
  EncodeScratch& s = scratch();
  s.segments.clear();
  impl.added.split(text, s.segments);
  for (const Segment& seg : s.segments) {
    if (seg.id >= 0) {
      out.push_back(seg.id);
      continue;
    }
    s.pieces.clear();
    pre_tokenize_llama3(seg.text, s.pieces);
    for (std::string_view piece : s.pieces) impl.bpe.encode_piece(piece, out);
  }
  if (add_bos) out.insert(out.end(), impl.suffix_ids.begin(), impl.suffix_ids.end());
}

std::vector<int32_t> Tokenizer::encode(std::string_view text, bool add_bos) const {
  std::vector<int32_t> out;
  out.reserve(text.size() / 3 + 4);
  encode_into(text, add_bos, out);
  return out;
}

std::string_view Tokenizer::token_bytes(int32_t id) const {
  const Impl& impl = *impl_;
  if (id < 0 || id >= impl.vocab_size()) return {};
  const uint32_t begin = impl.bytes_offset[id];
  return std::string_view(impl.bytes_arena).substr(begin, impl.bytes_offset[id + 1] - begin);
}

std::string Tokenizer::decode(std::span<const int32_t> ids, const DecodeOptions& options) const {
  std::string bytes;
  bytes.reserve(ids.size() * 4);
  for (int32_t id : ids) {
    if (options.skip_special_tokens && is_special(id)) continue;
    bytes.append(token_bytes(id));
  }
  std::string text = utf8_lossy(bytes);
  if (options.clean_up_spaces.value_or(impl_->clean_up_spaces)) {
    return clean_up_tokenization(text);
  }
  return text;
}

std::optional<int32_t> Tokenizer::bos_id() const { return impl_->bos_id; }
std::span<const int32_t> Tokenizer::eos_ids() const { return impl_->eos_ids; }
int32_t Tokenizer::vocab_size() const { return impl_->vocab_size(); }
bool Tokenizer::clean_up_spaces_default() const { return impl_->clean_up_spaces; }
const std::string& Tokenizer::bos_token() const { return impl_->bos_token; }

std::optional<int32_t> Tokenizer::token_to_id(std::string_view token) const {
  return impl_->find_token(token);
}

std::optional<std::string_view> Tokenizer::id_to_token(int32_t id) const {
  if (id < 0 || id >= impl_->vocab_size() || impl_->kind[id] == TokenKind::kNone) {
    return std::nullopt;
  }
  return std::string_view(impl_->spelling[id]);
}

bool Tokenizer::is_special(int32_t id) const {
  return id >= 0 && id < impl_->vocab_size() && impl_->kind[id] == TokenKind::kSpecial;
}

std::string clean_up_tokenization(std::string_view text) {
  static constexpr std::pair<std::string_view, std::string_view> kReplacements[] = {
      {" .", "."},     {" ?", "?"},   {" !", "!"},   {" ,", ","},     {" ' ", "'"},
      {" n't", "n't"}, {" 'm", "'m"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"},
  };
  std::string s(text);
  for (const auto& [from, to] : kReplacements) replace_all(s, from, to);
  return s;
}

}  // namespace infermark::text

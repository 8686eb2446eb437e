// One choice of a generation request on its way out: the ids the backend delivers become chunks
// of (final text, ids) — the first id in a chunk of its own at once, later ids in chunks of
// `stream_interval` — through the streaming detokenizer (special tokens skipped) and the stop
// strings. A stop-string match ends the choice at the id that completed it (the caller then
// cancels the backend request); otherwise the backend's finish ends it.
//
// A non-streaming response concatenates the same chunks, so both paths give the same text and
// ids. One instance per choice, on the connection's strand; not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "engine/request.h"
#include "server/backend.h"
#include "server/stop_matcher.h"
#include "text/streaming_detokenizer.h"
#include "text/tokenizer.h"

namespace infermark::server {

// Why a choice ended, as the API reports it.
struct ChoiceEnd {
  const char* finish_reason = "stop";  // "stop" or "length"
  // null (eos, length), the stop id of stop_token_ids, or the stop string.
  std::variant<std::monostate, TokenId, std::string> stop_reason;
};

// A piece of a choice's output: ids [ids_begin, ids_end) of ChoiceStream::ids() and their text.
struct Chunk {
  size_t choice = 0;
  std::string text;
  size_t ids_begin = 0, ids_end = 0;
  bool first = false;            // the choice's first chunk
  std::optional<ChoiceEnd> end;  // set on the choice's last chunk
};

struct ChoiceSettings {
  const text::Tokenizer* tokenizer = nullptr;  // null: text stays empty
  std::vector<std::string> stop;
  std::vector<TokenId> stop_token_ids;
  int min_tokens = 0;
  int stream_interval = 1;  // >= 1
};

class ChoiceStream {
 public:
  ChoiceStream(size_t index, const ChoiceSettings& settings);

  // Adds ids from the backend and appends the chunks that are ready. `ending`: the backend's
  // finish follows at once, so the last ids wait for end() to go out with the finish reason.
  // Returns true when a stop string ended the choice (later ids are ignored).
  bool add(std::span<const TokenId> ids, std::vector<Chunk>& out, bool ending = false);
  // The backend finished the choice with kStop or kLength: appends the last chunk.
  void end(engine::FinishReason reason, std::vector<Chunk>& out);

  bool finished() const { return finished_; }
  const std::vector<TokenId>& ids() const { return ids_; }

 private:
  std::string text_of(TokenId id);
  void emit(std::vector<Chunk>& out, std::optional<ChoiceEnd> end);

  size_t index_;
  const ChoiceSettings& settings_;
  std::optional<text::StreamingDetokenizer> detok_;
  StopMatcher stop_;
  std::vector<TokenId> ids_;
  size_t emitted_ = 0;  // ids_[0, emitted_) are in chunks already
  std::string text_;    // final text of the ids not yet in a chunk
  bool finished_ = false;
};

}  // namespace infermark::server

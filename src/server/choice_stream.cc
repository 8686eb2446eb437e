#include "server/choice_stream.h"

#include <algorithm>

namespace infermark::server {

ChoiceStream::ChoiceStream(size_t index, const ChoiceSettings& settings)
    : index_(index), settings_(settings), stop_(settings.stop) {
  if (settings.tokenizer) {
    text::DecodeOptions o;
    o.skip_special_tokens = true;
    detok_.emplace(*settings.tokenizer, o);
  }
}

bool ChoiceStream::add(std::span<const TokenId> ids, std::vector<Chunk>& out, bool ending) {
  for (size_t i = 0; i < ids.size(); ++i) {
    const TokenId id = ids[i];
    if (finished_) return true;
    ids_.push_back(id);
    const bool check = static_cast<int>(ids_.size()) >= settings_.min_tokens;
    StopMatcher::Released r = stop_.push(detok_ ? detok_->push(id) : std::string(), check);
    text_ += r.text;
    if (r.matched) {
      emit(out, ChoiceEnd{"stop", settings_.stop[*r.matched]});
      return true;
    }
    const size_t pending = ids_.size() - emitted_;
    const bool last = ending && i + 1 == ids.size();
    if (!last && (emitted_ == 0 || pending >= static_cast<size_t>(settings_.stream_interval))) {
      emit(out, std::nullopt);
    }
  }
  return finished_;
}

void ChoiceStream::end(engine::FinishReason reason, std::vector<Chunk>& out) {
  if (finished_) return;
  ChoiceEnd e;
  e.finish_reason = reason == engine::FinishReason::kLength ? "length" : "stop";
  if (reason == engine::FinishReason::kStop && !ids_.empty()) {
    const auto& user = settings_.stop_token_ids;
    if (std::find(user.begin(), user.end(), ids_.back()) != user.end()) e.stop_reason = ids_.back();
  }
  if (detok_) {
    StopMatcher::Released r = stop_.push(detok_->finish());
    text_ += r.text;
    if (r.matched) {
      e = ChoiceEnd{"stop", settings_.stop[*r.matched]};
    } else {
      text_ += stop_.finish();
    }
  }
  emit(out, std::move(e));
}

void ChoiceStream::emit(std::vector<Chunk>& out, std::optional<ChoiceEnd> end) {
  Chunk c;
  c.choice = index_;
  c.text.swap(text_);
  c.ids_begin = emitted_;
  c.ids_end = ids_.size();
  c.first = emitted_ == 0;
  c.end = std::move(end);
  finished_ = c.end.has_value();
  emitted_ = ids_.size();
  out.push_back(std::move(c));
}

}  // namespace infermark::server

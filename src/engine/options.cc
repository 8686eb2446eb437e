#include "engine/options.h"

#include "util/error.h"

namespace infermark::engine {

EngineOptions EngineOptions::offline() {
  EngineOptions o;
  o.max_seqs = 128;
  o.max_batch_tokens = 2048;
  o.prefill_chunk = 2048;
  o.decode_first = true;
  return o;
}

EngineOptions EngineOptions::server() {
  EngineOptions o;
  o.max_seqs = 64;
  o.max_batch_tokens = 512;
  o.prefill_chunk = 256;
  o.decode_first = true;
  return o;
}

EngineOptions EngineOptions::preset(std::string_view name) {
  if (name == "offline") return offline();
  if (name == "server") return server();
  throw Error::format("engine preset '{}' is not one of offline, server", name);
}

}  // namespace infermark::engine

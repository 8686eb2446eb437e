#include "sut/http/io_shards.h"

namespace infermark::sut::http {

IoShards::IoShards(size_t n) {
  for (size_t i = 0; i < std::max<size_t>(n, 1); ++i) {
    shards_.push_back(std::make_unique<Shard>(i));
    guards_.push_back(boost::asio::make_work_guard(shards_.back()->ioc));
  }
  for (auto& shard : shards_) threads_.emplace_back([s = shard.get()] { s->ioc.run(); });
}

IoShards::~IoShards() { stop(); }

void IoShards::stop() {
  for (auto& g : guards_) g.reset();
  // Sockets still open (idle keep-alive connections) hold no work: run() returns once every
  // handler in flight has finished; stop() makes sure a lingering timer cannot delay it.
  for (auto& shard : shards_) shard->ioc.stop();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

}  // namespace infermark::sut::http

// The client's I/O threads. Each runs one Asio I/O context and owns a chunk decoder; every
// connection and every call in flight lives on exactly one shard, so their handlers never run
// concurrently and need no locks or strands. More shards spread parsing over more cores.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <cstddef>
#include <memory>
#include <thread>
#include <vector>

#include "sut/http/chunk_decoder.h"

namespace infermark::sut::http {

struct Shard {
  explicit Shard(size_t i) : index(i) {}
  const size_t index;
  boost::asio::io_context ioc{1};
  ChunkDecoder decoder;  // used by this shard's thread only
};

class IoShards {
 public:
  // Starts `n` >= 1 threads.
  explicit IoShards(size_t n);
  ~IoShards();  // stop()
  IoShards(const IoShards&) = delete;
  IoShards& operator=(const IoShards&) = delete;

  size_t size() const { return shards_.size(); }
  Shard& operator[](size_t i) { return *shards_[i]; }
  // Lets the contexts run out of work and joins the threads. Idempotent.
  void stop();

 private:
  using Guard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::vector<Guard> guards_;
  std::vector<std::thread> threads_;
};

}  // namespace infermark::sut::http

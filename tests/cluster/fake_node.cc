// A server node for the cluster test while `infermark serve` is not on this branch: the HTTP SUT
// tests' FakeOpenAiServer (vLLM-like, streamed, deterministic ids) behind the command line of
// `infermark serve --null` that the test uses, so the test runs either unchanged.
//
//   fake_node serve --host A --port P --null [--tokenizer DIR] [--null-output-len N]
//             [--null-ttft-ms T] [--null-tokens-per-s R] [--max-seqs S]
//
// Prints "ready" once it accepts connections, serves until SIGTERM or SIGINT.
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

#include "sut/http/support/fake_openai_server.h"

int main(int argc, char** argv) {
  std::map<std::string, std::string> args;
  for (int i = 2; i < argc; ++i) {
    const std::string key = argv[i];
    if (key == "--null") continue;
    if (i + 1 >= argc) {
      std::fprintf(stderr, "fake_node: %s needs a value\n", key.c_str());
      return 2;
    }
    args[key] = argv[++i];
  }
  auto number = [&](const char* key, double fallback) {
    return args.count(key) ? std::atof(args[key].c_str()) : fallback;
  };
  infermark::test_support::FakeServerOptions o;
  o.address = args.count("--host") ? args["--host"] : "127.0.0.1";
  o.port = static_cast<uint16_t>(number("--port", 0));
  o.output_tokens = static_cast<int>(number("--null-output-len", 32));
  o.ttft = std::chrono::milliseconds(static_cast<int64_t>(number("--null-ttft-ms", 0)));
  const double rate = number("--null-tokens-per-s", 0);
  o.per_event = std::chrono::milliseconds(rate > 0 ? static_cast<int64_t>(1000 / rate) : 0);
  o.max_active = static_cast<int>(number("--max-seqs", 0));
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  infermark::test_support::FakeOpenAiServer server(o);
  std::printf("listening on %s:%u\nready\n", o.address.c_str(), server.port());
  std::fflush(stdout);
  int signal = 0;
  sigwait(&stop, &signal);
  return 0;
}

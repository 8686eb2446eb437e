#!/usr/bin/env bash
# The `infermark serve` benchmarks recorded in docs/benchmarks.md ("HTTP server"):
#   1. serve --null: SSE token events/s (streams of 256 tokens at 8/64/256 concurrent, unpaced;
#      and paced at 200 tokens/s per stream, 256 and 512 streams, so that events go out one per
#      write), short requests/s (8 tokens, streamed and not), latency at 1,000 requests/s;
#   2. with a model: engine throughput through HTTP vs the same closed-loop load in process, at
#      8 and 32 concurrent streams.
# Usage: bench/server/serve_bench.sh BUILD_DIR [MODEL_DIR]   (run it under the CPU lock)
# Every run is bounded (warm-up + duration); servers are stopped with SIGTERM.
set -euo pipefail
build="${1:?usage: serve_bench.sh BUILD_DIR [MODEL_DIR]}"
model="${2:-}"
bin="$build/apps/infermark/infermark"
load="$build/bench/server/serve_load"
out="$(mktemp -d)"
server_pid=""
trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$out"' EXIT

# Starts `infermark serve ARGS --port 0`, waits for "ready", sets $port.
start_server() {
  "$bin" serve --port 0 "$@" >"$out/serve.out" 2>"$out/serve.err" &
  server_pid=$!
  for _ in $(seq 1 600); do
    grep -q '^ready$' "$out/serve.out" 2>/dev/null && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$out/serve.err" >&2; exit 1; }
    sleep 0.1
  done
  port="$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$out/serve.out")"
}
stop_server() {
  kill -TERM "$server_pid"
  wait "$server_pid" || true
  server_pid=""
}

echo "# cpu: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cpus"
echo "# serve --null (one I/O thread), token ids, stream-interval 1"
start_server --null --max-seqs 1024
for c in 8 64 256; do
  echo -n "sse c=$c max_tokens=256: "
  "$load" --port "$port" --concurrency "$c" --max-tokens 256 --warmup-s 2 --duration-s 10
done
echo -n "short streamed c=32 max_tokens=8: "
"$load" --port "$port" --concurrency 32 --max-tokens 8 --warmup-s 2 --duration-s 10
echo -n "short whole c=32 max_tokens=8: "
"$load" --port "$port" --concurrency 32 --max-tokens 8 --no-stream --warmup-s 2 --duration-s 10
echo -n "open loop 1000 req/s max_tokens=8: "
"$load" --port "$port" --rate 1000 --max-tokens 8 --warmup-s 2 --duration-s 20
stop_server

echo "# serve --null --null-tokens-per-s 200: each event is its own write"
start_server --null --max-seqs 1024 --null-tokens-per-s 200
for c in 256 512; do
  echo -n "paced sse c=$c max_tokens=256: "
  "$load" --port "$port" --concurrency "$c" --max-tokens 256 --warmup-s 3 --duration-s 10
done
stop_server

if [ -n "$model" ]; then
  # Requests long enough (512 tokens) that the window (30-90 s) sees every stream decoding: the
  # steady state, not where the waves of prefill happen to fall.
  echo "# $model: prompt 64 tokens, 512 generated (ignore_eos), closed loop"
  for c in 8 32; do
    echo -n "in-process c=$c: "
    "$load" --in-process --model "$model" --threads 2 --concurrency "$c" --prompt-len 64 \
      --max-tokens 512 --warmup-s 30 --duration-s 60
    start_server --model "$model" --threads 2
    echo -n "http c=$c: "
    "$load" --port "$port" --concurrency "$c" --prompt-len 64 --max-tokens 512 --warmup-s 30 \
      --duration-s 60
    stop_server
  done
fi

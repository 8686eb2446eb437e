#!/usr/bin/env bash
# The HTTP SUT against `infermark serve --null` on this machine (docs/benchmarks.md, "HTTP client
# SUT", issue #11): `infermark run --sut http://…` in the Server scenario, performance mode, with
# 32-token streamed answers (`--null-output-len 32`: 32 SSE events per request), at each QPS given
# (default 1000). For each: whether LoadGen held the schedule, LoadGen's TTFT p50/p99 (from the
# scheduled send to the first token id), the server's own TTFT (its /metrics histogram, submission
# to first token; the mean over the run from endpoints.json's metrics_delta), and the CPU the
# client process used (user + system seconds over the run's wall time).
# Usage: bench/server/http_sut_bench.sh BUILD_DIR [DURATION_S] [QPS...]   (under the CPU lock)
set -euo pipefail
build="${1:?usage: http_sut_bench.sh BUILD_DIR [DURATION_S] [QPS...]}"
duration_s="${2:-30}"
rates=("${@:3}")
[ ${#rates[@]} -eq 0 ] && rates=(1000)
bin="$build/apps/infermark/infermark"
src="$(cd "$(dirname "$0")/../.." && pwd)"
tokenizer="$build/llama3-tokenizer"
out="$(mktemp -d)"
server_pid=""
trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$out"' EXIT

"$bin" serve --null --null-output-len 32 --max-seqs 4096 --port 0 >"$out/serve.out" \
  2>"$out/serve.err" &
server_pid=$!
for _ in $(seq 1 100); do
  grep -q '^ready$' "$out/serve.out" 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$out/serve.err" >&2; exit 1; }
  sleep 0.1
done
port="$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$out/serve.out")"

echo "# cpu: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cpus"
echo "# serve --null --null-output-len 32; run --sut http://127.0.0.1:$port, Server, ${duration_s} s"
for qps in "${rates[@]}"; do
  conf="$out/user.conf"
  cat >"$conf" <<EOF
llama3_1-8b.Server.target_qps = $qps
llama3_1-8b.Server.min_duration = $(( duration_s * 1000 ))
llama3_1-8b.Server.min_query_count = $(( duration_s * qps ))
EOF
  rm -rf "$out/run"
  /usr/bin/time -f '%e %U %S' -o "$out/time" "$bin" run --sut "http://127.0.0.1:$port" \
    --dataset "$src/data/cnn_eval_sample.json" --tokenizer "$tokenizer" --scenario Server \
    --mode performance --user-conf "$conf" --system bench --no-progress --no-trace \
    --output "$out/run" >"$out/run.out" 2>&1 || { cat "$out/run.out" >&2; exit 1; }
  dir="$out/run/results/bench/llama3.1-8b/Server/performance/run_1"
  summary="$dir/mlperf_log_summary.txt"
  read -r wall user sys <"$out/time"
  python3 - "$summary" "$dir/endpoints.json" "$qps" "$wall" "$user" "$sys" <<'EOF'
import json, re, sys
summary, endpoints, qps, wall, user, sys_s = sys.argv[1:]
text = open(summary).read()
def field(name):
    m = re.search(r"^\s*" + re.escape(name) + r"\s*:\s*(\S+)", text, re.M)
    return m.group(1) if m else "?"
e = json.load(open(endpoints))
delta = e["endpoints"][0].get("metrics_delta", {})
def metric(prefix):
    return sum(v for k, v in delta.items() if k.startswith(prefix))
n = metric("infermark:time_to_first_token_seconds_count")
server_ttft_us = 1e6 * metric("infermark:time_to_first_token_seconds_sum") / n if n else float("nan")
tokens = e["totals"]["tokens"]
cpu = float(user) + float(sys_s)
print(f"target {qps} qps: scheduled {field('Scheduled samples per second')}, completed "
      f"{field('Completed samples per second')} samples/s, "
      f"{field('Completed tokens per second')} tokens/s; result {field('Result is')}; "
      f"TTFT p50 {int(field('50.00 percentile first token latency (ns)')) / 1e6:.3f} ms, "
      f"p99 {int(field('99.00 percentile first token latency (ns)')) / 1e6:.3f} ms; "
      f"server TTFT mean {server_ttft_us:.1f} us over {n:.0f}; samples {e['totals']['samples']}, "
      f"failed {e['totals']['failed']}, tokens {tokens}; client CPU {cpu:.1f} s in {wall} s wall "
      f"({100 * cpu / float(wall):.0f}% of one core, {1e6 * cpu / tokens:.2f} us per event)")
EOF
done

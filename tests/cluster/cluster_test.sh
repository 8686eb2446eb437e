#!/usr/bin/env bash
# The cluster test (ctest label `cluster`): `infermark serve --null` on N network-namespace nodes
# (scripts/netns-cluster), the driver in its own namespace running `infermark run --sut
# dns+http://nodes:8000`, the name resolving to every node's address through the driver's own
# /etc/hosts. One scenario per invocation:
#
#   steady   4 equal nodes, Server and Offline: each node's share of the samples within ±10%
#   kill     a node killed (kill -9) mid-run: its samples in flight retried on the others
#   freeze   a node stopped (SIGSTOP) for 10 s, then continued: the idle timeout takes it out
#   link     a node's link down for 5 s, then up: the same, over the network
#   join     a node listed under the name mid-run (as a headless Service lists a pod once it is
#            ready): it joins and gets samples
#   slow     one node 3x slower: least-outstanding keeps TTFT p99 below round-robin's (printed)
#   model    3 nodes serving the tiny random-weight model, one killed mid-run: every prompt gets
#            the same greedy ids whichever node (or retry) answered it
#
# Every run must end within its bound and exit 0; its accuracy log must hold every qsl index
# exactly once, no sample may fail, and endpoints.json and report.html must name the events
# (tests/cluster/check_run.py). Skips with the reason where namespaces cannot be made; fails
# under CI=true.
#
#   cluster_test.sh SCENARIO   (env: INFERMARK_BIN, INFERMARK_SOURCE_DIR, INFERMARK_TOKENIZER_DIR;
#                               NC_KEEP=1 keeps the work folder)
set -euo pipefail
scenario="${1:?usage: cluster_test.sh steady|kill|freeze|link|join|slow|model}"
: "${INFERMARK_BIN:?}" "${INFERMARK_SOURCE_DIR:?}" "${INFERMARK_TOKENIZER_DIR:?}"
source "$INFERMARK_SOURCE_DIR/scripts/netns-cluster"
less_than() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }
check_run() { python3 "$INFERMARK_SOURCE_DIR/tests/cluster/check_run.py" "$@"; }

nc_init
nc_require_netns

# Null nodes: the first token 10 ms after a request starts, then 1,000 tokens/s, 32 tokens
# (about 41 ms a request); the slow node takes 3x as long for each.
NULL_ARGS=(--null --tokenizer "$INFERMARK_TOKENIZER_DIR" --null-output-len 32)
FAST=(--null-ttft-ms 10 --null-tokens-per-s 1000)
SLOW=(--null-ttft-ms 30 --null-tokens-per-s 333)

# A cnn_eval.json of N samples: the bundled ones, repeated.
make_dataset() {
  python3 - "$1" "$INFERMARK_SOURCE_DIR/data/cnn_eval_sample.json" "$NC_WORK/cnn_eval_$1.json" <<'EOF'
import json, sys
n, src, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
base = json.load(open(src))
json.dump([base[i % len(base)] for i in range(n)], open(out, "w"))
EOF
  echo "$NC_WORK/cnn_eval_$1.json"
}

# Runs the driver in the background: drive NAME SCENARIO MODE SAMPLES QPS [run options...].
# Its folder is $NC_WORK/NAME; finish waits for it and checks the exit status and the bound.
drive() {
  local name="$1" lg_scenario="$2" mode="$3" samples="$4" qps="$5"
  shift 5
  local conf="$NC_WORK/$name.conf"
  printf '*.Server.target_qps = %s\n*.Server.min_query_count = %s\n*.Offline.min_query_count = %s\n' \
    "$qps" "$samples" "$samples" >"$conf"
  DRIVE_NAME="$name"
  DRIVE_DIR="$NC_WORK/$name"
  DRIVE_START=$(date +%s.%N)
  nc_driver "$INFERMARK_BIN" run --sut "dns+http://nodes:$NC_PORT" --dns-interval 1 \
    --dataset "$(make_dataset "$samples")" --tokenizer "$INFERMARK_TOKENIZER_DIR" \
    --punkt "$INFERMARK_SOURCE_DIR/tests/fixtures/punkt_tab" --scenario "$lg_scenario" \
    --mode "$mode" --quick --no-progress --system cluster --user-conf "$conf" \
    --output "$DRIVE_DIR" --connect-timeout 2 --idle-timeout 2 --request-timeout 60 "$@" \
    >"$NC_WORK/$name.out" 2>&1 &
  DRIVE_PID=$!
}

finish() {
  local bound="$1" rc=0
  wait "$DRIVE_PID" || rc=$?
  local took
  took=$(awk -v a="$DRIVE_START" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  nc_log "$DRIVE_NAME: exit $rc after ${took} s (bound ${bound} s)"
  if [ "$rc" -ne 0 ] || ! less_than "$took" "$bound"; then
    tail -40 "$NC_WORK/$DRIVE_NAME.out" >&2
    nc_die "$DRIVE_NAME: the run failed or overran its bound"
  fi
}

# under_way I: waits until node I has answered a sample of the last drive, so that a fault
# injected next hits the run however long the driver took to start.
under_way() {
  nc_wait_answered "$1" "$DRIVE_PID" && return 0
  tail -40 "$NC_WORK/$DRIVE_NAME.out" >&2
  nc_die "$DRIVE_NAME: the driver exited before node $1 answered a sample"
}

test_dir() {  # the LoadGen test folder of the last drive: test_dir Server accuracy
  local sub=accuracy
  [ "$2" = performance ] && sub=performance/run_1
  echo "$DRIVE_DIR/results/cluster/llama3.1-8b/$1/$sub"
}

# check_accuracy SCENARIO [check_run options]: the last drive's accuracy folder, with its whole
# accuracy log (the results tree keeps the first 4,096 bytes; logs/ the whole log).
check_accuracy() {
  local scenario="$1"
  shift
  check_run "$(test_dir "$scenario" accuracy)" \
    --accuracy-log "$DRIVE_DIR/logs/cluster/llama3.1-8b/$scenario/accuracy/mlperf_log_accuracy.json" "$@"
}

start_nodes() {  # start_nodes SPEED i...
  local speed="$1" i
  shift
  for i in "$@"; do
    if [ "$speed" = slow ]; then nc_serve "$i" "${NULL_ARGS[@]}" "${SLOW[@]}" "${SERVE_EXTRA[@]}"
    else nc_serve "$i" "${NULL_ARGS[@]}" "${FAST[@]}" "${SERVE_EXTRA[@]}"; fi
  done
  nc_ready
}
SERVE_EXTRA=()

joined_events() {
  local i
  for i in "$@"; do echo --event joined "$(nc_node_url "$i")"; done
}

case "$scenario" in
  steady)
    nc_up 4
    start_nodes fast 1 2 3 4
    nc_hosts nodes 1 2 3 4
    drive steady-server Server accuracy 400 100
    finish 30
    check_accuracy Server --samples 400 --balance 10 $(joined_events 1 2 3 4)
    drive steady-offline Offline accuracy 400 100
    finish 30
    check_accuracy Offline --samples 400 --balance 10 $(joined_events 1 2 3 4)
    ;;
  kill)
    nc_up 4
    start_nodes fast 1 2 3 4
    nc_hosts nodes 1 2 3 4
    drive kill Server accuracy 500 100
    under_way 2
    sleep 1
    kill -KILL "${NC_PID[2]}"
    nc_log "killed node 2"
    finish 30
    check_accuracy Server --samples 500 --min-retries 1 \
      --event "taken out" "$(nc_node_url 2)"
    ;;
  freeze)
    nc_up 4
    start_nodes fast 1 2 3 4
    nc_hosts nodes 1 2 3 4
    drive freeze Server accuracy 1400 100
    under_way 3
    sleep 1
    kill -STOP "${NC_PID[3]}"
    nc_log "stopped node 3"
    sleep 10
    kill -CONT "${NC_PID[3]}"
    nc_log "continued node 3"
    finish 40
    check_accuracy Server --samples 1400 --min-retries 1 \
      --event "taken out" "$(nc_node_url 3)"
    ;;
  link)
    nc_up 4
    start_nodes fast 1 2 3 4
    nc_hosts nodes 1 2 3 4
    drive link Server accuracy 900 100
    under_way 2
    sleep 1
    nc_link 2 down
    nc_log "node 2's link down"
    sleep 5
    nc_link 2 up
    nc_log "node 2's link up"
    finish 35
    check_accuracy Server --samples 900 --min-retries 1 \
      --event "taken out" "$(nc_node_url 2)"
    ;;
  join)
    # Node 4 serves from the start but is listed under the name only mid-run, as a Kubernetes
    # headless Service lists a pod once it is ready: the driver first hears of it then (and a
    # loaded machine's slow server start cannot make it miss the run).
    nc_up 4
    start_nodes fast 1 2 3 4
    nc_hosts nodes 1 2 3
    drive join Server accuracy 600 100
    under_way 1
    sleep 1
    nc_hosts nodes 1 2 3 4
    nc_log "node 4 is listed"
    finish 30
    check_accuracy Server --samples 600 $(joined_events 1 2 3 4) \
      --got-samples "$(nc_node_url 4)"
    ;;
  slow)
    # At most 4 requests generate at once on each node, so a node sent more than it can take
    # queues them: 160 QPS over 4 nodes overloads the slow one under round-robin.
    nc_up 4
    SERVE_EXTRA=(--max-seqs 4)
    start_nodes fast 1 2 3
    start_nodes slow 4
    nc_hosts nodes 1 2 3 4
    declare -A p99
    for balance in round-robin least-outstanding; do
      drive "slow-$balance" Server performance 640 160 --balance "$balance"
      finish 30
      p99[$balance]=$(check_run "$(test_dir Server performance)" --print-ttft \
        --got-samples "$(nc_node_url 4)")
      share=$(python3 -c "import json,sys; e=json.load(open(sys.argv[1]))['endpoints']; \
print(next(x['samples'] for x in e if x['url']==sys.argv[2]), sum(x['samples'] for x in e))" \
        "$(test_dir Server performance)/endpoints.json" "$(nc_node_url 4)")
      nc_log "$balance: TTFT p99 ${p99[$balance]} ms; the slow node answered ${share% *} of ${share#* } samples"
    done
    if ! less_than "${p99[least-outstanding]}" "${p99[round-robin]}"; then
      nc_die "least-outstanding's TTFT p99 (${p99[least-outstanding]} ms) is not below round-robin's (${p99[round-robin]} ms)"
    fi
    ;;
  model)
    "$INFERMARK_BIN" make-model --shape tiny --out "$NC_WORK/tiny" \
      --tokenizer "$INFERMARK_TOKENIZER_DIR" >/dev/null
    nc_up 3
    # --max-context: prompts here are under 400 tokens and answers 128; the model's 131,072
    # would make each node spend seconds allocating its KV cache before it is ready.
    for i in 1 2 3; do nc_serve "$i" --model "$NC_WORK/tiny" --threads 1 --max-context 4096; done
    nc_ready
    nc_hosts nodes 1 2 3
    drive model Server accuracy 102 20  # the 34 bundled prompts, 3 times
    under_way 3
    sleep 1
    kill -KILL "${NC_PID[3]}"
    nc_log "killed node 3"
    finish 40
    check_accuracy Server --samples 102 --repeats 34 --min-retries 1 \
      --event "taken out" "$(nc_node_url 3)" --got-samples "$(nc_node_url 1)" \
      --got-samples "$(nc_node_url 2)"
    ;;
  *)
    nc_die "unknown scenario '$scenario'"
    ;;
esac
nc_log "$scenario: passed"

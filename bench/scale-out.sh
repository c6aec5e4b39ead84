#!/usr/bin/env bash
# Scale-out benchmark: comments/s through NATS JetStream with 1 and 2 `moderate worker`s, next
# to `moderate run -j1` / `-j2` on the same input (docs/scale-out.md has the numbers and what
# bounds them).
#
#   bench/scale-out.sh                 200,000 generated comments, a private nats-server
#   N=50000 bench/scale-out.sh         fewer comments
#   BATCH="1 64 256" bench/scale-out.sh   one pair of rows per publish --batch
#
# Env:  MODERATE_BIN=path   binary to measure (default target/release/moderate, built if missing)
#       N=200000            comments to generate
#       BATCH="1 256"       publish --batch values (records per input message), one row pair each
#       WORKER_BATCH=256    worker --batch (records judged per batch)
#       WORKERS="1 2"       worker counts, one row each
#       RUN_JOBS="1 2"      `run -jN` rows; empty: none (the verdicts of the last run are compared)
# Needs nats-server (Debian: apt-get install nats-server). Each worker measurement gets a fresh
# server store; the clock runs from starting the workers to `collect` having written the last
# verdict (publish is timed on its own). CPU seconds (user+sys) are read from /proc for the
# workers and the server and from the kernel's accounting for `collect`; the last column is
# their sum per comment (for `run`: the whole process). On a loaded machine, compare those,
# not wall time.
#       TIMEOUT=600         seconds any one step may take before the script fails saying which
#       SERVER_WAIT=20      seconds nats-server gets to come up (its log is shown if it does not)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
OUT="$ROOT/bench/out"
mkdir -p "$OUT"
N="${N:-200000}"
BATCH="${BATCH:-1 256}"
WORKER_BATCH="${WORKER_BATCH:-256}"
BIN="${MODERATE_BIN:-$ROOT/target/release/moderate}"
NATS_SERVER="${NATS_SERVER:-$(command -v nats-server || echo /usr/sbin/nats-server)}"
[ -x "$NATS_SERVER" ] || { echo "scale-out: nats-server not found (apt-get install nats-server)" >&2; exit 2; }
if [ -z "${MODERATE_BIN:-}" ] && [ ! -x "$BIN" ]; then cargo build --release --locked; fi
TICK=$(getconf CLK_TCK)

CORPUS="$OUT/scale-$N.jsonl"
if [ ! -s "$CORPUS" ]; then
  python3 - "$N" "$CORPUS" <<'PY'
import json, sys
n, path = int(sys.argv[1]), sys.argv[2]
bodies = ["Thanks for the thoughtful article, I learned a lot about the zoning rules.",
          "you are a complete idiot and everyone here knows it",
          "What a load of crap, the author should be ashamed.",
          "I disagree with the second point but the data section is solid.",
          "Go back to where you came from",
          "Buy cheap watches at http://spam.example.com now now now",
          "Could you share the source for the 2019 figures? The county report says otherwise.",
          "shut up you moron", "f.u.c.k this",
          "Great photos, especially the one of the harbor at dusk."]
with open(path, "w") as f:
    for i in range(n):
        m = i // 20
        f.write(json.dumps({"id": f"c-{i}", "body": f"{bodies[i % len(bodies)]} ({i})",
                            "author": f"user{(i * 7) % 3000}",
                            "created_at": f"2024-03-{1 + m // 1440 % 28:02d}T{m // 60 % 24:02d}:{m % 60:02d}:00"}) + "\n")
PY
fi

cpu() { awk -v t="$TICK" '{ printf "%.2f", ($14 + $15) / t }' "/proc/$1/stat" 2>/dev/null || echo 0; }
now() { date +%s.%N; }
die() { echo "scale-out: $*" >&2; exit 1; }
SERVER_PID=""
STORE=""
PIDS=()
# Everything this script started goes on exit, also on an error or Ctrl-C: no server or worker
# is left behind holding a port and a store.
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null
  for p in "${PIDS[@]}" $SERVER_PID; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true
  done
  [ -n "$STORE" ] && rm -rf "$STORE"
  true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Every step has a time limit (TIMEOUT seconds, default 600): a step that hangs fails the
# script with its name instead of hanging it.
TIMEOUT="${TIMEOUT:-600}"
limit() { local what="$1"; shift; timeout -k 10 "$TIMEOUT" "$@" || { local rc=$?; [ "$rc" -ge 124 ] && [ "$rc" -le 137 ] && die "$what: no result after ${TIMEOUT}s (exit $rc)"; die "$what failed (exit $rc)"; }; }

# A private server on a free port with its own store. It must answer within SERVER_WAIT
# seconds (default 20), else the script stops with the server's log: the re-run of the fourth
# session hung here when the server did not come up and nothing said so.
start_server() {
  STORE=$(mktemp -d /tmp/scale-out-nats.XXXXXX)
  local try
  for try in 1 2 3; do
    PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    "$NATS_SERVER" -js -a 127.0.0.1 -p "$PORT" -sd "$STORE" >"$STORE/server.log" 2>&1 &
    SERVER_PID=$!
    local waited=0
    while [ "$waited" -lt "$(( ${SERVER_WAIT:-20} * 10 ))" ]; do
      kill -0 "$SERVER_PID" 2>/dev/null || break
      grep -q 'Server is ready' "$STORE/server.log" && timeout 2 bash -c "echo >/dev/tcp/127.0.0.1/$PORT" 2>/dev/null && { URL="nats://127.0.0.1:$PORT"; return 0; }
      sleep 0.1; waited=$((waited + 1))
    done
    # The port was taken between picking and binding, or the server died: say why, try again.
    echo "scale-out: nats-server (try $try, port $PORT) did not come up:" >&2
    tail -5 "$STORE/server.log" >&2
    kill -9 "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
  done
  die "nats-server did not start (see above); is another one using the store or is /tmp full?"
}
stop_server() {
  kill "$SERVER_PID" 2>/dev/null || true
  timeout 20 tail --pid="$SERVER_PID" -f /dev/null || kill -9 "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  rm -rf "$STORE"; SERVER_PID=""; STORE=""
}

ROWS=()
# Each row is shown as soon as it is measured, so a later failure does not lose it.
row() { ROWS+=("$(printf '| %s | %s | %.0f | %s | %s | %s |' "$@")"); echo "${ROWS[-1]}" >&2; }
per() { echo "$1 * 1000000 / $N" | bc -l | xargs printf '%.0f'; }

RUN_JOBS="${RUN_JOBS-1 2}"
[ -n "$RUN_JOBS" ] || [ -s "$OUT/scale-run.jsonl" ] || die "RUN_JOBS is empty and there is no $OUT/scale-run.jsonl to compare with"
for J in $RUN_JOBS; do
  t0=$(now)
  limit "run -j$J" /usr/bin/time -f '%U %S' -o "$OUT/time.txt" "$BIN" run -q -j"$J" "$CORPUS" -o "$OUT/scale-run.jsonl"
  t1=$(now)
  s=$(echo "$t1 - $t0" | bc)
  c=$(awk '{printf "%.2f", $1+$2}' "$OUT/time.txt")
  row "\`run -j$J\`" "$(printf '%.2f' "$s")" "$(echo "$N / $s" | bc -l)" "$c" "$(per "$c")" "-"
done

for B in $BATCH; do
for W in ${WORKERS:-1 2}; do
  start_server
  t0=$(now)
  limit "publish --batch $B" "$BIN" publish -q --nats "$URL" --batch "$B" "$CORPUS"
  t1=$(now)
  ps=$(echo "$t1 - $t0" | bc)
  pubrate=$(echo "$N / $ps" | bc -l)
  server_cpu0=$(cpu "$SERVER_PID")
  PIDS=()
  t0=$(now)
  for _ in $(seq "$W"); do "$BIN" worker -q --nats "$URL" --batch "$WORKER_BATCH" & PIDS+=($!); done
  # collect gives up (exit 1, saying how many are missing) after 60 s without a verdict.
  limit "collect ($W workers, --batch $B)" /usr/bin/time -f '%U %S' -o "$OUT/time.txt" "$BIN" collect -q --nats "$URL" -o "$OUT/scale-collect.jsonl" --idle 60
  t1=$(now)
  wcpu=0
  for p in "${PIDS[@]}"; do
    kill -0 "$p" 2>/dev/null || die "a worker exited before the end (pid $p)"
    wcpu=$(echo "$wcpu + $(cpu "$p")" | bc); kill "$p"
  done
  for p in "${PIDS[@]}"; do timeout 20 tail --pid="$p" -f /dev/null || { echo "scale-out: worker $p ignored SIGTERM for 20 s; killed" >&2; kill -9 "$p"; }; done
  wait "${PIDS[@]}" 2>/dev/null || true
  PIDS=()
  scpu=$(echo "$(cpu "$SERVER_PID") - $server_cpu0" | bc)
  cmp -s "$OUT/scale-run.jsonl" "$OUT/scale-collect.jsonl" && same=identical || same=DIFFERENT
  s=$(echo "$t1 - $t0" | bc)
  ccpu=$(awk '{printf "%.2f", $1+$2}' "$OUT/time.txt")
  total=$(echo "$wcpu + $scpu + $ccpu" | bc)
  row "$W worker(s) + collect, publish --batch $B" "$(printf '%.2f' "$s")" "$(echo "$N / $s" | bc -l)" "$wcpu" "$(per "$total")" "$(printf 'server %.2f s, collect %.2f s CPU; verdicts %s to run; publish %.0f/s' "$scpu" "$ccpu" "$same" "$pubrate")"
  stop_server
done
done

{
  echo "scale-out: $N comments, publish --batch $BATCH, worker --batch $WORKER_BATCH, $(nproc) cores, load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "| what | wall s | comments/s | CPU s (judges) | CPU µs/comment (all) | notes |"
  echo "|---|---|---|---|---|---|"
  printf '%s\n' "${ROWS[@]}"
} | tee "$OUT/scale-out.md"

#!/usr/bin/env bash
# Load benchmark for `moderate serve` (a benchmark, not a test): a bounded run against
# 127.0.0.1 with the small HTTP load generator in examples/serve_load.rs.
#
#   bench/serve-load.sh            release build; single comments, then batches of 100 (NDJSON)
#
# Env:  SECS=10          seconds per load run
#       CONNS=16         connections for single comments (batches use CONNS_BATCH=4)
#       SERVE_THREADS=2  server worker threads (-j)
#       LEDGER=1         run the server with --ledger (0: without)
#       RELOAD=1         a run with a config reload (SIGHUP) every 2 s, to compare its p99 with the steady one (0: skip)
#       BENCH_DATA=dir   where *.dev.jsonl come from (default ../shared/data; without it, synthetic comments)
# Prints one JSON line per run (requests/s, comments/s, p50/p90/p99/max ms, errors) with the
# server's RSS after it, `moderate run -j2` on the same comments, and a last summary line: batch
# comments/s over `run -j2`'s (issue 18: >= 0.7) and p99 under reloads over steady p99 (<= 2).
# The load generator runs on the same machine and takes CPU from the server: read the numbers
# as a floor.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
SECS="${SECS:-10}"
CONNS="${CONNS:-16}"
CONNS_BATCH="${CONNS_BATCH:-4}"
SERVE_THREADS="${SERVE_THREADS:-2}"
LEDGER="${LEDGER:-1}"
RELOAD="${RELOAD:-1}"
DATA="${BENCH_DATA:-$ROOT/../shared/data}"
WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

cargo build --release --quiet --features bench-tools --bin moderate --example serve_load
BIN="$ROOT/target/release/moderate"
LOAD="$ROOT/target/release/examples/serve_load"

# 20,000 comments: the labeled dev sets when present, else generated ones.
if ls "$DATA"/*.dev.jsonl >/dev/null 2>&1; then
    python3 "$ROOT/bench/corpus.py" "$DATA" "$WORK" 6 >/dev/null
    head -n 20000 "$WORK/corpus-6.jsonl" > "$WORK/comments.jsonl"
    echo "comments: first 20000 of bench/corpus.py over $DATA" >&2
else
    python3 - "$WORK/comments.jsonl" <<'PY'
import json, random, sys
random.seed(7)
words = ("the article makes a fair point about taxes but you are an idiot if you believe it "
         "great reporting thanks what a shit take visit http://spam.example for cheap pills").split()
with open(sys.argv[1], "w") as f:
    for i in range(20000):
        body = " ".join(random.choice(words) for _ in range(random.randint(5, 60)))
        f.write(json.dumps({"id": f"s{i}", "author": f"user{i % 3000}", "body": body}) + "\n")
PY
    echo "comments: 20000 synthetic (no $DATA)" >&2
fi
N=$(wc -l < "$WORK/comments.jsonl")

cp -r "$ROOT/config.toml" "$ROOT/rules" "$WORK/"
start_server() {
    local extra=()
    if [ "$LEDGER" = 1 ]; then extra+=(--ledger "$WORK/ledger.jsonl"); fi
    (cd "$WORK" && exec "$BIN" serve --addr 127.0.0.1:0 --config config.toml -j "$SERVE_THREADS" "${extra[@]}" 2> "$WORK/serve.log") &
    SERVER_PID=$!
    for _ in $(seq 1 200); do
        PORT=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$WORK/serve.log" 2>/dev/null | grep -o '[0-9]*$' || true)
        [ -n "$PORT" ] && return 0
        sleep 0.1
    done
    echo "server did not start:" >&2; cat "$WORK/serve.log" >&2; exit 1
}
rss() { awk '/^VmRSS/ {printf "%d", $2/1024}' "/proc/$SERVER_PID/status"; }
hwm() { awk '/^VmHWM/ {printf "%d", $2/1024}' "/proc/$SERVER_PID/status"; }

start_server
echo "server: pid $SERVER_PID port $PORT threads $SERVE_THREADS ledger=$LEDGER; load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
# Warm up (page in, first allocations).
"$LOAD" --port "$PORT" --input "$WORK/comments.jsonl" --connections 4 --seconds 1 >/dev/null
for run in "single $CONNS 1" "batch100 $CONNS_BATCH 100"; do
    set -- $run
    out=$("$LOAD" --port "$PORT" --input "$WORK/comments.jsonl" --connections "$2" --seconds "$SECS" --batch "$3")
    out=${out#\{}
    echo "{\"run\":\"$1\",${out%\}},\"rss_mb\":$(rss),\"peak_rss_mb\":$(hwm)}" | tee "$WORK/$1.json"
done
if [ "$RELOAD" = 1 ]; then
    ( for _ in $(seq 2 2 "$SECS"); do sleep 2; kill -HUP "$SERVER_PID" 2>/dev/null || true; done ) &
    HUPPER=$!
    out=$("$LOAD" --port "$PORT" --input "$WORK/comments.jsonl" --connections "$CONNS" --seconds "$SECS" --batch 1)
    wait "$HUPPER"
    reloads=$(curl -s "http://127.0.0.1:$PORT/v1/status" | python3 -c 'import json,sys; print(json.load(sys.stdin)["last_reload"]["reloads"])' 2>/dev/null || echo "?")
    out=${out#\{}
    echo "{\"run\":\"single+SIGHUP-every-2s\",${out%\}},\"reloads\":$reloads,\"rss_mb\":$(rss)}" | tee "$WORK/reload.json"
fi
kill -TERM "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
if [ "$LEDGER" = 1 ]; then echo "ledger lines: $(wc -l < "$WORK/ledger.jsonl")" >&2; fi

# The same comments through `moderate run -j2` (no ledger), for the batch target.
for _ in 1 2 3; do cat "$WORK/comments.jsonl"; done > "$WORK/x3.jsonl"
t0=$(date +%s.%N)
(cd "$WORK" && "$BIN" run -q -j 2 --config config.toml x3.jsonl > /dev/null)
t1=$(date +%s.%N)
python3 -c "import sys; n=int(sys.argv[1])*3; s=float(sys.argv[3])-float(sys.argv[2]); print('{\"run\":\"moderate run -j2\",\"comments\":%d,\"seconds\":%.2f,\"comments_per_s\":%.0f}' % (n, s, n/s))" "$N" "$t0" "$t1" | tee "$WORK/run.json"
python3 - "$WORK" <<'PY'
import json, os, sys
w = sys.argv[1]
load = lambda n: json.load(open(os.path.join(w, n))) if os.path.exists(os.path.join(w, n)) else None
single, batch, reload, run = (load(n) for n in ("single.json", "batch100.json", "reload.json", "run.json"))
out = {"run": "summary", "errors": sum(r["errors"] for r in (single, batch, reload) if r),
       "batch_vs_run_j2": round(batch["comments_per_s"] / run["comments_per_s"], 2)}
if reload:
    out["p99_reload_vs_steady"] = round(reload["p99_ms"] / max(single["p99_ms"], 1e-9), 2)
print(json.dumps(out))
PY

#!/usr/bin/env bash
# Soak run for `moderate serve` (a benchmark, not a test): a steady request rate for a long time
# with the config edited every 30 s, alternating a good edit and a broken one, and the ledger on.
#
#   bench/serve-soak.sh              release build, 10 minutes at 200 requests/s
#
# Env:  MINUTES=10        how long the load runs
#       RATE=200          requests/s in all (single comments; chosen for a loaded 2-core machine)
#       CONNS=4           connections
#       EDIT_EVERY=30     seconds between config edits (good, broken, good, ...)
#       SERVE_THREADS=2   server worker threads
#       BIN=path          the moderate binary (default: target/release/moderate, built here)
#       BENCH_DATA=dir    where *.dev.jsonl come from (default ../shared/data; else synthetic)
# Prints, every EDIT_EVERY seconds, the server's RSS and what the edit did; at the end the load
# generator's summary (requests, errors, latency), reloads and failed reloads from /v1/status,
# ledger lines vs comments answered (dropped verdicts), the RSS series, and `moderate replay`
# of the whole ledger (every verdict judged again with the config it names).
# Exit status 1 when there were errors, dropped verdicts, a reload that did not behave, or a
# replay difference.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
MINUTES="${MINUTES:-10}"
RATE="${RATE:-200}"
CONNS="${CONNS:-4}"
EDIT_EVERY="${EDIT_EVERY:-30}"
SERVE_THREADS="${SERVE_THREADS:-2}"
DATA="${BENCH_DATA:-$ROOT/../shared/data}"
WORK="$(mktemp -d)"
SERVER_PID=""
LOAD_PID=""
cleanup() {
    for p in "$LOAD_PID" "$SERVER_PID"; do
        if [ -n "$p" ]; then kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; fi
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

if [ -z "${BIN:-}" ]; then
    cargo build --release --quiet --features bench-tools --bin moderate --example serve_load
    BIN="$ROOT/target/release/moderate"
fi
LOAD="${LOAD:-$(dirname "$BIN")/examples/serve_load}"

# Comments: the labeled dev sets when present, else generated ones (each with an author, so
# the author policy and its bounded memory are exercised too).
if ls "$DATA"/*.dev.jsonl >/dev/null 2>&1; then
    python3 "$ROOT/bench/corpus.py" "$DATA" "$WORK" 6 >/dev/null
    head -n 50000 "$WORK/corpus-6.jsonl" > "$WORK/comments.jsonl"
    echo "comments: first 50000 of bench/corpus.py over $DATA" >&2
else
    python3 - "$WORK/comments.jsonl" <<'PY'
import json, random, sys
random.seed(11)
words = ("the article makes a fair point about taxes but you are an idiot if you believe it "
         "great reporting thanks what a shit take visit http://spam.example for cheap pills").split()
with open(sys.argv[1], "w") as f:
    for i in range(50000):
        body = " ".join(random.choice(words) for _ in range(random.randint(5, 60)))
        f.write(json.dumps({"id": f"s{i}", "author": f"user{i % 7000}", "body": body}) + "\n")
PY
    echo "comments: 50000 synthetic (no $DATA)" >&2
fi

cp -r "$ROOT/config.toml" "$ROOT/rules" "$WORK/"
cp "$WORK/config.toml" "$WORK/config.good"
(cd "$WORK" && exec "$BIN" serve --addr 127.0.0.1:0 --config config.toml -j "$SERVE_THREADS" \
    --ledger "$WORK/ledger.jsonl" --watch-interval 1000 2> "$WORK/serve.log") &
SERVER_PID=$!
PORT=""
for _ in $(seq 1 300); do
    PORT=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$WORK/serve.log" 2>/dev/null | grep -o '[0-9]*$' || true)
    [ -n "$PORT" ] && break
    sleep 0.1
done
[ -n "$PORT" ] || { echo "server did not start:" >&2; cat "$WORK/serve.log" >&2; exit 1; }
rss() { awk '/^VmRSS/ {printf "%.1f", $2/1024}' "/proc/$SERVER_PID/status"; }
status() { curl -s "http://127.0.0.1:$PORT/v1/status"; }
field() { python3 -c "import json,sys; d=json.load(sys.stdin); v=eval(sys.argv[1]); print(*(v if isinstance(v, tuple) else (v,)))" "$1"; }
echo "server pid $SERVER_PID port $PORT threads $SERVE_THREADS; rate $RATE/s over $CONNS connections for $MINUTES min; load $(cut -d' ' -f1-3 /proc/loadavg)" >&2

SECS=$((MINUTES * 60))
"$LOAD" --port "$PORT" --input "$WORK/comments.jsonl" --connections "$CONNS" --seconds "$SECS" --rate "$RATE" \
    > "$WORK/load.json" &
LOAD_PID=$!

fail=0
rss_series="$(rss)"
edit=0
start=$(date +%s)
while kill -0 "$LOAD_PID" 2>/dev/null; do
    sleep "$EDIT_EVERY"
    kill -0 "$LOAD_PID" 2>/dev/null || break
    edit=$((edit + 1))
    before=$(status | field 'd["last_reload"]["reloads"], d["last_reload"]["failed"], d["config"]["hash"]')
    seen=$(status | field 'd["last_reload"]["reloads"] + d["last_reload"]["failed"]')
    if [ $((edit % 2)) = 1 ]; then
        # A good edit: the same rules with a changed message (a new config hash).
        sed "0,/^message = \"/s//message = \"(edit $edit) /" "$WORK/config.good" > "$WORK/config.tmp"
        mv "$WORK/config.tmp" "$WORK/config.toml"
        what=good
    else
        # A broken edit: a rule table cut off in the middle.
        { cat "$WORK/config.toml"; printf '\n[[rule]]\nid = "broken.%d"\ncategory = \n' "$edit"; } > "$WORK/config.tmp"
        mv "$WORK/config.tmp" "$WORK/config.toml"
        what=broken
    fi
    # Wait for the watcher to load it (at most 30 s: the machine may be busy).
    t0=$(date +%s)
    while [ "$(status | field 'd["last_reload"]["reloads"] + d["last_reload"]["failed"]')" = "$seen" ] \
          && [ $(( $(date +%s) - t0 )) -lt 30 ]; do
        sleep 0.5
    done
    took=$(( $(date +%s) - t0 ))
    after=$(status | field 'd["last_reload"]["reloads"], d["last_reload"]["failed"], d["config"]["hash"], d["last_reload"]["ok"]')
    r=$(rss)
    rss_series="$rss_series $r"
    echo "t=$(( $(date +%s) - start ))s edit $edit ($what): before (reloads, failed, hash) $before -> after $after (seen after ~${took}s); rss ${r} MB" >&2
    case "$what:$after" in
        good:*" True") ;;
        broken:*" False") ;;
        *) echo "  the $what edit did not give the expected reload result" >&2; fail=1 ;;
    esac
done
wait "$LOAD_PID" || true
LOAD_PID=""
final=$(status)
kill -TERM "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""

load=$(cat "$WORK/load.json")
requests=$(echo "$load" | field 'd["requests"]')
errors=$(echo "$load" | field 'd["errors"]')
reloads=$(echo "$final" | field 'd["last_reload"]["reloads"]')
failed=$(echo "$final" | field 'd["last_reload"]["failed"]')
lines=$(wc -l < "$WORK/ledger.jsonl")
echo "load: $load"
echo "reloads: $reloads ($failed failed, as intended: every other edit is broken); edits: $edit"
echo "ledger lines: $lines; comments answered 200: $requests; dropped verdicts: $((requests - lines))"
echo "rss MB every ${EDIT_EVERY}s: $rss_series"
# Flat = no growth: the highest RSS of the second half of the run is at most 5 % above the
# highest of the first half (the start sample, before any traffic, is left out).
flat=$(python3 -c '
import sys
s = [float(x) for x in sys.argv[1:]][1:]
h = len(s) // 2
first, last = s[:h], s[h:]
m = sum(last) / len(last)
spread = max(abs(max(last) - m), abs(m - min(last))) / m * 100
growth = max(last) / max(first)
print(f"rss last half: {min(last):.1f}..{max(last):.1f} MB, mean {m:.1f} (within +-{spread:.1f} %); "
      f"max last half / max first half = {growth:.3f} ({\"flat\" if growth <= 1.05 else \"GROWING\"})")
' $rss_series)
echo "$flat"
replay=$("$BIN" replay "$WORK/ledger.jsonl" 2>&1 >/dev/null | tail -n 1)
echo "$replay"
[ "$errors" = 0 ] || fail=1
case "$flat" in *"(flat)"*) ;; *) fail=1 ;; esac
[ "$lines" = "$requests" ] || fail=1
case "$replay" in *" 0 differ"*) ;; *) fail=1 ;; esac
exit "$fail"

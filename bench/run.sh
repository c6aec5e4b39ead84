#!/usr/bin/env bash
# Throughput benchmark for `moderate`, in one run on this machine, with ratios against the targets
# of the issue "Throughput: close to the hardware, flat memory, a progress bar".
#
#   bench/run.sh                      build release, 100 MB corpus, RUNS=3 medians   (~2-4 min)
#   BENCH_MB=1024 bench/run.sh        1 GB corpus + the 100 MB one: peak RSS at both sizes
#   PEERS=1 bench/run.sh              also time the fastest peer, alt-profanity-check (first time:
#                                     installs it from PyPI into bench/out/peers-venv, minutes)
#
# Env:  MODERATE_BIN=path   binary to measure (default target/dist/moderate: the release build
#                           with thin LTO, `cargo build --profile dist`, built here first;
#                           when set, nothing is built)
#       RUNS=3              timed runs per measurement (median wall; peak RSS = max over runs)
#       BENCH_MB=100        corpus size in MB of JSONL (1 MB = 1e6 bytes)
#       BENCH_DATA=dir      where the *.dev.jsonl come from (default ../shared/data)
#       SHARED_BENCH=dir    the shared peer bench (default ../shared/bench; read only, never written)
#       PEERS=0|1           time alt-profanity-check (opt in)
#       STARTUP_RUNS=20     runs of `moderate run seeds/` for the startup median
# Writes bench/out/RESULTS.md (the table printed at the end) and bench/out/results.tsv (raw timings).
# Corpora are cached in bench/out (corpus-<MB>.jsonl, bodies-<MB>.txt, corpus-<MB>.json).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
OUT="$ROOT/bench/out"
mkdir -p "$OUT"
T_START=$(date +%s)
LOAD0="$(cut -d' ' -f1-3 /proc/loadavg)"

RUNS="${RUNS:-3}"
BENCH_MB="${BENCH_MB:-100}"
PEERS="${PEERS:-0}"
STARTUP_RUNS="${STARTUP_RUNS:-20}"
BENCH_DATA="${BENCH_DATA:-$ROOT/../shared/data}"
SHARED_BENCH="${SHARED_BENCH:-$ROOT/../shared/bench}"
WORDLIST_SRC="${WORDLIST_SRC:-rules/profanity/strong.txt}"
PEER_TARGET_S="${PEER_TARGET_S:-7}"   # aimed-for seconds of one peer run

log() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 2; }

# ---- tools --------------------------------------------------------------------------------------
apt_install() {
  [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null || return 1
  log "installing $* with apt-get"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
if [ ! -x /usr/bin/time ] || ! /usr/bin/time -v true 2>&1 | grep -q 'Maximum resident'; then
  apt_install time || die "GNU time (/usr/bin/time -v) is needed: apt-get install time"
fi
if ! command -v rg >/dev/null; then
  apt_install ripgrep || die "ripgrep (rg) is needed: apt-get install ripgrep, or cargo install ripgrep"
fi

# ---- binary -------------------------------------------------------------------------------------
if [ -z "${MODERATE_BIN:-}" ]; then
  log "cargo build --profile dist"
  cargo build --profile dist -q
  MODERATE_BIN="$ROOT/target/dist/moderate"
else
  case "$MODERATE_BIN" in /*) ;; *) MODERATE_BIN="$(cd "$OLDPWD" 2>/dev/null && pwd)/$MODERATE_BIN" ;; esac
fi
[ -x "$MODERATE_BIN" ] || die "MODERATE_BIN=$MODERATE_BIN is not executable"
log "binary: $MODERATE_BIN"
if awk -v l="${LOAD0%% *}" -v n="$(nproc)" 'BEGIN { exit !(l > n / 2) }'; then
  log "warning: load average $LOAD0 on $(nproc) CPUs: the machine is busy, timings will be noisy"
fi

# ---- corpus -------------------------------------------------------------------------------------
corpus() {  # MB -> builds/reuses bench/out/corpus-MB.*; prints the stats path
  log "corpus: ${1} MB (cached in bench/out)"
  python3 "$ROOT/bench/corpus.py" "$BENCH_DATA" "$OUT" "$1"
}
stat_of() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }

STATS_BIG="$(corpus "$BENCH_MB")"
SIZES=("$BENCH_MB")
if [ "$BENCH_MB" -ge 1024 ]; then
  corpus 100 >/dev/null
  SIZES=(100 "$BENCH_MB")
fi

# ---- timing helpers -----------------------------------------------------------------------------
RES="$OUT/results.tsv"
: >"$RES"
TF="$OUT/.time.txt"
now_ns() { date +%s%N; }

# one_run STDIN STDOUT cmd... -> sets W (wall s, from the clock around the process), RSS (kB), RC
one_run() {
  local in="$1" out="$2"; shift 2
  local t0 t1
  t0=$(now_ns)
  set +e
  /usr/bin/time -v -o "$TF" "$@" <"$in" >"$out" 2>"$OUT/.stderr.txt"
  RC=$?
  set -e
  t1=$(now_ns)
  W=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", (b - a) / 1e9 }')
  RSS=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$TF")
  RSS="${RSS:-0}"
}

# measure KEY LABEL INPUT_DESC ROWS BODY_BYTES STDIN STDOUT cmd...
# RUNS runs; appends one row to results.tsv: key label input rows body_bytes walls(csv) rss_max status
measure() {
  local key="$1" label="$2" desc="$3" rows="$4" body="$5" in="$6" out="$7"; shift 7
  local walls="" rss=0 status=ok i
  for ((i = 1; i <= RUNS; i++)); do
    one_run "$in" "$out" "$@"
    # grep/rg: exit 1 = no line matched
    if [ "$RC" != 0 ] && ! { [ "$RC" = 1 ] && [[ "$key" == rg* ]]; }; then
      status="FAILED (exit $RC: $(grep -m1 -E 'panicked|error|Error' "$OUT/.stderr.txt" | tr '\t' ' ' | cut -c1-120))"
      log "$label: $status"
      break
    fi
    walls="${walls:+$walls,}$W"
    [ "$RSS" -gt "$rss" ] && rss="$RSS"
  done
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$key" "$label" "$desc" "$rows" "$body" "$walls" "$rss" "$status" >>"$RES"
  [ "$status" = ok ] && log "$label: walls $walls s, peak RSS $((rss / 1024)) MB"
  return 0
}

# ---- 0. does the binary work at all? ------------------------------------------------------------
SMOKE_ROWS=2000
CORPUS_SMALL="$OUT/corpus-${SIZES[0]}.jsonl"
head -n "$SMOKE_ROWS" "$CORPUS_SMALL" >"$OUT/.smoke.jsonl"
MODERATE_OK=1
set +e
"$MODERATE_BIN" run --format jsonl -q -j 1 - <"$OUT/.smoke.jsonl" >"$OUT/.smoke.out" 2>"$OUT/.smoke.err"
rc=$?
set -e
got=$(grep -c '"verdict"' "$OUT/.smoke.out" || true)
if [ "$rc" != 0 ] || [ "$got" != "$SMOKE_ROWS" ]; then
  MODERATE_OK=0
  why="exit $rc, $got/$SMOKE_ROWS verdict lines: $(grep -m1 -E 'panicked|error|Error' "$OUT/.smoke.err" | cut -c1-160)"
  log "moderate run --format jsonl fails on the first $SMOKE_ROWS rows ($why); its throughput rows are skipped"
  printf 'smoke\tmoderate smoke test\tfirst %s rows\t%s\t0\t\t0\tFAILED (%s)\n' "$SMOKE_ROWS" "$SMOKE_ROWS" "$(echo "$why" | tr '\t' ' ')" >>"$RES"
fi

# ---- 1. moderate end to end, -j 1 and -j 2 ------------------------------------------------------
if [ "$MODERATE_OK" = 1 ]; then
  for mb in "${SIZES[@]}"; do
    st="$OUT/corpus-$mb.json"
    rows=$(stat_of "$st" rows); body=$(stat_of "$st" body_bytes)
    cat "$OUT/corpus-$mb.jsonl" >/dev/null   # page cache
    for j in 1 2; do
      measure "mod_j${j}_${mb}" "moderate -j $j" "corpus-$mb.jsonl ($mb MB)" "$rows" "$body" \
        "$OUT/corpus-$mb.jsonl" /dev/null "$MODERATE_BIN" run --format jsonl -q -j "$j" -
    done
  done
fi

# ---- 1b. moderate on the clean rows only, and on a worst case, -j 1 ----------------------------
# "clean": the corpus rows on which no rule hits (the common case: one automaton pass should do);
# "worst": corpus rows with insults, a slur-free threat, an evasion and links appended, so every
# row hits several rules. Both are derived once from corpus-BENCH_MB and cached in bench/out.
if [ "$MODERATE_OK" = 1 ]; then
  CLEAN="$OUT/clean-$BENCH_MB.jsonl"; WORST="$OUT/worst-$BENCH_MB.jsonl"
  if [ ! -s "$CLEAN" ] || [ "$CLEAN" -ot "$OUT/corpus-$BENCH_MB.jsonl" ] || [ ! -s "$WORST" ]; then
    log "deriving the clean-rows and worst-case corpora"
    "$MODERATE_BIN" run --format jsonl -q -j 2 - <"$OUT/corpus-$BENCH_MB.jsonl" >"$OUT/.verdicts.jsonl"
    python3 - "$OUT/corpus-$BENCH_MB.jsonl" "$OUT/.verdicts.jsonl" "$CLEAN" "$WORST" <<'PY'
import json, sys
src, verdicts, clean, worst = sys.argv[1:5]
tails = [" you are a fucking idiot, go kill yourself http://bit.ly/x1 http://bit.ly/x2",
         " shut up moron, f.u.c.k off and die https://tinyurl.com/y you stupid a s s h o l e",
         " what a pathetic loser, you people are vermin, STFU you b*tch www.example.com/z"]
budget = max(1, sum(1 for _ in open(src)) // 5)   # a fifth of the rows: the worst case is slow
with open(src) as s, open(verdicts) as v, open(clean, "w") as c, open(worst, "w") as w:
    for i, (row, verdict) in enumerate(zip(s, v)):
        if '"reasons"' not in verdict:
            c.write(row)
        if i < budget:
            r = json.loads(row)
            r["body"] = r.get("body", "") + tails[i % len(tails)]
            w.write(json.dumps(r) + "\n")
PY
    rm -f "$OUT/.verdicts.jsonl"
  fi
  for f in clean worst; do
    in="$OUT/$f-$BENCH_MB.jsonl"
    rows=$(wc -l <"$in")
    body=$(python3 -c 'import json,sys; print(sum(len(json.loads(l).get("body","").encode()) for l in open(sys.argv[1])))' "$in")
    label="moderate -j 1, clean rows"; [ "$f" = worst ] && label="moderate -j 1, worst case"
    cat "$in" >/dev/null
    measure "mod_$f" "$label" "$f-$BENCH_MB.jsonl" "$rows" "$body" "$in" /dev/null \
      "$MODERATE_BIN" run --format jsonl -q -j 1 -
  done
fi

# ---- 2. the scan bound: rg -F -i -w -f strong.txt, one thread, over the bodies --------------------
WL="$OUT/strong.words"
# The terms as rg literals: comments and blank lines dropped, and the `*` anchors of the list
# syntax (`*fuck*`, `shit*`) stripped, so rg looks for every term's core as a whole word.
sed -e 's/[[:space:]]#.*$//' -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' -e 's/\*//g' "$WORDLIST_SRC" |
  grep -v -e '^#' -e '^$' | sort -u >"$WL" || true
[ -s "$WL" ] || die "$WORDLIST_SRC has no terms"
BODIES="$OUT/bodies-$BENCH_MB.txt"
rows=$(stat_of "$STATS_BIG" rows); body=$(stat_of "$STATS_BIG" body_bytes)
RG=(rg -j1 --no-mmap -c -F -i -w -f "$WL")
cat "$BODIES" >/dev/null
# rg output goes to a file, not /dev/null (greps may stop early when they see /dev/null)
one_run /dev/null "$OUT/.rg.out" "${RG[@]}" "$BODIES"
# pass the file K times on the command line so that one run takes >= ~3 s
K=$(awk -v w="$W" 'BEGIN { k = int(3 / (w > 0.01 ? w : 0.01)) + 1; if (k > 64) k = 64; print k }')
FILES=(); for ((i = 0; i < K; i++)); do FILES+=("$BODIES"); done
measure rg "rg -j1 -F -i -w -f strong.txt" "bodies-$BENCH_MB.txt x$K" "$((rows * K))" "$((body * K))" \
  /dev/null "$OUT/.rg.out" "${RG[@]}" "${FILES[@]}"
log "rg: $(wc -l <"$WL") terms, $(head -1 "$OUT/.rg.out" | sed 's/.*://') matching lines per copy"

# ---- 3. peer: alt-profanity-check (opt in) ------------------------------------------------------
if [ "$PEERS" = 1 ]; then
  WRAP="$SHARED_BENCH/peers/alt_profanity_check/wrap.py"
  [ -f "$WRAP" ] || die "PEERS=1: $WRAP not found (set SHARED_BENCH)"
  PY=""
  for cand in "$SHARED_BENCH/.venv/bin/python" "$OUT/peers-venv/bin/python"; do
    if [ -x "$cand" ] && "$cand" -c 'import profanity_check' 2>/dev/null; then PY="$cand"; break; fi
  done
  if [ -z "$PY" ]; then
    log "PEERS=1: installing alt-profanity-check==1.9.1 (the version the shared bench pins) into bench/out/peers-venv"
    python3 -m venv "$OUT/peers-venv"
    "$OUT/peers-venv/bin/pip" install -q alt-profanity-check==1.9.1
    PY="$OUT/peers-venv/bin/python"
  fi
  log "peer python: $PY"
  export WITH_PROB=0   # predict() only, as a filter would call it (and as the shared bench times it)
  # startup on empty input, then a probe on 20k rows, then a slice sized for ~PEER_TARGET_S s
  ws=()
  for i in 1 2 3; do one_run /dev/null /dev/null "$PY" "$WRAP"; ws+=("$W"); done
  S0=$(printf '%s\n' "${ws[@]}" | sort -g | sed -n 2p)
  head -n 20000 "$CORPUS_SMALL" >"$OUT/.peer_probe.jsonl"
  one_run "$OUT/.peer_probe.jsonl" /dev/null "$PY" "$WRAP"
  [ "$RC" = 0 ] || die "peer failed (exit $RC): $(tail -3 "$OUT/.stderr.txt")"
  total=$(stat_of "$STATS_BIG" rows)
  N=$(awk -v w="$W" -v s="$S0" -v t="$PEER_TARGET_S" -v tot="$total" \
    'BEGIN { r = 20000 / ((w - s) > 0.05 ? (w - s) : 0.05); n = int(r * (t - s)); if (n < 20000) n = 20000; if (n > tot) n = tot; print n }')
  head -n "$N" "$OUT/corpus-$BENCH_MB.jsonl" >"$OUT/.peer_slice.jsonl"
  pbody=$(head -n "$N" "$BODIES" | wc -c); pbody=$((pbody - N))
  measure peer "alt-profanity-check (predict)" "first $N rows" "$N" "$pbody" \
    "$OUT/.peer_slice.jsonl" /dev/null "$PY" "$WRAP"
  printf 'peer_startup\talt-profanity-check startup\tempty input\t0\t0\t%s\t0\tok\n' "$(IFS=,; echo "${ws[*]}")" >>"$RES"
  rm -f "$OUT/.peer_slice.jsonl" "$OUT/.peer_probe.jsonl"
fi

# ---- 4. startup: moderate run seeds/ ------------------------------------------------------------
set +e
"$MODERATE_BIN" run seeds/ >/dev/null 2>"$OUT/.stderr.txt"; rc=$?
set -e
if [ "$rc" != 0 ]; then
  printf 'startup\tmoderate run seeds/\tseeds/ (%s files)\t0\t0\t\t0\tFAILED (exit %s: %s)\n' "$(ls seeds | wc -l)" "$rc" \
    "$(grep -m1 -E 'panicked|error|Error' "$OUT/.stderr.txt" | tr '\t' ' ' | cut -c1-120)" >>"$RES"
  log "moderate run seeds/ fails (exit $rc)"
else
  walls=""
  if command -v hyperfine >/dev/null; then
    hyperfine -N -w 3 -r "$STARTUP_RUNS" --output=null --style none --export-json "$OUT/.startup.json" \
      "$MODERATE_BIN run seeds/" >/dev/null 2>&1
    walls=$(python3 -c 'import json,sys; print(",".join("%.5f" % t for t in json.load(open(sys.argv[1]))["results"][0]["times"]))' "$OUT/.startup.json")
    how=hyperfine
  else
    for ((i = 0; i < STARTUP_RUNS + 3; i++)); do
      t0=$(now_ns); "$MODERATE_BIN" run seeds/ >/dev/null 2>&1; t1=$(now_ns)
      [ "$i" -ge 3 ] && walls="${walls:+$walls,}$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.5f", (b - a) / 1e9 }')"
    done
    how="date +%s%N loop"
  fi
  one_run /dev/null /dev/null "$MODERATE_BIN" run seeds/
  printf 'startup\tmoderate run seeds/\tseeds/ (%s files; %s)\t0\t0\t%s\t%s\tok\n' "$(ls seeds | wc -l)" "$how" "$walls" "$RSS" >>"$RES"
fi

# ---- 5. table -----------------------------------------------------------------------------------
T_END=$(date +%s)
python3 "$ROOT/bench/render.py" "$RES" "$STATS_BIG" "$BENCH_MB" "$RUNS" "$((T_END - T_START))" \
  "$(uname -srm); $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')); load average at start $LOAD0" \
  "$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown)" "$MODERATE_BIN" >"$OUT/RESULTS.md"
cat "$OUT/RESULTS.md"
log "wrote bench/out/RESULTS.md ($((T_END - T_START)) s)"
rm -f "$TF" "$OUT/.stderr.txt" "$OUT/.rg.out" "$OUT/.smoke.jsonl" "$OUT/.smoke.out" "$OUT/.smoke.err" "$OUT/.startup.json"

#!/usr/bin/env bash
# `moderate` next to the peer filters (rustrict, obscenity, alt-profanity-check, ...) in one run,
# with ../shared/bench/compare.sh. The shared folder is never written: the harness is copied to
# bench/out/peerbench and installs its peers there (first run: a few minutes).
#
#   scripts/compare-peers.sh            quality + evasions (+ speed with SPEED=1)
#   scripts/compare-peers.sh --readme   also put the summary tables into README.md (peer-table markers)
#
# Env: MODERATE_BIN (default target/release/moderate, built here), SPEED=0|1 (default 0: the
# throughput comparison is bench/run.sh's job), any knob of compare.sh (RUNS, CORPUS_MB, ...).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
SHARED_BENCH="${SHARED_BENCH:-$ROOT/../shared/bench}"
[ -d "$SHARED_BENCH" ] || { echo "compare-peers.sh: $SHARED_BENCH not found" >&2; exit 2; }
if [ -z "${MODERATE_BIN:-}" ]; then
  cargo build --release -q
  MODERATE_BIN="$ROOT/target/release/moderate"
fi
MODERATE_BIN="$(cd "$(dirname "$MODERATE_BIN")" && pwd)/$(basename "$MODERATE_BIN")"
WORK="$ROOT/bench/out/peerbench"
mkdir -p "$WORK"
# Refresh the harness, keeping installed peers (.venv, node_modules, target) between runs.
(cd "$SHARED_BENCH" && tar cf - --exclude=./results/compare .) | (cd "$WORK" && tar xf -)
chmod -R u+w "$WORK"
OUT="$WORK/out"
(cd "$WORK" && MODERATE_BIN="$MODERATE_BIN" SPEED="${SPEED:-0}" BENCH_DATA="$ROOT/../shared/data" \
  BENCH_OUT="$OUT" ./compare.sh)
python3 - "$OUT" > "$OUT/README-table.md" <<'PY'
import sys, re, datetime, os
out = sys.argv[1]
read = lambda name: open(os.path.join(out, name), encoding="utf-8").read()
print(f"Measured {datetime.date.today()} with `scripts/compare-peers.sh` (`../shared/bench/compare.sh`, dev split); "
      "full report in `bench/out/peerbench/out/`. `moderate` = verdict flag or block; `moderate (block)` = block only.")
print()
summary = read("summary.md")
fair = summary[summary.index("#### dev without"):]
print("**Pooled, " + fair.split("\n", 1)[0].removeprefix("#### ") + "**")
print()
print("\n".join(l for l in fair.split("\n")[1:] if l.startswith("|")))
print()
# Toxic F1 per file and peer, from quality.md.
quality = read("quality.md")
files, peers, cell = [], [], {}
for part in quality.split("#### ")[1:]:
    name = re.sub(r"[`$]|BENCH_DATA/", "", part.split(" (", 1)[0])
    lines = [l for l in part.split("\n") if l.startswith("| ")]
    head = [c.strip() for c in lines[0].split("|")[1:-1]]
    col = next((i for i, h in enumerate(head) if h.startswith("toxic")), None)
    if col is None:
        continue
    files.append(name)
    for l in lines[1:]:
        cells = [c.strip() for c in l.split("|")[1:-1]]
        if not cells or set(cells[0]) <= set("-"):
            continue
        if cells[0] not in peers:
            peers.append(cells[0])
        m = re.search(r"\*\*([0-9.]+)\*\*", cells[col])
        cell[(name, cells[0])] = m.group(1) if m else "–"
print("**Toxic F1 per file** (deny vs `toxic`; best peer in bold)")
print()
print("| file | " + " | ".join(peers) + " |")
print("|---|" + "---|" * len(peers))
for f in files:
    vals = [cell.get((f, p), "–") for p in peers]
    peer_vals = [float(v) for p, v in zip(peers, vals) if not p.startswith("moderate") and v != "–"]
    best = max(peer_vals) if peer_vals else None
    shown = [f"**{v}**" if (best is not None and not p.startswith("moderate") and v != "–" and float(v) == best) else v
             for p, v in zip(peers, vals)]
    print(f"| {f} | " + " | ".join(shown) + " |")
print()
compare = read("COMPARE.md")
ev = compare[compare.index("### Evasions"):]
print("**Evasions** (`evasions.dev.jsonl`)")
print()
print("\n".join(l for l in ev.split("\n")[1:] if l.startswith("|")))
PY
cat "$OUT/README-table.md"
if [ "${1:-}" = "--readme" ]; then
  python3 scripts/splice.py README.md peer-table < "$OUT/README-table.md"
fi

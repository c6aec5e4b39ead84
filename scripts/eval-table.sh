#!/usr/bin/env bash
# The README's quality table: `moderate eval` of the shipped pack on every labeled dev file.
#
#   scripts/eval-table.sh            print the Markdown
#   scripts/eval-table.sh --readme   also replace the table in README.md (between eval-table markers)
#
# Env: MODERATE_BIN (default: target/release/moderate, built here), DATA (default ../shared/data).
# Two pooled rows: all dev files, and the "fair" pool of ../shared/bench/PEERS.md (without davidson
# and jigsaw-toxic-sample, the training sources of one peer; evasions are reported on their own).
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="${DATA:-../shared/data}"
[ -d "$DATA" ] || { echo "eval-table.sh: $DATA not found (the labeled data lives in ../shared/data)" >&2; exit 2; }
if [ -z "${MODERATE_BIN:-}" ]; then
  cargo build --release -q
  MODERATE_BIN=target/release/moderate
fi
mapfile -t ALL < <(ls "$DATA"/*.dev.jsonl | grep -v evasions)
mapfile -t FAIR < <(printf '%s\n' "${ALL[@]}" | grep -v -e davidson -e jigsaw)

table() {
  echo "Measured $(date -u +%Y-%m-%d) with \`scripts/eval-table.sh\` (\`moderate eval --markdown\`, shipped \`config.toml\`)."
  echo "Deny = verdict flag or block, scored against each label; block precision = share of blocked rows labeled toxic."
  echo
  "$MODERATE_BIN" eval --markdown "${ALL[@]}" | sed 's/^| pooled |/| **pooled, all dev files** |/'
  "$MODERATE_BIN" eval --markdown "${FAIR[@]}" | grep '^| pooled |' \
    | sed 's/^| pooled |/| **pooled, fair (no davidson, no jigsaw)** |/'
  "$MODERATE_BIN" eval --markdown "$DATA/evasions.dev.jsonl" | grep '^| evasions'
}

out="$(table)"
printf '%s\n' "$out"
if [ "${1:-}" = "--readme" ]; then
  printf '%s\n' "$out" | python3 scripts/splice.py README.md eval-table
fi

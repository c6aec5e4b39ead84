#!/bin/sh
# Checks that `moderate learn` reproduces the shipped rules/model.bin byte for byte from the
# licence-allowed files of ../shared/data (docs/model.md, "The shipped model"). Writes the model
# to a temporary file and compares; the committed file is never touched. The rules of config.toml
# are part of the input (the rules that hit a row are features), so a change to the pack or the
# normalizer means retraining.
# Usage: scripts/model-reproduce.sh [BINARY]   (default: target/release/moderate)
set -eu
cd "$(dirname "$0")/.."
BIN=${1:-target/release/moderate}
D=../shared/data
if [ ! -d "$D" ]; then
  echo "model-reproduce: skipped ($D not found)"
  exit 0
fi
OUT=$(mktemp)
trap 'rm -f "$OUT" "$OUT.log"' EXIT
"$BIN" learn $D/olid.dev.jsonl $D/hatexplain.dev.jsonl $D/youtube-spam.dev.jsonl \
  --train-only $D/davidson.dev.jsonl $D/jigsaw-toxic-sample.dev.jsonl examples/labeled.jsonl \
  --score-only $D/socc-ctc.dev.jsonl $D/impermium-insults.dev.jsonl -c config.toml -o "$OUT" --force >"$OUT.log"
if cmp -s "$OUT" rules/model.bin; then
  echo "model-reproduce: rules/model.bin reproduced byte for byte ($(wc -c <rules/model.bin) bytes)"
else
  echo "model-reproduce: rules/model.bin differs from what learn writes now (retrain it)" >&2
  exit 1
fi

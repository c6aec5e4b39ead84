#!/usr/bin/env bash
# Browser test of the review page: builds moderate, queues a few fixture comments, serves them on
# a free 127.0.0.1 port, drives headless Chromium (playwright-core) by keyboard, checks the
# database with `moderate review list --json`, and saves target/review-screenshot.png.
#
# Needs: cargo, node + npm, chromium (installed with apt-get when missing; run as root).
# Usage: scripts/browser-test.sh
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=$TARGET/debug/moderate
SHOT=$TARGET/review-screenshot.png

echo "== build"
cargo build --quiet --bin moderate

echo "== chromium"
if [ ! -x /usr/bin/chromium ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
fi

echo "== playwright-core"
if [ ! -d scripts/browser/node_modules/playwright-core ]; then
  (cd scripts/browser && npm ci --no-audit --no-fund --loglevel=error)
fi

TMP=$(mktemp -d)
SERVER_PID=
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$TMP"
}
trap cleanup EXIT

echo "== fixture queue"
cat > "$TMP/comments.jsonl" <<'EOF'
{"id":"c-101","author":"grumpy_gus","body":"You are a complete idiot and everyone here knows it.","post_id":"p-7","created_at":"2024-05-01T10:00:00Z"}
{"id":"c-102","author":"<img src=x onerror=alert(1)>","body":"<script>alert(1)</script> nice try <img src=x onerror=alert(1)> — damn this article","post_id":"p-7","created_at":"2024-05-01T10:05:00Z"}
{"id":"c-103","author":"spammy","body":"Cheap pills!!! Visit http://pills.example/buy now, best prices http://pills.example/more","kind":"comment","post_id":"p-8","created_at":"2024-05-01T11:00:00Z"}
{"id":"c-104","author":"grumpy_gus","body":"I disagree with the mayor, but that's politics.","post_id":"p-8","created_at":"2024-05-01T11:30:00Z"}
{"id":"c-105","author":"grumpy_gus","body":"Ça suffit, crétin. People like you should shut up.","post_id":"p-9","created_at":"2024-05-02T09:00:00Z"}
{"id":"c-106","author":"ana","body":"Great reporting, thank you!","post_id":"p-9","created_at":"2024-05-02T09:10:00Z"}
EOF
cat > "$TMP/verdicts.jsonl" <<'EOF'
{"id":"c-101","verdict":"flag","score":2.0,"reasons":[{"rule":"attack.second-person-insult","category":"attack","action":"flag","score":2.0,"message":"insult aimed at the reader","matches":[{"start":0,"end":24,"text":"You are a complete idiot"}]}]}
{"id":"c-102","verdict":"flag","score":1.0,"reasons":[{"rule":"profanity.mild","category":"profanity","score":1.0,"message":"mild profanity <b>sic</b>","matches":[{"start":68,"end":72,"text":"damn"}]}]}
{"id":"c-103","verdict":"flag","score":3.0,"reasons":[{"rule":"spam.links","category":"spam","score":2.0,"message":"several links in a short comment","matches":[{"start":21,"end":45,"text":"http://pills.example/buy"},{"start":63,"end":88,"text":"http://pills.example/more"}]},{"rule":"spam.shouting","category":"spam","score":1.0,"message":"repeated exclamation marks","matches":[{"start":11,"end":14,"text":"!!!"}]}]}
{"id":"c-104","verdict":"allow","score":0.0}
{"id":"c-105","verdict":"flag","score":1.5,"reasons":[{"rule":"attack.name-calling","category":"attack","score":1.0,"message":"name-calling","matches":[{"start":12,"end":19,"text":"crétin"}]},{"rule":"attack.silencing","category":"attack","score":0.5,"message":"telling someone to shut up","matches":[{"start":44,"end":51,"text":"shut up"}]}]}
{"id":"c-106","verdict":"allow","score":0.0}
EOF
"$BIN" review add --db "$TMP/review.db" --comments "$TMP/comments.jsonl" --verdicts "$TMP/verdicts.jsonl"

echo "== serve"
PORT=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
TOKEN=bt-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
MODERATE_REVIEW_TOKEN=$TOKEN "$BIN" review serve --db "$TMP/review.db" --addr "127.0.0.1:$PORT" \
  --reviewer browser-bot > "$TMP/serve.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 50); do
  grep -q '^Open: ' "$TMP/serve.log" 2>/dev/null && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$TMP/serve.log"; exit 1; }
  sleep 0.1
done
grep '^Review queue' "$TMP/serve.log"

echo "== chromium (headless)"
mkdir -p "$TARGET"
BASE_URL="http://127.0.0.1:$PORT" TOKEN="$TOKEN" MODERATE="$BIN" DB="$TMP/review.db" SCREENSHOT="$SHOT" \
  node scripts/browser/review.test.js

echo "== database after the browser session"
"$BIN" review list --db "$TMP/review.db" --status all

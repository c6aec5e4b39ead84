#!/usr/bin/env bash
# Runs the README's examples, so the README cannot drift from the program.
#
#   scripts/readme-examples.sh [README.md]
#
# - Every fenced ```sh block uses only files shipped in the repository. Each block runs as one
#   bash script (set -euo pipefail) in a scratch copy of the repository (the files git tracks),
#   with `moderate` = target/release/moderate, built once here, and EDITOR=true. A block fails
#   the script when it exits non-zero or runs longer than 120 s.
#   `cargo run --release -- ARGS` lines run as `moderate ARGS` (the same binary); `cargo test`
#   lines are left to CI's own `cargo test --release`.
# - Every fenced ```toml block with a `[[rule]]` is a config: `moderate check --no-lint` must
#   accept it as written, in a scratch copy of the repository (its paths are the shipped rules/).
# - Blocks fenced ```shell show commands on your own files (an export, a live stream): they are
#   not run, but every `moderate SUBCOMMAND --flag` in them must be a flag that subcommand's
#   --help lists.
# MODERATE_BIN=path skips the build and runs that binary instead.
# Exit 0 when every example ran and every flag exists; 1 otherwise, naming the README line.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
README="$(realpath "${1:-$ROOT/README.md}")"
cd "$ROOT"

if [[ -z "${MODERATE_BIN:-}" ]]; then
  cargo build --release --quiet --bin moderate
fi
BIN="$(realpath "${MODERATE_BIN:-$ROOT/target/release/moderate}")"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/bin"
ln -s "$BIN" "$WORK/bin/moderate"

# Blocks as files: WORK/blocks/<kind>-<start line>.sh
mkdir -p "$WORK/blocks"
awk -v dir="$WORK/blocks" '
  /^```(sh|shell|toml)[[:space:]]*$/ && !inside { inside = 1; kind = substr($0, 4); gsub(/[[:space:]]/, "", kind); start = NR; file = dir "/" kind "-" NR ".sh"; printf "" > file; next }
  /^```/ && inside { inside = 0; close(file); next }
  inside { print >> file }
' "$README"

failed=0
ran=0
checked=0
for block in $(ls "$WORK/blocks" | sort -t- -k2 -n); do
  kind="${block%%-*}"
  line="${block#*-}"
  line="${line%.sh}"
  file="$WORK/blocks/$block"
  if [[ "$kind" == sh ]]; then
    scratch="$WORK/repo-$line"
    mkdir -p "$scratch"
    git ls-files -z | xargs -0 cp --parents -t "$scratch"
    # cargo lines: `cargo run --release -- ARGS` is `moderate ARGS`; `cargo test` is CI's job.
    sed -E -e 's/^cargo run --release -- /moderate /' -e 's/^cargo test.*$/: cargo test runs in CI/' "$file" >"$scratch/.example.sh"
    if (cd "$scratch" && PATH="$WORK/bin:$PATH" EDITOR=true NO_COLOR=1 \
          timeout 120 bash -euo pipefail .example.sh </dev/null >"$WORK/out-$line" 2>&1); then
      ran=$((ran + 1))
    else
      echo "README.md:$line: example block failed:" >&2
      sed 's/^/    /' "$file" >&2
      echo "  output (last 20 lines):" >&2
      tail -n 20 "$WORK/out-$line" | sed 's/^/    /' >&2
      failed=1
    fi
  elif [[ "$kind" == toml ]]; then
    grep -q '^\[\[rule\]\]' "$file" || continue
    scratch="$WORK/repo-$line"
    mkdir -p "$scratch"
    git ls-files -z | xargs -0 cp --parents -t "$scratch"
    cp "$file" "$scratch/.example.toml"
    if (cd "$scratch" && NO_COLOR=1 timeout 120 "$BIN" check --no-lint --config .example.toml \
          </dev/null >"$WORK/out-$line" 2>&1); then
      ran=$((ran + 1))
    else
      echo "README.md:$line: config example refused by \`moderate check\`:" >&2
      tail -n 20 "$WORK/out-$line" | sed 's/^/    /' >&2
      failed=1
    fi
  else
    # Flags of the commands on your own files must exist.
    while IFS= read -r cmd; do
      read -ra words <<<"$cmd"
      sub="${words[1]:-}"
      [[ -z "$sub" || "$sub" == -* ]] && continue
      helpcmd=("$BIN" "$sub")
      if [[ "$sub" == review && -n "${words[2]:-}" && "${words[2]}" != -* ]]; then helpcmd+=("${words[2]}"); fi
      help="$("${helpcmd[@]}" --help 2>&1)" || { echo "README.md:$line: \`moderate $sub\` is not a command" >&2; failed=1; continue; }
      for w in "${words[@]}"; do
        if [[ "$w" == --* ]]; then
          flag="${w%%=*}"
          if ! grep -qE -- "(^|[ ,])$flag([ =,]|$)" <<<"$help"; then
            echo "README.md:$line: \`moderate ${helpcmd[*]:1} $flag\`: no such flag" >&2
            failed=1
          fi
        fi
      done
      checked=$((checked + 1))
    done < <(grep -oE '(^|[|] *)moderate [^#|>]*' "$file" | sed -E 's/^[| ]*//')
  fi
done
echo "readme-examples: $ran sh and toml blocks ran, $checked commands on your own files checked for flags" >&2
exit "$failed"

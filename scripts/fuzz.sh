#!/usr/bin/env bash
# Coverage-guided fuzzing of moderate's readers, config loader and normalizer (afl.rs, stable Rust).
#
#   scripts/fuzz.sh [-t SECONDS] [-j PARALLEL] [TARGET ...]
#
# Builds fuzz/ with AFL instrumentation, runs each target for SECONDS (default 20) from its seed
# corpus fuzz/corpus/<target>/, prints one line per target (time, execs, crashes, hangs) and exits
# 1 if any target crashed (findings in fuzz/out/<target>/default/crashes/; replay one with
# `cargo run --manifest-path fuzz/Cargo.toml -- TARGET FILE`). Targets: jsonl csv thread wxr
# disqus config normalize serve model pipeline (default: all). Needs `cargo install cargo-afl` once; docs/fuzz.md.
set -euo pipefail

secs=20
jobs=1
while getopts "t:j:h" opt; do
  case $opt in
    t) secs=$OPTARG ;;
    j) jobs=$OPTARG ;;
    *) sed -n '2,11p' "$0"; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
all=(jsonl csv thread wxr disqus config normalize serve model pipeline)
if [[ $# -gt 0 ]]; then targets=("$@"); else targets=("${all[@]}"); fi

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root/fuzz"
if ! cargo afl --version >/dev/null 2>&1; then
  echo "fuzz.sh: cargo-afl is missing: cargo install cargo-afl --locked && cargo afl config --build" >&2
  exit 2
fi
for t in "${targets[@]}"; do
  [[ -d corpus/$t ]] || { echo "fuzz.sh: unknown target $t (have: ${all[*]})" >&2; exit 2; }
done

echo "building fuzz targets (AFL instrumentation)..." >&2
cargo afl build --release --features afl --quiet
bin=$root/fuzz/target/release/moderate-fuzz

export AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
export AFL_SKIP_CRASHES=1 AFL_QUIET=1

fuzz_one() {
  local t=$1 out=$root/fuzz/out/$1
  rm -rf "$out"
  mkdir -p "$out"
  # -t: 1 s per input is far above a linear-time judgement of a <=1 MB input, so a hang is a
  # finding; -m: a memory blow-up aborts (a crash) instead of swapping.
  cargo afl fuzz -V "$secs" -t 1000 -m 1024 -i "corpus/$t" -o "$out" -- "$bin" "$t" \
    >"$out/afl.log" 2>&1 || true
}

running=0
for t in "${targets[@]}"; do
  fuzz_one "$t" &
  running=$((running + 1))
  if ((running >= jobs)); then
    wait -n || true
    running=$((running - 1))
  fi
done
wait

stat() { sed -n "s/^$1 *: *//p" "$2" | head -1; }
crashed=0
printf '%-10s %8s %12s %8s %6s\n' target seconds execs crashes hangs
for t in "${targets[@]}"; do
  f=$root/fuzz/out/$t/default/fuzzer_stats
  if [[ ! -f $f ]]; then
    echo "$t: afl-fuzz did not start; see fuzz/out/$t/afl.log:" >&2
    tail -5 "$root/fuzz/out/$t/afl.log" >&2 || true
    crashed=1
    continue
  fi
  crashes=$(stat saved_crashes "$f")
  [[ -n $crashes ]] || crashes=$(stat unique_crashes "$f")
  hangs=$(stat saved_hangs "$f")
  [[ -n $hangs ]] || hangs=$(stat unique_hangs "$f")
  printf '%-10s %8s %12s %8s %6s\n' "$t" "$(stat run_time "$f")" "$(stat execs_done "$f")" "$crashes" "$hangs"
  if [[ ${crashes:-0} != 0 ]]; then
    crashed=1
  fi
done
exit $crashed

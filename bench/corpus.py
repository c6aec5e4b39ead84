#!/usr/bin/env python3
"""Build (or reuse) the throughput corpus for bench/run.sh.

Reads every `*.dev.jsonl` in DATA_DIR, keeps `id`, `body`, `author`, `kind` (labels and
`source` dropped: a real comment dump has neither), shuffles the rows once with a fixed seed
(so any prefix is a representative mix) and repeats that sequence until the JSONL output
reaches TARGET_MB (1 MB = 1e6 bytes).  Copy k of a row gets the id `c<k>-<original id>`, so
every id in the corpus is unique.

Writes, in OUT_DIR:
  corpus-<MB>.jsonl   the JSONL input for `moderate run --format jsonl -`
  bodies-<MB>.txt     the same bodies, one per line (CR/LF/NUL inside a body -> space), for rg
  corpus-<MB>.json    stats: rows, bytes, body_bytes, inputs (name, size, mtime), seed
A corpus whose stats name the same inputs and size is reused as is.

Prints the stats path.  Usage: corpus.py DATA_DIR OUT_DIR TARGET_MB
"""
import glob
import json
import os
import random
import sys

SEED = 42


def main():
    data_dir, out_dir, target_mb = sys.argv[1], sys.argv[2], int(sys.argv[3])
    files = sorted(glob.glob(os.path.join(data_dir, "*.dev.jsonl")))
    if not files:
        raise SystemExit("corpus.py: no *.dev.jsonl in %s" % data_dir)
    inputs = [[os.path.basename(f), os.path.getsize(f), int(os.path.getmtime(f))] for f in files]
    os.makedirs(out_dir, exist_ok=True)
    jsonl = os.path.join(out_dir, "corpus-%d.jsonl" % target_mb)
    txt = os.path.join(out_dir, "bodies-%d.txt" % target_mb)
    stats_path = os.path.join(out_dir, "corpus-%d.json" % target_mb)
    if os.path.exists(stats_path) and os.path.exists(jsonl) and os.path.exists(txt):
        try:
            old = json.load(open(stats_path))
        except ValueError:
            old = {}
        if old.get("inputs") == inputs and old.get("target_mb") == target_mb and old.get("seed") == SEED \
                and os.path.getsize(jsonl) == old.get("bytes"):
            print(stats_path)
            return

    # (id, JSON text after the id, body line for rg, body bytes)
    rows = []
    for f in files:
        with open(f, encoding="utf-8") as fh:
            for line in fh:
                if not line.strip():
                    continue
                r = json.loads(line)
                body = r.get("body")
                if not isinstance(body, str):
                    continue
                rest = {"body": body}
                for k in ("author", "kind"):
                    if k in r:
                        rest[k] = r[k]
                tail = json.dumps(rest, ensure_ascii=False)[1:]  # '"body": ..., ...}'
                flat = body.replace("\r", " ").replace("\n", " ").replace("\0", " ")
                rows.append((str(r.get("id", len(rows))), tail, flat, len(body.encode("utf-8"))))
    random.Random(SEED).shuffle(rows)

    target = target_mb * 1_000_000
    n = nbytes = body_bytes = 0
    tmp_j, tmp_t = jsonl + ".tmp", txt + ".tmp"
    with open(tmp_j, "w", encoding="utf-8") as fj, open(tmp_t, "w", encoding="utf-8") as ft:
        copy = 0
        while nbytes < target:
            bj, bt = [], []
            for rid, tail, flat, blen in rows:
                line = '{"id": %s, %s\n' % (json.dumps("c%d-%s" % (copy, rid), ensure_ascii=False), tail)
                bj.append(line)
                bt.append(flat + "\n")
                nbytes += len(line.encode("utf-8"))
                body_bytes += blen
                n += 1
                if nbytes >= target:
                    break
            fj.write("".join(bj))
            ft.write("".join(bt))
            copy += 1
    os.replace(tmp_j, jsonl)
    os.replace(tmp_t, txt)
    stats = dict(target_mb=target_mb, seed=SEED, inputs=inputs, unique_rows=len(rows), copies=copy,
                 rows=n, bytes=os.path.getsize(jsonl), body_bytes=body_bytes)
    with open(stats_path, "w") as fh:
        json.dump(stats, fh, indent=1)
    print(stats_path)


if __name__ == "__main__":
    main()

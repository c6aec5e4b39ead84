#!/usr/bin/env python3
"""Render bench/out/results.tsv (written by bench/run.sh) as Markdown: the measurements, then
the issue's targets with the measured ratios.

Usage: render.py RESULTS_TSV CORPUS_STATS_JSON BENCH_MB RUNS SECONDS MACHINE COMMIT BINARY
"""
import json
import statistics
import sys

RSS_LIMIT_MB = 64
RSS_GROWTH_MAX = 1.1  # "not growing": peak RSS on 1 GB <= 1.1 x peak RSS on 100 MB (issue 16)


def load(path):
    rows = {}
    order = []
    for line in open(path, encoding="utf-8"):
        f = line.rstrip("\n").split("\t")
        if len(f) < 8:
            continue
        key, label, desc, n, body, walls, rss, status = f[:8]
        walls = [float(w) for w in walls.split(",") if w]
        r = dict(key=key, label=label, input=desc, rows=int(n), body=int(body), walls=walls,
                 rss_mb=int(rss) / 1024, status=status)
        if walls:
            r["wall"] = statistics.median(walls)
            if r["rows"]:
                r["cps"] = r["rows"] / r["wall"]
                r["mbps"] = r["body"] / 1e6 / r["wall"]
        rows[key] = r
        order.append(key)
    return rows, order


def num(x, digits=3):
    if x is None:
        return "—"
    if x >= 1000:
        return f"{x:,.0f}"
    return f"{x:.{digits}g}"


def main():
    res_path, stats_path, bench_mb, runs, secs, machine, commit, binary = sys.argv[1:9]
    bench_mb = int(bench_mb)
    stats = json.load(open(stats_path))
    rows, order = load(res_path)
    out = []
    w = out.append

    w("## Throughput (`bench/run.sh`)\n")
    w(f"Machine: {machine}. Commit `{commit}`; binary `{binary}`. "
      f"bench/run.sh took {secs} s.\n")
    w(f"Corpus: {stats['rows']:,} comments, {stats['bytes'] / 1e6:.0f} MB of JSONL, {stats['body_bytes'] / 1e6:.1f} MB of body text "
      f"({stats['unique_rows']:,} unique rows of `{len(stats['inputs'])}` `*.dev.jsonl` files, shuffled once, repeated with unique ids). "
      f"Median of {runs} runs; peak RSS = max over the runs; comments/s = comments / wall; MB/s = body bytes (not JSON) / 1e6 / wall. "
      "`moderate` runs end to end: `moderate run --format jsonl -q -j N - < corpus.jsonl > /dev/null`; "
      "rg runs on one thread over the bodies one per line (no JSON), with the terms of `rules/profanity/strong.txt`.\n")

    w("| measurement | input | wall s (median; all runs) | comments/s | body MB/s | peak RSS MB |")
    w("|---|---|---|---|---|---|")
    for k in order:
        r = rows[k]
        if r["status"] != "ok":
            w(f"| {r['label']} | {r['input']} | {r['status']} | — | — | — |")
            continue
        if k == "startup":
            ms = [x * 1000 for x in r["walls"]]
            w(f"| {r['label']} | {r['input']} | {statistics.median(ms):.1f} ms (min {min(ms):.1f}, max {max(ms):.1f}; n={len(ms)}) "
              f"| — | — | {r['rss_mb']:.1f} |")
            continue
        if k == "peer_startup":
            w(f"| {r['label']} | {r['input']} | {r['wall']:.2f} ({', '.join('%.2f' % x for x in r['walls'])}) | — | — | — |")
            continue
        w(f"| {r['label']} | {r['input']} | {r['wall']:.2f} ({', '.join('%.2f' % x for x in r['walls'])}) "
          f"| {num(r.get('cps'))} | {num(r.get('mbps'))} | {r['rss_mb']:.1f} |")
    w("")

    def get(key, field):
        r = rows.get(key)
        return r.get(field) if r and r["status"] == "ok" else None

    j1, j2 = f"mod_j1_{bench_mb}", f"mod_j2_{bench_mb}"
    targets = []

    def ratio_row(name, a, b, target, fmt_a, fmt_b, missing):
        if a is None or b is None:
            targets.append((name, missing, "—", "—"))
            return
        x = a / b
        targets.append((name, f"{fmt_a(a)} / {fmt_b(b)}", f"**{x:.2f} ×** (≥ {target})", "✅" if x >= target else "❌"))

    mbs = lambda v: f"{v:.1f} MB/s"
    cps = lambda v: f"{v:,.0f} comments/s"
    # Targets of the issue "Speed by design" (16).
    ratio_row("one thread ≥ 0.1 × rg MB/s", get(j1, "mbps"), get("rg", "mbps"), 0.1,
              lambda v: f"-j 1 {mbs(v)}", lambda v: f"rg {mbs(v)}", "not measured (moderate or rg failed)")
    ratio_row("clean rows, one thread ≥ 0.3 × rg MB/s", get("mod_clean", "mbps"), get("rg", "mbps"), 0.3,
              lambda v: f"clean -j 1 {mbs(v)}", lambda v: f"rg {mbs(v)}", "not measured (moderate or rg failed)")
    if get("mod_worst", "mbps") is not None and get(j1, "mbps"):
        targets.append(("worst case (every row hits several rules) vs the corpus, one thread",
                        f"worst {mbs(get('mod_worst', 'mbps'))} / corpus {mbs(get(j1, 'mbps'))}",
                        f"{get('mod_worst', 'mbps') / get(j1, 'mbps'):.2f} ×", "—"))
    ratio_row("two threads ≥ 1.8 × one thread", get(j2, "cps"), get(j1, "cps"), 1.8,
              lambda v: f"-j 2 {cps(v)}", lambda v: f"-j 1 {cps(v)}", "not measured (moderate failed)")
    if "peer" in rows:
        ratio_row("-j 2 ≥ 10 × fastest peer comments/s (alt-profanity-check)", get(j2, "cps"), get("peer", "cps"), 10,
                  lambda v: f"-j 2 {cps(v)}", lambda v: f"peer {cps(v)}", "not measured (moderate or peer failed)")
    else:
        targets.append(("-j 2 ≥ 10 × fastest peer comments/s (alt-profanity-check)", "not measured (opt in: `PEERS=1`)", "—", "—"))

    # memory
    rss_big = [get(f"mod_j{j}_{bench_mb}", "rss_mb") for j in (1, 2)]
    rss_big = [x for x in rss_big if x is not None]
    if not rss_big:
        targets.append((f"peak RSS ≤ {RSS_LIMIT_MB} MB on 1 GB, not growing", "not measured (moderate failed)", "—", "—"))
    elif bench_mb < 1024:
        targets.append((f"peak RSS ≤ {RSS_LIMIT_MB} MB on 1 GB, not growing",
                        f"{max(rss_big):.1f} MB on {bench_mb} MB (1 GB and growth: `BENCH_MB=1024`)",
                        f"{max(rss_big) / RSS_LIMIT_MB:.2f} × limit", "✅" if max(rss_big) <= RSS_LIMIT_MB else "❌"))
    else:
        growth = []
        for j in (1, 2):
            a, b = get(f"mod_j{j}_{bench_mb}", "rss_mb"), get(f"mod_j{j}_100", "rss_mb")
            if a is not None and b:
                growth.append((j, a, b, a / b))
        worst = max(growth, key=lambda g: g[3]) if growth else None
        ok = max(rss_big) <= RSS_LIMIT_MB and (worst is None or worst[3] <= RSS_GROWTH_MAX)
        detail = f"{max(rss_big):.1f} MB on {bench_mb / 1000:.2g} GB"
        if worst:
            detail += f"; -j {worst[0]}: {worst[1]:.1f} MB on {bench_mb} MB vs {worst[2]:.1f} MB on 100 MB"
        targets.append((f"peak RSS ≤ {RSS_LIMIT_MB} MB on 1 GB, not growing (≤ {RSS_GROWTH_MAX} × the 100 MB run)", detail,
                        f"**{max(rss_big) / RSS_LIMIT_MB:.2f} ×** limit" + (f", growth **{worst[3]:.2f} ×**" if worst else ""),
                        "✅" if ok else "❌"))

    st = rows.get("startup")
    if st and st["status"] == "ok":
        med = statistics.median(st["walls"]) * 1000
        targets.append(("`moderate run seeds/` ≤ 40 ms", f"{med:.1f} ms (median of {len(st['walls'])})",
                        f"**{med / 40:.2f} ×** limit", "✅" if med <= 40 else "❌"))
    else:
        targets.append(("`moderate run seeds/` ≤ 40 ms", "not measured: " + (st["status"] if st else "missing"), "—", "—"))

    w("| target | measured | ratio | met |")
    w("|---|---|---|---|")
    for t in targets:
        w("| " + " | ".join(t) + " |")
    w("")
    w("Timings on a shared VM vary by about ±20 % between runs; only ratios from one run mean anything.")
    print("\n".join(out))


if __name__ == "__main__":
    main()

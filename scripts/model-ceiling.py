#!/usr/bin/env python3
"""The ceiling of issue 22's model class: how far could ANY bag-of-n-grams model lift the pack?

A measurement, not part of the build or the tests. It asks what `moderate learn` cannot answer
about itself: with a much richer text classifier than the shipped model (TF-IDF word 1-2-grams
and character 2-5-grams inside word boundaries, 600,000 features, one logistic regression per
label, class-balanced, none of the shipped model's safety gates), and with every threshold
picked on the scored rows themselves (optimistic), what pooled deny F1 does "rules + model"
reach?

Rows, roles and pooling are those of the reproduction command in docs/model.md: olid,
hatexplain and youtube-spam are cross-validated (5 folds), davidson, jigsaw-toxic-sample and
examples/labeled.jsonl are trained on only, socc-ctc and impermium are scored by the model
trained on everything else; figures are pooled over the scored rows carrying the label (no
davidson, no jigsaw), deny = the verdict is flag or block, as `moderate learn` and `eval`
count it. "Rules alone" is `moderate run` with config.toml minus its model rules.

Needs scikit-learn (not a dependency of the project):
    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install scikit-learn
    /tmp/venv/bin/python scripts/model-ceiling.py [MODERATE_BIN] [DATA_DIR]
About 4 minutes of two cores.
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "target/release/moderate")
DATA = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "../shared/data")
FILES = [  # (path, role): as in docs/model.md's reproduction command
    (f"{DATA}/olid.dev.jsonl", "cv"),
    (f"{DATA}/hatexplain.dev.jsonl", "cv"),
    (f"{DATA}/youtube-spam.dev.jsonl", "cv"),
    (f"{DATA}/davidson.dev.jsonl", "train"),
    (f"{DATA}/jigsaw-toxic-sample.dev.jsonl", "train"),
    (os.path.join(ROOT, "examples/labeled.jsonl"), "train"),
    (f"{DATA}/socc-ctc.dev.jsonl", "score"),
    (f"{DATA}/impermium-insults.dev.jsonl", "score"),
]
ABUSE = ("profanity", "attack", "identity", "threat")
MODEL_SECTION = "# ───────────────────────────── learned model"


def rules_alone_verdicts():
    """`moderate run` of every file with config.toml minus its model rules (written beside
    config.toml for a moment, because the config's list paths are relative to it)."""
    config = open(os.path.join(ROOT, "config.toml"), encoding="utf-8").read()
    if MODEL_SECTION not in config:
        sys.exit("model-ceiling.py: config.toml has no learned-model section to leave out")
    fd, path = tempfile.mkstemp(prefix=".ceiling-", suffix=".toml", dir=ROOT)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(config[: config.index(MODEL_SECTION)])
        out = []
        for file, _ in FILES:
            run = subprocess.run([BIN, "run", "-q", "-c", path, "--format", "jsonl", file],
                                 check=True, capture_output=True, text=True)
            out.append([json.loads(line)["verdict"] for line in run.stdout.splitlines()])
        return out
    finally:
        os.unlink(path)


def target(labels, label):
    """What a head learns, as `learn` does: spam-only rows say nothing about abuse, and a row
    labelled not toxic is a negative for every label."""
    if label == "toxic" and labels.get("spam") and not any(labels.get(k) for k in ABUSE):
        return None
    if label in labels:
        return bool(labels[label])
    return False if labels.get("toxic") is False else None


def main():
    if not os.path.isdir(DATA):
        sys.exit(f"model-ceiling.py: {DATA} not found (the labeled data lives in ../shared/data)")
    rows = []
    for (file, role), verdicts in zip(FILES, rules_alone_verdicts()):
        with open(file, "rb") as f:  # JSON Lines end at "\n" only (a body may hold U+2028)
            lines = [line for line in f.read().split(b"\n") if line.strip()]
        assert len(lines) == len(verdicts), file
        for line, verdict in zip(lines, verdicts):
            r = json.loads(line.decode("utf-8"))
            rows.append((role, r["body"], r.get("labels") or {}, verdict))
    roles = np.array([r[0] for r in rows])
    deny = np.array([r[3] in ("flag", "block", "error") for r in rows])
    block = np.array([r[3] == "block" for r in rows])
    bodies = [r[1] for r in rows]
    words = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, max_features=300000)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=3, sublinear_tf=True,
                            max_features=300000)
    x = hstack([words.fit_transform(bodies), chars.fit_transform(bodies)]).tocsr()
    cv, train, score = (np.flatnonzero(roles == k) for k in ("cv", "train", "score"))
    thresholds = np.round(np.arange(0.1, 0.96, 0.05), 2)
    probs = {}

    def scored(label):
        idx = np.array([i for i, r in enumerate(rows) if r[0] != "train" and label in r[2]])
        return idx, np.array([bool(rows[i][2][label]) for i in idx])

    def prf(label, predicted):
        idx, y = scored(label)
        d = predicted[idx]
        tp, fp, fn = (d & y).sum(), (d & ~y).sum(), (~d & y).sum()
        p, r = tp / max(1, tp + fp), tp / max(1, tp + fn)
        return p, r, 2 * p * r / max(1e-9, p + r)

    def show(t):
        return "%.3f / %.3f / %.3f" % t

    print("| label | rules alone | rules + model, best threshold (t) | rules' flags kept only where "
          "the model reads >= v, + model >= t (best v, t) | model alone, best threshold |")
    print("|---|---|---|---|---|")
    for label in ("toxic", "attack", "identity"):
        t_of = [target(r[2], label) for r in rows]
        y = np.array([bool(t) for t in t_of])
        known = np.array([t is not None for t in t_of])

        def fit(idx):
            idx = idx[known[idx]]
            return LogisticRegression(C=4.0, class_weight="balanced", max_iter=3000).fit(x[idx], y[idx])

        p = np.zeros(len(rows))
        for a, b in KFold(5, shuffle=True, random_state=1).split(cv):
            p[cv[b]] = fit(np.concatenate([cv[a], train])).predict_proba(x[cv[b]])[:, 1]
        p[score] = fit(np.concatenate([cv, train])).predict_proba(x[score])[:, 1]
        probs[label] = p
        add = max(((prf(label, deny | (p >= t)), t) for t in thresholds), key=lambda a: a[0][2])
        veto = max(((prf(label, block | (deny & (p >= v)) | (p >= t)), v, t)
                    for v in np.round(np.arange(0, 0.6, 0.05), 2) for t in thresholds),
                   key=lambda a: a[0][2])
        alone = max(((prf(label, p >= t), t) for t in thresholds), key=lambda a: a[0][2])
        print(f"| {label} | {show(prf(label, deny))} | {show(add[0])} ({add[1]}) | "
              f"{show(veto[0])} ({veto[1]}, {veto[2]}) | {show(alone[0])} ({alone[1]}) |")

    print("\nOne verdict serves every label: rules' flags kept only where the identity model reads >= v")
    print("| v | identity | toxic | attack |")
    print("|---|---|---|---|")
    for v in (0.3, 0.4, 0.5):
        d = block | (deny & (probs["identity"] >= v))
        print(f"| {v} | {show(prf('identity', d))} | {show(prf('toxic', d))} | {show(prf('attack', d))} |")
    idx, y = scored("identity")
    toxic = np.array([bool(rows[i][2].get("toxic")) for i in idx])
    p = (y & toxic).sum() / max(1, toxic.sum())
    print(f"\nidentity P / R / F1 of a verdict that denies exactly the toxic-labelled rows: "
          f"{show((p, 1.0, 2 * p / (1 + p)))}")


if __name__ == "__main__":
    main()

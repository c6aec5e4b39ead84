#!/usr/bin/env python3
"""Scunthorpe audit of the shipped wordlists against an English dictionary.

Runs every word of the given dictionaries (default: the Debian `wamerican-insane` and
`wbritish-insane` word lists, SCOWL size 95, under /usr/share/dict) through `moderate run` and
sorts the words a wordlist rule denies into two groups:

- reached only through a generated variant (a phonetic spelling, a dropped vowel, two letters
  swapped, an inflection): a real word is never an evasion, so these belong on the rule's
  allowlist; `--write` appends them to the allowlist file as a generated section;
- matched literally (the word contains a starred term, or is a listed term): printed for a
  human to judge (`shitepoke` is a bird, `fuckwit` is not).

Words listed in tests/fixtures/breadth/dictionary-hits.txt are reviewed: dictionary words that
are obscene or slurs (or their spellings), which the pack must keep denying; they are never
allowlisted. The breadth test fails on any denied dictionary word that is not in that file.

Usage: scripts/pack-dictionary-audit.py [--binary target/release/moderate] [--write] [DICT...]
Needs a built binary; reads config.toml to map rules to their lists and allowlists.
"""
import json, os, re, subprocess, sys, tempfile, tomllib
from collections import defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
args = sys.argv[1:]
binary = os.path.join(ROOT, "target/release/moderate")
write = False
dicts = []
while args:
    a = args.pop(0)
    if a == "--binary":
        binary = args.pop(0)
    elif a == "--write":
        write = True
    else:
        dicts.append(a)
if not dicts:
    dicts = [p for p in ("/usr/share/dict/american-english-insane", "/usr/share/dict/british-english-insane",
                         "/usr/share/dict/american-english") if os.path.exists(p)]
if not dicts:
    print("no dictionary found (apt-get install wamerican-insane)")
    sys.exit(0)

words = set()
for d in dicts:
    for line in open(d, encoding="utf-8", errors="ignore"):
        w = line.strip()
        if w.endswith("'s"):
            w = w[:-2]
        if re.fullmatch(r"[A-Za-z][A-Za-z'-]*", w):
            words.add(w.lower())
words = sorted(words)

cfg = tomllib.load(open(os.path.join(ROOT, "config.toml"), "rb"))
lists = cfg.get("lists", {})
def terms(path):
    out = []
    for line in open(os.path.join(ROOT, path), encoding="utf-8"):
        t = line.split("#", 1)[0].strip().lower()
        if t:
            out.append(t)
    return out
rule_terms, rule_allow = {}, {}
for r in cfg.get("rule", []):
    wl = r.get("wordlist")
    if not wl:
        continue
    rule_terms[r["id"]] = terms(lists.get(wl, wl))
    rule_allow[r["id"]] = r.get("allowlist")

def literal(word, ts):
    for t in ts:
        core = t.strip("*")
        if " " in core:
            continue
        if t.startswith("*") and t.endswith("*"):
            if core in word: return True
        elif t.endswith("*"):
            if word.startswith(core): return True
        elif t.startswith("*"):
            if word.endswith(core): return True
        elif word == core or inflected(word, core):
            return True
    return False

ENDINGS = ("s", "es", "ed", "d", "ing", "in", "er", "ers", "a", "az", "as", "ah", "ies", "y", "ier", "iest")
def inflected(word, core):
    """`word` is `core` with an English or internet-spelling ending (the variant generator's
    inflections, loosely): those are the term itself, for a human to judge."""
    for stem in (core, core[:-1] if core.endswith(("e", "y")) else None, core + core[-1:]):
        if stem and word.startswith(stem) and word[len(stem):] in ENDINGS:
            return True
    return False

def has_vowel(w):
    return any(c in "aeiouy" for c in w)

with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
    for i, w in enumerate(words):
        f.write(json.dumps({"id": str(i), "body": w}) + "\n")
    name = f.name
out = subprocess.run([binary, "run", "-q", "--format", "jsonl", name], capture_output=True, text=True).stdout
os.unlink(name)
auto, manual = defaultdict(set), defaultdict(set)
for line in out.splitlines():
    v = json.loads(line)
    w = words[int(v["id"])]
    for reason in v.get("reasons", []):
        rid = reason["rule"]
        if rid not in rule_terms:
            continue
        (manual if literal(w, rule_terms[rid]) else auto)[rid].add(w)
reviewed_path = os.path.join(ROOT, "tests/fixtures/breadth/dictionary-hits.txt")
reviewed = set()
if os.path.exists(reviewed_path):
    reviewed = {l.split("#", 1)[0].strip() for l in open(reviewed_path, encoding="utf-8")} - {""}
for rid in sorted(set(auto) | set(manual)):
    print(f"== {rid}: {len(auto[rid])} reached by variants only, {len(manual[rid])} literal")
    print("   variants:", " ".join(sorted(auto[rid])[:400]))
    print("   literal: ", " ".join(sorted(manual[rid])))
new_hits = sorted({w for ws in list(auto.values()) + list(manual.values()) for w in ws} - reviewed)
print(f"== not yet reviewed ({len(new_hits)}):", " ".join(new_hits))
if write:
    for rid, ws in auto.items():
        path = rule_allow.get(rid)
        if not path:
            print(f"rule {rid} has no allowlist: add one to config.toml", file=sys.stderr)
            continue
        p = os.path.join(ROOT, path)
        have = set(terms(path))
        # A dictionary entry without a vowel is an abbreviation (`btch`, `sht`), not an
        # innocent word: it stays a spelling the rules catch.
        new = sorted(w for w in ws if w not in have and w not in reviewed and has_vowel(w))
        if new:
            with open(p, "a", encoding="utf-8") as f:
                f.write(f"\n# --- dictionary words the variants of `{rid}` reach (scripts/pack-dictionary-audit.py)\n")
                for w in new:
                    f.write(w + "\n")

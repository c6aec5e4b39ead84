#!/usr/bin/env python3
"""Replace the text between `<!-- NAME:start -->` and `<!-- NAME:end -->` in FILE with stdin.

Used by the scripts that regenerate the README's measured tables, so a table is never edited by hand.
Usage: some-command | scripts/splice.py README.md NAME
"""
import sys

path, name = sys.argv[1], sys.argv[2]
start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
text = open(path, encoding="utf-8").read()
if start not in text or end not in text:
    sys.exit(f"splice.py: {path} has no {start} ... {end} markers")
head, rest = text.split(start, 1)
_, tail = rest.split(end, 1)
body = sys.stdin.read().strip("\n")
open(path, "w", encoding="utf-8").write(f"{head}{start}\n{body}\n{end}{tail}")
print(f"splice.py: updated {name} in {path}", file=sys.stderr)

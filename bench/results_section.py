#!/usr/bin/env python3
"""Puts a benchmark's section into bench/RESULTS.md: the markdown on stdin
replaces what lies between <!-- NAME:begin --> and <!-- NAME:end --> (the
section of an earlier run), or is appended with those markers.

  results_section.py NAME [RESULTS.md] < section.md
"""
import os
import sys


def main():
    name = sys.argv[1]
    path = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "RESULTS.md")
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    body = sys.stdin.read().rstrip("\n")
    block = f"{begin}\n{body}\n{end}"
    text = open(path).read() if os.path.exists(path) else ""
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        text = head + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    with open(path, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()

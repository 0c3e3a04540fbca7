#!/usr/bin/env python3
"""The longest functions in a Rust source tree, by lines from `fn` to its
closing brace (brace matching that skips strings, chars and comments).

Usage: python3 scripts/fn_lengths.py [DIR] [N]   (default: src 10)
"""

import re
import sys
from pathlib import Path

FN = re.compile(r"^\s*(pub(\([^)]*\))?\s+)?(const\s+)?(async\s+)?(unsafe\s+)?(extern\s+\"[^\"]*\"\s+)?fn\s+(\w+)")


def strip(line: str, state: dict) -> str:
    """The line's code without comments, strings and char literals."""
    out = []
    i = 0
    while i < len(line):
        c = line[i]
        if state["block"]:
            if line.startswith("*/", i):
                state["block"] = False
                i += 2
                continue
            i += 1
            continue
        if state["str"]:
            if c == "\\":
                i += 2
                continue
            if c == '"':
                state["str"] = False
            i += 1
            continue
        if line.startswith("//", i):
            break
        if line.startswith("/*", i):
            state["block"] = True
            i += 2
            continue
        if c == '"':
            state["str"] = True
            i += 1
            continue
        m = re.match(r"'(\\.|[^\\'])'", line[i:])
        if m:
            i += len(m.group(0))
            continue
        out.append(c)
        i += 1
    return "".join(out)


def functions(path: Path):
    lines = path.read_text().splitlines()
    state = {"block": False, "str": False}
    code = [strip(l, state) for l in lines]
    for i, l in enumerate(lines):
        m = FN.match(code[i])
        if not m:
            continue
        depth, opened = 0, False
        for j in range(i, len(lines)):
            for ch in code[j]:
                if ch == "{":
                    depth += 1
                    opened = True
                elif ch == "}":
                    depth -= 1
                elif ch == ";" and not opened and depth == 0:
                    break
            else:
                if opened and depth == 0:
                    yield (j - i + 1, f"{path}:{i + 1}", m.group(7))
                    break
                continue
            break


def main():
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "src")
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    found = [f for p in sorted(root.rglob("*.rs")) for f in functions(p)]
    found.sort(key=lambda f: -f[0])
    for lines, where, name in found[:n]:
        print(f"{lines:5}  {name:<28} {where}")


if __name__ == "__main__":
    main()

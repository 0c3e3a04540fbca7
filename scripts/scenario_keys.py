"""Prints the key tables of docs/scenario.md from src/scenario/paths.rs DOCS.

Usage: python3 scripts/scenario_keys.py > /tmp/keys.md (then paste into
docs/scenario.md). A test checks that every key is documented there.
"""
import re

src = open("src/scenario/paths.rs").read()
start = src.index("pub const DOCS")
body = src[start : src.index("];", start)]
pairs = re.findall(r'\(\s*"((?:[^"\\]|\\.)*)",\s*"((?:[^"\\]|\\.)*)",?\s*\)', body, re.S)
titles = {
    "include": "Includes",
    "scenario": "`[scenario]`: the header",
    "places": "`[places.<id>]`",
    "ladder": "`[ladder.<id>]`: the escalation ladder, level 0 first",
    "actors": "`[actors.<id>]`",
    "dyads": "`[dyads.<id>]`: the policy of `from` toward `to`",
    "drivers": "`[drivers.<id>]`",
    "tracks": "`[tracks.<id>]`: negotiation tracks",
    "triggers": "`[triggers.<id>]`",
    "outcomes": "`[outcomes.<id>]`: checked in file order",
    "metrics": "`[metrics.<id>]`: windowed quantities (trials.csv columns)",
    "phases": "`[phases.<id>]`: implementation after an agreement",
    "game": "`[game]`: iterated two-player games",
}
sections = {}
for k, v in pairs:
    top = k.split(".")[0]
    sections.setdefault("include" if top == "remove" else top, []).append((k, v.replace('\\"', '"')))
bar = "\\|"
for top, rows in sections.items():
    print(f"### {titles.get(top, top)}\n\n| key | meaning |\n|---|---|")
    for k, v in rows:
        key = k.replace("*", "<id>").replace("+", "<id>")
        print(f"| `{key}` | {v.replace('|', bar)} |")
    print()

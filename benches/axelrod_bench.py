"""Times 200-round matches with execution noise 0.05 in the Python axelrod
library, for the same pairs as `benches/games.rs` (one process, one
thread), and prints matches per second. axelrod is not a dependency of
brink; run it in a throwaway virtual environment:

    python3 -m venv /tmp/axl && /tmp/axl/bin/pip install axelrod
    /tmp/axl/bin/python benches/axelrod_bench.py [MATCHES]
"""

import sys
import time

import axelrod as axl

PAIRS = [
    ("tft", "tft", axl.TitForTat, axl.TitForTat),
    ("wsls", "gtft", axl.WinStayLoseShift, axl.GTFT),
    ("ctft", "random", axl.ContriteTitForTat, axl.Random),
]


def main():
    matches = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    print(f"axelrod {axl.__version__}, {matches} matches per pair, 200 rounds, noise 0.05")
    for a, b, pa, pb in PAIRS:
        # Warm up (imports, caches), then time.
        axl.Match((pa(), pb()), turns=200, noise=0.05, seed=0).play()
        t0 = time.perf_counter()
        total = 0.0
        for k in range(matches):
            m = axl.Match((pa(), pb()), turns=200, noise=0.05, seed=k + 1)
            m.play()
            total += m.final_score_per_turn()[0]
        dt = time.perf_counter() - t0
        print(f"{a}_vs_{b}: {matches / dt:10.1f} matches/s  ({dt:.2f} s; mean payoff {total / matches:.3f})")


if __name__ == "__main__":
    main()

"""Regenerates the reference outputs in this directory from the Python
`axelrod` library (Axelrod-Python/Axelrod), which brink's tests in
`tests/policies.rs` are checked against. axelrod is NOT a dependency of
brink; install it in a throwaway virtual environment:

    python3 -m venv /tmp/axl && /tmp/axl/bin/pip install axelrod
    /tmp/axl/bin/python tests/data/axelrod/generate.py

Files written (next to this script):

* `deterministic.csv`: every ordered pair of the deterministic strategies,
  30 rounds without noise: `row,col,row_moves,col_moves` (moves as a string
  of C and D, round 0 first).
* `scripted.csv`: pairs of deterministic strategies, 15 rounds, with
  execution errors at scripted rounds instead of random noise:
  `row,col,flips,row_moves,col_moves`; `flips` lists `<round><r|c>` (the
  row's or the col's act in that round comes out flipped), `;`-separated.
  These show where axelrod's `ContriteTitForTat` and the published CTFT
  differ.
* `noisy.csv`: for a few pairs, the mean payoff per round of the row player
  over many 200-round matches with execution noise 0.05, and its standard
  error across matches: `row,col,noise,rounds,matches,mean_row,se_row,
  mean_col,se_col`.
"""

import csv
import math
import os
import sys

import axelrod as axl

HERE = os.path.dirname(os.path.abspath(__file__))
C, D = axl.Action.C, axl.Action.D


def players():
    """brink strategy name -> a factory of the equivalent axelrod player."""
    return {
        "tft": axl.TitForTat,
        "ctft": axl.ContriteTitForTat,
        "tf2t": axl.TitFor2Tats,
        "grim": axl.Grudger,
        "wsls": axl.WinStayLoseShift,
        "allc": axl.Cooperator,
        "alld": axl.Defector,
        # brink: memory_one, four_vector = [0, 0, 1, 1], first = 1
        "alternator": axl.Alternator,
        # brink: memory_one, four_vector = [1, 0, 1, 0], first = 0
        "stft": axl.SuspiciousTitForTat,
        # stochastic
        "gtft": axl.GTFT,
        "random": axl.Random,
    }


DETERMINISTIC = ["tft", "ctft", "tf2t", "grim", "wsls", "allc", "alld", "alternator", "stft"]
NOISY_PAIRS = [
    ("tft", "tft"),
    ("wsls", "wsls"),
    ("wsls", "gtft"),
    ("gtft", "alld"),
    ("tf2t", "tft"),
    ("random", "tft"),
    ("grim", "wsls"),
]


def moves(actions):
    return "".join("C" if a == C else "D" for a in actions)


def deterministic(path, rounds=30):
    make = players()
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["row", "col", "row_moves", "col_moves"])
        for a in DETERMINISTIC:
            for b in DETERMINISTIC:
                m = axl.Match((make[a](), make[b]()), turns=rounds)
                result = m.play()
                w.writerow([a, b, moves(r[0] for r in result), moves(r[1] for r in result)])


SCRIPTED = [
    ("tft", "tft", "5r"),
    ("ctft", "ctft", "5r"),
    ("ctft", "tft", "5r"),
    ("tft", "ctft", "5r"),
    ("wsls", "wsls", "5r"),
    ("tf2t", "tft", "5r"),
    ("grim", "tft", "5c"),
    ("ctft", "ctft", "5r;5c"),
    ("ctft", "ctft", "5r;6r"),
]


def scripted(path, rounds=15):
    """Plays like axelrod's Match.simultaneous_play, with flips at given
    rounds instead of random noise (both players record the flipped act)."""
    make = players()
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["row", "col", "flips", "row_moves", "col_moves"])
        for a, b, flips in SCRIPTED:
            spec = {(int(x[:-1]), "rc".index(x[-1])) for x in flips.split(";")}
            p, q = make[a](), make[b]()
            for t in range(rounds):
                s1, s2 = p.strategy(q), q.strategy(p)
                if (t, 0) in spec:
                    s1 = s1.flip()
                if (t, 1) in spec:
                    s2 = s2.flip()
                p.update_history(s1, s2)
                q.update_history(s2, s1)
            w.writerow([a, b, flips, moves(p.history), moves(q.history)])


def mean_se(xs):
    n = len(xs)
    mean = sum(xs) / n
    var = sum((x - mean) ** 2 for x in xs) / (n - 1)
    return mean, math.sqrt(var / n)


def noisy(path, noise=0.05, rounds=200, matches=2000):
    make = players()
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["row", "col", "noise", "rounds", "matches", "mean_row", "se_row", "mean_col", "se_col"])
        for a, b in NOISY_PAIRS:
            rows, cols = [], []
            for k in range(matches):
                m = axl.Match((make[a](), make[b]()), turns=rounds, noise=noise, seed=k + 1)
                m.play()
                s = m.final_score_per_turn()
                rows.append(s[0])
                cols.append(s[1])
            mr, sr = mean_se(rows)
            mc, sc = mean_se(cols)
            w.writerow([a, b, noise, rounds, matches, f"{mr:.6f}", f"{sr:.6f}", f"{mc:.6f}", f"{sc:.6f}"])
            print(a, b, mr, sr, mc, sc, file=sys.stderr)


if __name__ == "__main__":
    print("axelrod", axl.__version__, file=sys.stderr)
    deterministic(os.path.join(HERE, "deterministic.csv"))
    scripted(os.path.join(HERE, "scripted.csv"))
    if "--no-noisy" not in sys.argv:
        noisy(os.path.join(HERE, "noisy.csv"))

#!/usr/bin/env python3
"""End-to-end oracle for brink's drivers: one run's sensitivity.csv
against SALib's Sobol' first-order indices on the same scenario.

The scenario is the tutorial's border crisis (docs/tutorial/step5.toml)
with three parameters made uncertain, each uniform on a range:

    outcomes.war.threshold              U(25, 55)
    dyads.north_south.initiative.rate   U(0.15, 0.45)
    tracks.talks.progress.rate          U(0.01, 0.03)

1. brink, one run: `brink run ... --set PATH=uniform:lower=..,upper=..`
   with K trials per parameter draw writes sensitivity.csv: for the
   outcome `war`, the first-order index of each parameter on the draw's
   K-trial share of war, with its standard error (Plischke, Borgonovo and
   Smith 2013; docs/uncertainty.md, "Drivers").
2. SALib: a Saltelli design over the same ranges, run through
   `brink sweep --design --salib-problem --salib-y outcome:war` with the
   same K trials per point and independent streams per point
   (`--no-crn`, so each point's noise is independent, as each draw's is
   in the run), then `SALib.analyze.sobol` (S1 with its bootstrap
   confidence interval).

Both estimate the same quantity, S = Var(E[p̂ | X]) / Var(p̂), p̂ the
K-trial share of war. They must agree within z = 4 combined standard
errors, |S_brink - S_salib| < 4 * sqrt(se_brink² + se_salib²), for each
parameter (se_salib = S1_conf / 1.96). The ranking must agree too on the
parameter with the largest index.

    pip install -r examples/requirements.txt
    cargo build --release
    python3 examples/salib_oracle.py     # about 15 s of CPU (40,000 + 640 x 40 trials)
"""

import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import warnings

import numpy as np
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import sobol as sobol_sample

warnings.filterwarnings("ignore", category=FutureWarning)
warnings.filterwarnings("ignore", category=UserWarning)

HERE = os.path.dirname(os.path.abspath(__file__))
SCENARIO = os.path.join(HERE, "..", "docs", "tutorial", "step5.toml")
PROBLEM = {
    "num_vars": 3,
    "names": [
        "outcomes.war.threshold",
        "dyads.north_south.initiative.rate",
        "tracks.talks.progress.rate",
    ],
    "bounds": [[25.0, 55.0], [0.15, 0.45], [0.01, 0.03]],
}
OUTCOME = "war"
Z = 4.0


def find_brink(given):
    if given:
        return given
    built = os.path.join(HERE, "..", "target", "release", "brink")
    return built if os.path.exists(built) else (shutil.which("brink") or "brink")


def brink_indices(brink, tmp, k, draws, seed):
    """One run with the three distributions: {path: (index, se)}."""
    out = os.path.join(tmp, "run")
    sets = []
    for name, (lo, hi) in zip(PROBLEM["names"], PROBLEM["bounds"]):
        sets += ["--set", f"{name}=uniform:lower={lo},upper={hi}"]
    cmd = [brink, "run", SCENARIO, "-q", "--out", out, "--trials", str(k * draws),
           "--draws-per-param", str(k), "--seed", str(seed)] + sets
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    got = {}
    with open(os.path.join(out, "sensitivity.csv")) as f:
        for row in csv.DictReader(f):
            if row["output"] == f"outcome:{OUTCOME}":
                assert int(row["n"]) == draws, row
                got[row["parameter"]] = (float(row["index"]), float(row["se"]))
    return got


def salib_indices(brink, tmp, k, n_base, seed):
    """Saltelli design through brink sweep: {path: (S1, se)}."""
    x = sobol_sample.sample(PROBLEM, n_base, calc_second_order=False, seed=seed)
    design = os.path.join(tmp, "samples.txt")
    problem = os.path.join(tmp, "problem.txt")
    np.savetxt(design, x, fmt="%.17g")
    with open(problem, "w") as f:
        for name, (lo, hi) in zip(PROBLEM["names"], PROBLEM["bounds"]):
            f.write(f"{name} {lo!r} {hi!r}\n")
    out = os.path.join(tmp, "sweep")
    cmd = [brink, "sweep", SCENARIO, "-q", "--design", design, "--salib-problem", problem,
           "--salib-y", f"outcome:{OUTCOME}", "--trials", str(k), "--no-crn",
           "--seed", str(seed), "--out", out]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    y = np.loadtxt(os.path.join(out, "Y.txt"))
    assert len(y) == len(x), (len(y), len(x))
    si = sobol_analyze.analyze(PROBLEM, y, calc_second_order=False, seed=seed)
    return {n: (float(s), float(c) / 1.96) for n, s, c in zip(PROBLEM["names"], si["S1"], si["S1_conf"])}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--brink", help="brink binary (default: target/release/brink, else PATH)")
    ap.add_argument("--k", type=int, default=40, help="trials per draw and per design point")
    ap.add_argument("--draws", type=int, default=1000, help="parameter draws of the brink run")
    ap.add_argument("--n", type=int, default=128, help="SALib base samples (N*(D+2) points)")
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    brink = find_brink(a.brink)
    with tempfile.TemporaryDirectory() as tmp:
        ours = brink_indices(brink, tmp, a.k, a.draws, a.seed)
        theirs = salib_indices(brink, tmp, a.k, a.n, a.seed)
    print(f"first-order index of each parameter on the {a.k}-trial share of {OUTCOME}:")
    print(f"  {'parameter':<36} {'brink':>14} {'SALib Sobol':>14}  z")
    bad = []
    for name in PROBLEM["names"]:
        (s1, e1), (s2, e2) = ours[name], theirs[name]
        z = abs(s1 - s2) / np.hypot(e1, e2)
        print(f"  {name:<36} {s1:>7.3f}±{e1:<6.3f} {s2:>7.3f}±{e2:<6.3f}  {z:.2f}")
        if not z < Z:
            bad.append(name)
    top_ours = max(PROBLEM["names"], key=lambda n: ours[n][0])
    top_theirs = max(PROBLEM["names"], key=lambda n: theirs[n][0])
    if bad:
        sys.exit(f"brink and SALib disagree beyond z = {Z}: {', '.join(bad)}")
    if top_ours != top_theirs:
        sys.exit(f"the top driver differs: brink {top_ours}, SALib {top_theirs}")
    if ours[top_ours][0] < 4 * ours[top_ours][1]:
        sys.exit("the top driver's index is not clearly above zero: the comparison says nothing")
    print(f"agree within z = {Z}; top driver {top_ours}")


if __name__ == "__main__":
    main()

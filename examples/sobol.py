#!/usr/bin/env python3
"""Sobol' sensitivity of the flagship's agreement probability, with SALib.

1. SALib samples a Saltelli design over a few parameters (their dotted
   paths are the SALib parameter names);
2. `brink sweep --design samples.txt --salib-problem problem.txt
   --salib-y outcome:agreement` runs every point (common random numbers:
   trial i draws the same stream at every point) and writes Y.txt, the
   agreement probability per point in design order;
3. SALib analyses Y and we print first-order (S1) and total-order (ST)
   indices with their 95 % confidence half-widths.

    pip install -r examples/requirements.txt
    cargo build --release
    python3 examples/sobol.py            # N=64 base samples, 400 trials per point

Run time on 2 cores: about 10 s for the defaults (384 points x 400 trials).
"""

import argparse
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

# Parameters whose effect on a negotiated agreement an analyst asks about
# (docs/flagship.md): how fast the talks progress, how soon the Gaza war
# ends, how hard the US retaliates, and how well Kataib Hezbollah obeys
# Iran's restraint orders.
PROBLEM = {
    "num_vars": 4,
    "names": [
        "tracks.hmc.progress.rate",
        "drivers.gaza_war.end_hazard",
        "dyads.us_kh.response.proportionality",
        "actors.kh.obey",
    ],
    "bounds": [[0.004, 0.016], [0.001, 0.02], [0.75, 2.0], [0.3, 1.0]],
}


def find_brink(given):
    if given:
        return given
    here = os.path.dirname(os.path.abspath(__file__))
    built = os.path.join(here, "..", "target", "release", "brink")
    return built if os.path.exists(built) else (shutil.which("brink") or "brink")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--brink", help="brink binary (default: target/release/brink, else PATH)")
    ap.add_argument("--n", type=int, default=64, help="Saltelli base samples (a power of 2)")
    ap.add_argument("--trials", type=int, default=400, help="trials per point")
    ap.add_argument("--seed", type=int, default=20240124)
    ap.add_argument("--out", help="keep brink's output here (default: a temporary directory)")
    ap.add_argument("--set", action="append", default=[], help="extra brink --set PATH=VALUE")
    args = ap.parse_args()

    work = args.out or tempfile.mkdtemp(prefix="brink-sobol-")
    os.makedirs(work, exist_ok=True)
    X = sobol_sample.sample(PROBLEM, args.n, calc_second_order=False, seed=args.seed)
    problem_file = os.path.join(work, "problem.txt")
    sample_file = os.path.join(work, "samples.txt")
    with open(problem_file, "w") as f:
        for name, (lo, hi) in zip(PROBLEM["names"], PROBLEM["bounds"]):
            f.write(f"{name} {lo!r} {hi!r}\n")
    np.savetxt(sample_file, X, fmt="%.17g")

    out = os.path.join(work, "sweep")
    # The flagship's first structure, where an agreement ends the trial, so
    # that `--salib-y outcome:agreement` is P(agreement); in the forecast of
    # record (us_iraq_2024) the agreement is a milestone, not an outcome.
    v1 = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scenarios", "examples", "us_iraq_2024_v1.toml")
    cmd = [find_brink(args.brink), "sweep", v1,
           "--design", sample_file, "--salib-problem", problem_file,
           "--salib-y", "outcome:agreement",
           "--trials", str(args.trials), "--seed", str(args.seed), "--out", out, "--quiet"]
    for s in args.set:
        cmd += ["--set", s]
    print(f"{len(X)} points x {args.trials} trials: {' '.join(cmd)}", file=sys.stderr)
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)

    Y = np.loadtxt(os.path.join(out, "Y.txt"))
    assert len(Y) == len(X), "Y.txt must have one value per design point"
    Si = sobol_analyze.analyze(PROBLEM, Y, calc_second_order=False, seed=args.seed)

    print(f"Sobol indices of P(agreement) in us_iraq_2024_v1 "
          f"(N={args.n}, {len(X)} points x {args.trials} trials; mean P = {Y.mean():.3f})")
    print(f"  {'parameter':<40} {'S1':>7} {'±95%':>6} {'ST':>7} {'±95%':>6}")
    for i, name in enumerate(PROBLEM["names"]):
        print(f"  {name:<40} {Si['S1'][i]:7.3f} {Si['S1_conf'][i]:6.3f} "
              f"{Si['ST'][i]:7.3f} {Si['ST_conf'][i]:6.3f}")
    print(f"files in {out}/", file=sys.stderr)


if __name__ == "__main__":
    main()

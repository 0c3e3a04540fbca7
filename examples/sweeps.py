#!/usr/bin/env python3
"""A 3 x 3 grid and a 64-point Latin hypercube of the flagship, from Python.

Standard library only: brink writes tidy CSV, so `csv` (or pandas) reads
it directly. Prints the agreement probability per grid point and the LHS
points with the highest and lowest agreement probability.

    cargo build --release && python3 examples/sweeps.py
"""

import csv
import os
import shutil
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
BUILT = os.path.join(HERE, "..", "target", "release", "brink")
BRINK = BUILT if os.path.exists(BUILT) else (shutil.which("brink") or "brink")
# The flagship's first structure, where an agreement ends the trial, so that
# `--salib-y outcome:agreement` is P(agreement). In the forecast of record
# (us_iraq_2024) the agreement is a milestone, not an outcome.
SCENARIO = os.path.join(HERE, "..", "scenarios", "examples", "us_iraq_2024_v1.toml")


def sweep(out, *design, trials=500):
    subprocess.run([BRINK, "sweep", SCENARIO, *design, "--trials", str(trials),
                    "--salib-y", "outcome:agreement", "--out", out, "--quiet"],
                   check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(out, "design.csv")) as f:
        rows = list(csv.DictReader(f))
    with open(os.path.join(out, "Y.txt")) as f:
        for row, y in zip(rows, f):
            row["p_agreement"] = float(y)
    return rows


def main():
    work = tempfile.mkdtemp(prefix="brink-sweeps-")
    grid = sweep(os.path.join(work, "grid"),
                 "--grid", "dyads.us_kh.response.proportionality=0.75,1.3,2",
                 "--grid", "drivers.gaza_war.end_hazard=0.002,0.0055,0.02")
    print("3 x 3 grid: P(agreement)")
    for r in grid:
        print(f"  proportionality {r['dyads.us_kh.response.proportionality']:>5}  "
              f"gaza end hazard {r['drivers.gaza_war.end_hazard']:>6}  {r['p_agreement']:.3f}")
    lhs = sweep(os.path.join(work, "lhs"), "--sample", "lhs:64",
                "--range", "tracks.hmc.progress.rate=0.004:0.016",
                "--range", "drivers.gaza_war.end_hazard=0.001:0.02", trials=300)
    lhs.sort(key=lambda r: r["p_agreement"])
    print(f"64-point LHS: P(agreement) from {lhs[0]['p_agreement']:.3f} to {lhs[-1]['p_agreement']:.3f}")
    for r in (lhs[0], lhs[-1]):
        print(f"  point {r['point']:>2}: progress rate {float(r['tracks.hmc.progress.rate']):.4f}, "
              f"gaza end hazard {float(r['drivers.gaza_war.end_hazard']):.4f} -> {r['p_agreement']:.3f}")
    print(f"files in {work}/")


if __name__ == "__main__":
    main()

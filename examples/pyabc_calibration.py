#!/usr/bin/env python3
"""pyabc as an independent oracle for `brink calibrate` (issue 16).

The conjugate case of tests/calibrate_cli.rs over 5 steps: one dyad whose
daily attack count is Poisson(lam), lam ~ Gamma(shape 2, scale 0.25), 3
attacks observed in steps 0..=4. The exact posterior is Gamma(2 + 3, scale
0.25 / (1 + 5 * 0.25)) = Gamma(5, scale 1/9): mean 5/9, variance 5/81.
(5 steps rather than the test's 20: exact matching accepts a proposal with
the posterior-predictive probability of the observed count, about 0.19
here against 0.07 for 14 in 20 steps, so pyabc, which pays ~8 ms of
DataFrame building per brink.run call, fits in CI's budget.)

Three calibrations of the same scenario and record:

1. pyabc's ABCSMC (Toni et al. 2009; Klinger, Rickert & Hasenauer 2018),
   whose model function runs ONE trial of the scenario through brink's
   Python API (``brink.run(..., trials=1, set={rate: lam})``) and returns
   the trial's event count; the distance is |count - 3| (the summary
   `brink calibrate` uses: the quantity over the window 0..=4), the
   tolerance schedule ends at 0 (exact matching, where ABC's target is
   the exact posterior);
2. `brink calibrate` the command (found by ``brink.find_cli()``);
3. ``brink.calibrate``, the in-process binding (same settings as the
   command: the posterior.csv bytes must be the command's).

Checks, with z = 4 (a failure by chance has probability < 1e-4 per check):
every weighted posterior mean lies within z standard errors sqrt(v0 / ESS)
of the exact mean 5/9 and every weighted variance within z standard errors
v0 sqrt((2 + kappa) / ESS) of 5/81 (kappa = 6/5, the gamma's excess
kurtosis; ESS = Kish's (sum w)^2 / sum w^2); and pyabc's and brink's means
and variances agree with each other within z times the root sum of their
squared standard errors (the two runs are independent).

    pip install -r python/requirements-examples.txt   # pyabc among them
    pip install ./python && cargo build --release
    python3 examples/pyabc_calibration.py            # about 35 s on one core

Fixed seeds: pyabc's single-core sampler draws from numpy's global stream
(seeded below), brink from its own seeds.
"""

import argparse
import logging
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd

import brink

SCENARIO = """
[scenario]
name = "conjugate"
horizon = 5
trials = 1000
seed = 3
[ladder.none]
severity = 0
[ladder.shot]
severity = 1
[actors.a]
[actors.b]
[dyads.b_a]
from = "b"
to = "a"
initiative = { rate = { gamma = { shape = 2, scale = 0.25 } }, levels = { shot = 1.0 } }
"""

RECORD = """
[record]
scenario = "conjugate"
[quantities.shots]
metric = "events"
dyads = ["b_a"]
observations = [{ step = 4, value = 3 }]
"""

PATH = "dyads.b_a.initiative.rate"
SHAPE, SCALE, STEPS, Y = 2.0, 0.25, 5, 3
Z = 4.0
#: pyabc's tolerance schedule: a coarse generation, then exact matching.
EPS = [2, 0]


def exact():
    """Mean and variance of the exact gamma posterior, and its shape."""
    shape = SHAPE + Y
    scale = SCALE / (1.0 + STEPS * SCALE)
    return shape * scale, shape * scale * scale, shape


def moments(x, w):
    """Weighted mean, variance and Kish's effective sample size."""
    x = np.asarray(x, float)
    w = np.asarray(w, float)
    w = w / w.sum()
    mean = float(np.sum(w * x))
    var = float(np.sum(w * (x - mean) ** 2))
    return mean, var, float(1.0 / np.sum(w * w))


def run_pyabc(scenario, population, seed, db):
    import pyabc

    logging.getLogger("ABC").setLevel(logging.WARNING)
    np.random.seed(seed)

    def model(p):
        # One trial at the proposed rate; its own seed from numpy's stream.
        r = brink.run(scenario, trials=1, seed=int(np.random.randint(0, 2**62)),
                      set={PATH: float(p["lam"])}, threads=1)
        return {"shots": int(r.trials["events_b_a"].iloc[0])}

    def distance(x, x0):
        return abs(x["shots"] - x0["shots"])

    prior = pyabc.Distribution(lam=pyabc.RV("gamma", SHAPE, scale=SCALE))
    abc = pyabc.ABCSMC(
        model, prior, distance,
        population_size=population,
        eps=pyabc.ListEpsilon(EPS),
        sampler=pyabc.sampler.SingleCoreSampler(),
    )
    abc.new("sqlite:///" + db, {"shots": Y})
    history = abc.run(max_nr_populations=len(EPS))
    df, w = history.get_distribution(m=0, t=history.max_t)
    sims = int(history.total_nr_simulations)
    return df["lam"].to_numpy(), np.asarray(w), sims


def posterior_csv(path):
    p = pd.read_csv(path)
    return p[PATH].to_numpy(), p["weight"].to_numpy()


def check(name, mean, var, ess, m0, v0, shape, failures):
    se_m = (v0 / ess) ** 0.5
    se_v = v0 * ((2.0 + 6.0 / shape) / ess) ** 0.5
    ok_m = abs(mean - m0) < Z * se_m
    ok_v = abs(var - v0) < Z * se_v
    print(f"{name:<18} mean {mean:.4f} (exact {m0:.4f}, z {(mean - m0) / se_m:+.2f})  "
          f"variance {var:.5f} (exact {v0:.5f}, z {(var - v0) / se_v:+.2f})  ESS {ess:.0f}")
    if not ok_m:
        failures.append(f"{name}: mean {mean} not within {Z} SE ({se_m}) of {m0}")
    if not ok_v:
        failures.append(f"{name}: variance {var} not within {Z} SE ({se_v}) of {v0}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--population", type=int, default=400, help="pyabc particles (default 400)")
    ap.add_argument("--brink-population", type=int, default=2000,
                    help="brink calibrate particles (default 2000)")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--brink", help="brink binary (default: brink.find_cli())")
    a = ap.parse_args()

    m0, v0, shape = exact()
    failures = []
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        scen = os.path.join(tmp, "poisson.toml")
        rec = os.path.join(tmp, "record.toml")
        with open(scen, "w") as f:
            f.write(SCENARIO)
        with open(rec, "w") as f:
            f.write(RECORD)

        t = time.time()
        x, w, sims = run_pyabc(scen, a.population, a.seed, os.path.join(tmp, "pyabc.db"))
        print(f"pyabc: {sims} simulations through brink.run in {time.time() - t:.1f} s")
        results["pyabc"] = moments(x, w)

        cli = a.brink or brink.find_cli(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
        if cli is None:
            sys.exit("no brink binary: cargo build --release, or set BRINK_BIN")
        out = os.path.join(tmp, "cli")
        settings = ["--population", str(a.brink_population), "--seed", str(a.seed), "-j", "1"]
        t = time.time()
        subprocess.run([str(cli), "calibrate", scen, "--observed", rec, "-o", out, "-q"] + settings,
                       check=True, stdout=subprocess.DEVNULL)
        print(f"brink calibrate: {time.time() - t:.1f} s")
        results["brink calibrate"] = moments(*posterior_csv(os.path.join(out, "posterior.csv")))

        if hasattr(brink, "calibrate"):
            t = time.time()
            cal = brink.calibrate(scen, rec, out=os.path.join(tmp, "py"), population=a.brink_population,
                                  seed=a.seed, threads=1)
            print(f"brink.calibrate: {time.time() - t:.1f} s, stop: {cal.record['stop']}")
            results["brink.calibrate"] = moments(cal.posterior[PATH], cal.posterior["weight"])
            with open(os.path.join(out, "posterior.csv"), "rb") as f1, \
                    open(os.path.join(tmp, "py", "posterior.csv"), "rb") as f2:
                if f1.read() != f2.read():
                    failures.append("brink.calibrate's posterior.csv differs from the command's")

    for name, (mean, var, ess) in results.items():
        check(name, mean, var, ess, m0, v0, shape, failures)
    (ma, va, ea), (mb, vb, eb) = results["pyabc"], results["brink calibrate"]
    se = (v0 / ea + v0 / eb) ** 0.5
    k = 2.0 + 6.0 / shape
    se_v = v0 * (k / ea + k / eb) ** 0.5
    print(f"pyabc - brink calibrate: mean difference {ma - mb:+.4f} (z {(ma - mb) / se:+.2f}), "
          f"variance difference {va - vb:+.5f} (z {(va - vb) / se_v:+.2f})")
    if abs(ma - mb) >= Z * se:
        failures.append(f"pyabc's mean {ma} and brink's {mb} differ by more than {Z} SE ({se})")
    if abs(va - vb) >= Z * se_v:
        failures.append(f"pyabc's variance {va} and brink's {vb} differ by more than {Z} SE ({se_v})")
    if failures:
        sys.exit("FAILED:\n  " + "\n  ".join(failures))
    print(f"ok: pyabc and brink agree with the exact Gamma(5, 1/9) posterior within z = {Z}")


if __name__ == "__main__":
    main()

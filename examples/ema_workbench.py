#!/usr/bin/env python3
"""EMA Workbench drives the flagship through `brink.run`: a Latin hypercube
of 50 scenarios over three uncertainties, 500 trials each, then PRIM
scenario discovery: which region of the uncertainties makes a negotiated
agreement unlikely?

The model function is plain Python over `brink.run` (no subprocess, no CSV):
every experiment uses the same seed, so experiments share their trial
streams (common random numbers) and differ only through the parameters.

    pip install ./python -r python/requirements-examples.txt
    python3 examples/ema_workbench.py
"""

import os
import sys
import time

# This file is named like the package it demonstrates: drop its own folder
# from the import path so that `import ema_workbench` finds the package.
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != HERE]

import warnings  # noqa: E402

import numpy as np  # noqa: E402

import brink  # noqa: E402

# EMA warns that optional parallel back ends (ipyparallel) are missing.
warnings.filterwarnings("ignore", message="ipyparallel not installed")
from ema_workbench import Model, RealParameter, ScalarOutcome, perform_experiments  # noqa: E402
from ema_workbench.analysis import prim  # noqa: E402

SCENARIOS = 50
TRIALS = 500
SEED = 20240124


def flagship(end_hazard, kh_beta, us_proportionality):
    """One experiment: shares of each outcome and mean attacks on the US."""
    r = brink.run(trials=TRIALS, seed=SEED, set={
        "drivers.gaza_war.end_hazard": end_hazard,
        "dyads.kh_us.initiative.beta": kh_beta,
        "dyads.us_kh.response.proportionality": us_proportionality,
    })
    shares = r.trials["outcome"].value_counts(normalize=True)
    return {
        # The agreement is a milestone (the trial goes on through the
        # withdrawal): reached when its step is recorded.
        "p_agreement": float(r.trials["milestone_agreement_step"].notna().mean()),
        "p_coerced_exit": float(shares.get("coerced_exit", 0.0)),
        "p_spiral": float(shares.get("spiral", 0.0)),
        "attacks_on_us": float((r.trials["events_kh_us"] + r.trials["events_nujaba_us"]).mean()),
    }


def main():
    np.random.seed(7)  # EMA's LHS sampler draws from numpy's global stream
    model = Model("brinkflagship", function=flagship)
    model.uncertainties = [
        # Gaza war: ends in ~2 months (0.02/day) to ~18 months (0.002/day).
        RealParameter("end_hazard", 0.002, 0.02),
        # Militias deterred (> 0) or provoked (< 0) by US strikes.
        RealParameter("kh_beta", -0.05, 0.05),
        # The US answers below, in, or above kind.
        RealParameter("us_proportionality", 0.5, 2.0),
    ]
    model.outcomes = [ScalarOutcome(n) for n in ["p_agreement", "p_coerced_exit", "p_spiral", "attacks_on_us"]]

    t0 = time.perf_counter()
    experiments, outcomes = perform_experiments(model, scenarios=SCENARIOS)
    secs = time.perf_counter() - t0
    print(f"{SCENARIOS} experiments x {TRIALS} trials in {secs:.1f} s "
          f"({SCENARIOS * TRIALS / secs:,.0f} trials/s, brink {brink.__version__})")
    p = outcomes["p_agreement"]
    print(f"P(agreement) across experiments: min {p.min():.3f}, median {np.median(p):.3f}, max {p.max():.3f}")

    # Scenario discovery: where does agreement become unlikely (the lowest
    # quarter of the experiments)?
    cut = np.quantile(p, 0.25)
    y = p <= cut
    x = experiments[["end_hazard", "kh_beta", "us_proportionality"]]
    box = prim.Prim(x, y, threshold=0.7, peel_alpha=0.1).find_box()
    print(f"\nPRIM box for P(agreement) <= {cut:.3f} ({int(y.sum())} of {len(y)} experiments):")
    box.inspect()
    assert y.sum() > 0 and box.coverage > 0, "PRIM found no box"


if __name__ == "__main__":
    main()

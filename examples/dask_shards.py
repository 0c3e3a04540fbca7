#!/usr/bin/env python3
"""A sweep split into shards on a Dask cluster, merged, and checked equal to
the same sweep run in one call.

`brink.run_shard(scenario, design, (k, n))` runs the contiguous slice of
points that shard k of n owns (the same slices as `brink sweep --shard
k/n`); because every point shares the trial streams (common random
numbers) and trials are seeded by their index, concatenating the shards in
order gives exactly `brink.sweep`'s tables, whichever worker ran what.

    pip install ./python -r python/requirements-examples.txt
    python3 examples/dask_shards.py

The cluster is local (two worker processes on 127.0.0.1); point `Client`
at a real scheduler to spread the shards over machines.
"""

import itertools
import time

import pandas as pd
from dask.distributed import Client, LocalCluster

import brink

SHARDS = 6
TRIALS = 400
SEED = 20240124

# A 4 x 3 grid: US answer proportionality x how fast the Gaza war ends.
DESIGN = pd.DataFrame(
    list(itertools.product([0.75, 1.0, 1.3, 2.0], [0.002, 0.0055, 0.02])),
    columns=["dyads.us_kh.response.proportionality", "drivers.gaza_war.end_hazard"],
)


def shard(k):
    """One task: shard k of SHARDS, on one thread (Dask runs tasks side by side)."""
    return brink.run_shard("us_iraq_2024", DESIGN, (k, SHARDS), trials=TRIALS, seed=SEED, threads=1)


def main():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster) as client:
        t0 = time.perf_counter()
        futures = client.map(shard, range(SHARDS))
        parts = client.gather(futures)
        secs = time.perf_counter() - t0
    trials = pd.concat([p.trials for p in parts], ignore_index=True)
    summary = pd.concat([p.summary for p in parts], ignore_index=True)
    print(f"{SHARDS} shards of {len(DESIGN)} points x {TRIALS} trials on 2 Dask workers: {secs:.1f} s")

    t0 = time.perf_counter()
    whole = brink.sweep("us_iraq_2024", DESIGN, trials=TRIALS, seed=SEED)
    print(f"the same sweep in one call: {time.perf_counter() - t0:.1f} s")
    pd.testing.assert_frame_equal(trials, whole.trials, check_exact=True)
    pd.testing.assert_frame_equal(summary, whole.summary, check_exact=True)
    print(f"merged shards equal the sweep: {len(trials)} trial rows, {len(summary)} summary rows")

    # The agreement is a milestone: reached when its step is recorded.
    share = (trials.assign(agreement=trials["milestone_agreement_step"].notna())
             .groupby(list(DESIGN.columns))["agreement"].mean().unstack())
    print("\nP(agreement reached) by US proportionality (rows) and Gaza war end hazard (columns):")
    print(share.round(3).to_string())


if __name__ == "__main__":
    main()

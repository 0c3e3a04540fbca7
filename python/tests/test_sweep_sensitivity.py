"""A sweep's sensitivity.csv from Python (issue 14): ``brink.sweep`` and
``brink.run_shard`` expose it as ``Result.sensitivity`` (the CLI's bytes
through ``write_csv``), shards concatenate to it, ``brink.merge`` keeps it
and refuses a spoiled shard, and ``read_run`` reads it back.

Needs the CLI, found by brink.find_cli (see test_native.py).
"""

import os
import subprocess

import numpy as np
import pandas as pd
import pytest

import brink

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
#: A path the flagship draws (lognormal prior): swept, it leaves the blocks.
SWEPT = "dyads.kh_us.initiative.rate"
DESIGN = pd.DataFrame({SWEPT: [0.5, 0.8, 1.2]})
FIXED = {"scenario.horizon": 60}
COLUMNS = ["point", SWEPT, "output", "parameter", "index", "se", "raw", "classes", "n"]


@pytest.fixture(scope="module")
def cli():
    path = brink.find_cli(REPO)
    if path is None or not path.exists():
        pytest.fail("no brink CLI: run `cargo build --release` or set BRINK_BIN")
    return str(path)


def cli_sweep(cli, out, *extra):
    design = os.path.join(os.path.dirname(out), "design_in.csv")
    with open(design, "w", encoding="utf-8") as f:
        f.write(SWEPT + "\n" + "".join(brink.fmt_real(v) + "\n" for v in DESIGN[SWEPT]))
    subprocess.run([cli, "sweep", "us_iraq_2024", "--design", design, "--trials", "300", "--seed", "5",
                    "--set", "scenario.horizon=60", "--quiet", "--out", str(out), *extra],
                   cwd=REPO, check=True, capture_output=True, text=True)


def test_sweep_exposes_the_cli_sensitivity_bytes(cli, tmp_path):
    r = brink.sweep("us_iraq_2024", DESIGN, trials=300, seed=5, set=FIXED)
    s = r.sensitivity
    assert s is not None
    assert list(s.columns) == COLUMNS
    assert s["point"].dtype == np.int64 and s["n"].dtype == np.int64 and s["index"].dtype == np.float64
    assert list(s["point"].drop_duplicates()) == [0, 1, 2]
    assert SWEPT not in set(s["parameter"])
    # Each block is the same parameters and outputs, in the same order.
    blocks = [g[["output", "parameter"]].reset_index(drop=True) for _, g in s.groupby("point")]
    for b in blocks[1:]:
        pd.testing.assert_frame_equal(b, blocks[0])
    out = tmp_path / "cli"
    cli_sweep(cli, out)
    brink.write_csv(r, tmp_path / "py")
    for f in ["trials.csv", "summary.csv", "sensitivity.csv"]:
        with open(tmp_path / "py" / f, encoding="utf-8") as a, open(out / f, encoding="utf-8") as b:
            assert a.read() == b.read(), f
    # read_run reads it back.
    back = brink.read_run(out)
    assert back.sensitivity is not None and len(back.sensitivity) == len(s)
    np.testing.assert_allclose(back.sensitivity["index"].to_numpy(), s["index"].to_numpy(), atol=5e-7)


def test_shards_concatenate_to_the_sweep_sensitivity():
    whole = brink.sweep("us_iraq_2024", DESIGN, trials=200, seed=3, set=FIXED)
    parts = [brink.run_shard("us_iraq_2024", DESIGN, (k, 3), trials=200, seed=3, set=FIXED) for k in range(3)]
    for k, p in enumerate(parts):
        assert set(p.sensitivity["point"]) == {k}
    got = pd.concat([p.sensitivity for p in parts], ignore_index=True)
    pd.testing.assert_frame_equal(got, whole.sensitivity, check_exact=True)


def test_nothing_uncertain_has_no_sensitivity():
    r = brink.sweep("ipd", {"game.noise": [0.0, 0.1]}, trials=20, seed=1)
    assert r.sensitivity is None
    assert brink.run(trials=50, seed=1).sensitivity is None  # runs: not exposed here


def test_merge_keeps_it_and_refuses_a_spoiled_shard(cli, tmp_path):
    whole = tmp_path / "whole"
    cli_sweep(cli, whole)
    shards = [tmp_path / f"s{k}" for k in range(3)]
    for k, d in enumerate(shards):
        cli_sweep(cli, d, "--shard", f"{k}/3")
    m = brink.merge(list(reversed(shards)), tmp_path / "merged")
    assert m.manifest["sensitivity"] is True and m.manifest["shard"] == {"k": 0, "n": 1}
    for f in ["trials.csv", "summary.csv", "sensitivity.csv"]:
        with open(whole / f, "rb") as a, open(tmp_path / "merged" / f, "rb") as b:
            assert a.read() == b.read(), f
    assert list(m.sensitivity.columns) == COLUMNS
    assert list(m.sensitivity["point"].drop_duplicates()) == [0, 1, 2]
    # A truncated shard file: the CLI's message, nothing written.
    p = shards[1] / "sensitivity.csv"
    p.write_bytes(p.read_bytes()[:100])
    with pytest.raises(ValueError, match="does not match its run.json"):
        brink.merge(shards, tmp_path / "refused")
    assert not (tmp_path / "refused").exists()

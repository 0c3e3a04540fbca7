"""The native bindings against the CLI: same numbers for the same seed and
overrides, the same error messages, the documented sweep columns, and
shards that concatenate to the sweep.

Needs the CLI, found by brink.find_cli: $BRINK_BIN, PATH,
$CARGO_TARGET_DIR/release/brink, then target/release/brink of this
repository (`cargo build --release`).
"""

import glob
import os
import subprocess
import threading
import time

import numpy as np
import pandas as pd
import pytest

import brink

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SETS = {"dyads.us_kh.response.proportionality": 1.5, "drivers.gaza_war.end_hazard": 0.01}


@pytest.fixture(scope="session")
def cli():
    path = brink.find_cli(REPO)
    if path is None or not path.exists():
        looked = [str(p) for p in brink.cli_candidates(REPO)]
        pytest.fail(f"no brink CLI (looked in {looked}): run `cargo build --release` or set BRINK_BIN")
    return str(path)


def brink_cli(cli, *args, cwd=REPO):
    return subprocess.run([cli, *args], cwd=cwd, check=True, capture_output=True, text=True)


def cli_sets(sets):
    out = []
    for k, v in sets.items():
        out += ["--set", f"{k}={brink.fmt_real(v) if isinstance(v, float) else v}"]
    return out


def read_text(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def typed_trials(path, meta, prefix=()):
    """The CLI's trials.csv with the Python API's dtypes."""
    raw = pd.read_csv(path, float_precision="round_trip", dtype=str, keep_default_na=False)
    out = {}
    for c in prefix:
        out[c] = pd.to_numeric(raw[c]).to_numpy()
    out["trial"] = raw["trial"].astype(np.int64).to_numpy()
    out["outcome"] = pd.Categorical(raw["outcome"], categories=meta["outcomes"])
    out["end_step"] = raw["end_step"].astype(np.int64).to_numpy()
    statuses = ["not_started", "active", "paused", "agreement", "collapsed"]
    for name, kind in meta["metrics"].items():
        col = raw[name]
        if kind == "real":
            out[name] = np.array([float(x) if x else np.nan for x in col])
        elif kind == "status":
            out[name] = pd.Categorical([x or None for x in col], categories=statuses)
        elif kind == "step":
            out[name] = pd.array([int(x) if x else None for x in col], dtype="Int64")
        else:
            out[name] = col.astype(np.int64).to_numpy()
    return pd.DataFrame(out)


# ----------------------------------------------------------------------
# brink.run equals brink run


@pytest.mark.parametrize("scenario,sets", [(None, SETS), ("ipd", {"game.noise": 0.05}), ("us_iraq_2024", {})])
def test_run_equals_cli(cli, tmp_path, scenario, sets):
    out = tmp_path / "cli"
    args = ["run"] + ([scenario] if scenario else []) + ["--trials", "700", "--seed", "11"]
    brink_cli(cli, *args, *cli_sets(sets), "--out", str(out), "--quiet")
    r = brink.run(scenario, trials=700, seed=11, set=sets)

    # The same numbers, bit for bit, in the documented dtypes.
    want = typed_trials(out / "trials.csv", r.meta)
    pd.testing.assert_frame_equal(r.trials, want, check_exact=True)
    assert r.trials["trial"].dtype == np.int64
    assert isinstance(r.trials["outcome"].dtype, pd.CategoricalDtype)

    # And the same bytes when written in the CLI's format.
    brink.write_csv(r, tmp_path / "py")
    for f in ["trials.csv", "summary.csv"]:
        assert read_text(tmp_path / "py" / f) == read_text(out / f), f

    import json

    cli_meta = json.loads(read_text(out / "run.json"))
    for k in ["seed", "trials", "overrides", "outcomes", "horizon", "scenario"]:
        assert r.meta[k] == cli_meta[k], k


def test_run_dtypes_and_summary():
    r = brink.run(trials=300, seed=3)
    t = r.trials
    assert list(t.columns[:3]) == ["trial", "outcome", "end_step"]
    assert t["first_death_step_us"].dtype == pd.Int64Dtype()
    assert t["talks_hmc_agreement_step"].isna().any()
    assert isinstance(t["talks_hmc_status"].dtype, pd.CategoricalDtype)
    assert t["events_kh_us"].dtype == np.int64
    assert t["severity_kh_us"].dtype == np.int64  # whole severity weights: a count
    s = r.summary
    assert list(s.columns) == ["kind", "name", "category", "count", "probability", "ci_low", "ci_high",
                               "mean", "sd", "min", "p5", "p25", "p50", "p75", "p95", "max"]
    outcomes = s[s["kind"] == "outcome"]
    assert outcomes["count"].sum() == 300
    assert list(outcomes["name"]) == r.meta["outcomes"]


def test_threads_do_not_change_results():
    a = brink.run(trials=500, seed=5, threads=1)
    b = brink.run(trials=500, seed=5, threads=2)
    pd.testing.assert_frame_equal(a.trials, b.trials, check_exact=True)
    pd.testing.assert_frame_equal(a.summary, b.summary, check_exact=True)


def test_gil_is_released_while_trials_run():
    ticks = 0
    done = threading.Event()

    def work():
        brink.run(trials=20000, seed=1, threads=1)
        done.set()

    t = threading.Thread(target=work)
    t0 = time.perf_counter()
    t.start()
    while not done.is_set():
        ticks += 1
        time.sleep(0.001)
    t.join()
    # Holding the GIL for the whole run would leave this thread a tick or two.
    assert time.perf_counter() - t0 > 0.2
    assert ticks > 20


def test_params_equal_cli(cli):
    got = brink.params("ipd", set={"game.noise": 0.1})
    lines = brink_cli(cli, "params", "ipd", "--set", "game.noise=0.1").stdout.splitlines()
    mine = [f"{p} = {v}  # {m}" for p, v, m, *_ in got.itertuples(index=False)]
    assert mine == lines
    assert list(got.columns) == ["path", "value", "meaning", "distribution", "mean", "p5", "p95",
                                 "inherited_from"]


UNCERTAIN = {"drivers.gaza_war.end_hazard": "beta:mean=0.0055,sd=0.002",
             "outcomes.spiral.threshold": "uniform:lower=75,upper=125"}


def test_params_show_distributions():
    got = brink.params(set=UNCERTAIN).set_index("path")
    row = got.loc["outcomes.spiral.threshold"]
    assert row["distribution"] == "uniform:lower=75,upper=125"
    assert row["mean"] == 100 and row["p5"] == 77.5 and row["p95"] == 122.5
    # The flagship carries its priors; a --set distribution replaces one in
    # place, so the count of distributions is the flagship's own.
    base = brink.params().set_index("path")
    assert base.loc["outcomes.spiral.threshold", "distribution"] != row["distribution"]
    assert got["distribution"].notna().sum() == base["distribution"].notna().sum() > 2


def test_run_returns_parameter_columns_and_point_drops_them():
    r = brink.run(trials=200, seed=4, set=UNCERTAIN)
    t = r.trials
    # Parameter columns come last, in file order; both set paths are among
    # the flagship's own uncertain parameters.
    drawn = [c for c in t.columns if "." in c]
    assert drawn == list(t.columns[-len(drawn):])
    assert {"drivers.gaza_war.end_hazard", "outcomes.spiral.threshold"} <= set(drawn)
    assert t["outcomes.spiral.threshold"].between(75, 125).all()
    assert t["outcomes.spiral.threshold"].nunique() == 200
    p = brink.run(trials=200, seed=4, set=UNCERTAIN, point=True)
    assert "outcomes.spiral.threshold" not in p.trials.columns
    nested = brink.run(trials=200, seed=4, set=UNCERTAIN, draws_per_param=50)
    assert nested.trials["outcomes.spiral.threshold"].nunique() == 4


# ----------------------------------------------------------------------
# Errors


INVALID = sorted(glob.glob(os.path.join(REPO, "tests", "data", "invalid", "*.toml")))


@pytest.mark.parametrize("path", INVALID, ids=[os.path.basename(p) for p in INVALID])
def test_invalid_scenarios_raise_the_cli_message(path, monkeypatch):
    monkeypatch.chdir(REPO)
    rel = os.path.relpath(path, REPO)
    with pytest.raises(brink.ScenarioError) as ei:
        brink.params(rel)
    e = ei.value
    assert isinstance(e, ValueError)
    expected = " ".join(read_text(path[: -len(".toml")] + ".stderr").split())
    headline = str(e).splitlines()[0]
    assert " ".join(headline.split()) in expected
    if e.help:
        assert " ".join(e.help.split()) in expected
    assert e.file


def test_error_carries_file_line_column(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.toml").write_text('include = "ipd"\n[game]\nnoise = "loud"\n')
    with pytest.raises(brink.ScenarioError) as ei:
        brink.run("bad.toml", trials=10)
    e = ei.value
    assert (e.file, e.line) == ("bad.toml", 3)
    assert e.column >= 1
    assert str(e).startswith(f"bad.toml:3:{e.column}: `game.noise`: ")


def test_bad_override_and_unknown_scenario():
    with pytest.raises(brink.ScenarioError, match="did you mean `dyads.kh_us.initiative.rate`"):
        brink.run(trials=10, set={"dyads.kh_us.initiative.rat": 1})
    with pytest.raises(brink.ScenarioError, match="give a scenario file, or a built-in"):
        brink.run("no_such_scenario", trials=10)
    with pytest.raises(brink.ScenarioError, match=r"design point 1 \("):
        brink.sweep(None, {"dyads.us_kh.response.proportionality": [1.0, -3.0]}, trials=10)


# ----------------------------------------------------------------------
# Sweeps and shards

DESIGN = pd.DataFrame({
    "dyads.us_kh.response.proportionality": [0.75, 1.0, 1.3, 2.0, 0.5],
    "drivers.gaza_war.end_hazard": [0.002, 0.01, 0.0000001, 0.02, 0.005],
})


def test_sweep_columns_and_crn():
    r = brink.sweep(None, DESIGN, trials=200, seed=9)
    paths = list(DESIGN.columns)
    t = r.trials
    assert list(t.columns[:4 + len(paths)]) == ["point", *paths, "trial", "outcome", "end_step"]
    # A swept path's value overrides its prior, so it is no parameter column.
    run_cols = [c for c in brink.run(trials=1).trials.columns if c not in paths]
    assert list(t.columns[1 + len(paths):]) == run_cols
    assert len(t) == 5 * 200
    assert t["point"].dtype == np.int64 and t[paths[0]].dtype == np.float64
    assert list(r.summary.columns[:1 + len(paths)]) == ["point", *paths]
    for _, g in t.groupby("point"):
        assert list(g["trial"]) == list(range(200))
    # A point equals a run with the point's overrides (common random numbers).
    one = brink.run(trials=200, seed=9, set=dict(DESIGN.iloc[3]))
    got = t[t["point"] == 3].drop(columns=["point", *paths]).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, one.trials, check_exact=True)


def test_sweep_equals_cli(cli, tmp_path):
    design = tmp_path / "design.csv"
    design.write_text(",".join(DESIGN.columns) + "\n"
                      + "".join(",".join(brink.fmt_real(v) for v in row) + "\n"
                                for row in DESIGN.itertuples(index=False)))
    out = tmp_path / "cli"
    brink_cli(cli, "sweep", "us_iraq_2024", "--design", str(design), "--trials", "150", "--seed", "4",
              "--set", "tracks.hmc.progress.rate=0.01", "--out", str(out), "--quiet")
    r = brink.sweep("us_iraq_2024", DESIGN, trials=150, seed=4, set={"tracks.hmc.progress.rate": 0.01})
    brink.write_csv(r, tmp_path / "py")
    for f in ["trials.csv", "summary.csv"]:
        assert read_text(tmp_path / "py" / f) == read_text(out / f), f


@pytest.mark.parametrize("n", [1, 2, 3, 7])
def test_shards_concatenate_to_the_sweep(n):
    whole = brink.sweep(None, DESIGN, trials=120, seed=2)
    parts = [brink.run_shard(None, DESIGN, (k, n), trials=120, seed=2) for k in range(n)]
    for k, p in enumerate(parts):
        assert set(p.trials["point"]) == set(brink.shard_points((k, n), len(DESIGN)))
    # Shards past the last point are empty. pandas 3 infers `str` for a
    # non-empty object column but keeps an empty one `object`, and concat
    # then falls back to `object`: leave the empty shards out, as a user would.
    parts = [p for p in parts if len(p.trials)]
    trials = pd.concat([p.trials for p in parts], ignore_index=True)
    summary = pd.concat([p.summary for p in parts], ignore_index=True)
    pd.testing.assert_frame_equal(trials, whole.trials, check_exact=True)
    pd.testing.assert_frame_equal(summary, whole.summary, check_exact=True)


def test_design_as_dict_and_bad_shard():
    r = brink.sweep("ipd", {"game.noise": [0.0, 0.1]}, trials=50, seed=1)
    assert list(r.trials.columns[:2]) == ["point", "game.noise"]
    assert sorted(set(r.trials["point"])) == [0, 1]
    with pytest.raises(ValueError):
        brink.run_shard("ipd", {"game.noise": [0.0]}, (2, 2), trials=5)


def test_ctrl_c_interrupts_a_run():
    code = (
        "import brink, os, signal, threading, time\n"
        "threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT)).start()\n"
        "t = time.time()\n"
        "try:\n"
        "    brink.run(trials=5_000_000, threads=1)\n"
        "except KeyboardInterrupt:\n"
        "    print('interrupted', time.time() - t)\n"
    )
    import sys

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd="/")
    assert out.stdout.startswith("interrupted"), out.stdout + out.stderr
    assert float(out.stdout.split()[1]) < 10


# ----------------------------------------------------------------------
# Arguments pass through the CLI's checks (issue 13)


@pytest.mark.parametrize("kwargs, message", [
    (dict(trials=-5), "--trials: expected at least 1 trial, found -5"),
    (dict(trials=0), "--trials: expected at least 1 trial, found 0"),
    (dict(trials=10**30), "--trials: expected at most 9007199254740992 (2^53) trials"),
    (dict(trials=2**53 + 1), "--trials: expected at most 9007199254740992 (2^53) trials"),
    (dict(trials=10, seed=-1), "--seed: expected a whole number from 0 to 2^64 - 1, found -1"),
    (dict(trials=10, threads=-2), "--threads: expected a number of worker threads from 0 to 4096"),
    (dict(trials=10, threads=10**12), "--threads: expected at most 4096 worker threads"),
])
def test_bad_arguments_get_the_cli_message(kwargs, message):
    with pytest.raises(brink.ScenarioError) as ei:
        brink.run(**kwargs)
    assert message in str(ei.value)
    assert isinstance(ei.value, ValueError)
    assert ei.value.kind == "bad_flag"
    with pytest.raises(brink.ScenarioError, match=message.replace("(", r"\(").replace(")", r"\)").replace("^", r"\^")):
        brink.sweep(None, {"scenario.horizon": [10]}, **kwargs)


def test_a_bad_shard_gets_the_cli_message():
    with pytest.raises(ValueError, match="--shard `-1/2`: expected K/N"):
        brink.run_shard("ipd", {"game.noise": [0.0]}, (-1, 2), trials=5)
    with pytest.raises(ValueError, match="--shard"):
        brink.shard_points((3, 2), 10)


@pytest.mark.parametrize("name, kind", [
    ("unknown_key", "unknown_key"),
    ("wrong_type", "wrong_type"),
    ("unknown_actor", "unknown_id"),
    ("include_cycle", "include_cycle"),
    ("probability_out_of_range", "out_of_range"),
    ("syntax", "syntax"),
])
def test_scenario_errors_carry_a_kind_and_a_path(name, kind, monkeypatch):
    monkeypatch.chdir(REPO)
    with pytest.raises(brink.ScenarioError) as ei:
        brink.params(os.path.join("tests", "data", "invalid", name + ".toml"))
    e = ei.value
    assert e.kind == kind, (e.kind, str(e))
    assert e.path == e.key
    assert e.line is None or e.line >= 1
    assert e.column is None or e.column >= 1


def test_find_cli_order(tmp_path, monkeypatch):
    fake = tmp_path / "rel" / "release"
    fake.mkdir(parents=True)
    (fake / "brink").write_text("#!/bin/sh\n")
    monkeypatch.delenv("BRINK_BIN", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    monkeypatch.setenv("CARGO_TARGET_DIR", str(tmp_path / "rel"))
    assert brink.find_cli(tmp_path / "repo") == fake / "brink"
    monkeypatch.setenv("BRINK_BIN", "/explicit/brink")
    assert str(brink.find_cli(tmp_path / "repo")) == "/explicit/brink"


# ----------------------------------------------------------------------
# Scores (issue 16): brink.score is brink score


def test_score_matches_the_cli(cli, tmp_path):
    run_dir = tmp_path / "run"
    brink_cli(cli, "run", "us_iraq_2023_backtest", "--trials", "300", "--seed", "5", "-q", "--out", str(run_dir))
    observed = os.path.join(REPO, "tests", "data", "observed", "us_iraq_2023_backtest.toml")
    brink_cli(cli, "score", str(run_dir), "--observed", observed, "-q", "-o", str(tmp_path / "cli.csv"))
    got = brink.score(run_dir, observed, out=tmp_path / "py.csv")
    assert (tmp_path / "py.csv").read_bytes() == (tmp_path / "cli.csv").read_bytes()
    assert len(got) > 0 and got.equals(pd.read_csv(tmp_path / "cli.csv"))


def test_score_of_a_directory_without_a_run_raises(tmp_path):
    observed = os.path.join(REPO, "tests", "data", "observed", "us_iraq_2023_backtest.toml")
    with pytest.raises(ValueError) as ei:
        brink.score(tmp_path, observed)
    assert "run.json" in str(ei.value)
    assert not (tmp_path / "score.csv").exists()


# ----------------------------------------------------------------------
# engine15: keys a regime inherits from its dyad


def test_params_list_what_a_regime_inherits():
    # The scenario tests/params.rs reads too.
    path = os.path.join(REPO, "tests", "data", "regime_inherit.toml")
    got = brink.params(path).set_index("path")
    calm = "dyads.a_b.regimes.calm.response."
    # calm sets threshold: its own, not inherited; it keeps delay and pi.
    assert pd.isna(got.loc[calm + "threshold", "inherited_from"])
    assert got.loc[calm + "delay", "inherited_from"] == "dyads.a_b.response.delay"
    assert got.loc[calm + "delay", "value"] == "3"
    # calm leaves pi out: it takes the dyad's draw per trial (regimedraw).
    assert got.loc[calm + "proportionality", "value"] == "1.0"
    assert got.loc[calm + "proportionality", "distribution"] == "uniform:lower=0.5,upper=1.5"
    # hot has no response table: it answers with the dyad's rule, drawn.
    hot = got.loc["dyads.a_b.regimes.hot.response.proportionality"]
    assert hot["inherited_from"] == "dyads.a_b.response.proportionality"
    assert hot["distribution"] == "uniform:lower=0.5,upper=1.5"
    assert got.loc["dyads.a_b.regimes.hot.response.threshold", "value"] == "2.0"

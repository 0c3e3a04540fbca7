"""brink.calibrate (issue 16 item 5) against `brink calibrate`: the same
bytes for the same settings, the files read back as the returned frames,
and bad input raising ValueError with nothing written.

The scenario and record are the conjugate gamma-Poisson case of
tests/calibrate_cli.rs (whose posterior the command's test checks against
the exact one; examples/pyabc_calibration.py checks it against pyabc).
"""

import json
import math
import subprocess

import numpy as np
import pytest

import brink

SCENARIO = """
[scenario]
name = "conjugate"
horizon = 20
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
observations = [{ step = 19, value = 14 }]
"""

PATH = "dyads.b_a.initiative.rate"
SETTINGS = dict(population=200, seed=5, max_generations=3, predictive=200)
FLAGS = ["--population", "200", "--seed", "5", "--max-generations", "3", "--predictive", "200"]
STOP_WORDS = {
    "tolerance": "the tolerance reached --min-tolerance",
    "acceptance": "the acceptance rate fell below --min-acceptance",
    "budget": "the next generation would have run past --max-simulations",
    "generations": "--max-generations generations ran",
}
FILES = ["posterior.csv", "calibration.json", "predictive.csv"]


@pytest.fixture()
def case(tmp_path):
    s = tmp_path / "poisson.toml"
    r = tmp_path / "record.toml"
    s.write_text(SCENARIO)
    r.write_text(RECORD)
    return s, r


def test_binding_writes_the_commands_bytes_and_returns_them(case, tmp_path, brink_bin):
    s, r = case
    cli_out = tmp_path / "cli"
    subprocess.run([str(brink_bin), "calibrate", str(s), "--observed", str(r), "-o", str(cli_out), "-q",
                    "-j", "2", *FLAGS], check=True, capture_output=True)
    py_out = tmp_path / "py"
    cal = brink.calibrate(str(s), r, out=py_out, threads=1, **SETTINGS)
    for f in FILES:
        assert (cli_out / f).read_bytes() == (py_out / f).read_bytes(), f"{f} differs from the command's"
    assert cal.out == str(py_out)
    # The frames and the dict are the files.
    assert list(cal.posterior.columns) == ["particle", "weight", PATH]
    assert len(cal.posterior) == 200
    assert math.isclose(cal.posterior["weight"].sum(), 1.0, rel_tol=1e-9)
    assert (cal.posterior[PATH] > 0).all()
    assert cal.record == json.loads((py_out / "calibration.json").read_text())
    assert cal.record["parameters"] == [PATH]
    assert cal.record["settings"]["population"] == 200
    assert len(cal.record["generations"]) <= 3
    assert cal.stop == STOP_WORDS[cal.record["stop"]]
    w = cal.posterior["weight"].to_numpy()
    mean = float(np.sum(w * cal.posterior[PATH].to_numpy()))
    assert math.isclose(cal.record["priors"][0]["posterior"]["mean"], mean, rel_tol=1e-9)
    assert cal.predictive["quantity"].tolist() == ["shots"]
    assert int(cal.predictive["observed"].iloc[0]) == 14


def test_without_out_the_files_go_to_a_removed_temporary_directory(case, tmp_path, monkeypatch):
    s, r = case
    monkeypatch.chdir(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    cal = brink.calibrate(str(s), str(r), threads=1, params=PATH, **SETTINGS)
    assert cal.out is None
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no out/ here
    ref = brink.calibrate(str(s), str(r), out=tmp_path / "ref", threads=2, **SETTINGS)
    assert cal.posterior.equals(ref.posterior)  # thread count and out do not matter
    assert cal.record == ref.record


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (dict(population=1), ValueError, "population"),
        (dict(population=-3), brink.ScenarioError, "--population"),
        (dict(population=2.5), brink.ScenarioError, "expected a whole number"),
        (dict(replicates=0), ValueError, "replicates"),
        (dict(quantile=1.5), ValueError, "quantile"),
        (dict(quantile="half"), brink.ScenarioError, "--quantile: expected a number, found 'half'"),
        (dict(quantile=True), brink.ScenarioError, "--quantile: expected a number"),
        (dict(min_acceptance=-0.1), ValueError, "min_acceptance"),
        (dict(min_tolerance=float("nan")), ValueError, "min_tolerance"),
        (dict(max_generations=0), ValueError, "max_generations"),
        (dict(seed=-1), brink.ScenarioError, "--seed"),
        (dict(threads=10**9), brink.ScenarioError, "--threads"),
        (dict(params="actors.*"), ValueError, "--params"),
        (dict(set={"dyads.b_a.initiative.rat": 1}), brink.ScenarioError, "rate"),
    ],
)
def test_bad_input_raises_and_writes_nothing(case, tmp_path, kwargs, exc, match):
    s, r = case
    out = tmp_path / "never"
    with pytest.raises(exc, match=match):
        brink.calibrate(str(s), str(r), out=out, **kwargs)
    assert not out.exists()


def test_bad_files_raise_and_write_nothing(case, tmp_path):
    s, r = case
    out = tmp_path / "never"
    with pytest.raises(ValueError, match="cannot read the observed record"):
        brink.calibrate(str(s), tmp_path / "missing.toml", out=out)
    bad = tmp_path / "bad.toml"
    bad.write_text(RECORD.replace('metric = "events"', 'metric = "eventz"'))
    with pytest.raises(ValueError, match="bad.toml"):
        brink.calibrate(str(s), bad, out=out)
    with pytest.raises(brink.ScenarioError):
        brink.calibrate(str(tmp_path / "nope.toml"), r, out=out)
    with pytest.raises(ValueError, match="resume=True needs the out directory"):
        brink.calibrate(str(s), r, resume=True)
    assert not out.exists()

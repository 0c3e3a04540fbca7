"""Fixtures: small real runs of the brink CLI (built with cargo if missing)."""

import os
import subprocess
from pathlib import Path

import pytest

import brink

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def brink_bin() -> Path:
    """The CLI as brink.find_cli finds it ($BRINK_BIN, PATH,
    $CARGO_TARGET_DIR, target/), built with cargo if there is none."""
    exe = brink.find_cli(REPO)
    if exe is None:
        subprocess.run(["cargo", "build", "--release", "--locked"], cwd=REPO, check=True)
        exe = brink.find_cli(REPO)
    if exe is None or not exe.exists():
        pytest.fail(f"no brink CLI in {[str(p) for p in brink.cli_candidates(REPO)]}")
    return exe


@pytest.fixture(scope="session")
def flagship_dir(brink_bin, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("flagship")
    subprocess.run(
        [brink_bin, "run", "--trials", "500", "--seed", "7", "--timeline", "40", "--quiet", "--out", out],
        check=True,
    )
    return out


@pytest.fixture(scope="session")
def sweep_dir(brink_bin, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sweep")
    subprocess.run(
        [brink_bin, "sweep", "--grid", "dyads.us_kh.response.proportionality=0.5,1.5",
         "--grid", "drivers.gaza_war.end_hazard=0.002,0.02",
         "--trials", "200", "--seed", "7", "--quiet", "--out", out],
        check=True,
    )
    return out

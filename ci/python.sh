#!/usr/bin/env bash
# The Python package (python/, issue 10) in a venv: ci/wheel.sh builds
# brink._brink with maturin from the repository's Rust sources (sharing
# target/ with cargo), the venv installs that wheel, then the pytest suite
# (which compares against the CLI, so the release binary is built first:
# fresh after `cargo test --release`), the EMA Workbench, Dask, sweep and
# SALib examples, and the pyabc oracle for brink calibrate.
# Usage: bash ci/python.sh [VENV_DIR]   (default target/py-venv)
set -euo pipefail
cd "$(dirname "$0")/.."
t0=$(date +%s)
venv=${1:-target/py-venv}

echo "== python: CLI for the comparison tests"
cargo build --release --locked --bin brink
export BRINK_BIN=$PWD/target/release/brink

echo "== python: venv $venv (examples' pinned requirements, wheels only)"
bash ci/venv.sh "$venv" -r python/requirements-examples.txt

echo "== python: install the brink wheel (maturin builds it once: ci/wheel.sh)"
t1=$(date +%s)
wheel=$(bash ci/wheel.sh)
"$venv/bin/pip" install -q --disable-pip-version-check --no-deps --force-reinstall "$wheel"
echo "wheel build and install: $(( $(date +%s) - t1 )) s"

echo "== python: tests (run from the repo root: the installed package, not python/brink)"
"$venv/bin/python" -m pytest -q -p no:cacheprovider --import-mode=importlib python/tests

echo "== python: EMA Workbench example (LHS + PRIM)"
"$venv/bin/python" examples/ema_workbench.py

echo "== python: Dask example (shards on a local cluster, merged = sweep)"
"$venv/bin/python" examples/dask_shards.py

echo "== python: sweeps from Python (a 3 x 3 grid, a 64-point LHS) and a SALib Sobol analysis"
"$venv/bin/python" examples/sweeps.py
"$venv/bin/python" examples/sobol.py

# uncert2 (issue 14): brink's single-run drivers vs SALib's Sobol' S1 on a
# Saltelli design run through brink sweep, within z = 4 combined SEs.
echo "== python: SALib end-to-end oracle for sensitivity.csv"
"$venv/bin/python" examples/salib_oracle.py

# pyabc branch: pyabc's ABCSMC (model = one brink.run trial) against
# `brink calibrate` and brink.calibrate on the conjugate gamma-Poisson case.
echo "== python: pyabc oracle for brink calibrate (exact gamma posterior, z = 4)"
t1=$(date +%s)
"$venv/bin/python" examples/pyabc_calibration.py
echo "pyabc example: $(( $(date +%s) - t1 )) s"

echo "== python: done in $(( $(date +%s) - t0 )) s"

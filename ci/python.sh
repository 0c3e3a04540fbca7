#!/usr/bin/env bash
# The Python package (python/, issue 10) in a fresh venv: `pip install
# ./python` builds brink._brink with maturin from the repository's Rust
# sources, then the pytest suite (which compares against the CLI, so the
# release binary is built first), the EMA Workbench, Dask, sweep and SALib
# examples, and the pyabc oracle for brink calibrate.
# Usage: bash ci/python.sh [VENV_DIR]   (default target/py-venv)
set -euo pipefail
cd "$(dirname "$0")/.."
t0=$(date +%s)
venv=${1:-target/py-venv}

echo "== python: CLI for the comparison tests"
cargo build --release --locked --bin brink
export BRINK_BIN=$PWD/target/release/brink

echo "== python: fresh venv in $venv"
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q --upgrade pip
"$venv/bin/pip" install -q -r python/requirements-examples.txt

echo "== python: pip install ./python (maturin builds the extension)"
t1=$(date +%s)
"$venv/bin/pip" install -q ./python
echo "pip install ./python: $(( $(date +%s) - t1 )) s"

echo "== python: tests (run from the repo root: the installed package, not python/brink)"
"$venv/bin/python" -m pytest -q -p no:cacheprovider --import-mode=importlib python/tests

echo "== python: EMA Workbench example (LHS + PRIM)"
"$venv/bin/python" examples/ema_workbench.py

echo "== python: Dask example (shards on a local cluster, merged = sweep)"
"$venv/bin/python" examples/dask_shards.py

echo "== python: sweeps from Python (a 3 x 3 grid, a 64-point LHS) and a SALib Sobol analysis"
"$venv/bin/python" examples/sweeps.py
"$venv/bin/python" examples/sobol.py

# pyabc branch: pyabc's ABCSMC (model = one brink.run trial) against
# `brink calibrate` and brink.calibrate on the conjugate gamma-Poisson case.
echo "== python: pyabc oracle for brink calibrate (exact gamma posterior, z = 4)"
t1=$(date +%s)
"$venv/bin/python" examples/pyabc_calibration.py
echo "pyabc example: $(( $(date +%s) - t1 )) s"

echo "== python: done in $(( $(date +%s) - t0 )) s"

#!/usr/bin/env bash
# Runs the sweep examples from Python: examples/sweeps.py (standard
# library: a 3 x 3 grid and a 64-point LHS) and examples/sobol.py (SALib:
# sample, brink sweep, analyze; prints Sobol indices), in a fresh venv.
# Usage (repo root, after cargo build --release): bash ci/examples.sh
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x target/release/brink ] || cargo build --release --locked
venv=target/venv-examples
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r examples/requirements.txt
"$venv/bin/python" examples/sweeps.py
"$venv/bin/python" examples/sobol.py

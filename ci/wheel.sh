#!/usr/bin/env bash
# Builds the Python package's wheel once into target/wheels and prints its
# path; ci/notebook.sh and ci/python.sh install that one file. maturin
# compiles in the workspace's target/ with the release profile, and
# ci/pins makes the features it resolves those of `cargo test --release`,
# so after the tests only pyo3 and the extension compile (ci/README.md).
# The wheel is abi3 (Python >= 3.9), so every venv takes the same file.
# A second call finds cargo fresh and only re-packs.
#
#   bash ci/wheel.sh    # prints target/wheels/brink-<version>-...whl
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf target/wheels
python3 -m pip wheel --quiet --disable-pip-version-check --no-deps -w target/wheels ./python >&2
ls target/wheels/brink-*.whl

#!/usr/bin/env bash
# CI for the analyst's notebook (issue 8): a venv with the pinned
# requirements and the `brink` wheel (ci/wheel.sh), the Python tests, then
# notebooks/flagship.ipynb executed top to bottom. Fails if any test or
# any cell fails. Writes results/figures/*.png and the executed copy
# target/notebook/flagship.executed.ipynb.
#
#   bash ci/notebook.sh            # from anywhere; needs python3 and cargo
#   VENV=/path bash ci/notebook.sh # reuse another venv
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS

VENV=${VENV:-target/venv}
echo "== notebook: venv $VENV (pinned requirements, wheels only) and the brink wheel"
bash ci/venv.sh "$VENV" -r notebooks/requirements.txt
wheel=$(bash ci/wheel.sh)
"$VENV/bin/pip" install --quiet --disable-pip-version-check --no-deps --force-reinstall "$wheel"

echo "== notebook: brink binary"
cargo build --release --locked --bin brink
export BRINK_BIN=$PWD/target/release/brink

echo "== notebook: python tests (pandas 3 here; ci/python.sh runs them under pandas 2)"
"$VENV/bin/python" -m pytest -q -p no:cacheprovider --import-mode=importlib python/tests

echo "== notebook: execute notebooks/flagship.ipynb"
mkdir -p target/notebook
# Kernel specs from the venv first, not from the user's home.
export JUPYTER_DATA_DIR="$PWD/$VENV/share/jupyter" JUPYTER_PLATFORM_DIRS=1
"$VENV/bin/python" - <<'PY'
import time
import nbformat
from nbclient import NotebookClient

src, dst = "notebooks/flagship.ipynb", "target/notebook/flagship.executed.ipynb"
nb = nbformat.read(src, as_version=4)
t = time.time()
try:
    NotebookClient(nb, timeout=900, kernel_name="python3",
                   resources={"metadata": {"path": "notebooks"}}).execute()
finally:
    nbformat.write(nb, dst)
print(f"executed {sum(c.cell_type == 'code' for c in nb.cells)} code cells in {time.time() - t:.1f} s -> {dst}")
PY
ls -l results/figures/*.png
echo "== notebook: done in $((SECONDS - start)) s"

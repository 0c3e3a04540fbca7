#!/usr/bin/env bash
# Makes (or reuses) the venv DIR and installs pinned requirements into it in
# one pip call, wheels only (`--only-binary :all:`: nothing is compiled, so
# the call is network-bound and can overlap cargo). Idempotent: a second
# call on a ready venv is a quick no-op, so .ci/run runs it early, in the
# background while clippy and the tests build, and each phase script calls
# it again before use.
#
#   bash ci/venv.sh DIR PIP_INSTALL_ARGS...   e.g. -r notebooks/requirements.txt
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$1
shift
[ -x "$dir/bin/python" ] || python3 -m venv "$dir"
"$dir/bin/python" -m pip install --quiet --disable-pip-version-check --only-binary :all: "$@"

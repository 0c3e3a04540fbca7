#!/usr/bin/env bash
# Installs what tests/sweep.rs needs to exercise real engines (GNU parallel
# and a single-node Slurm with munge; Debian 12) and runs those tests with
# BRINK_REQUIRE_ENGINES=1, so a missing engine fails instead of skipping.
# The Slurm test starts and stops its own cluster (ci/slurm-up.sh and
# ci/slurm-down.sh, by PID) in a temporary directory on ports 6817/6818.
# Usage (from the repository root): bash ci/sweep-engines.sh
set -euo pipefail
need=()
command -v parallel >/dev/null || need+=(parallel)
command -v slurmctld >/dev/null || need+=(slurm-wlm)
if [ ${#need[@]} -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
BRINK_REQUIRE_ENGINES=1 cargo test --release --test sweep

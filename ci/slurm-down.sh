#!/usr/bin/env bash
# Stops the cluster ci/slurm-up.sh started in $1: kills slurmd, slurmctld
# and (if slurm-up started it) munged by the PIDs in their pid files.
set -uo pipefail
D=$(realpath -m "${1:?usage: ci/slurm-down.sh DIR}")
stop() {
    [ -s "$1" ] || return 0
    local pid; pid=$(cat "$1")
    kill "$pid" 2>/dev/null || return 0
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
}
stop "$D/slurmd.pid"
stop "$D/slurmctld.pid"
if [ -f "$D/munge.started" ]; then
    stop /run/munge/munged.pid
    rm -f "$D/munge.started"
fi

#!/usr/bin/env bash
# Queues a sweep as a Slurm job array of N shards and a merge job that
# waits for all of them:
#
#   SWEEP_DIR=/scratch/me/sweep BRINK=$HOME/bin/brink examples/slurm/submit.sh 50
#
# With WAIT=1 it blocks until the merge job ends (and fails if it did).
# Extra sbatch options (partition, account) go in SBATCH_OPTS.
set -euo pipefail
N=${1:?usage: submit.sh NUMBER_OF_SHARDS}
here=$(cd "$(dirname "$0")" && pwd)
export SWEEP_DIR=$(realpath -m "${SWEEP_DIR:-sweep}")
mkdir -p "$SWEEP_DIR/logs" "$SWEEP_DIR/shards"
# shellcheck disable=SC2086
array=$(sbatch --parsable ${SBATCH_OPTS:-} --array="0-$((N - 1))" \
    --output="$SWEEP_DIR/logs/shard-%A_%a.out" "$here/sweep.sbatch")
array=${array%%;*}
wait_flag=()
[ "${WAIT:-0}" = 1 ] && wait_flag=(--wait)
# shellcheck disable=SC2086
merge=$(sbatch --parsable ${SBATCH_OPTS:-} "${wait_flag[@]}" --dependency="afterok:$array" \
    --kill-on-invalid-dep=yes --output="$SWEEP_DIR/logs/merge-%j.out" "$here/merge.sbatch")
echo "array job $array ($N shards), merge job ${merge%%;*}; merged files in $SWEEP_DIR/merged"

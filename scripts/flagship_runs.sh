#!/usr/bin/env bash
# Regenerates every number of docs/flagship.md in one command: runs the
# flagship, its point forecast, its counterfactuals, its first structure
# (v1) and its backtest, then scripts/flagship_report.py rewrites the
# generated block of docs/flagship.md (between the `generated:begin` and
# `generated:end` markers) and docs/figures/*.png.
#
# Usage: bash scripts/flagship_runs.sh [TRIALS] [OUT]
#
# Every run but `point` is brink run's default: the mixture over the
# priors and the calibrated posterior, nested with K = clamp(TRIALS/200,
# 1, 100) trials per parameter draw (docs/uncertainty.md), so each run
# gives the mixture with cluster-robust intervals, the 5-95 % spread of
# P(outcome | judgements) (run.json) and the drivers (sensitivity.csv).
# `point` is --point: every distribution at its median.
# Keep TRIALS at 20,000 or less on a shared 2-core machine (about 25 s a
# run there, 14 runs).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-20000}
out=${2:-target/flagship-report}
# The binary: $BRINK_BIN, else `brink` on PATH, else $CARGO_TARGET_DIR or
# target/ (built here), the order of brink.find_cli.
if [ -n "${BRINK_BIN:-}" ]; then
    b=$BRINK_BIN
elif command -v brink > /dev/null; then
    b=$(command -v brink)
else
    cargo build --release --quiet
    b=${CARGO_TARGET_DIR:-target}/release/brink
fi
mkdir -p "$out"
run() { echo "brink run $*" >&2; $b run "$@" -q > /dev/null; }
# The flagship with its windowed questions declared (the windows observe
# and change no draw: the same trials as scenarios/us_iraq_2024.toml).
w=scenarios/us_iraq_2024_windows.toml
run $w --trials "$n" --out "$out/base"
run $w --trials "$n" --point --out "$out/point"
# Before/after: the first structure (scenarios/examples/us_iraq_2024_v1.toml,
# which declares the same windows), and the revision as drafted, whose
# withdrawal demand drew daily noise on its threshold
# (scenarios/us_iraq_2024.toml says why that was dropped).
run scenarios/examples/us_iraq_2024_v1.toml --trials "$n" --out "$out/v1"
run $w --trials "$n" --out "$out/draft" \
    --set 'actors.iraq.actions.demand_withdrawal.noise_sd=triangular:lower=0,mode=5,upper=10' \
    --set actors.iraq.actions.hurry_talks.noise_sd=5
for f in scenarios/counterfactuals/*.toml; do
    name=$(basename "$f" .toml)
    case $name in ih_*) continue ;; esac
    run "$f" --trials "$n" --out "$out/$name"
done
run scenarios/us_iraq_2023_backtest.toml --trials 10000 --timeline 10000 --draws-per-param 1 --out "$out/backtest"
run scenarios/us_iraq_2023_backtest.toml --trials 10000 --point --out "$out/backtest_point"
echo "runs in $out" >&2
python3 scripts/flagship_report.py "$out" docs/flagship.md

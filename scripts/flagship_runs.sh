#!/usr/bin/env bash
# Runs the flagship and its counterfactuals for docs/flagship.md.
# Usage: bash scripts/flagship_runs.sh [TRIALS] [OUT] [K]
#
# Every run draws its parameters from the scenario's priors (the mixture),
# except `point` (--point: every distribution at its median, the point
# forecast before issue 14). `nested` runs K trials per parameter draw
# (--draws-per-param K), TRIALS/K draws, so each draw's outcome shares are
# estimated from K trials: the spread of P(outcome | judgements).
# Keep TRIALS at 20,000 or less on a shared 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-20000}
out=${2:-target/flagship-report}
k=${3:-100}
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
# One draw per trial for the mixture runs (brink run's default is nested,
# K = trials/200, docs/uncertainty.md): flagship_report.py's intervals and
# bootstrap treat their trials as independent.
run scenarios/us_iraq_2024.toml --trials "$n" --draws-per-param 1 --out "$out/base"
run scenarios/us_iraq_2024.toml --trials "$n" --point --out "$out/point"
# The point forecast before issue 14: --point, with the six posteriors set
# back to their means (the old point values; tests/priors.rs checks this
# reproduces the old golden files).
run scenarios/us_iraq_2024.toml --trials "$n" --point --out "$out/point_means" \
    --set ladder.harass.wound=0.04 --set ladder.harass.kill=0.002 \
    --set ladder.heavy.wound=0.25 --set ladder.heavy.kill=0.02 \
    --set dyads.us_kh.response.generosity_if_wounded=0.33 \
    --set dyads.us_nujaba.response.generosity_if_wounded=0.33
run scenarios/us_iraq_2024.toml --trials "$n" --draws-per-param "$k" --out "$out/nested"
for f in scenarios/counterfactuals/*.toml; do
    name=$(basename "$f" .toml)
    case $name in ih_*) continue ;; esac
    run "$f" --trials "$n" --draws-per-param 1 --out "$out/$name"
done
run scenarios/us_iraq_2023_backtest.toml --trials 10000 --timeline 10000 --draws-per-param 1 --out "$out/backtest"
run scenarios/us_iraq_2023_backtest.toml --trials 10000 --point --out "$out/backtest_point"
echo "runs in $out"

#!/usr/bin/env bash
# Runs the Israel-Hezbollah forecast, its counterfactuals, its backtest and
# a Morris screening of its main judgements, for docs/israel_hezbollah.md
# and docs/calibration.md.
# Usage: bash scripts/ih_runs.sh [TRIALS] [OUT]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10000}
out=${2:-target/ih-report}
cargo build --release --quiet
b=target/release/brink
mkdir -p "$out"
$b run israel_hezbollah_2024 --trials "$n" --timeline 1000 --out "$out/base" -q > /dev/null
for f in scenarios/counterfactuals/ih_*.toml; do
    name=$(basename "$f" .toml)
    $b run "$f" --trials "$n" --out "$out/$name" -q > /dev/null
done
$b run israel_hezbollah_2023_backtest --trials 10000 --timeline 2000 --out "$out/backtest" -q > /dev/null
# Morris elementary effects over the main judgements, each over its prior
# range as written in the scenario file (R = 10 trajectories, 4 levels).
$b sweep israel_hezbollah_2024 --sample morris:10 --seed 17 --trials 300 \
    --range drivers.gaza_war.end_hazard=0.00185:0.0167 \
    --range dyads.israel_hezbollah.hazard.intercept=-9:-6.5 \
    --range dyads.israel_hezbollah.hazard.slope=0.001:0.0025 \
    --range actors.israel.pressure.decay=0.9885:0.9977 \
    --range dyads.israel_hezbollah.initiative.drivers.gaza_war.inactive=0.01:0.3 \
    --range dyads.hezbollah_israel.initiative.drivers.gaza_war.inactive=0.001:0.02 \
    --range triggers.israel_red_line.probability=0.2:0.8 \
    --range triggers.iran_restrains.probability=0.2:0.8 \
    --range actors.hezbollah.obey=0.4:0.9 \
    --range tracks.border.progress.rate=0.00139:0.0111 \
    --out "$out/morris" -q > /dev/null
echo "runs in $out"

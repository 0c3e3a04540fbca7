#!/usr/bin/env bash
# Runs the flagship and its counterfactuals for docs/flagship.md.
# Usage: bash scripts/flagship_runs.sh [TRIALS] [OUT]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
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
$b run --trials "$n" --timeline 500 --out "$out/base" -q > /dev/null
for f in scenarios/counterfactuals/*.toml; do
    name=$(basename "$f" .toml)
    $b run "$f" --trials "$n" --out "$out/$name" -q > /dev/null
done
$b run us_iraq_2023_backtest --trials 10000 --timeline 10000 --out "$out/backtest" -q > /dev/null
echo "runs in $out"

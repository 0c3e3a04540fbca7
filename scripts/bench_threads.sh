#!/usr/bin/env bash
# 2-thread scaling of `brink run` writing trials.csv (issue 18: target
# >= 1.9x at 2 threads on a 2-core machine).
#
#   scripts/bench_threads.sh [TRIALS] [RUNS]      (defaults 100000 and 3)
#
# Runs the flagship TRIALS trials at --threads 1 and --threads 2, RUNS
# times each, alternating (1, 2, 1, 2, ...) so that a change of load hits
# both alike; prints each wall time, the median per thread count, the
# ratio of medians, and the load average before and after. Uses
# hyperfine when it is installed (same alternation is not possible there,
# so the loop is used by default). Wall clock is only meaningful on an
# idle machine: the script warns when the load average is above 0.5.
set -euo pipefail
cd "$(dirname "$0")/.."
TRIALS=${1:-100000}
RUNS=${2:-3}
BIN=${BRINK:-target/release/brink}
if [[ ! -x $BIN ]]; then
    cargo build --release --quiet
fi
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "brink $($BIN --version 2>/dev/null || echo '?'), flagship, $TRIALS trials writing trials.csv, $RUNS runs per thread count"
echo "cores: $(nproc), load average before: $(load)"
awk -v l="$(cut -d' ' -f1 /proc/loadavg)" 'BEGIN { if (l > 0.5) print "warning: load average " l " > 0.5: wall-clock figures are unreliable" }'
declare -a T1 T2
now() { date +%s.%N; }
for ((k = 1; k <= RUNS; k++)); do
    for t in 1 2; do
        rm -rf "$OUT/o"
        a=$(now)
        "$BIN" run --trials "$TRIALS" --threads "$t" --quiet --out "$OUT/o" >/dev/null
        b=$(now)
        s=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", b - a }')
        echo "run $k, $t thread(s): $s s"
        if [[ $t == 1 ]]; then T1+=("$s"); else T2+=("$s"); fi
    done
done
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
m1=$(median "${T1[@]}")
m2=$(median "${T2[@]}")
echo "median 1 thread: $m1 s ($(awk -v t="$TRIALS" -v s="$m1" 'BEGIN { printf "%.0f", t / s }') trials/s)"
echo "median 2 threads: $m2 s ($(awk -v t="$TRIALS" -v s="$m2" 'BEGIN { printf "%.0f", t / s }') trials/s)"
echo "speed-up at 2 threads: $(awk -v a="$m1" -v b="$m2" 'BEGIN { printf "%.3f", a / b }')x (target >= 1.9x)"
echo "load average after: $(load)"

#!/usr/bin/env bash
# 2-thread scaling of `brink run` writing trials.csv (issue 18: target
# >= 1.9x at 2 threads on a 2-core machine), measured against the
# machine's own ceiling.
#
#   scripts/bench_threads.sh [TRIALS] [RUNS] [-- extra run options]
#   (defaults 100000 and 3; e.g. `scripts/bench_threads.sh 40000 5 -- --point`)
#
# Each round runs, back to back:
#   1. TRIALS trials at --threads 1;
#   2. TRIALS trials at --threads 2;
#   3. the ceiling: two independent processes at --threads 1, TRIALS/2
#      trials each (different seeds), started together.
# Rounds alternate the three so that a change of load hits them alike,
# and the script prints each wall time, the medians, the speed-up of
# 2 threads and of the two processes over one thread, and the load
# average before and after.
#
# Why the ceiling: these are shared VMs. Whatever the host does to the
# two vCPUs (other tenants, frequency) slows two independent processes
# as much as two threads, so `2 threads / ceiling` is the share of the
# machine's parallel speed that the runner reaches, and it is far more
# stable than the raw speed-up (seen here: raw 1.44x to 1.90x on
# different hours, against ceilings of 1.47x to 1.94x in the same runs).
# Wall clock is only meaningful on an otherwise idle machine: the script
# warns when the load average is above 0.5.
set -euo pipefail
cd "$(dirname "$0")/.."
TRIALS=${1:-100000}
RUNS=${2:-3}
shift $(($# < 2 ? $# : 2))
[[ ${1:-} == -- ]] && shift
EXTRA=("$@")
HALF=$((TRIALS / 2))
BIN=${BRINK:-target/release/brink}
if [[ ! -x $BIN ]]; then
    cargo build --release --quiet
fi
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "brink $($BIN --version 2>/dev/null || echo '?'), flagship ${EXTRA[*]}, $TRIALS trials writing trials.csv, $RUNS rounds"
echo "cores: $(nproc), load average before: $(load)"
awk -v l="$(cut -d' ' -f1 /proc/loadavg)" 'BEGIN { if (l > 0.5) print "warning: load average " l " > 0.5: wall-clock figures are unreliable" }'
declare -a T1 T2 TP
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
for ((k = 1; k <= RUNS; k++)); do
    for t in 1 2; do
        rm -rf "$OUT/o"
        a=$(now)
        "$BIN" run "${EXTRA[@]}" --trials "$TRIALS" --threads "$t" --quiet --out "$OUT/o" >/dev/null
        s=$(secs "$a" "$(now)")
        echo "round $k, $t thread(s): $s s"
        if [[ $t == 1 ]]; then T1+=("$s"); else T2+=("$s"); fi
    done
    rm -rf "$OUT/o" "$OUT/p"
    a=$(now)
    "$BIN" run "${EXTRA[@]}" --trials "$HALF" --threads 1 --quiet --out "$OUT/o" >/dev/null &
    "$BIN" run "${EXTRA[@]}" --trials "$HALF" --seed 7 --threads 1 --quiet --out "$OUT/p" >/dev/null
    wait
    s=$(secs "$a" "$(now)")
    echo "round $k, 2 processes x $HALF trials x 1 thread: $s s"
    TP+=("$s")
done
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
m1=$(median "${T1[@]}")
m2=$(median "${T2[@]}")
mp=$(median "${TP[@]}")
rate() { awk -v t="$TRIALS" -v s="$1" 'BEGIN { printf "%.0f", t / s }'; }
echo "median 1 thread: $m1 s ($(rate "$m1") trials/s)"
echo "median 2 threads: $m2 s ($(rate "$m2") trials/s)"
echo "median 2 processes (ceiling): $mp s ($(rate "$mp") trials/s)"
echo "speed-up at 2 threads: $(awk -v a="$m1" -v b="$m2" 'BEGIN { printf "%.3f", a / b }')x (target >= 1.9x)"
echo "ceiling, 2 processes: $(awk -v a="$m1" -v b="$mp" 'BEGIN { printf "%.3f", a / b }')x"
echo "2 threads / ceiling: $(awk -v a="$mp" -v b="$m2" 'BEGIN { printf "%.1f", 100 * a / b }') %"
echo "load average after: $(load)"

#!/usr/bin/env bash
# Games against axelrod (issue 18: target >= 2,000x axelrod 4.14 matches
# per second per core, 200-round matches with noise 0.05): runs
# `benches/games.rs` (criterion, one thread) and `benches/axelrod_bench.py`
# back to back, then prints brink / axelrod per pair.
#
#   scripts/bench_games.sh [AXELROD_MATCHES]       (default 1000)
#
# axelrod is not a dependency of brink: it is installed in a throwaway
# virtual environment, $AXL (default /tmp/axl), if missing:
#   python3 -m venv /tmp/axl && /tmp/axl/bin/pip install axelrod==4.14.0
# Ratios are the figure to keep; absolute rates depend on the machine's
# load, printed before and after.
set -euo pipefail
cd "$(dirname "$0")/.."
MATCHES=${1:-1000}
AXL=${AXL:-/tmp/axl}
if [[ ! -x $AXL/bin/python ]] || ! "$AXL/bin/python" -c 'import axelrod' 2>/dev/null; then
    python3 -m venv "$AXL"
    "$AXL/bin/pip" install --quiet 'axelrod==4.14.0'
fi
LOG=$(mktemp)
trap 'rm -f "$LOG"' EXIT
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg), cores: $(nproc)"
cargo bench --quiet --bench games -- --warm-up-time 1 --measurement-time 4 2>/dev/null | tee "$LOG"
"$AXL/bin/python" benches/axelrod_bench.py "$MATCHES" | tee -a "$LOG"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
# criterion prints "<group>/<pair> ... thrpt: [lo mid hi] Kelem/s" (one
# element = one match); axelrod_bench.py prints "<pair>: <rate> matches/s".
awk '
    /ipd_200_rounds/ { split($1, a, "/"); pair = a[2] }
    /thrpt:/ && pair != "" {
        v = $(NF - 3); u = $(NF - 2)
        m = (u ~ /^Melem/) ? 1e6 : (u ~ /^Kelem/) ? 1e3 : 1
        brink[pair] = v * m; pair = ""
    }
    /matches\/s/ { sub(":", "", $1); axl[$1] = $2 }
    END {
        printf "%-16s %14s %14s %10s\n", "pair", "brink m/s", "axelrod m/s", "ratio"
        for (p in brink) if (p in axl) printf "%-16s %14.0f %14.1f %9.0fx\n", p, brink[p], axl[p], brink[p] / axl[p]
    }' "$LOG"

#!/usr/bin/env bash
# CI for `brink report` (issue 19): writes the report of a flagship run, a
# sweep and a calibration-like directory (tests/data/report/calibration),
# opens each in headless Chromium (Debian's `chromium` and
# `chromium-driver`, driven by selenium from a venv) at desktop and phone
# width, saves full-page screenshots to target/report-ci/, and FAILS if a
# page logs a console message of level warning or error, requests
# anything but its own file, or lacks a figure (every figure must be an
# <svg role="img"> with a <title> and <desc>, visible, with a non-zero
# box).
#
#   bash ci/report.sh              # from anywhere; needs apt-get, python3, cargo
#   VENV=/path bash ci/report.sh   # reuse another venv
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
out=target/report-ci
rm -rf "$out"
mkdir -p "$out"

echo "== report: chromium and chromium-driver"
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
fi
chromium --version

echo "== report: venv with selenium"
VENV=${VENV:-target/report-venv}
bash ci/venv.sh "$VENV" "selenium>=4.20,<5" "pandas>=2.2" "pyarrow>=15" "polars>=1.0"

echo "== report: brink binary and the three reports"
cargo build --release --locked --bin brink
B=target/release/brink
$B run --quiet --trials 4000 --timeline 100 --report --out "$out/run"
$B sweep --quiet --trials 500 --grid dyads.us_kh.response.proportionality=0.75,1,1.3,2 \
    --grid drivers.gaza_war.end_hazard=0.005,0.02 --out "$out/sweep"
$B report "$out/sweep"
mkdir -p "$out/calibration"
cp tests/data/report/calibration/* "$out/calibration/"
$B report "$out/calibration"

echo "== report: headless Chromium"
"$VENV/bin/python" - "$out" <<'PY'
import json
import pathlib
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

out = pathlib.Path(sys.argv[1]).resolve()
opts = webdriver.ChromeOptions()
opts.binary_location = "/usr/bin/chromium"
for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
          "--disable-dev-shm-usage", "--force-device-scale-factor=1"):
    opts.add_argument(a)
opts.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)

failures = []
CHECK = """
const figs = [...document.querySelectorAll('figure')];
const bad = [];
let shown = 0;
for (const f of figs) {
  const svgs = [...f.querySelectorAll('svg')].filter(s => getComputedStyle(s).display !== 'none');
  if (svgs.length !== 1) { bad.push(f.id + ': ' + svgs.length + ' visible svg'); continue; }
  const s = svgs[0], r = s.getBoundingClientRect();
  if (r.width < 200 || r.height < 60) bad.push(f.id + ': box ' + r.width + 'x' + r.height);
  if (r.right > document.documentElement.clientWidth + 1) bad.push(f.id + ': wider than the page');
  if (s.getAttribute('role') !== 'img' || !s.querySelector('title') || !s.querySelector('desc'))
    bad.push(f.id + ': no role/title/desc');
  if (s.querySelectorAll('path, polygon, rect, circle, line, polyline').length < 5) bad.push(f.id + ': empty');
  shown++;
}
return {figures: figs.length, shown: shown, bad: bad,
        height: document.documentElement.scrollHeight,
        overflow: document.documentElement.scrollWidth > document.documentElement.clientWidth};
"""
pages = {"run": 12, "sweep": 2, "calibration": 8}
for name, min_figs in pages.items():
    url = (out / name / "report.html").as_uri()
    for label, width in (("desktop", 1280), ("phone", 390)):
        driver.set_window_size(width, 900)
        driver.get_log("browser")
        driver.get_log("performance")
        driver.get(url)
        res = driver.execute_script(CHECK)
        # Full-page screenshot: grow the window to the page's height.
        driver.set_window_size(width, min(res["height"] + 20, 30000))
        png = out / f"{name}-{label}.png"
        driver.save_screenshot(str(png))
        console = [e for e in driver.get_log("browser") if e["level"] in ("WARNING", "SEVERE")]
        requests = []
        for e in driver.get_log("performance"):
            m = json.loads(e["message"])["message"]
            if m["method"] == "Network.requestWillBeSent":
                u = m["params"]["request"]["url"]
                if u != url:
                    requests.append(u)
        print(f"{name:12s} {label:8s} figures {res['figures']:3d} (visible {res['shown']}), "
              f"height {res['height']} px, console {len(console)}, other requests {len(requests)} -> {png.name}")
        where = f"{name} at {label} width"
        if res["figures"] < min_figs or res["shown"] != res["figures"]:
            failures.append(f"{where}: {res['figures']} figures ({res['shown']} visible), expected at least {min_figs}")
        failures += [f"{where}: {b}" for b in res["bad"]]
        if res["overflow"]:
            failures.append(f"{where}: the page scrolls sideways")
        failures += [f"{where}: console {e['level']}: {e['message']}" for e in console]
        failures += [f"{where}: network request to {u}" for u in requests]
# The checks must be able to fail: a page that logs an error and asks the
# network for an image is caught.
canary = out / "canary.html"
canary.write_text("<!DOCTYPE html><html><head><title>canary</title></head><body>"
                  "<script>console.error('canary')</script>"
                  "<img src='http://192.0.2.1/x.png' alt=''></body></html>")
driver.get_log("browser")
driver.get_log("performance")
driver.get(canary.as_uri())
seen_console = any("canary" in e["message"] for e in driver.get_log("browser"))
seen_request = any(
    json.loads(e["message"])["message"]["method"] == "Network.requestWillBeSent"
    and "192.0.2.1" in json.loads(e["message"])["message"]["params"]["request"]["url"]
    for e in driver.get_log("performance"))
print(f"canary page: console error seen {seen_console}, network request seen {seen_request}")
if not (seen_console and seen_request):
    failures.append("the canary page's console error or network request went unnoticed: the checks are blind")
driver.quit()
if failures:
    print("FAILED:\n  " + "\n  ".join(failures))
    sys.exit(1)
print("report pages: no console message, no request, every figure drawn")
PY
ls -l "$out"/*.png

echo "== parquet: --format both, byte-identical for 1 and 2 threads over 3 row groups"
pq="--quiet --trials 140000 --set scenario.horizon=60 --seed 4"
$B run $pq --format both --threads 2 --out "$out/pq-both"
$B run $pq --format parquet --threads 1 --out "$out/pq-only"
cmp "$out/pq-both/trials.parquet" "$out/pq-only/trials.parquet"
echo "== parquet: timeline.parquet, a sweep in Parquet, and the report on Parquet-only output"
tl="--quiet --trials 3000 --timeline 200 --seed 4"
$B run $tl --format both --out "$out/pq-tl-both"
$B run $tl --format parquet --report --out "$out/pq-tl-only"
sw="--quiet --trials 300 --grid dyads.us_kh.response.proportionality=0.75,1.3 --grid drivers.gaza_war.end_hazard=0.005,0.02 --seed 4"
$B sweep $sw --format both --out "$out/pq-sweep-both"
$B sweep $sw --format parquet --out "$out/pq-sweep-only"
$B report "$out/pq-sweep-only"
echo "== parquet: pandas and polars read the same values as the CSVs; brink.read_run reads either"
"$VENV/bin/python" ci/parquet_roundtrip.py "$out/pq-both" "$out/pq-tl-both" "$out/pq-sweep-both"
"$VENV/bin/python" - "$out" <<'PY'
import importlib.util, sys
import pandas as pd
spec = importlib.util.spec_from_file_location("brink_read", "python/brink/_read.py")
m = importlib.util.module_from_spec(spec)
sys.modules["brink_read"] = m
spec.loader.exec_module(m)
for both, only in [("pq-both", "pq-only"), ("pq-tl-both", "pq-tl-only"), ("pq-sweep-both", "pq-sweep-only")]:
    a = m.read_run(f"{sys.argv[1]}/{both}")   # the CSVs
    b = m.read_run(f"{sys.argv[1]}/{only}")   # Parquet only
    # Values equal; dtypes may differ where the CSV's whole-number reals read as Int64.
    pd.testing.assert_frame_equal(a.trials, b.trials, check_dtype=False)
    assert (a.timeline is None) == (b.timeline is None)
    if a.timeline is not None:
        pd.testing.assert_frame_equal(a.timeline, b.timeline, check_dtype=False)
    print(f"brink.read_run: {only} (Parquet) == {both} (CSV): {len(b.trials)} trials"
          + (f", {len(b.timeline)} timeline rows" if b.timeline is not None else ""))
PY
echo "== report: done in $((SECONDS - start)) s"

"""Tables and figures for docs/israel_hezbollah.md and the Israel-Hezbollah
section of docs/calibration.md.

Usage (after scripts/ih_runs.sh):
    python3 scripts/ih_report.py target/ih-report > /tmp/ih-report.md
Needs numpy and matplotlib. Writes docs/figures/ih_*.png.
"""
import csv
import datetime as dt
import json
import math
import sys
from collections import defaultdict
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

Z = 1.959963984540054
root = Path(sys.argv[1])
figs = Path("docs/figures")
figs.mkdir(parents=True, exist_ok=True)
OUTS = ["arrangement", "war", "quiet", "attrition"]


def wilson(k, n):
    if n == 0:
        return (0.0, 1.0)
    p = k / n
    d = 1 + Z * Z / n
    c = (p + Z * Z / (2 * n)) / d
    h = Z / d * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    return (0.0 if k == 0 else c - h, 1.0 if k == n else c + h)


def pct(k, n):
    lo, hi = wilson(k, n)
    return f"{100 * k / n:.1f} % [{100 * lo:.1f}, {100 * hi:.1f}]"


def mean_ci(x, f=".1f"):
    x = np.asarray(x, float)
    m, s = x.mean(), x.std(ddof=1)
    h = Z * s / math.sqrt(len(x))
    return f"{m:{f}} [{m - h:{f}}, {m + h:{f}}]"


def num(v):
    return float(v) if v != "" else math.nan


def load(name):
    d = root / name
    with open(d / "trials.csv") as f:
        rows = list(csv.DictReader(f))
    text = {"outcome"} | {k for k in rows[0] if k.endswith("_status")}
    cols = {k: np.array([num(r[k]) for r in rows]) for k in rows[0] if k not in text}
    cols.update({k: np.array([r[k] for r in rows]) for k in text})
    cols["days"] = cols["end_step"] + 1
    meta = json.loads((d / "run.json").read_text())
    return cols, meta


def date(start, d):
    return (start + dt.timedelta(days=int(d))).isoformat()


base, meta = load("base")
n = len(base["outcome"])
start = dt.date.fromisoformat(meta["start_date"])

print(f"## Outcomes ({n:,} trials, seed {meta['seed']})\n")
print("| outcome (first within 540 days) | probability [95 %] | median end (day, date) | 5-95 % end (days) |\n|---|---|---|---|")
for o in OUTS:
    m = base["outcome"] == o
    k = int(m.sum())
    if k:
        e = base["end_step"][m]
        when = f"{np.median(e):.0f} ({date(start, np.median(e))})"
        rng = f"{np.percentile(e, 5):.0f}-{np.percentile(e, 95):.0f}"
    else:
        when, rng = "-", "-"
    print(f"| {o} | {pct(k, n)} | {when} | {rng} |")

print("\n## Cumulative probability of each ending by a date\n")
print("| by day | date | war | quiet | arrangement |\n|---|---|---|---|---|")
for d in [90, 180, 270, 365, 450, 539]:
    cells = [pct(int(((base["outcome"] == o) & (base["end_step"] <= d)).sum()), n) for o in ["war", "quiet", "arrangement"]]
    print(f"| {d} | {date(start, d)} | " + " | ".join(cells) + " |")

g = base["driver_gaza_war_end_step"]
ended = ~np.isnan(g)
print(f"\nP(the Gaza war ends before the trial does): {pct(int(ended.sum()), n)}; median day {np.nanmedian(g):.0f}.")
for label, m in [("the Gaza war ended first", ended), ("it did not", ~ended)]:
    k = int(m.sum())
    cells = ", ".join(f"{o} {pct(int((base['outcome'][m] == o).sum()), k)}" for o in OUTS)
    print(f"- {label} ({k:,} trials): {cells}")
q = (base["outcome"] == "quiet") & ended
lag = base["end_step"][q] - 31 - g[q]
print(f"- Quiet trials: the last Hezbollah shot came a median {np.median(lag):.0f} days after the Gaza war ended "
      f"(5-95 % {np.percentile(lag, 5):.0f}-{np.percentile(lag, 95):.0f}).")
for trig, label in [("israel_heavy", "Israel launches a heavy strike wave"), ("hezbollah_heavy", "Hezbollah fires a heavy barrage"),
                    ("israel_red_line", "Israel's red line (a day of war after a heavy barrage)"),
                    ("iran_restrains", "Iran orders restraint"), ("us_restrains", "the US presses Israel to hold back"),
                    ("hezbollah_command", "Hezbollah strikes a command centre or beyond 20 km")]:
    c = base[f"trigger_{trig}_step"]
    k = int((~np.isnan(c)).sum())
    print(f"- {label}: {pct(k, n)}" + (f", median day {np.nanmedian(c):.0f}" if k else ""))

print("\n## While the crisis runs (per trial, until it ends)\n")
print("| quantity | mean [95 % CI] | median | 5-95 % |\n|---|---|---|---|")
rows = [
    ("Hezbollah operations", base["events_hezbollah_israel"]),
    ("Hezbollah operations per day", base["events_hezbollah_israel"] / base["days"]),
    ("Israeli strikes (on Hezbollah, Lebanon, Palestinians)",
     base["events_israel_hezbollah"] + base["events_israel_lebanon"] + base["events_israel_palestinians"]),
    ("Israeli strikes per day",
     (base["events_israel_hezbollah"] + base["events_israel_lebanon"] + base["events_israel_palestinians"]) / base["days"]),
    ("mean rung of Hezbollah fire (severity per operation)", base["severity_hezbollah_israel"] / np.maximum(base["events_hezbollah_israel"], 1)),
    ("mean rung of Israeli fire on Hezbollah (severity per strike)", base["severity_israel_hezbollah"] / np.maximum(base["events_israel_hezbollah"], 1)),
    ("killed in Israel", base["killed_israel"]),
    ("killed in Lebanon: Hezbollah", base["killed_hezbollah"]),
    ("killed in Lebanon: Palestinian factions", base["killed_palestinians"]),
    ("killed in Lebanon: civilians and soldiers", base["killed_lebanon"]),
    ("border talks' progress at the end (0-1)", base["talks_border_progress"]),
]
for label, x in rows:
    f = ".2f" if label.startswith(("mean rung", "border", "Hezbollah operations per", "Israeli strikes per")) else ".0f"
    print(f"| {label} | {mean_ci(x, f)} | {np.median(x):{f}} | {np.percentile(x, 5):{f}}-{np.percentile(x, 95):{f}} |")

# Windowed metrics from the timeline (first 1,000 trials): per 90-day
# window, among trials still running, the daily rates.
with open(root / "base" / "timeline.csv") as f:
    tl = list(csv.DictReader(f))
win = defaultdict(lambda: defaultdict(float))
alive = defaultdict(set)
for r in tl:
    w = int(r["step"]) // 90
    alive[w].add(r["trial"])
    a = win[w]
    a["days"] += 1
    a["hz"] += float(r["events_hezbollah_israel"])
    a["il"] += float(r["events_israel_hezbollah"]) + float(r["events_israel_lebanon"]) + float(r["events_israel_palestinians"])
ntl = len({r["trial"] for r in tl})
prev = {}
cum = defaultdict(lambda: defaultdict(float))
for r in tl:
    t = r["trial"]
    w = int(r["step"]) // 90
    ki = float(r["cum_killed_israel"])
    kl = float(r["cum_killed_hezbollah"]) + float(r["cum_killed_palestinians"]) + float(r["cum_killed_lebanon"])
    pi, pl = prev.get(t, (0.0, 0.0))
    cum[w]["ki"] += ki - pi
    cum[w]["kl"] += kl - pl
    prev[t] = (ki, kl)
print(f"\n## By 90-day window ({ntl:,} trials' timelines; rates among trials still running)\n")
print("| window | dates | still running | Hezbollah ops a day | Israeli strikes a day | killed a day in Israel | killed a day in Lebanon |")
print("|---|---|---|---|---|---|---|")
for w in sorted(win):
    a, c = win[w], cum[w]
    dd = a["days"]
    print(f"| {w * 90}-{w * 90 + 89} | {date(start, w * 90)} - {date(start, min(w * 90 + 89, 539))} | "
          f"{100 * len(alive[w]) / ntl:.0f} % | {a['hz'] / dd:.2f} | {a['il'] / dd:.2f} | {c['ki'] / dd:.3f} | {c['kl'] / dd:.2f} |")

# Figure: cumulative probability of each ending.
fig, ax = plt.subplots(figsize=(8, 4.5))
days = np.arange(540)
dates = [start + dt.timedelta(days=int(d)) for d in days]
for o, col in [("war", "C3"), ("quiet", "C2"), ("arrangement", "C0")]:
    e = np.sort(base["end_step"][base["outcome"] == o])
    ax.plot(dates, 100 * np.searchsorted(e, days, side="right") / n, color=col, label=o)
ax.set_title("Israel-Hezbollah from 1 Feb 2024: probability the crisis has ended, by how")
ax.set_xlabel("date")
ax.set_ylabel("share of trials (%)")
ax.set_ylim(0, 100)
ax.grid(alpha=0.3)
ax.legend(fontsize=8, loc="upper left")
fig.text(0.01, 0.01, f"brink israel_hezbollah_2024, {n:,} trials; the rest are still a war of attrition.", fontsize=7)
fig.tight_layout(rect=(0, 0.03, 1, 1))
fig.savefig(figs / "ih_outcomes.png", dpi=110)
plt.close(fig)

cfs = [
    ("forecast", "base"),
    ("Gaza ceasefire on day 30", "ih_gaza_ceasefire_30d"),
    ("US-brokered arrangement (Hezbollah accepts the step-by-step formula)", "ih_us_arrangement"),
    ("deeper Israeli strikes and 5x targeted killings", "ih_deeper_strikes"),
    ("Iran restrains Hezbollah from day 0", "ih_iran_restrains"),
]
print("\n## Counterfactuals\n")
print("| scenario | arrangement | war | war within 180 days | quiet | attrition at 540 days | killed in Israel | killed in Lebanon |")
print("|---|---|---|---|---|---|---|---|")
for label, name in cfs:
    t, _ = load(name)
    m = len(t["outcome"])
    cells = [pct(int((t["outcome"] == o).sum()), m) for o in ["arrangement", "war"]]
    cells.append(pct(int(((t["outcome"] == "war") & (t["end_step"] < 180)).sum()), m))
    cells += [pct(int((t["outcome"] == o).sum()), m) for o in ["quiet", "attrition"]]
    cells.append(mean_ci(t["killed_israel"], ".0f"))
    cells.append(mean_ci(t["killed_hezbollah"] + t["killed_palestinians"] + t["killed_lebanon"], ".0f"))
    print(f"| {label} | " + " | ".join(cells) + " |")

# Figure: probability of war by a date, forecast and counterfactuals.
fig, ax = plt.subplots(figsize=(8, 4.5))
for (label, name), col in zip(cfs, ["k", "C2", "C0", "C3", "C1"]):
    t, _ = load(name)
    e = np.sort(t["end_step"][t["outcome"] == "war"])
    ax.plot(dates, 100 * np.searchsorted(e, days, side="right") / len(t["outcome"]), color=col, label=label)
ax.set_title("Probability of a full-scale war by a date")
ax.set_xlabel("date")
ax.set_ylabel("share of trials at war (%)")
ax.set_ylim(0, 100)
ax.grid(alpha=0.3)
ax.legend(fontsize=8, loc="upper left")
fig.text(0.01, 0.01, f"brink, {n:,} trials per scenario; war = 14-day severity >= 1,200 on the ladder.", fontsize=7)
fig.tight_layout(rect=(0, 0.03, 1, 1))
fig.savefig(figs / "ih_war_curves.png", dpi=110)
plt.close(fig)

# Morris screening.
mo = root / "morris"
if mo.exists():
    with open(mo / "design.csv") as f:
        design = list(csv.DictReader(f))
    params = [k for k in design[0] if k != "point"]
    x = np.array([[float(r[p]) for p in params] for r in design])
    lo, hi = x.min(0), x.max(0)
    u = (x - lo) / np.where(hi > lo, hi - lo, 1)
    shares = defaultdict(lambda: defaultdict(int))
    counts = defaultdict(int)
    with open(mo / "trials.csv") as f:
        for r in csv.DictReader(f):
            p = int(r["point"])
            counts[p] += 1
            shares[p][r["outcome"]] += 1
    npts = len(design)
    y = {o: np.array([shares[p][o] / counts[p] for p in range(npts)]) for o in ["war", "quiet", "arrangement"]}
    d = len(params)
    ee = {o: defaultdict(list) for o in y}
    for start_pt in range(0, npts, d + 1):
        for k in range(start_pt, start_pt + d):
            delta = u[k + 1] - u[k]
            j = int(np.argmax(np.abs(delta)))
            if abs(delta[j]) < 1e-12:
                continue
            for o in y:
                ee[o][j].append((y[o][k + 1] - y[o][k]) / delta[j])
    print(f"\n## Morris screening ({npts} points, {counts[0]} trials each; mu* = mean |elementary effect| "
          "on the outcome's probability, over the whole prior range)\n")
    print("| judgement (range) | mu* war | mu war | mu* quiet | mu quiet | mu* arrangement |\n|---|---|---|---|---|---|")
    order = sorted(range(d), key=lambda j: -np.mean(np.abs(ee["war"][j])))
    for j in order:
        cells = []
        for o in ["war", "quiet"]:
            e = np.array(ee[o][j])
            cells += [f"{np.mean(np.abs(e)):.2f}", f"{np.mean(e):+.2f}"]
        cells.append(f"{np.mean(np.abs(ee['arrangement'][j])):.2f}")
        print(f"| `{params[j]}` ({lo[j]:g}-{hi[j]:g}) | " + " | ".join(cells) + " |")

# Backtest figure and table.
bt = root / "backtest"
with open(bt / "timeline.csv") as f:
    tl = list(csv.DictReader(f))
series = {
    "hezbollah_ops": ["cum_events_hezbollah_israel"],
    "israel_strikes": ["cum_events_israel_hezbollah", "cum_events_israel_lebanon", "cum_events_israel_palestinians"],
    "lebanon_killed": ["cum_killed_hezbollah", "cum_killed_palestinians", "cum_killed_lebanon"],
    "hezbollah_killed": ["cum_killed_hezbollah"],
    "israel_killed": ["cum_killed_israel"],
}
by_trial = defaultdict(list)
for r in tl:
    by_trial[r["trial"]].append(r)
full = [rs for rs in by_trial.values() if len(rs) == 116]
sim = {k: np.array([[sum(float(r[c]) for c in cols) for r in rs] for rs in full]) for k, cols in series.items()}
with open("scenarios/israel_hezbollah_2023_observed.csv") as f:
    obs = list(csv.DictReader(f))
bstart = dt.date(2023, 10, 8)
bdates = [bstart + dt.timedelta(days=d) for d in range(116)]
fig, axes = plt.subplots(2, 2, figsize=(10, 7))
panels = [("hezbollah_ops", "Hezbollah's claimed operations"), ("lebanon_killed", "killed in Lebanon (all)"),
          ("hezbollah_killed", "Hezbollah fighters killed"), ("israel_killed", "killed in Israel")]
for ax, (k, title) in zip(axes.flat, panels):
    q = np.percentile(sim[k], [5, 25, 50, 75, 95], axis=0)
    ax.fill_between(bdates, q[0], q[4], alpha=0.2, color="C0", label="simulated 5-95 %")
    ax.fill_between(bdates, q[1], q[3], alpha=0.35, color="C0", label="simulated 25-75 %")
    ax.plot(bdates, q[2], color="C0", label="simulated median")
    pts = [o for o in obs if o["series"] == k]
    xs = [bstart + dt.timedelta(days=int(o["day"])) for o in pts]
    v = np.array([float(o["value"]) for o in pts])
    lo_ = v - np.array([float(o["low"]) for o in pts])
    hi_ = np.array([float(o["high"]) for o in pts]) - v
    ax.errorbar(xs, v, yerr=[lo_, hi_], fmt="o", color="k", ms=3.5, zorder=3, label="public record (range of sources)")
    ax.axvspan(bstart + dt.timedelta(days=47), bstart + dt.timedelta(days=54), color="grey", alpha=0.2, label="Gaza truce")
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    ax.tick_params(axis="x", labelsize=7, rotation=30)
axes.flat[0].legend(fontsize=7, loc="upper left")
fig.suptitle("Backtest: the Israel-Hezbollah front, 8 Oct 2023 - 1 Feb 2024", fontsize=11)
fig.text(0.01, 0.01, f"brink israel_hezbollah_2023_backtest, {len(full):,} trial timelines that reached 1 Feb 2024; "
         "record: scenarios/israel_hezbollah_2023_observed.csv.", fontsize=7)
fig.tight_layout(rect=(0, 0.03, 1, 0.97))
fig.savefig(figs / "ih_backtest.png", dpi=110)
plt.close(fig)

bt_trials, _ = load("backtest")
m = len(bt_trials["outcome"])
print(f"\n## Backtest ({m:,} trials; timelines of {len(full):,} that reached day 116)\n")
print("| series | day | date | public | simulated median | 5-95 % | median error |\n|---|---|---|---|---|---|---|")
for o in obs:
    k, d = o["series"], int(o["day"])
    if k not in sim:
        continue
    x = sim[k][:, d]
    med = np.median(x)
    v = float(o["value"])
    print(f"| {k} | {d} | {o['date']} | {o['value']} | {med:.0f} | {np.percentile(x, 5):.0f}-{np.percentile(x, 95):.0f} | "
          f"{100 * (med - v) / v:+.0f} % |")
ops = sim["hezbollah_ops"]
print(f"\nHezbollah operations in the truce (days 47-53), mean {np.mean(ops[:, 53] - ops[:, 46]):.1f}.")
for o in ["war", "quiet", "forecast_date"]:
    print(f"- ended in {o}: {pct(int((bt_trials['outcome'] == o).sum()), m)}")
h = bt_trials["trigger_israel_heavy_step"]
print(f"- an Israeli heavy strike wave by day 115: {pct(int((~np.isnan(h)).sum()), m)} (none happened)")
p = bt_trials["pressure_israel"][bt_trials["outcome"] == "forecast_date"]
print(f"- Israel's pressure on day 115: median {np.median(p):.0f}, 5-95 % {np.percentile(p, 5):.0f}-{np.percentile(p, 95):.0f}")
bp = bt_trials["talks_border_progress"]
print(f"- border talks' progress on day 115: median {np.median(bp):.3f}")

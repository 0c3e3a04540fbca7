"""Tables and figures for docs/flagship.md and docs/calibration.md.

Usage (after scripts/flagship_runs.sh):
    python3 scripts/flagship_report.py target/flagship-report > /tmp/report.md
Needs pandas and matplotlib. Writes docs/figures/*.png.
"""
import json
import math
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

Z = 1.959963984540054
root = Path(sys.argv[1])
figs = Path("docs/figures")
figs.mkdir(parents=True, exist_ok=True)


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


def mean_ci(x):
    m, s, n = x.mean(), x.std(ddof=1), len(x)
    h = Z * s / math.sqrt(n)
    return f"{m:.2f} [{m - h:.2f}, {m + h:.2f}]"


def load(name):
    d = root / name
    t = pd.read_csv(d / "trials.csv")
    meta = json.loads((d / "run.json").read_text())
    t["attacks"] = t["events_kh_us"] + t["events_nujaba_us"]
    t["us_strikes"] = t["events_us_kh"] + t["events_us_nujaba"]
    t["days"] = t["end_step"] + 1
    return t, meta


base, meta = load("base")
n = len(base)
start = pd.Timestamp(meta["start_date"])
outs = ["agreement", "coerced_exit", "spiral", "collapse", "ongoing"]

print(f"## Outcomes ({n:,} trials, seed {meta['seed']})\n")
print("| outcome | probability [95 % Wilson] | median end (day, date) |\n|---|---|---|")
for o in outs:
    sub = base[base.outcome == o]
    k = len(sub)
    med = int(sub.end_step.median()) if k else None
    when = f"{med} ({(start + pd.Timedelta(days=med)).date()})" if k else "-"
    print(f"| {o} | {pct(k, n)} | {when} |")

print("\n## Time to agreement (cumulative probability of an agreement by a date)\n")
print("| by day | date | P(agreement) [95 %] |\n|---|---|---|")
ag = base.talks_hmc_agreement_step
for d in [90, 180, 270, 365, 450, 539]:
    k = int((ag <= d).sum())
    print(f"| {d} | {(start + pd.Timedelta(days=d)).date()} | {pct(k, n)} |")
sub = ag.dropna()
print(f"\nAmong agreements: median day {sub.median():.0f}, 5-95 % days {sub.quantile(.05):.0f}-{sub.quantile(.95):.0f}.\n")

print("## While the talks run (per trial, until it ends)\n")
print("| quantity | mean [95 % CI] | median | 5-95 % |\n|---|---|---|---|")
rows = [
    ("militia attacks on US forces", base.attacks),
    ("militia attacks per day", base.attacks / base.days),
    ("US strikes (rounds)", base.us_strikes),
    ("US strikes in Iraq", base.events_us_kh_iraq + base.events_us_nujaba_iraq),
    ("US personnel wounded", base.wounded_us),
    ("US personnel killed", base.killed_us),
    ("militia members killed", base.killed_kh + base.killed_nujaba),
    ("days the talks were paused", base.talks_hmc_pause_steps),
    ("Iraqi government pressure at the end", base.pressure_iraq),
]
for label, x in rows:
    print(f"| {label} | {mean_ci(x)} | {x.median():.1f} | {x.quantile(.05):.1f}-{x.quantile(.95):.1f} |")
k = int(base.first_death_step_us.notna().sum())
print(f"\nP(at least one US death before the trial ends): {pct(k, n)}; median day of the first death "
      f"{base.first_death_step_us.median():.0f}.")
k = int(base.trigger_iran_restrains_step.notna().sum())
print(f"P(Iran orders restraint): {pct(k, n)}.")
k = int(base.driver_gaza_war_end_step.notna().sum())
print(f"P(the Gaza war ends before the trial does): {pct(k, n)}.\n")

cfs = [
    ("flagship (no precondition, 1.3x, mild backlash)", "base"),
    ("US keeps the precondition", "precondition"),
    ("retaliation 0.5x in kind", "retaliation_half"),
    ("retaliation 1x in kind", "retaliation_in_kind"),
    ("retaliation 2x in kind", "retaliation_double"),
    ("strikes deter (beta +0.05)", "strikes_deter"),
    ("strikes provoke (beta -0.05)", "strikes_provoke"),
    ("no Iranian restraint", "no_iran_restraint"),
    ("Gaza war ends in 30 days", "gaza_ends_30d"),
    ("Gaza war lasts all year", "gaza_all_year"),
]
print("## Counterfactuals\n")
print("| scenario | agreement | agreement within a year | coerced exit | spiral | collapse | attacks per day |")
print("|---|---|---|---|---|---|---|")
for label, name in cfs:
    t, _ = load(name)
    m = len(t)
    cells = [pct(int((t.outcome == o).sum()), m) for o in ["agreement"]]
    cells.append(pct(int((t.talks_hmc_agreement_step <= 364).sum()), m))
    cells += [pct(int((t.outcome == o).sum()), m) for o in ["coerced_exit", "spiral", "collapse"]]
    cells.append(mean_ci(t.attacks / t.days))
    print(f"| {label} | " + " | ".join(cells) + " |")

# Figure: cumulative probability of agreement, flagship and counterfactuals.
fig, ax = plt.subplots(figsize=(8, 4.5))
days = range(0, 540)
for label, name in [cfs[0], cfs[1], cfs[4], cfs[8], cfs[9]]:
    t, _ = load(name)
    a = t.talks_hmc_agreement_step.dropna().astype(int).value_counts().sort_index()
    cum = a.reindex(days, fill_value=0).cumsum() / len(t)
    ax.plot([start + pd.Timedelta(days=d) for d in days], 100 * cum.values, label=label)
ax.set_title("Probability that the HMC talks have reached agreement")
ax.set_xlabel("date")
ax.set_ylabel("share of trials with an agreement (%)")
ax.set_ylim(0, 100)
ax.grid(alpha=0.3)
ax.legend(fontsize=8, loc="upper left")
fig.text(0.01, 0.01, f"brink, {n:,} trials per scenario; other outcomes end a trial without agreement.", fontsize=7)
fig.tight_layout(rect=(0, 0.03, 1, 1))
fig.savefig(figs / "agreement_curves.png", dpi=110)

# Backtest figure and table.
bt = root / "backtest"
tl = pd.read_csv(bt / "timeline.csv")
tl["attacks"] = tl.cum_events_kh_us + tl.cum_events_nujaba_us
tl["rounds"] = tl.cum_events_us_kh + tl.cum_events_us_nujaba
q = tl.groupby("step").attacks.quantile([0.05, 0.25, 0.5, 0.75, 0.95]).unstack()
public = {7: 13, 9: 16, 13: 23, 20: 38, 28: 55, 31: 61, 35: 66, 37: 73, 51: 78, 65: 102, 79: 118, 84: 127, 93: 140, 99: 150}
bstart = pd.Timestamp("2023-10-17")
dates = [bstart + pd.Timedelta(days=int(d)) for d in q.index]
fig, ax = plt.subplots(figsize=(8, 4.5))
ax.fill_between(dates, q[0.05], q[0.95], alpha=0.2, color="C0", label="simulated 5-95 %")
ax.fill_between(dates, q[0.25], q[0.75], alpha=0.35, color="C0", label="simulated 25-75 %")
ax.plot(dates, q[0.5], color="C0", label="simulated median")
ax.scatter([bstart + pd.Timedelta(days=d) for d in public], list(public.values()), color="k", zorder=3, s=18,
           label="Pentagon count (CALIBRATION.md)")
ax.axvspan(bstart + pd.Timedelta(days=38), bstart + pd.Timedelta(days=46), color="grey", alpha=0.2, label="Gaza truce")
ax.set_title("Backtest: cumulative militia attacks on US forces, 17 Oct 2023 - 24 Jan 2024")
ax.set_xlabel("date")
ax.set_ylabel("attacks since 17 Oct 2023")
ax.grid(alpha=0.3)
ax.legend(fontsize=8, loc="upper left")
fig.text(0.01, 0.01, "brink us_iraq_2023_backtest, 10,000 trials; day 99 is the seed's date (about 150 attacks).", fontsize=7)
fig.tight_layout(rect=(0, 0.03, 1, 1))
fig.savefig(figs / "backtest_attacks.png", dpi=110)

bt_trials = pd.read_csv(bt / "trials.csv")
r = bt_trials.events_us_kh + bt_trials.events_us_nujaba
print("\n## Backtest\n")
print("| day | date | Pentagon count | simulated median | 5-95 % | median error |\n|---|---|---|---|---|---|")
for d, c in public.items():
    if d in q.index:
        row = q.loc[d]
        print(f"| {d} | {(bstart + pd.Timedelta(days=d)).date()} | {c} | {row[0.5]:.0f} | {row[0.05]:.0f}-{row[0.95]:.0f} | {100 * (row[0.5] - c) / c:+.0f} % |")
print(f"\nUS retaliation rounds by day 99: median {r.median():.0f}, 5-95 % {r.quantile(.05):.0f}-{r.quantile(.95):.0f} (8 happened).")
w = bt_trials.wounded_us
print(f"US wounded by day 99: median {w.median():.0f}, 5-95 % {w.quantile(.05):.0f}-{w.quantile(.95):.0f} (about 70 by late January).")
k = int((bt_trials.killed_us > 0).sum())
print(f"P(a US death by day 99): {pct(k, len(bt_trials))} (none happened).")

"""Tables and figures for docs/flagship.md and docs/calibration.md.

Usage (after scripts/flagship_runs.sh):
    python3 scripts/flagship_report.py target/flagship-report > /tmp/report.md
Needs numpy, pandas and matplotlib. Writes docs/figures/*.png.

Every run but `point` draws each trial's parameters from the scenario's
priors, so its shares are probabilities under the mixture over the
judgements. The spread of P(outcome | judgements) comes from the `nested`
run (K trials per parameter draw): each draw's share over its K trials
estimates P(outcome | that draw), with binomial noise of variance
p(1 - p)/K, which the table removes from the spread's variance (method of
moments) and reports beside the raw 5-95 % range.

What drives each answer: the first-order sensitivity index (correlation
ratio) eta^2 = Var(E[Y | X_i]) / Var(Y) of each prior on each answer,
estimated from the mixture run's own trials by the given-data binning
estimator of Plischke, Borgonovo and Smith (2013), "Global sensitivity
measures from given data", EJOR 226(3): sort by X_i, cut into M
equal-count bins (M = 100; a choice's own values), eta^2 = between-bin sum
of squares / total. Under independence its expectation is about
(M - 1)/(N - 1), which is subtracted (and rescaled). Standard errors from
200 bootstrap resamples of the trials.
"""
import json
import math
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

Z = 1.959963984540054
root = Path(sys.argv[1])
figs = Path("docs/figures")
figs.mkdir(parents=True, exist_ok=True)
OUTS = ["agreement", "coerced_exit", "spiral", "collapse", "ongoing"]
LABELS = {
    "agreement": "**agreement**",
    "coerced_exit": "coerced exit (Iraq demands withdrawal unilaterally)",
    "spiral": "escalation spiral",
    "collapse": "talks collapse",
    "ongoing": "still talking at 540 days",
}


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


def params_of(meta):
    """The run's distributions, in column order: (path, distribution, summary)."""
    return meta.get("parameters", {}).get("draws", [])


base, meta = load("base")
point, _ = load("point")
point_means, _ = load("point_means")
nested, nmeta = load("nested")
n = len(base)
start = pd.Timestamp(meta["start_date"])
priors = params_of(meta)
pcols = [p["path"] for p in priors]
K = int(nmeta["parameters"]["trials_per_draw"])

# ------------------------------------------------------------- priors ---
print(f"## Priors ({len(priors)} distributions drawn per trial)\n")
print("| path | distribution | median | 5-95 % |\n|---|---|---|---|")
for p in priors:
    print(f"| `{p['path']}` | `{p['distribution']}` | {p['median']:.4g} | {p['p5']:.4g} to {p['p95']:.4g} |")

# ----------------------------------------------------------- outcomes ---
groups = nested.trial // K
draws = groups.nunique()
print(f"\n## Outcomes ({n:,} trials, seed {meta['seed']}; nested: {draws} draws x {K} trials)\n")
print("| outcome (first to happen within 540 days) | mixture [95 %] | across the judgements: 5-95 % (sd) | point forecast [95 %] | median end (day, date) |")
print("|---|---|---|---|---|")
spread = {}
for o in OUTS:
    sub = base[base.outcome == o]
    k = len(sub)
    med = int(sub.end_step.median()) if k else None
    when = f"{med} ({(start + pd.Timedelta(days=med)).date()})" if k else "-"
    per = (nested.outcome == o).groupby(groups).mean()
    noise = (per * (1 - per)).mean() / (K - 1)
    sd = math.sqrt(max(per.var(ddof=1) - noise, 0.0))
    spread[o] = per
    rng = f"{100 * per.quantile(.05):.0f}-{100 * per.quantile(.95):.0f} % (sd {100 * sd:.0f} points)"
    kp = int((point.outcome == o).sum())
    print(f"| {LABELS[o]} | {pct(k, n)} | {rng} | {pct(kp, len(point))} | {when} |")

print("\n## Time to agreement (cumulative probability of an agreement by a date)\n")
print("| by day | date | mixture [95 %] | point forecast |\n|---|---|---|---|")
ag = base.talks_hmc_agreement_step
for d in [90, 180, 270, 365, 450, 539]:
    k = int((ag <= d).sum())
    kp = int((point.talks_hmc_agreement_step <= d).sum())
    print(f"| {d} | {(start + pd.Timedelta(days=d)).date()} | {pct(k, n)} | {100 * kp / len(point):.1f} % |")
sub = ag.dropna()
print(f"\nAmong agreements: median day {sub.median():.0f}, 5-95 % days {sub.quantile(.05):.0f}-{sub.quantile(.95):.0f}"
      f" (point forecast: {point.talks_hmc_agreement_step.median():.0f}).\n")

print("## While the talks run (per trial, until it ends)\n")
print("| quantity | mixture mean [95 % CI] | median | 5-95 % | point forecast mean |\n|---|---|---|---|---|")


def quantities(t):
    return [
        ("militia attacks on US forces", t.attacks),
        ("militia attacks per day", t.attacks / t.days),
        ("US strikes (rounds)", t.us_strikes),
        ("US strikes in Iraq", t.events_us_kh_iraq + t.events_us_nujaba_iraq),
        ("US personnel wounded", t.wounded_us),
        ("US personnel killed", t.killed_us),
        ("militia members killed", t.killed_kh + t.killed_nujaba),
        ("days the talks were paused", t.talks_hmc_pause_steps),
        ("Iraqi government pressure at the end", t.pressure_iraq),
    ]


for (label, x), (_, xp) in zip(quantities(base), quantities(point)):
    print(f"| {label} | {mean_ci(x)} | {x.median():.1f} | {x.quantile(.05):.1f}-{x.quantile(.95):.1f} | {xp.mean():.2f} |")


def event_share(col):
    return pct(int(base[col].notna().sum()), n), 100 * point[col].notna().mean(), 100 * point_means[col].notna().mean()


a, b, c = event_share("first_death_step_us")
print(f"\nP(at least one US death before the trial ends): {a} (point forecast {b:.1f} %; before issue 14, "
      f"posteriors at their means, {c:.1f} %); median day of the first death {base.first_death_step_us.median():.0f}.")
a, b, c = event_share("trigger_iran_restrains_step")
print(f"P(Iran orders restraint): {a} (point {b:.1f} %; before issue 14 {c:.1f} %).")
a, b, c = event_share("driver_gaza_war_end_step")
print(f"P(the Gaza war ends before the trial does): {a} (point {b:.1f} %; before issue 14 {c:.1f} %).\n")

# -------------------------------------------------------- sensitivity ---
M = 100
BOOT = 200


def bins_of(x):
    vals = np.unique(x)
    if len(vals) <= M:
        return np.searchsorted(vals, x), len(vals)
    order = np.argsort(x, kind="stable")
    b = np.empty(len(x), dtype=np.int64)
    b[order] = np.arange(len(x)) * M // len(x)
    return b, M


def eta2(b, m, y):
    nn = len(y)
    cnt = np.bincount(b, minlength=m)
    s = np.bincount(b, weights=y, minlength=m)
    tot = ((y - y.mean()) ** 2).sum()
    if tot == 0:
        return 0.0
    ok = cnt > 0
    between = (s[ok] ** 2 / cnt[ok]).sum() - y.sum() ** 2 / nn
    bias = (ok.sum() - 1) / (nn - 1)
    return (between / tot - bias) / (1 - bias)


def indicator(t, o):
    return (t.outcome == o).astype(float).values


# Each answer: its per-trial value in the mixture run, and in the nested
# run (for the variance of its expectation across the judgements).
answers = [(f"P({o})", indicator(base, o), indicator(nested, o)) for o in ["agreement", "coerced_exit", "spiral", "collapse"]]
answers += [
    ("agreement within a year", (base.talks_hmc_agreement_step <= 364).astype(float).values,
     (nested.talks_hmc_agreement_step <= 364).astype(float).values),
    ("a US death", base.first_death_step_us.notna().astype(float).values,
     nested.first_death_step_us.notna().astype(float).values),
    ("attacks per day", (base.attacks / base.days).values.astype(float), (nested.attacks / nested.days).values.astype(float)),
    ("US personnel killed", base.killed_us.values.astype(float), nested.killed_us.values.astype(float)),
]


def judgement_variance(y):
    """Var over the draws of E[Y | draw], from the nested run: the variance
    of the per-draw means less their noise (mean within-draw variance / K)."""
    g = pd.Series(y).groupby(groups.values)
    return max(g.mean().var(ddof=1) - g.var(ddof=1).mean() / K, 0.0)


rs = np.random.default_rng(20240124)
boot_idx = [rs.integers(0, n, n) for _ in range(BOOT)]
binned = {c: bins_of(base[c].values.astype(float)) for c in pcols}
# The answers brink's own sensitivity.csv covers (outcome indicators and
# the killed columns), read from the nested run: brink computes them with
# each draw's K-trial mean as the response, so each index is already a
# share of the answer's variance across the judgements (docs/uncertainty.md,
# "Drivers"), with brink's analytic standard error.
BRINK_OUTPUT = {f"P({o})": f"outcome:{o}" for o in OUTS}
BRINK_OUTPUT["US personnel killed"] = "killed_us"


def brink_drivers(run_dir):
    """sensitivity.csv of a brink run: {output: [(index, parameter, se)]}."""
    path = run_dir / "sensitivity.csv"
    if not path.exists():
        return {}
    t = pd.read_csv(path)
    out = {}
    for o, g in t.groupby("output", sort=False):
        out[o] = [(float(r.index), r.parameter, float(r.se)) for r in g.itertuples() if np.isfinite(r.index)]
    return out


brink_sens = brink_drivers(root / "nested")
rows = []
sens = []
for name, y, yn in answers:
    given = brink_sens.get(BRINK_OUTPUT.get(name, ""))
    if given:
        est = sorted(given, reverse=True)
        top = [(c, e, se) for e, c, se in est[:3]]
        # Already shares of the across-judgement variance.
        rows.append((name, top, sum(max(e, 0) for e, _, _ in est), None))
        sens += [(name, c, e) for e, c, _ in est]
        continue
    est = []
    for c in pcols:
        b, m = binned[c]
        est.append((eta2(b, m, y), c))
    est.sort(reverse=True)
    share = y.var(ddof=1) / judgement_variance(yn) if judgement_variance(yn) > 0 else float("nan")
    top = []
    for e, c in est[:3]:
        b, m = binned[c]
        bs = [eta2(b[i], m, y[i]) for i in boot_idx]
        top.append((c, e, float(np.std(bs, ddof=1))))
    rows.append((name, top, sum(max(e, 0) for e, _ in est), share))
    sens += [(name, c, e) for e, c in est]
pd.DataFrame(sens, columns=["answer", "parameter", "eta2"]).to_csv(root / "drivers.csv", index=False)
print("## What drives each answer\n")
print("First-order index of each prior on each answer (+- se). P(outcome) and US personnel killed: brink's")
print("sensitivity.csv from the nested run (each draw's K-trial mean as the response, so the index is a share")
print("of the variance across the judgements; analytic se). The other answers: eta^2 from the mixture run's")
print("trials (+- bootstrap se), in brackets as a share of the answer's variance across the judgements.\n")
print("| answer | first | second | third | sum of all first-order indices |\n|---|---|---|---|---|")
for name, top, total, share in rows:
    if share is None:
        cells = [f"`{c}` {e:.3f} +- {s:.3f} ({100 * e:.0f} %)" for c, e, s in top]
        print(f"| {name} | " + " | ".join(cells) + f" | {total:.3f} ({100 * total:.0f} %) |")
        continue
    cells = [f"`{c}` {e:.3f} +- {s:.3f} ({100 * e * share:.0f} %)" for c, e, s in top]
    print(f"| {name} | " + " | ".join(cells) + f" | {total:.3f} ({100 * total * share:.0f} %) |")

# ------------------------------------------------------ counterfactuals ---
cfs = [
    ("flagship (no precondition, 1.3x, mild backlash)", "base"),
    ("point forecast (every prior at its median)", "point"),
    ("point forecast before issue 14 (posteriors at their means)", "point_means"),
    ("US keeps the precondition", "precondition"),
    ("retaliation 0.5x in kind", "retaliation_half"),
    ("retaliation 1x in kind", "retaliation_in_kind"),
    ("retaliation 2x in kind", "retaliation_double"),
    ("strikes deter (beta ~ N(+0.05, 0.015))", "strikes_deter"),
    ("strikes provoke (beta ~ N(-0.05, 0.015))", "strikes_provoke"),
    ("no Iranian restraint", "no_iran_restraint"),
    ("Gaza war ends in 30 days", "gaza_ends_30d"),
    ("Gaza war lasts all year", "gaza_all_year"),
]
print("\n## Counterfactuals (each a mixture over the priors, shifted)\n")
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
for label, name in [cfs[0], cfs[1], cfs[3], cfs[6], cfs[10], cfs[11]]:
    t, _ = load(name)
    a = t.talks_hmc_agreement_step.dropna().astype(int).value_counts().sort_index()
    cum = a.reindex(days, fill_value=0).cumsum() / len(t)
    style = "--" if name == "point" else "-"
    ax.plot([start + pd.Timedelta(days=d) for d in days], 100 * cum.values, style, label=label)
ax.set_title("Probability that the HMC talks have reached agreement")
ax.set_xlabel("date")
ax.set_ylabel("share of trials with an agreement (%)")
ax.set_ylim(0, 100)
ax.grid(alpha=0.3)
ax.legend(fontsize=8, loc="upper left")
fig.text(0.01, 0.01, f"brink, {n:,} trials per scenario, parameters drawn from their priors (dashed: point forecast).",
         fontsize=7)
fig.tight_layout(rect=(0, 0.03, 1, 1))
fig.savefig(figs / "agreement_curves.png", dpi=110)

# Figure: spread of P(outcome | judgements) across the nested draws.
fig, axs = plt.subplots(1, 4, figsize=(10, 3), sharey=True)
for ax, o in zip(axs, ["agreement", "coerced_exit", "spiral", "collapse"]):
    ax.hist(100 * spread[o], bins=20, color="C0", alpha=0.8)
    ax.axvline(100 * (base.outcome == o).mean(), color="k", lw=1, label="mixture")
    ax.axvline(100 * (point.outcome == o).mean(), color="C3", lw=1, ls="--", label="point")
    ax.set_title(o.replace("_", " "), fontsize=9)
    ax.set_xlabel("P(outcome | draw), %", fontsize=8)
axs[0].set_ylabel("parameter draws")
axs[0].legend(fontsize=7)
fig.text(0.01, 0.01, f"brink --draws-per-param {K}: {draws} draws of the priors, {K} trials each "
         "(includes binomial noise of sd <= 5 points).", fontsize=7)
fig.tight_layout(rect=(0, 0.05, 1, 1))
fig.savefig(figs / "judgement_spread.png", dpi=110)

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
fig.text(0.01, 0.01, "brink us_iraq_2023_backtest, 10,000 trials, parameters drawn from their priors; "
         "day 99 is the seed's date (about 150 attacks).", fontsize=7)
fig.tight_layout(rect=(0, 0.03, 1, 1))
fig.savefig(figs / "backtest_attacks.png", dpi=110)

bt_trials = pd.read_csv(bt / "trials.csv")
bt_point = pd.read_csv(root / "backtest_point" / "trials.csv")
r = bt_trials.events_us_kh + bt_trials.events_us_nujaba
print("\n## Backtest (mixture over the priors)\n")
print("| day | date | Pentagon count | simulated median | 5-95 % | median error |\n|---|---|---|---|---|---|")
for d, c in public.items():
    if d in q.index:
        row = q.loc[d]
        print(f"| {d} | {(bstart + pd.Timedelta(days=d)).date()} | {c} | {row[0.5]:.0f} | {row[0.05]:.0f}-{row[0.95]:.0f} | {100 * (row[0.5] - c) / c:+.0f} % |")
print(f"\nUS retaliation rounds by day 99: median {r.median():.0f}, 5-95 % {r.quantile(.05):.0f}-{r.quantile(.95):.0f} (8 happened).")
w = bt_trials.wounded_us
print(f"US wounded by day 99: median {w.median():.0f}, 5-95 % {w.quantile(.05):.0f}-{w.quantile(.95):.0f} (about 70 by late January).")
k = int((bt_trials.killed_us > 0).sum())
kp = int((bt_point.killed_us > 0).sum())
print(f"P(a US death by day 99): {pct(k, len(bt_trials))} (point forecast {pct(kp, len(bt_point))}; none happened).")
a = bt_trials.events_kh_us + bt_trials.events_nujaba_us
print(f"Attacks by day 99: median {a.median():.0f}, 5-95 % {a.quantile(.05):.0f}-{a.quantile(.95):.0f} (about 150).")

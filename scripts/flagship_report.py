"""The generated block of docs/flagship.md, and its figures.

Usage (scripts/flagship_runs.sh runs it after its runs):
    python3 scripts/flagship_report.py target/flagship-report docs/flagship.md
Rewrites the text between `<!-- generated:begin -->` and
`<!-- generated:end -->` in the doc (the prose outside stays) and writes
docs/figures/*.png. With no doc argument it prints the block. Needs numpy,
pandas and matplotlib.

What it reads, in order of preference:
- summary.csv: each terminal outcome's mixture probability with brink's
  cluster-robust 95 % interval (Wilson at the design-effect size over the
  parameter draws), and each windowed metric's mean and quantiles;
- run.json: the 5-95 % spread of P(outcome | judgements) across the
  parameter draws, binomial noise removed (brink's `spread`);
- sensitivity.csv: the first-order index of each parameter on each
  outcome and metric (brink's given-data estimator on the per-draw means,
  docs/uncertainty.md), with its standard error.
For what brink does not summarise (the agreement milestone by a date,
withdrawal completed by a date, the windowed means' intervals, their
spread across the judgements), the same estimators are applied here to
trials.csv, grouped by parameter draw (trial // K):
- interval of a mean: mean +- 1.96 sd(per-draw means) / sqrt(D), which is
  cluster-robust; of a probability, Wilson at the effective size
  p(1 - p) / se^2 (brink's rule);
- spread across the judgements: the per-draw means shrunk toward their
  mean by sqrt(signal share), signal share = 1 - (mean within-draw
  variance / K) / (variance of the per-draw means), then their 5 % and
  95 % quantiles (brink's `spread`, src/job/uncert.rs);
- drivers of the agreement milestone: the correlation ratio of the
  per-draw share on each parameter, binned into 15 equal-count classes
  with the bias of an independent input removed (Plischke, Borgonovo and
  Smith 2013), standard error from 200 bootstrap resamples of the draws.
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
doc = Path(sys.argv[2]) if len(sys.argv) > 2 else None
figs = Path("docs/figures")
figs.mkdir(parents=True, exist_ok=True)
BEGIN, END = "<!-- generated:begin -->", "<!-- generated:end -->"
TERMINAL = ["withdrawal_completed", "deal_broken", "coerced_exit", "spiral", "collapse", "ongoing"]
LABELS = {
    "agreement": "**agreement reached** (a milestone; the trial goes on)",
    "withdrawal_completed": "withdrawal completed after an agreement",
    "deal_broken": "deal broken during the withdrawal",
    "coerced_exit": "coerced exit (Iraq demands withdrawal unilaterally)",
    "spiral": "escalation spiral",
    "collapse": "talks collapse",
    "ongoing": "none of these by day 539 (talks, or the withdrawal, still under way)",
}
out = []


def p(line=""):
    out.append(line)


def wilson(k, n):
    if n <= 0:
        return (0.0, 1.0)
    q = k / n
    d = 1 + Z * Z / n
    c = (q + Z * Z / (2 * n)) / d
    h = Z / d * math.sqrt(max(q * (1 - q) / n + Z * Z / (4 * n * n), 0.0))
    return (max(c - h, 0.0), min(c + h, 1.0))


def pc(x, d=1):
    return f"{100 * x:.{d}f}"


class Run:
    """One brink run directory: trials, summary, run.json, sensitivity."""

    def __init__(self, name):
        d = root / name
        self.name = name
        self.t = pd.read_csv(d / "trials.csv")
        self.summary = pd.read_csv(d / "summary.csv")
        self.meta = json.loads((d / "run.json").read_text())
        sp = d / "sensitivity.csv"
        self.sens = pd.read_csv(sp) if sp.exists() else None
        par = self.meta.get("parameters", {})
        self.K = int(par.get("trials_per_draw", 1) or 1)
        self.groups = (self.t.trial // self.K).values
        self.n = len(self.t)
        self.start = pd.Timestamp(self.meta["start_date"])
        self.spread = {s["outcome"]: s for s in par.get("spread", [])}
        t = self.t
        self.t = pd.concat([t, pd.DataFrame({"attacks": t["events_kh_us"] + t["events_nujaba_us"],
                                             "days": t["end_step"] + 1})], axis=1)

    def row(self, kind, name):
        r = self.summary[(self.summary.kind == kind) & (self.summary.name == name)]
        return r.iloc[0] if len(r) else None

    def outcome(self, o):
        """(probability, low, high) from summary.csv (brink's own interval)."""
        r = self.row("outcome", o)
        return (float(r.probability), float(r.ci_low), float(r.ci_high))

    def mean_ci(self, y):
        """Mean of a per-trial quantity with its cluster-robust interval."""
        y = pd.Series(np.asarray(y, dtype=float))
        g = y.groupby(self.groups).mean()
        m = float(y.mean())
        se = float(g.std(ddof=1) / math.sqrt(len(g))) if len(g) > 1 else float(y.std(ddof=1) / math.sqrt(len(y)))
        return m, m - Z * se, m + Z * se

    def prob_ci(self, y):
        """Share of trials where y holds, with a cluster-robust Wilson interval."""
        y = np.asarray(y, dtype=float)
        m, lo, hi = self.mean_ci(y)
        se = (hi - m) / Z
        neff = m * (1 - m) / (se * se) if se > 0 else self.n
        neff = min(neff, self.n)
        return (m,) + wilson(m * neff, neff)

    def judgement_spread(self, y):
        """5-95 % of E[y | draw] across the draws, noise removed (brink's rule)."""
        if self.K < 2:
            return None
        s = pd.Series(np.asarray(y, dtype=float)).groupby(self.groups)
        means, within = s.mean().values, s.var(ddof=1).values
        if len(means) < 2:
            return None
        mean = means.mean()
        v = means.var(ddof=1)
        noise = np.nanmean(within) / self.K
        sig = max((v - noise) / v, 0.0) if v > 0 else 0.0
        tt = np.sort(mean + math.sqrt(sig) * (means - mean))
        q = lambda a: tt[min(int(round(a * (len(tt) - 1))), len(tt) - 1)]  # noqa: E731
        return q(0.05), q(0.95)

    def day(self, d):
        return (self.start + pd.Timedelta(days=int(d))).date()


def fmt_p(x):
    m, lo, hi = x
    return f"{pc(m)} % [{pc(lo)}, {pc(hi)}]"


def fmt_spread(s, pct=True):
    if s is None:
        return "-"
    return f"{pc(s[0], 0)}-{pc(s[1], 0)} %" if pct else f"{s[0]:.1f}-{s[1]:.1f}"


def fmt_m(x, d=1):
    m, lo, hi = x
    return f"{m:.{d}f} [{lo:.{d}f}, {hi:.{d}f}]"


base, point, v1, draft = Run("base"), Run("point"), Run("v1"), Run("draft")
n, K = base.n, base.K
D = len(np.unique(base.groups))
agreed = base.t.milestone_agreement_step.notna()
p("<!-- Written by scripts/flagship_report.py from scripts/flagship_runs.sh's runs: do not edit by hand. -->")
p()
p(f"Runs of **{n:,} trials** each (seed {base.meta['seed']}), nested: {D} parameter draws x {K} trials; "
  f"point forecast {point.n:,} trials. Brink version {base.meta['brink_version']}.")
p()

# ---------------------------------------------------------------- outcomes
p("### The outcomes")
p()
p("| outcome (within 540 days) | mixture [95 %] | 5-95 % across the judgements | point forecast [95 %] | median day it comes (date) |")
p("|---|---|---|---|---|")
ag = base.prob_ci(agreed)
ag_sp = base.judgement_spread(agreed)
pa = point.prob_ci(point.t.milestone_agreement_step.notna())
med = base.t.milestone_agreement_step.median()
p(f"| {LABELS['agreement']} | {fmt_p(ag)} | {fmt_spread(ag_sp)} | {fmt_p(pa)} | {med:.0f} ({base.day(med)}) |")
for o in TERMINAL:
    sp = base.spread.get(o)
    sub = base.t[base.t.outcome == o]
    m = sub.end_step.median() if len(sub) else None
    when = f"{m:.0f} ({base.day(m)})" if m is not None else "-"
    spread = (sp["p5"], sp["p95"]) if sp else None
    p(f"| {LABELS[o]} | {fmt_p(base.outcome(o))} | {fmt_spread(spread)} | {fmt_p(point.outcome(o))} | {when} |")
p()
p("The terminal outcomes add to 100 %; the agreement is a milestone on the way to the first two. Intervals "
  "are brink's cluster-robust intervals over the parameter draws (summary.csv); the spread across the "
  "judgements is run.json's, binomial noise removed; the agreement row applies the same rules to trials.csv.")
p()

# ------------------------------------------------------------ by a date
p("### By a date: agreement, and withdrawal completed")
p()
p("| by | day | P(agreement by then), mixture [95 %] | 5-95 % across the judgements | point | P(withdrawal completed by then) [95 %] | 5-95 % across the judgements | point |")
p("|---|---|---|---|---|---|---|---|")
for d in [36, 90, 182, 274, 366, 450, 539]:
    a = base.t.milestone_agreement_step <= d
    w = (base.t.outcome == "withdrawal_completed") & (base.t.end_step <= d)
    ap = (point.t.milestone_agreement_step <= d).mean()
    wp = ((point.t.outcome == "withdrawal_completed") & (point.t.end_step <= d)).mean()
    p(f"| {base.day(d)} | {d} | {fmt_p(base.prob_ci(a))} | {fmt_spread(base.judgement_spread(a))} | {pc(ap)} % | "
      f"{fmt_p(base.prob_ci(w))} | {fmt_spread(base.judgement_spread(w))} | {pc(wp)} % |")
p()
hj = base.row("status", "hmc_on_24jul")
p(f"Check against brink's own `hmc_on_24jul` metric (status of the talks on 24 July 2024, summary.csv): "
  f"agreement {pc(float(base.summary[(base.summary.kind == 'status') & (base.summary.name == 'hmc_on_24jul') & (base.summary.category == 'agreement')].probability.iloc[0]))} %."
  if hj is not None else "")
sub = base.t.milestone_agreement_step.dropna()
p()
p(f"Among agreements: median day {sub.median():.0f} ({base.day(sub.median())}), 5-95 % days "
  f"{sub.quantile(.05):.0f}-{sub.quantile(.95):.0f}. Withdrawal, once agreed: median "
  f"{(base.t.end_step - base.t.milestone_agreement_step)[base.t.outcome == 'withdrawal_completed'].median():.0f} days "
  f"from agreement to completion among those completed within the horizon.")
p()

# ------------------------------------------------------------- windows
p("### The windowed questions")
p()
p("Counted from 24 January 2024 (day 0); a trial that ends before a window closes counts through its last day. "
  "Means with cluster-robust 95 % intervals; the trial-to-trial 5-95 % range; the 5-95 % range of the mean "
  "across the judgements; the point forecast's mean.")
p()
p("| quantity | window | mixture mean [95 %] | median | 5-95 % of trials | mean, 5-95 % across the judgements | point mean |")
p("|---|---|---|---|---|---|---|")
WIN = [("militia attacks on US forces", "attacks"), ("US personnel killed", "us_dead"), ("US personnel wounded", "us_hurt")]
for label, stem in WIN:
    for w in ["30d", "90d", "180d"]:
        col = f"{stem}_{w}"
        r = base.row("window", col)
        y = base.t[col]
        assert abs(float(r["mean"]) - y.mean()) < 1e-6 * max(1.0, abs(y.mean())), col
        p(f"| {label} | days 0-{int(w[:-1]) - 1} | {fmt_m(base.mean_ci(y), 2)} | {float(r.p50):.0f} | "
          f"{float(r.p5):.0f}-{float(r.p95):.0f} | {fmt_spread(base.judgement_spread(y), pct=False)} | {point.t[col].mean():.2f} |")
p()
p("| question | mixture [95 %] | 5-95 % across the judgements | point forecast [95 %] |")
p("|---|---|---|---|")
for w in ["30d", "90d", "180d"]:
    y = base.t[f"us_dead_{w}"] > 0
    p(f"| at least one US death in days 0-{int(w[:-1]) - 1} | {fmt_p(base.prob_ci(y))} | "
      f"{fmt_spread(base.judgement_spread(y))} | {fmt_p(point.prob_ci(point.t[f'us_dead_{w}'] > 0))} |")
y = base.t.us_death_by_1mar > 0
r = base.row("window", "us_death_by_1mar")
assert abs(float(r.probability) - y.mean()) < 1e-9
p(f"| **a US service member killed by 1 March 2024** | {fmt_p(base.prob_ci(y))} | {fmt_spread(base.judgement_spread(y))} | "
  f"{fmt_p(point.prob_ci(point.t.us_death_by_1mar > 0))} |")
p()

# ------------------------------------------------------------- drivers
p("### What drives each answer")
p()
p("First-order index (share of the answer's variance across the judgements explained by one parameter alone) "
  "+- its standard error, from brink's sensitivity.csv (the nested run's per-draw means as the response). "
  "The agreement milestone is not in sensitivity.csv: its row is computed here by the same kind of estimator "
  "(see the script's header). The three largest indices are shown; the last column sums the indices that "
  "exceed twice their standard error (how many in brackets): what the clear drivers explain together.")
p()
p("| answer | first | second | third | clear drivers together |")
p("|---|---|---|---|---|")


def short(path):
    return path.replace("actors.", "").replace("dyads.", "").replace("tracks.", "")


def agreement_drivers(run, y):
    pcols = [d["path"] for d in run.meta["parameters"]["draws"]]
    g = pd.Series(np.asarray(y, dtype=float)).groupby(run.groups).mean()
    x = run.t.groupby(run.groups)[pcols].first()
    M, B = 15, 200
    rs = np.random.default_rng(20240124)
    idx = [rs.integers(0, len(g), len(g)) for _ in range(B)]

    def eta(xv, yv):
        order = np.argsort(xv, kind="stable")
        b = np.empty(len(xv), dtype=np.int64)
        b[order] = np.arange(len(xv)) * M // len(xv)
        cnt = np.bincount(b, minlength=M)
        s = np.bincount(b, weights=yv, minlength=M)
        tot = ((yv - yv.mean()) ** 2).sum()
        if tot == 0:
            return 0.0
        ok = cnt > 0
        between = (s[ok] ** 2 / cnt[ok]).sum() - yv.sum() ** 2 / len(yv)
        bias = (ok.sum() - 1) / (len(yv) - 1)
        return (between / tot - bias) / (1 - bias)

    res = []
    for c in pcols:
        xv, yv = x[c].values.astype(float), g.values
        e = eta(xv, yv)
        res.append((e, c, float(np.std([eta(xv[i], yv[i]) for i in idx], ddof=1))))
    res.sort(reverse=True)
    return res


rows = [("agreement reached", agreement_drivers(base, agreed))]
sens = base.sens
NAMES = [(f"outcome:{o}", o.replace("_", " ")) for o in TERMINAL] + [
    ("killed_us", "US personnel killed"), ("events_kh_us", "attacks by KH-led groups"),
    ("events_nujaba_us", "attacks by the hardliners"), ("pressure_iraq", "Iraq's pressure at the end")]
for key, label in NAMES:
    g = sens[sens.output == key]
    g = g[np.isfinite(g["index"])]
    rows.append((label, sorted(((float(r["index"]), r.parameter, float(r.se)) for _, r in g.iterrows()), reverse=True)))
drivers_table = []
for label, est in rows:
    cells = [f"`{short(c)}` {e:.2f} +- {s:.2f}" for e, c, s in est[:3]]
    clear = [e for e, _, se in est if e > 2 * se]
    p(f"| {label} | " + " | ".join(cells) + f" | {sum(clear):.2f} ({len(clear)}) |")
    drivers_table += [(label, c, e, s) for e, c, s in est]
pd.DataFrame(drivers_table, columns=["answer", "parameter", "index", "se"]).to_csv(root / "drivers.csv", index=False)
p()

# ------------------------------------------------------- counterfactuals
CFS = [
    ("**flagship**", "base"),
    ("point forecast (every prior at its median)", "point"),
    ("US keeps the precondition (talks open after 1-3 calm weeks)", "precondition"),
    ("US answers at 0.5x in kind", "retaliation_half"),
    ("US answers at 1x in kind", "retaliation_in_kind"),
    ("US answers at 2x in kind", "retaliation_double"),
    ("strikes deter (beta ~ N(+0.05, 0.015))", "strikes_deter"),
    ("strikes provoke (beta ~ N(-0.05, 0.015))", "strikes_provoke"),
    ("Iran never orders restraint", "no_iran_restraint"),
    ("Gaza war ends on day 30", "gaza_ends_30d"),
    ("Gaza war lasts all year", "gaza_all_year"),
]
p("### The counterfactuals, as shifts")
p()
p("Each is the flagship with one thing shifted (a distribution moved, a policy changed, a world fixed), "
  "everything else drawn as in the flagship from the same trial streams. Each cell: the mixture [95 %], "
  "then the shift from the flagship in percentage points.")
p()
p("| scenario | agreement reached | withdrawal completed | coerced exit | spiral | collapse | attacks per day while the trial runs (mean) |")
p("|---|---|---|---|---|---|---|")
cf_runs = {}
for label, name in CFS:
    r = base if name == "base" else point if name == "point" else Run(name)
    cf_runs[name] = r
    cells = []
    a = r.prob_ci(r.t.milestone_agreement_step.notna())
    vals = [(a, ag)] + [(r.outcome(o), base.outcome(o)) for o in ["withdrawal_completed", "coerced_exit", "spiral", "collapse"]]
    for x, b0 in vals:
        shift = "" if name == "base" else f" ({100 * (x[0] - b0[0]):+.1f})"
        cells.append(f"{fmt_p(x)}{shift}")
    m = r.mean_ci(r.t.attacks / r.t.days)
    shift = "" if name == "base" else f" ({m[0] - (base.t.attacks / base.t.days).mean():+.2f})"
    cells.append(f"{fmt_m(m, 2)}{shift}")
    p(f"| {label} | " + " | ".join(cells) + " |")
p()

# ----------------------------------------------------------- before/after
p("### Before and after the revision")
p()
p(f"The first structure (`scenarios/examples/us_iraq_2024_v1.toml`, with the same windows), the revision as drafted (daily noise on Iraq's thresholds) and the "
  f"revision of record, {v1.n:,} trials each, all mixtures over their priors and posteriors.")
p()
p("| answer | first structure | revision as drafted | revision (record) | what changed and why |")
p("|---|---|---|---|---|")


def ag_any(r):
    c = "milestone_agreement_step" if "milestone_agreement_step" in r.t else "talks_hmc_agreement_step"
    return r.t[c].notna()


def iran(r):
    c = "action_iran_restrain_proxies_step" if "action_iran_restrain_proxies_step" in r.t else "trigger_iran_restrains_step"
    return r.t[c].notna()


def o_or_nan(r, o):
    return r.outcome(o) if r.row("outcome", o) is not None else None


BA = [
    ("agreement reached within 540 days", lambda r: r.prob_ci(ag_any(r)),
     "The talks bargain (ripeness from both parties' pressure, concessions as fighting reveals costs) instead of "
     "running a clock; an agreement is a milestone, so the trial goes on."),
    ("agreement by 24 July 2024", lambda r: r.prob_ci(r.t[("milestone_agreement_step" if "milestone_agreement_step" in r.t else "talks_hmc_agreement_step")] <= 182),
     "No fixed minimum duration: a concession can settle half of what is left at any time."),
    ("coerced exit", lambda r: o_or_nan(r, "coerced_exit"),
     "Iraq's demand is its own choice on its pressure; drawn once per trial it means what the old exit threshold "
     "meant. Daily noise on it (the draft) made the maximum of the noise cross it, doubling the share."),
    ("escalation spiral", lambda r: o_or_nan(r, "spiral"),
     "The red line answers every US death, not only the first; misattributed answers hit the other group."),
    ("talks collapse", lambda r: o_or_nan(r, "collapse"),
     "Agreements come sooner (the talks bargain), so fewer days are spent exposed to the collapse hazard."),
    ("withdrawal completed", lambda r: o_or_nan(r, "withdrawal_completed"),
     "New: after an agreement, a withdrawal phase of 6-24 months with slips and a break hazard."),
    ("deal broken", lambda r: o_or_nan(r, "deal_broken"), "New: the implementation can fail."),
    ("a US death by 1 March 2024", lambda r: r.prob_ci(r.t.us_death_by_1mar > 0),
     "Same kill-rate posteriors; small changes come from Iraq's and Iran's restraint orders."),
    ("Iran orders restraint at least once", lambda r: r.prob_ci(iran(r)),
     "Iran's order follows its own risk stock (leadership and major strikes, strikes in Syria, US deaths) "
     "instead of a fixed 0.4-1 chance after a major strike."),
    ("attacks in the first 90 days (mean)", lambda r: r.mean_ci(r.t.attacks_90d),
     "Iraq can order the PMF factions to stand down; spoilers attack during the withdrawal."),
    ("US personnel killed in 180 days (mean)", lambda r: r.mean_ci(r.t.us_dead_180d),
     "The same kill-rate posteriors; the red line's repeats and the restraint orders offset."),
    ("days the talks were paused (mean)", lambda r: r.mean_ci(r.t.talks_hmc_pause_steps),
     "Pauses on US deaths only: militia deaths from US strikes no longer pause the talks."),
]
for label, f, why in BA:
    cells = []
    for r in [v1, draft, base]:
        x = f(r)
        if x is None:
            cells.append("-")
        elif "mean" in label:
            cells.append(fmt_m(x))
        else:
            cells.append(fmt_p(x))
    p(f"| {label} | " + " | ".join(cells) + f" | {why} |")
p()

# -------------------------------------------------------------- priors
drawn = base.meta["parameters"]["draws"]
post = base.meta["parameters"].get("posterior", {})
p(f"### The distributions drawn per trial ({len(drawn)})")
p()
p(f"Calibrated (resampled from `{Path(str(post.get('file', 'the posterior'))).name}`): "
  + ", ".join(f"`{x}`" for x in post.get("paths", [])) + ". The others are the scenario file's priors.")
p()
p("| path | distribution | median | 5-95 % |")
p("|---|---|---|---|")
for d in drawn:
    p(f"| `{d['path']}` | `{d['distribution']}` | {d['median']:.4g} | {d['p5']:.4g} to {d['p95']:.4g} |")
p()

# -------------------------------------------------------------- backtest
bt = pd.read_csv(root / "backtest" / "trials.csv")
btp = pd.read_csv(root / "backtest_point" / "trials.csv")
tl = pd.read_csv(root / "backtest" / "timeline.csv")
tl["attacks"] = tl.cum_events_kh_us + tl.cum_events_nujaba_us
q = tl.groupby("step").attacks.quantile([0.05, 0.25, 0.5, 0.75, 0.95]).unstack()
public = {7: 13, 9: 16, 13: 23, 20: 38, 28: 55, 31: 61, 35: 66, 37: 73, 51: 78, 65: 102, 79: 118, 84: 127, 93: 140, 99: 150}
bstart = pd.Timestamp("2023-10-17")
p("### The backtest (17 Oct 2023 - 23 Jan 2024, priors, one draw per trial)")
p()
p("| day | date | Pentagon count | simulated median | 5-95 % | median error |")
p("|---|---|---|---|---|---|")
for d, c in public.items():
    if d in q.index:
        r = q.loc[d]
        p(f"| {d} | {(bstart + pd.Timedelta(days=d)).date()} | {c} | {r[0.5]:.0f} | {r[0.05]:.0f}-{r[0.95]:.0f} | {100 * (r[0.5] - c) / c:+.0f} % |")
rr = bt.events_us_kh + bt.events_us_nujaba
p()
p(f"US retaliation rounds by day 99: median {rr.median():.0f}, 5-95 % {rr.quantile(.05):.0f}-{rr.quantile(.95):.0f} "
  f"(8 happened). US wounded: median {bt.wounded_us.median():.0f}, 5-95 % {bt.wounded_us.quantile(.05):.0f}-"
  f"{bt.wounded_us.quantile(.95):.0f} (about 70). P(a US death by day 99): "
  f"{fmt_p((lambda k, m: (k / m,) + wilson(k, m))(int((bt.killed_us > 0).sum()), len(bt)))} "
  f"(point {pc((btp.killed_us > 0).mean())} %; none happened). Iraq ordered the factions to stand down in "
  f"{pc(bt.action_iraq_restrain_pmf_step.notna().mean())} % of trials, Iran in "
  f"{pc(bt.action_iran_restrain_proxies_step.notna().mean())} %; Iraq demanded withdrawal in "
  f"{pc((bt.outcome == 'coerced_exit').mean())} % (it did not).")

# -------------------------------------------------------------- figures
fig, ax = plt.subplots(figsize=(8, 4.5))
days = range(0, 540)
for label, name in [CFS[0], CFS[1], CFS[2], CFS[5], CFS[9], CFS[10]]:
    t = cf_runs[name].t
    a = t.milestone_agreement_step.dropna().astype(int).value_counts().sort_index()
    cum = a.reindex(days, fill_value=0).cumsum() / len(t)
    ax.plot([base.start + pd.Timedelta(days=d) for d in days], 100 * cum.values, "--" if name == "point" else "-",
            label=label.replace("*", ""))
ax.set_title("Probability that the HMC talks have reached agreement")
ax.set_xlabel("date")
ax.set_ylabel("share of trials with an agreement (%)")
ax.set_ylim(0, 100)
ax.grid(alpha=0.3)
ax.legend(fontsize=8, loc="upper left")
fig.text(0.01, 0.01, f"brink, {n:,} trials per scenario, mixture over priors and posterior (dashed: point forecast).", fontsize=7)
fig.tight_layout(rect=(0, 0.03, 1, 1))
fig.savefig(figs / "agreement_curves.png", dpi=110)
plt.close(fig)

fig, axs = plt.subplots(1, 4, figsize=(10, 3), sharey=True)
for ax, (o, y) in zip(axs, [("agreement reached", agreed), ("coerced exit", base.t.outcome == "coerced_exit"),
                             ("spiral", base.t.outcome == "spiral"), ("withdrawal completed", base.t.outcome == "withdrawal_completed")]):
    per = pd.Series(np.asarray(y, dtype=float)).groupby(base.groups).mean()
    ax.hist(100 * per, bins=20, color="C0", alpha=0.8)
    ax.axvline(100 * np.mean(y), color="k", lw=1, label="mixture")
    ax.set_title(o, fontsize=9)
    ax.set_xlabel("P(outcome | draw), %", fontsize=8)
axs[0].set_ylabel("parameter draws")
axs[0].legend(fontsize=7)
fig.text(0.01, 0.01, f"brink, {D} draws of the priors and posterior, {K} trials each (includes binomial noise).", fontsize=7)
fig.tight_layout(rect=(0, 0.05, 1, 1))
fig.savefig(figs / "judgement_spread.png", dpi=110)
plt.close(fig)

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
fig.text(0.01, 0.01, f"brink us_iraq_2023_backtest, {len(bt):,} trials, priors; day 99 is the seed's date (about 150 attacks).", fontsize=7)
fig.tight_layout(rect=(0, 0.03, 1, 1))
fig.savefig(figs / "backtest_attacks.png", dpi=110)
plt.close(fig)

block = "\n".join(out).rstrip() + "\n"
if doc is None:
    sys.stdout.write(block)
else:
    text = doc.read_text()
    if BEGIN not in text or END not in text:
        sys.exit(f"{doc}: no {BEGIN} ... {END} block to fill")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    doc.write_text(head + BEGIN + "\n" + block + END + tail)
    print(f"wrote the generated block of {doc} and docs/figures/*.png", file=sys.stderr)

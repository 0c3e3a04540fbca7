"""Read brink's output directories into pandas, and the two reductions the
notebook needs (survival curves and fan-chart quantiles).

brink (the Rust CLI) writes a run directory: ``trials.csv``, ``summary.csv``,
``run.json`` and, with ``--timeline K``, ``timeline.csv``; ``brink sweep``
writes the same files with leading ``point`` and dotted-path parameter
columns. With ``--format parquet`` the trials and the timeline are
``trials.parquet`` and ``timeline.parquet`` instead (``both``: each); the
reader takes the CSV when present, else the Parquet file (needs pyarrow),
and gives the same frame from either.

>>> run = brink.read_run("results/flagship")               # doctest: +SKIP
>>> run.summary.query("kind == 'outcome'")                  # doctest: +SKIP
>>> brink.survival(run.trials, "talks_hmc_agreement_step")  # doctest: +SKIP
>>> brink.fan(run.timeline, ["cum_events_kh_us", "cum_events_nujaba_us"])  # doctest: +SKIP
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["Run", "read_run", "survival", "fan"]


@dataclass
class Run:
    """One brink run (or sweep) directory, read.

    Attributes:
        trials: one row per trial (per point and trial in a sweep). Integer
            columns are nullable ``Int64`` (a step that never came is
            ``<NA>``); ``outcome`` is a categorical in the scenario's
            declared order; ``talks_<t>_status`` columns are categorical.
        summary: ``summary.csv`` (kind, name, category, count, probability,
            ci_low, ci_high, mean, sd, min, p5 … p95, max).
        meta: ``run.json`` as a dict (seed, trials, start_date, overrides,
            timing, ``paths`` for a sweep …).
        timeline: ``timeline.csv`` with ``date`` as datetime64, or ``None``
            when the run had no ``--timeline``.
        sensitivity: ``sensitivity.csv`` (first-order indices per output
            and uncertain parameter; per point in a sweep), or ``None``
            when nothing was drawn.
    """

    trials: pd.DataFrame
    summary: pd.DataFrame
    meta: dict
    timeline: pd.DataFrame | None = None
    sensitivity: pd.DataFrame | None = None

    @property
    def start_date(self) -> pd.Timestamp | None:
        """Calendar date of step 0 (``run.json`` ``start_date``), if any."""
        d = self.meta.get("start_date")
        return pd.Timestamp(d) if d else None

    @property
    def paths(self) -> list[str]:
        """Swept parameters (dotted paths), in column order; ``[]`` for a run."""
        return list(self.meta.get("paths", []))


def _read_csv(path: Path) -> pd.DataFrame:
    # numpy_nullable: integer columns with empty cells stay integers (Int64).
    df = pd.read_csv(path, dtype_backend="numpy_nullable")
    for c in df.columns:
        if df[c].dtype == "Float64":
            df[c] = df[c].astype("float64")  # NaN-safe floats plot and reduce as usual
    return df


def _read_parquet(path: Path) -> pd.DataFrame:
    # The same dtypes as _read_csv: nullable Int64 steps, float64 reals,
    # nullable strings; a timeline's BOOLEAN drivers as the CSV's 0/1.
    df = pd.read_parquet(path, dtype_backend="numpy_nullable")
    for c in df.columns:
        if df[c].dtype == "Float64":
            df[c] = df[c].astype("float64")
        elif df[c].dtype == "boolean":
            df[c] = df[c].astype("Int64")
        elif pd.api.types.is_string_dtype(df[c]) and c != "date":
            df[c] = df[c].astype("string")  # read_csv's nullable strings
    return df


def _read_either(d: Path, stem: str) -> pd.DataFrame | None:
    """``stem.csv`` if present, else ``stem.parquet``, else ``None``."""
    if (d / f"{stem}.csv").exists():
        return _read_csv(d / f"{stem}.csv")
    if (d / f"{stem}.parquet").exists():
        return _read_parquet(d / f"{stem}.parquet")  # --format parquet (needs pyarrow)
    return None


def read_run(directory: str | Path) -> Run:
    """Read a ``brink run`` or ``brink sweep`` output directory.

    Args:
        directory: the ``--out`` directory.

    Returns:
        A :class:`Run` with typed frames and the run.json metadata.
    """
    d = Path(directory)
    meta = json.loads((d / "run.json").read_text())
    trials = _read_either(d, "trials")
    if trials is None:
        raise FileNotFoundError(f"{d} has neither trials.csv nor trials.parquet")
    outcomes = meta.get("outcomes") or sorted(trials["outcome"].dropna().unique())
    trials["outcome"] = pd.Categorical(trials["outcome"], categories=outcomes)
    for c in trials.columns:
        if c.startswith("talks_") and c.endswith("_status"):
            trials[c] = trials[c].astype("category")
    summary = _read_csv(d / "summary.csv")
    timeline = _read_either(d, "timeline")
    if timeline is not None and "date" in timeline:
        timeline["date"] = pd.to_datetime(timeline["date"])
    sens = d / "sensitivity.csv"
    sensitivity = _read_csv(sens) if sens.exists() else None
    return Run(trials=trials, summary=summary, meta=meta, timeline=timeline, sensitivity=sensitivity)


def survival(
    trials: pd.DataFrame,
    event_step: str,
    end_step: str = "end_step",
    horizon: int | None = None,
    z: float = 1.96,
) -> pd.DataFrame:
    """Kaplan–Meier estimate of the share of trials without the event by step.

    A trial whose ``event_step`` is empty is censored at its ``end_step``
    (it ended in another outcome, or reached the horizon). The event at step
    ``s`` counts as happened *by the end of* step ``s``.

    Args:
        trials: frame with ``event_step`` (nullable) and ``end_step`` columns.
        event_step: column of the step the event happened, e.g.
            ``"talks_hmc_agreement_step"``.
        end_step: column of the step the trial ended.
        horizon: last step to report (default: largest ``end_step``).
        z: normal quantile of the pointwise band (Greenwood's variance,
            on the log(-log) scale so the band stays in 0..1).

    Returns:
        Frame indexed by step ``0..=horizon`` with columns ``survival``,
        ``ci_low``, ``ci_high`` (0..1), ``at_risk`` and ``events``.
    """
    ev = trials[event_step]
    happened = ev.notna().to_numpy()
    t = np.where(happened, ev.fillna(-1).to_numpy(dtype="int64"),
                 trials[end_step].to_numpy(dtype="int64"))
    if horizon is None:
        horizon = int(t.max()) if len(t) else 0
    steps = np.arange(horizon + 1)
    events = np.bincount(t[happened], minlength=horizon + 1)[: horizon + 1]
    leaving = np.bincount(t, minlength=horizon + 1)[: horizon + 1]
    at_risk = len(t) - np.concatenate([[0], np.cumsum(leaving)[:-1]])
    with np.errstate(divide="ignore", invalid="ignore"):
        h = np.where(at_risk > 0, events / at_risk, 0.0)
        s = np.cumprod(1.0 - h)
        g = np.cumsum(np.where(at_risk > events, events / (at_risk * (at_risk - events)), 0.0))
        log_s = np.log(s)
        se = np.sqrt(g) / np.abs(log_s)
        lo = s ** np.exp(z * se)
        hi = s ** np.exp(-z * se)
    undefined = ~np.isfinite(se) | (s <= 0) | (s >= 1)
    lo = np.where(undefined, s, lo)
    hi = np.where(undefined, s, hi)
    return pd.DataFrame(
        {"survival": s, "ci_low": lo, "ci_high": hi, "at_risk": at_risk, "events": events},
        index=pd.Index(steps, name="step"),
    )


def fan(
    timeline: pd.DataFrame,
    columns: str | list[str],
    quantiles: tuple[float, ...] = (0.05, 0.25, 0.5, 0.75, 0.95),
    carry: bool = True,
) -> pd.DataFrame:
    """Quantiles across trials, per step, of a timeline column (or a sum).

    Args:
        timeline: ``timeline.csv`` as read by :func:`read_run`.
        columns: a column, or several to add up (e.g. both militias'
            ``cum_events_*_us``).
        quantiles: quantile levels, 0..1.
        carry: timeline rows stop at each trial's end step; with ``carry``
            a finished trial keeps its last value up to the longest trial
            (right for cumulative counts: nothing more happened in the
            model), so every step's quantiles are over all trials. Without
            it, only trials still running count at each step.

    Returns:
        Frame indexed by ``step`` (and with a ``date`` column when the
        timeline has dates), one column per quantile level, plus
        ``running`` (trials not yet ended at that step).
    """
    cols = [columns] if isinstance(columns, str) else list(columns)
    value = timeline[cols].sum(axis=1).astype("float64")
    wide = pd.DataFrame({"trial": timeline["trial"], "step": timeline["step"], "v": value}).pivot(
        index="step", columns="trial", values="v"
    )
    running = wide.notna().sum(axis=1)
    if carry:
        wide = wide.ffill()
    out = wide.quantile(list(quantiles), axis=1).T
    out.columns = list(quantiles)
    out["running"] = running
    out.index.name = "step"
    if "date" in timeline:
        dates = timeline.drop_duplicates("step").set_index("step")["date"]
        out.insert(0, "date", dates.reindex(out.index))
    return out

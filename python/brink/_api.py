"""brink from Python: runs, sweeps and shards as pandas DataFrames.

Everything here wraps the native module ``brink._brink``, which calls the
same Rust library as the ``brink`` command line: the same scenario loader,
trial streams (trial ``i`` draws from ChaCha8 stream ``i`` of the seed),
summaries and sweep sharding. For the same scenario, seed and overrides the
numbers are the CLI's, bit for bit; :func:`write_csv` writes them in the
CLI's file format, byte for byte.

Scenarios: ``None`` is the built-in flagship (``us_iraq_2024``); a string is
a scenario file path or a built-in name (:func:`scenarios`).

Overrides (``set=``): a dict ``{"dotted.path": value}``, as ``--set``;
:func:`params` lists every path.

Column types (``docs/outputs.md`` documents every column):

* ``trial``, ``end_step``, ``point`` and count columns: ``int64``;
* step columns (``first_death_step_*``, ``talks_*_agreement_step``, ...):
  nullable ``Int64``, ``<NA>`` where the CLI writes an empty cell;
* ``outcome`` and ``talks_*_status``: ``category`` (categories in the
  scenario's declared order);
* real-valued columns (``severity_*``, ``pressure_*``, ...): ``float64``.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from decimal import Decimal
from typing import Any, Mapping, NamedTuple, Optional, Sequence, Tuple, Union

import numpy as np
import pandas as pd

from . import _brink

__all__ = [
    "ScenarioError",
    "Result",
    "run",
    "sweep",
    "run_shard",
    "shard_points",
    "merge",
    "Merged",
    "params",
    "score",
    "Calibration",
    "calibrate",
    "scenarios",
    "write_csv",
    "fmt_real",
]

#: A scenario that cannot be loaded (a ``ValueError``). ``str(e)`` is the
#: CLI's message: ``file:line:col: `key`: message`` then ``help: ...``;
#: attributes ``file``, ``line``, ``column``, ``key``, ``message``, ``help``.
ScenarioError = _brink.ScenarioError

Scenario = Optional[Union[str, os.PathLike]]
Sets = Optional[Mapping[str, Any]]
Design = Union[pd.DataFrame, Mapping[str, Sequence[Any]]]

SUMMARY_REALS = ["probability", "ci_low", "ci_high", "mean", "sd", "min",
                 "p5", "p25", "p50", "p75", "p95", "max"]


class Result(NamedTuple):
    """What a run, sweep or shard returns.

    ``trials``: one row per trial (``trials.csv``); ``summary``: the
    distribution rows (``summary.csv``); ``meta``: provenance (the keys of
    ``run.json``, plus ``metrics``: each metric column's kind);
    ``sensitivity`` (sweeps and shards whose points keep distributions,
    else ``None``): ``sensitivity.csv``, one block per point, each the
    first-order indices of the parameters that point leaves uncertain
    (see :func:`sweep`).
    """

    trials: pd.DataFrame
    summary: pd.DataFrame
    meta: dict
    sensitivity: Optional[pd.DataFrame] = None


# ----------------------------------------------------------------------
# Values to and from the CLI's text


def fmt_real(x: float) -> str:
    """A float as the CLI writes it: Rust's shortest round-trip form,
    positional (``1e-7`` is ``0.0000001``), whole numbers without ``.0``,
    ``-0`` as ``0``, NaN as an empty cell."""
    x = float(x)
    if x != x:
        return ""
    if x == 0.0:
        return "0"
    r = repr(x)
    if "e" in r or "E" in r:
        r = format(Decimal(r), "f")
    if r.endswith(".0"):
        r = r[:-2]
    return r


def _fmt_value(v: Any) -> str:
    """A design or override value as ``--set`` text (TOML)."""
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        if not np.isfinite(v):
            raise ValueError(f"expected a finite number, found {v!r}")
        return fmt_real(float(v))
    if isinstance(v, str):
        return v
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_fmt_toml(x) for x in v) + "]"
    return str(v)


def _fmt_toml(v: Any) -> str:
    if isinstance(v, str):
        return json.dumps(v)
    return _fmt_value(v)


def _sets(set: Sets) -> list:
    if set is None:
        return []
    if isinstance(set, Mapping):
        return [f"{k}={_fmt_value(v)}" for k, v in set.items()]
    # Also accept ["path=value", ...] as typed on the command line.
    return [str(s) for s in set]


def _scenario(scenario: Scenario) -> Optional[str]:
    return None if scenario is None else os.fspath(scenario)


# ----------------------------------------------------------------------
# Native buffers to DataFrames


def _metric_series(name: str, kind: str, x: np.ndarray, statuses: list) -> Any:
    missing = np.isnan(x)
    if kind == "real":
        return x
    if kind == "status":
        codes = np.where(missing, -1, np.nan_to_num(x, nan=-1)).astype(np.int64)
        return pd.Categorical.from_codes(codes, categories=statuses)
    ints = np.where(missing, 0, x).astype(np.int64)
    if kind == "step" or missing.any():
        return pd.arrays.IntegerArray(ints, missing)
    return ints


def _trials_frame(d: dict) -> pd.DataFrame:
    n = d["rows"]
    names, kinds = d["columns"], d["kinds"]
    m = len(names)
    cols: dict = {}
    cols["trial"] = np.frombuffer(d["trial"], dtype="<u8").astype(np.int64)
    codes = np.frombuffer(d["outcome"], dtype="<u4").astype(np.int64)
    cols["outcome"] = pd.Categorical.from_codes(codes, categories=d["outcomes"])
    cols["end_step"] = np.frombuffer(d["end_step"], dtype="<u4").astype(np.int64)
    metrics = np.frombuffer(d["metrics"], dtype="<f8").reshape(n, m) if m else np.empty((n, 0))
    for j, (name, kind) in enumerate(zip(names, kinds)):
        cols[name] = _metric_series(name, kind, np.ascontiguousarray(metrics[:, j]), d["statuses"])
    return pd.DataFrame(cols, index=pd.RangeIndex(n))


def _summary_frame(cells: list, columns: list, statuses: list) -> pd.DataFrame:
    """Types summary cells (text, as in ``summary.csv``)."""
    t = list(zip(*cells)) if cells else [[] for _ in columns]
    col = dict(zip(columns, t))
    out: dict = {}
    out["kind"] = pd.Categorical(col["kind"], categories=["outcome", "status", "metric"])
    out["name"] = pd.array(col["name"], dtype=object)
    out["category"] = pd.Categorical([c if c else None for c in col["category"]], categories=statuses)
    out["count"] = np.array([int(c) for c in col["count"]], dtype=np.int64)
    for c in SUMMARY_REALS:
        out[c] = np.array([float(v) if v != "" else np.nan for v in col[c]], dtype=np.float64)
    return pd.DataFrame(out, index=pd.RangeIndex(len(cells)))


def _meta(d: dict) -> dict:
    meta = json.loads(d["meta"])
    meta["metrics"] = dict(zip(d["columns"], d["kinds"]))
    return meta


# ----------------------------------------------------------------------
# The API


def scenarios() -> list:
    """Names of the built-in scenarios."""
    return list(_brink.builtins())


def params(scenario: Scenario = None, set: Sets = None) -> pd.DataFrame:
    """Every reachable parameter of ``scenario`` (after ``set``): columns
    ``path``, ``value`` (TOML text, as ``brink params`` prints it; the
    median for a distribution), ``meaning``, and for a parameter drawn per
    trial ``distribution`` (as written, ``--set`` spelling), ``mean``,
    ``p5`` and ``p95`` (empty for a fixed value), and ``inherited_from``:
    for a response key a regime leaves to its dyad, the dyad's path it
    comes from (empty otherwise; its distribution is shown only when the
    regime draws it per trial, i.e. has no ``response`` table of its own)."""
    rows = _brink.params(_scenario(scenario), _sets(set))
    return pd.DataFrame(rows, columns=["path", "value", "meaning", "distribution", "mean", "p5", "p95",
                                       "inherited_from"])


def score(run_dir: Union[str, os.PathLike], observed: Union[str, os.PathLike],
          threads: Optional[int] = None, out: Optional[Union[str, os.PathLike]] = None) -> pd.DataFrame:
    """Scores the run in ``run_dir`` against the observed record
    ``observed``, like ``brink score``: CRPS, log score, randomized PIT,
    50/90 % coverage and Brier for the model and the persistence and
    bootstrap baselines, with skill rows. Writes ``score.csv`` (to ``out``,
    default ``run_dir/score.csv``) and returns it as a DataFrame. A run whose
    ``trials.csv`` lacks a quantity is simulated again from ``run.json``
    (the same trials: runs are deterministic). Raises ``ValueError`` for
    a bad record or run directory (nothing is written)."""
    path, _resimulated = _brink.score(os.fspath(run_dir), os.fspath(observed), threads,
                                      None if out is None else os.fspath(out))
    return pd.read_csv(path)


# ----------------------------------------------------------------------
# pyabc branch: calibration (issue 16 item 5)


class Calibration(NamedTuple):
    """What :func:`calibrate` returns.

    ``posterior``: the final ABC-SMC population (``posterior.csv``:
    ``particle``, ``weight``, then one column per calibrated dotted path;
    the weights sum to 1); ``record``: ``calibration.json`` as a dict
    (settings, tolerance schedule, acceptance rate and ESS per generation,
    simulations, ``stop``, hashes, each prior beside its posterior
    summary); ``predictive``: ``predictive.csv`` (per observation, the
    posterior-predictive mean, 5/50/95 % quantiles and the model's
    scores); ``out``: the directory written, or ``None`` when no ``out``
    was given (the files went to a temporary directory, since removed);
    ``stop``: why it stopped, in words.
    """

    posterior: pd.DataFrame
    record: dict
    predictive: pd.DataFrame
    out: Optional[str]
    stop: str


def calibrate(scenario: Scenario, observed: Union[str, os.PathLike],
              out: Optional[Union[str, os.PathLike]] = None, population: Optional[int] = None,
              replicates: Optional[int] = None, params: Optional[Union[str, Sequence[str]]] = None,
              seed: Optional[int] = None, threads: Optional[int] = None, set: Sets = None,
              quantile: Optional[float] = None, max_generations: Optional[int] = None,
              min_tolerance: Optional[float] = None, min_acceptance: Optional[float] = None,
              max_simulations: Optional[int] = None, resume: bool = False,
              predictive: Optional[int] = None) -> Calibration:
    """The posterior of ``scenario``'s uncertain parameters given the
    observed record ``observed`` (TOML), by ABC-SMC, like ``brink
    calibrate`` (``docs/calibration.md``); every keyword is the flag of
    the same name (``set`` is ``--set``, ``params`` one glob or a list of
    globs over the dotted paths, default every continuous uncertain path).
    Defaults: population 1000, 1 replicate, quantile 0.5, 20 generations,
    the scenario's seed, every core (the result does not depend on
    ``threads``).

    With ``out`` the files are written there (``posterior.csv``,
    ``calibration.json``, ``predictive.csv``, ``checkpoint.json``; the
    same bytes as the command's for the same settings) and ``resume=True``
    continues from its checkpoint; without it they go to a temporary
    directory that is removed once read. The GIL is released while the
    simulations run. Raises :class:`ScenarioError` (a ``ValueError``) for
    a bad scenario, override or argument and ``ValueError`` for a bad
    record or setting; nothing is written then."""
    if isinstance(params, (str, os.PathLike)):
        params = [os.fspath(params)]
    globs = [str(p) for p in (params or [])]
    tmp = None
    if out is None:
        if resume:
            raise ValueError("resume=True needs the out directory of the interrupted calibration")
        tmp = tempfile.mkdtemp(prefix="brink_calibration_")
    try:
        where, stop = _brink.calibrate(
            _scenario(scenario), os.fspath(observed), os.fspath(out) if out is not None else tmp,
            _sets(set), globs, population, replicates, quantile, max_generations, min_tolerance,
            min_acceptance, max_simulations, seed, threads, resume, predictive)
        posterior = pd.read_csv(os.path.join(where, "posterior.csv"), float_precision="round_trip")
        with open(os.path.join(where, "calibration.json"), encoding="utf-8") as f:
            record = json.load(f)
        predictive_df = pd.read_csv(os.path.join(where, "predictive.csv"), float_precision="round_trip",
                                    keep_default_na=False, na_values=[""])
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    return Calibration(posterior, record, predictive_df, None if tmp is not None else where, stop)


def run(scenario: Scenario = None, trials: Optional[int] = None, seed: Optional[int] = None,
        set: Sets = None, threads: Optional[int] = None, point: bool = False,
        draws_per_param: Optional[int] = None) -> Result:
    """Runs ``trials`` seeded trials like ``brink run`` (defaults: the
    scenario's trials and seed; all cores). The GIL is released while the
    trials run. Raises :class:`ScenarioError` for a bad scenario or
    override.

    A parameter written as a distribution is drawn per trial; its drawn
    value is a column of ``trials`` named by its dotted path. ``point=True``
    runs every distribution at its median (``--point``);
    ``draws_per_param=K`` lets K trials share each draw (nested sampling,
    ``--draws-per-param``); left ``None``, a scenario with distributions
    gets the CLI's default, ``clamp(trials // 200, 1, 100)`` trials per
    draw, and ``draws_per_param=1`` draws afresh for every trial."""
    d = _brink.run(_scenario(scenario), _sets(set), trials, seed, threads, point, draws_per_param)
    return Result(_trials_frame(d), _summary_frame(d["summary"], d["summary_columns"], d["statuses"]), _meta(d))


def _design(design: Design) -> Tuple[pd.DataFrame, list, list]:
    """The design as a DataFrame (one row per point, columns = dotted
    paths), its paths and its points as ``--set`` text."""
    if isinstance(design, pd.DataFrame):
        df = design.reset_index(drop=True)
    elif isinstance(design, Mapping):
        df = pd.DataFrame({k: (list(v) if isinstance(v, (list, tuple, np.ndarray, pd.Series)) else [v])
                           for k, v in design.items()})
    else:
        raise TypeError(f"design: expected a DataFrame or a dict of columns, found {type(design).__name__}")
    if "point" in df.columns:  # a design.csv read back
        df = df.drop(columns="point")
    paths = [str(c) for c in df.columns]
    if not paths:
        raise ValueError("design: expected at least one dotted-path column")
    points = [[_fmt_value(v) for v in row] for row in df.itertuples(index=False, name=None)]
    return df, paths, points


def _sweep(scenario: Scenario, design: Design, trials, seed, set, threads, crn, shard) -> Result:
    df, paths, points = _design(design)
    k, n = shard
    d = _brink.sweep(_scenario(scenario), _sets(set), paths, points, trials, seed, threads, crn, (int(k), int(n)))
    trials_df = _trials_frame(d)
    point = np.frombuffer(d["point"], dtype="<u8").astype(np.int64)
    prefix = {"point": point}
    for p in paths:
        prefix[p] = df[p].to_numpy()[point] if len(point) else df[p].iloc[:0].to_numpy()
    trials_df = pd.concat([pd.DataFrame(prefix), trials_df], axis=1)

    spoint = np.array(d["summary_point"], dtype=np.int64)
    summary = _summary_frame(d["summary"], d["summary_columns"], d["statuses"])
    sprefix = {"point": spoint}
    for p in paths:
        sprefix[p] = df[p].to_numpy()[spoint] if len(spoint) else df[p].iloc[:0].to_numpy()
    summary = pd.concat([pd.DataFrame(sprefix), summary], axis=1)
    meta = _meta(d)
    meta["design"] = df
    return Result(trials_df, summary, meta, _sensitivity_frame(d, df, paths))


def _sensitivity_frame(d: dict, df: pd.DataFrame, paths: list) -> Optional[pd.DataFrame]:
    """``sensitivity.csv``'s rows as a frame: ``point``, the swept paths,
    ``output``, ``parameter``, ``index``, ``se``, ``raw`` (float64; NaN
    where the file has an empty cell), ``classes``, ``n`` (int64)."""
    if d.get("sensitivity") is None:
        return None
    point = np.array(d["sensitivity_point"], dtype=np.int64)
    cells = d["sensitivity"]
    cols = dict(zip(d["sensitivity_columns"], list(zip(*cells)) if cells else [[] for _ in d["sensitivity_columns"]]))
    out: dict = {"point": point}
    for p in paths:
        out[p] = df[p].to_numpy()[point] if len(point) else df[p].iloc[:0].to_numpy()
    out["output"] = pd.array(list(cols["output"]), dtype=object)
    out["parameter"] = pd.array(list(cols["parameter"]), dtype=object)
    for c in ("index", "se", "raw"):
        out[c] = np.array([float(v) if v != "" else np.nan for v in cols[c]], dtype=np.float64)
    for c in ("classes", "n"):
        out[c] = np.array([int(v) for v in cols[c]], dtype=np.int64)
    return pd.DataFrame(out, index=pd.RangeIndex(len(point)))


def sweep(scenario: Scenario, design: Design, trials: Optional[int] = None, seed: Optional[int] = None,
          set: Sets = None, threads: Optional[int] = None, crn: bool = True) -> Result:
    """Runs ``trials`` trials at every point of ``design`` like ``brink
    sweep --design``: a DataFrame (or dict of columns) whose columns are
    dotted paths and whose rows are points. ``set`` applies to every
    point, before the point's values. With common random numbers (the
    default) trial ``i`` draws the same stream at every point.

    ``trials`` and ``summary`` start with ``point`` (0-based, design order)
    and one column per swept path, then the columns of :func:`run`.

    When the points keep distributions (the scenario's, less the swept
    paths), each point is itself a run with uncertainty and ``sensitivity``
    holds its drivers, as ``brink sweep``'s ``sensitivity.csv``: the same
    prefix, then ``output``, ``parameter``, ``index``, ``se``, ``raw``,
    ``classes``, ``n``. A point's indices are conditional on its fixed
    values (``docs/uncertainty.md``). ``None`` when nothing is drawn."""
    return _sweep(scenario, design, trials, seed, set, threads, crn, (0, 1))


def run_shard(scenario: Scenario, design: Design, shard: Tuple[int, int], trials: Optional[int] = None,
              seed: Optional[int] = None, set: Sets = None, threads: Optional[int] = None,
              crn: bool = True) -> Result:
    """Runs shard ``shard = (k, n)`` (0-based) of a sweep, like ``brink sweep
    --shard k/n``: the contiguous points :func:`shard_points` gives. The
    shards' results concatenated in order of ``k`` (``pd.concat(...,
    ignore_index=True)``) equal :func:`sweep`'s."""
    return _sweep(scenario, design, trials, seed, set, threads, crn, shard)


def shard_points(shard: Tuple[int, int], points: int) -> range:
    """The points shard ``(k, n)`` of a design of ``points`` points runs."""
    a, b = _brink.shard_points(int(shard[0]), int(shard[1]), int(points))
    return range(a, b)


# ----------------------------------------------------------------------
# Files in the CLI's format


def _csv_cell(v: Any) -> str:
    if v is None or v is pd.NA:
        return ""
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        return fmt_real(v)
    s = str(v)
    if any(c in s for c in ',"\n\r'):
        s = '"' + s.replace('"', '""') + '"'
    return s


def _frame_csv(df: pd.DataFrame) -> str:
    lines = [",".join(_csv_cell(c) for c in df.columns)]
    cols = []
    for c in df.columns:
        s = df[c]
        if isinstance(s.dtype, pd.CategoricalDtype):
            cols.append([("" if v != v or v is None else str(v)) for v in s.astype(object)])
        else:
            cols.append(list(s.astype(object)) if s.dtype.kind not in "if" else s.tolist())
    for row in zip(*cols):
        lines.append(",".join(_csv_cell(v) for v in row))
    return "\n".join(lines) + "\n"


def _fmt6(x: float) -> str:
    """A real as ``sensitivity.csv`` writes it: six decimals, NaN empty."""
    return "" if x != x else f"{x:.6f}"


def _sensitivity_csv(df: pd.DataFrame) -> str:
    df = df.copy()
    for c in ("index", "se", "raw"):
        df[c] = pd.array([_fmt6(float(x)) for x in df[c]], dtype=object)
    return _frame_csv(df)


def write_csv(result: Result, out: Union[str, os.PathLike]) -> list:
    """Writes ``trials.csv``, ``summary.csv``, ``sensitivity.csv`` (when
    ``result.sensitivity`` is not ``None``) and ``run.json`` into ``out``
    in the CLI's format (the CSV files byte-identical to ``brink run``'s or
    ``brink sweep``'s for the same run). Returns the paths written."""
    os.makedirs(out, exist_ok=True)
    written = []
    if result.sensitivity is not None:
        path = os.path.join(out, "sensitivity.csv")
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(_sensitivity_csv(result.sensitivity))
        written.append(path)
    for name, df in (("trials.csv", result.trials), ("summary.csv", result.summary)):
        path = os.path.join(out, name)
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(_frame_csv(df))
        written.append(path)
    meta = {k: v for k, v in result.meta.items() if k != "design"}
    path = os.path.join(out, "run.json")
    with open(path, "w", encoding="utf-8") as f:
        f.write(json.dumps(meta, indent=2) + "\n")
    written.append(path)
    return written


# ----------------------------------------------------------------------
# sweepsens branch: merging shard directories


class Merged(NamedTuple):
    """What :func:`merge` returns.

    ``out``: the merged directory; ``manifest``: its ``run.json`` (the
    sweep's identity, shard ``0/1``, the SHA-256 of each file);
    ``sensitivity``: the merged ``sensitivity.csv`` read back (``point``,
    the swept paths, ``output``, ``parameter``, ``index``, ``se``, ``raw``,
    ``classes``, ``n``), or ``None`` when the sweep wrote none.
    """

    out: str
    manifest: dict
    sensitivity: Optional[pd.DataFrame]


def merge(dirs: Sequence[Union[str, os.PathLike]], out: Union[str, os.PathLike]) -> Merged:
    """Merges the shard directories ``dirs`` (each written by ``brink sweep
    --shard K/N``, in any order) into ``out``, like ``brink merge``: the
    files of one whole sweep, byte for byte, ``sensitivity.csv`` included.
    Raises ``ValueError`` (the CLI's message) for a missing, duplicated or
    mismatched shard or a file that does not match its ``run.json``;
    nothing is written then."""
    manifest = json.loads(_brink.merge([os.fspath(d) for d in dirs], os.fspath(out)))
    sens = os.path.join(os.fspath(out), "sensitivity.csv")
    df = None
    if manifest.get("sensitivity"):
        df = pd.read_csv(sens, keep_default_na=False, na_values=[""])
        for c in ("index", "se", "raw"):
            df[c] = df[c].astype(np.float64)
    return Merged(os.fspath(out), manifest, df)

//! `brink._brink`: the native half of the Python package. It loads
//! scenarios, runs trials and sweeps with the `brink` library exactly as
//! the CLI does (same loader, runner, trial streams and summary), and hands
//! the results to Python as flat little-endian buffers plus the summary's
//! cells as text; `brink/_api.py` turns them into pandas DataFrames.
//!
//! The GIL is released while trials run.

// Scenario errors carry their source text for diagnostics (cold path).
#![allow(clippy::result_large_err)]

use brink::cli::{FsResolver, load};
use brink::design::Design;
use brink::engine::{MetricKind, MetricLayout, TrialResult};
use brink::model::TalkStatus;
use brink::output::{OutputError, Summary};
use brink::runner::sweep::{self, PointSink, Shard, SweepError, SweepPlan};
use brink::runner::{self, Plan};
use brink::scenario::{self, Loaded, ScenarioError as BrinkError};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::RecvTimeoutError;
use std::time::Duration;
use std::time::Instant;

pyo3::create_exception!(
    brink,
    ScenarioError,
    PyValueError,
    "A scenario, override or design that brink cannot load. The message is \
     the CLI's: `file:line:col: key: message`, then the help. Attributes: \
     file, line, column, key, message, help (None where unknown)."
);

/// Runs `work` without the GIL on a helper thread while this thread waits;
/// every 100 ms it takes the GIL to run Python's signal handlers, so Ctrl-C
/// in a notebook sets `cancel` (the runner stops between blocks of trials)
/// and the KeyboardInterrupt is raised once the work has stopped.
fn detached<T: Send>(py: Python<'_>, cancel: &AtomicBool, work: impl FnOnce() -> T + Send) -> PyResult<T> {
    let (out, signal) = py.detach(|| {
        std::thread::scope(|scope| {
            let (tx, rx) = std::sync::mpsc::channel();
            scope.spawn(move || {
                let _ = tx.send(work());
            });
            let mut signal: PyResult<()> = Ok(());
            loop {
                match rx.recv_timeout(Duration::from_millis(100)) {
                    Ok(out) => return (Some(out), signal),
                    Err(RecvTimeoutError::Disconnected) => return (None, signal),
                    Err(RecvTimeoutError::Timeout) if signal.is_ok() => {
                        signal = Python::attach(|py| py.check_signals());
                        if signal.is_err() {
                            cancel.store(true, Ordering::Relaxed);
                        }
                    }
                    Err(RecvTimeoutError::Timeout) => {}
                }
            }
        })
    });
    signal?;
    out.ok_or_else(|| PyRuntimeError::new_err("brink worker thread panicked"))
}

fn scenario_err(py: Python<'_>, e: &BrinkError, context: Option<String>) -> PyErr {
    let mut msg = match &context {
        Some(c) => format!("{c}: {e}"),
        None => e.to_string(),
    };
    if let Some(h) = &e.help {
        msg.push_str("\n  help: ");
        msg.push_str(h);
    }
    let err = ScenarioError::new_err(msg);
    let v = err.value(py);
    let _ = v.setattr("file", e.file.clone());
    let _ = v.setattr("line", e.line);
    let _ = v.setattr("column", e.column);
    let _ = v.setattr("key", e.key.clone());
    let _ = v.setattr("message", e.message.clone());
    let _ = v.setattr("help", e.help.clone());
    err
}

fn sweep_err(py: Python<'_>, e: SweepError) -> PyErr {
    match &e {
        SweepError::Point { point, sets, source } => {
            scenario_err(py, source, Some(format!("design point {point} ({sets})")))
        }
        SweepError::Layout { .. } | SweepError::Shard { .. } => PyValueError::new_err(e.to_string()),
        _ => PyRuntimeError::new_err(e.to_string()),
    }
}

fn kind_name(k: MetricKind) -> &'static str {
    match k {
        MetricKind::Count => "count",
        MetricKind::Real => "real",
        MetricKind::Step => "step",
        MetricKind::Status => "status",
    }
}

fn threads_or_all(threads: Option<usize>) -> usize {
    threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1)
}

fn outcome_names(l: &Loaded) -> Vec<String> {
    l.scenario.outcome_names().iter().map(|x| x.to_string()).collect()
}

/// Rows collected in trial order: the columns of `trials.csv` as buffers.
#[derive(Default)]
struct Columns {
    point: Vec<u8>,
    trial: Vec<u8>,
    outcome: Vec<u8>,
    end_step: Vec<u8>,
    metrics: Vec<u8>,
    rows: u64,
}

impl Columns {
    fn push(&mut self, point: Option<usize>, i: u64, r: &TrialResult, row: &[f64]) {
        if let Some(p) = point {
            self.point.extend_from_slice(&(p as u64).to_le_bytes());
        }
        self.trial.extend_from_slice(&i.to_le_bytes());
        self.outcome.extend_from_slice(&u32::from(r.outcome).to_le_bytes());
        self.end_step.extend_from_slice(&r.end_step.to_le_bytes());
        for x in row {
            self.metrics.extend_from_slice(&x.to_le_bytes());
        }
        self.rows += 1;
    }
}

fn summary_cells(s: &Summary, point: Option<usize>, out: &mut Vec<(Option<usize>, Vec<String>)>) {
    let _ = s.for_each_row(|cells| -> Result<(), ()> {
        out.push((point, cells.to_vec()));
        Ok(())
    });
}

/// The result dict shared by `run` and `sweep`.
fn result_dict<'py>(
    py: Python<'py>,
    layout: &MetricLayout,
    outcomes: &[String],
    cols: &Columns,
    summary: &[(Option<usize>, Vec<String>)],
    meta: serde_json::Value,
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("columns", layout.names.clone())?;
    d.set_item("kinds", layout.kinds.iter().map(|&k| kind_name(k)).collect::<Vec<_>>())?;
    d.set_item("outcomes", outcomes.to_vec())?;
    d.set_item("statuses", TalkStatus::ALL.map(|t| t.as_str()).to_vec())?;
    d.set_item("rows", cols.rows)?;
    d.set_item("point", PyBytes::new(py, &cols.point))?;
    d.set_item("trial", PyBytes::new(py, &cols.trial))?;
    d.set_item("outcome", PyBytes::new(py, &cols.outcome))?;
    d.set_item("end_step", PyBytes::new(py, &cols.end_step))?;
    d.set_item("metrics", PyBytes::new(py, &cols.metrics))?;
    d.set_item("summary_columns", brink::output::summary::COLUMNS.to_vec())?;
    d.set_item(
        "summary_point",
        summary.iter().map(|(p, _)| p.map(|p| p as i64)).collect::<Vec<_>>(),
    )?;
    d.set_item("summary", summary.iter().map(|(_, c)| c.clone()).collect::<Vec<_>>())?;
    d.set_item("meta", serde_json::to_string(&meta).expect("json"))?;
    Ok(d)
}

/// Loads a scenario (None: the flagship; a built-in name; a file path).
fn load_py(py: Python<'_>, scenario: Option<&str>, sets: &[String]) -> PyResult<Loaded> {
    load(scenario, sets).map_err(|e| scenario_err(py, &e, None))
}

/// `[(path, value, meaning)]` for every reachable parameter, as `brink params`.
#[pyfunction]
#[pyo3(signature = (scenario=None, sets=Vec::new()))]
fn params(py: Python<'_>, scenario: Option<&str>, sets: Vec<String>) -> PyResult<Vec<(String, String, String)>> {
    let l = load_py(py, scenario, &sets)?;
    Ok(l.params()
        .into_iter()
        .map(|(path, v)| {
            let doc = scenario::paths::doc_for(&path).unwrap_or("").to_string();
            (path, v.to_string(), doc)
        })
        .collect())
}

/// The built-in scenarios' names.
#[pyfunction]
fn builtins() -> Vec<&'static str> {
    scenario::builtin::BUILTINS.iter().map(|b| b.name).collect()
}

/// Runs trials like `brink run`; returns buffers, summary cells and meta.
#[pyfunction]
#[pyo3(signature = (scenario=None, sets=Vec::new(), trials=None, seed=None, threads=None))]
fn run<'py>(
    py: Python<'py>,
    scenario: Option<&str>,
    sets: Vec<String>,
    trials: Option<u64>,
    seed: Option<u64>,
    threads: Option<usize>,
) -> PyResult<Bound<'py, PyDict>> {
    let t0 = Instant::now();
    let l = load_py(py, scenario, &sets)?;
    let s = &l.scenario;
    let trials = trials.unwrap_or(s.trials);
    brink::cli::check_trials(trials).map_err(|e| scenario_err(py, &e, None))?;
    let seed = seed.unwrap_or(s.seed);
    let threads = threads_or_all(threads);
    let layout = MetricLayout::new(s);
    let outcomes = outcome_names(&l);
    let plan = Plan {
        seed,
        trials: 0..trials,
        threads,
    };
    let mut cols = Columns::default();
    let mut summary = Summary::new(outcomes.clone(), &layout);
    let started = Instant::now();
    let cancel = AtomicBool::new(false);
    detached(py, &cancel, || {
        runner::run(
            s,
            &layout,
            &plan,
            &cancel,
            |_| {},
            |i, r, row| {
                summary.push(r, row);
                cols.push(None, i, r, row);
                Ok::<(), OutputError>(())
            },
        )
    })?
    .map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
    let elapsed = started.elapsed().as_secs_f64();
    let mut cells = Vec::new();
    summary_cells(&summary, None, &mut cells);
    let meta = brink::output::run_meta(&l, "brink.run (Python)".into(), seed, trials, threads, t0, elapsed);
    result_dict(py, &layout, &outcomes, &cols, &cells, meta)
}

/// Collects a sweep's rows and per-point summaries.
struct Collect {
    outcomes: Vec<String>,
    layout: MetricLayout,
    cols: Columns,
    current: Option<(usize, Summary)>,
    summary: Vec<(Option<usize>, Vec<String>)>,
}

impl PointSink for Collect {
    fn begin(&mut self, p: usize, _values: &[String]) -> Result<(), OutputError> {
        self.current = Some((p, Summary::new(self.outcomes.clone(), &self.layout)));
        Ok(())
    }

    fn trial(&mut self, i: u64, r: &TrialResult, row: &[f64]) -> Result<(), OutputError> {
        let (p, s) = self.current.as_mut().expect("begin before trial");
        s.push(r, row);
        self.cols.push(Some(*p), i, r, row);
        Ok(())
    }

    fn end(&mut self) -> Result<(), OutputError> {
        let (p, s) = self.current.take().expect("begin before end");
        summary_cells(&s, Some(p), &mut self.summary);
        Ok(())
    }
}

/// Runs shard `k` of `n` of a design like `brink sweep --shard k/n`
/// (common random numbers unless `crn` is false).
#[pyfunction]
#[pyo3(name = "sweep", signature = (scenario, sets, paths, points, trials=None, seed=None, threads=None, crn=true, shard=(0, 1)))]
#[allow(clippy::too_many_arguments)]
fn sweep_py<'py>(
    py: Python<'py>,
    scenario: Option<&str>,
    sets: Vec<String>,
    paths: Vec<String>,
    points: Vec<Vec<String>>,
    trials: Option<u64>,
    seed: Option<u64>,
    threads: Option<usize>,
    crn: bool,
    shard: (u64, u64),
) -> PyResult<Bound<'py, PyDict>> {
    let t0 = Instant::now();
    let base = load_py(py, scenario, &sets)?;
    let s = &base.scenario;
    let trials = trials.unwrap_or(s.trials);
    brink::cli::check_trials(trials).map_err(|e| scenario_err(py, &e, None))?;
    let seed = seed.unwrap_or(s.seed);
    let threads = threads_or_all(threads);
    let (k, n) = shard;
    if n == 0 || k >= n {
        return Err(PyValueError::new_err(format!(
            "shard ({k}, {n}): expected (k, n) with 0 <= k < n"
        )));
    }
    let shard = Shard { k, n };
    if paths.is_empty() {
        return Err(PyValueError::new_err("a design needs at least one parameter column"));
    }
    for (i, p) in paths.iter().enumerate() {
        if paths[..i].contains(p) {
            return Err(PyValueError::new_err(format!("design column `{p}` is given twice")));
        }
    }
    if let Some((i, row)) = points.iter().enumerate().find(|(_, r)| r.len() != paths.len()) {
        return Err(PyValueError::new_err(format!(
            "design point {i} has {} values, expected {}",
            row.len(),
            paths.len()
        )));
    }
    let design = Design { paths, points };
    let layout = MetricLayout::new(s);
    let outcomes = outcome_names(&base);
    let src = base.sources[0].clone();
    let user_sets = sets.clone();
    let loader = move |extra: &[String]| {
        let mut sets = user_sets.clone();
        sets.extend_from_slice(extra);
        scenario::parse(&src.text, &src.name, &sets, &FsResolver)
    };
    sweep::validate(&design, &layout, &loader, shard).map_err(|e| sweep_err(py, e))?;
    let plan = SweepPlan {
        seed,
        trials,
        threads,
        crn,
        shard,
    };
    let mut sink = Collect {
        outcomes: outcomes.clone(),
        layout: layout.clone(),
        cols: Columns::default(),
        current: None,
        summary: Vec::new(),
    };
    let started = Instant::now();
    let cancel = AtomicBool::new(false);
    detached(py, &cancel, || {
        sweep::run(&design, &layout, &loader, &plan, &cancel, |_| {}, &mut sink)
    })?
    .map_err(|e| sweep_err(py, e))?;
    let elapsed = started.elapsed().as_secs_f64();
    let range = shard.points(design.len());
    let total = range.len() as u64 * trials;
    let meta = serde_json::json!({
        "brink_version": brink::VERSION,
        "command": "brink.sweep (Python)",
        "scenario": s.name,
        "scenario_file": base.sources[0].name,
        "scenario_sha256": base.hash(),
        "overrides": sets,
        "paths": design.paths,
        "points": design.len(),
        "design_sha256": design.hash(),
        "seed": seed,
        "trials": trials,
        "crn": crn,
        "shard": {"k": k, "n": n},
        "shard_points": [range.start, range.end],
        "threads": threads,
        "rng": brink::runner::sweep::rng_description(crn),
        "horizon": s.horizon,
        "outcomes": outcomes,
        "timing": {
            "trials_seconds": elapsed,
            "total_seconds": t0.elapsed().as_secs_f64(),
            "trials_per_second": total as f64 / elapsed.max(1e-9),
        },
    });
    result_dict(py, &layout, &outcomes, &sink.cols, &sink.summary, meta)
}

/// The points shard `k` of `n` runs, of `total`: `(start, end)`.
#[pyfunction]
fn shard_points(k: u64, n: u64, total: usize) -> PyResult<(usize, usize)> {
    if n == 0 || k >= n {
        return Err(PyValueError::new_err(format!(
            "shard ({k}, {n}): expected (k, n) with 0 <= k < n"
        )));
    }
    let r = Shard { k, n }.points(total);
    Ok((r.start, r.end))
}

/// The native module.
#[pymodule]
fn _brink(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("ScenarioError", m.py().get_type::<ScenarioError>())?;
    m.add("__version__", brink::VERSION)?;
    m.add_function(wrap_pyfunction!(params, m)?)?;
    m.add_function(wrap_pyfunction!(builtins, m)?)?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(sweep_py, m)?)?;
    m.add_function(wrap_pyfunction!(shard_points, m)?)?;
    Ok(())
}

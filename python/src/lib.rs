//! `brink._brink`: the native half of the Python package. It converts
//! Python arguments into the specs of `brink::job` (the CLI's), runs them
//! into in-memory sinks, and hands the results to Python as flat
//! little-endian buffers plus the summary's cells as text;
//! `brink/_api.py` turns them into pandas DataFrames. No application logic
//! lives here: a bad argument gets the CLI's message, as `ScenarioError`
//! (a `ValueError`) or `ValueError`.
//!
//! The GIL is released while trials run.

// Scenario errors carry their source text for diagnostics (cold path).
#![allow(clippy::result_large_err)]

use brink::engine::{MetricKind, MetricLayout, TrialResult};
use brink::job::calibrate::{CalibrateSpec, stop_words};
use brink::job::inspect::ScenarioSpec;
use brink::job::merge::MergeSpec;
use brink::job::run::RunSpec;
use brink::job::score::ScoreSpec;
use brink::job::sweep::{DesignSpec, PointFolds, PointStats, SweepSpec, point_error};
use brink::job::{JobError, MAX_THREADS, MAX_TRIALS, Quiet};
use brink::model::TalkStatus;
use brink::output::Summary;
use brink::runner::RunError;
use brink::runner::sweep::{PointSink, Shard, SweepError};
use brink::scenario::ScenarioError as BrinkError;
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::RecvTimeoutError;
use std::time::Duration;

pyo3::create_exception!(
    brink,
    ScenarioError,
    PyValueError,
    "A scenario, override, design or argument that brink cannot use. The \
     message is the CLI's: `file:line:col: key: message`, then the help. \
     Attributes: kind (a string code such as \"unknown_key\"), path (the \
     dotted key), file, line, column, key (= path), message, help (None \
     where unknown)."
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
    let _ = v.setattr("path", e.key.clone());
    let _ = v.setattr("kind", error_kind(e));
    let _ = v.setattr("message", e.message.clone());
    let _ = v.setattr("help", e.help.clone());
    err
}

/// The error's kind as a string code: the scenario layer's typed
/// `ErrorKind` (`ScenarioError::kind_code`), never read from the wording.
fn error_kind(e: &BrinkError) -> &'static str {
    e.kind_code()
}

/// A job's failure as the Python exception the CLI's message fits.
fn job_err(py: Python<'_>, e: JobError) -> PyErr {
    if let Some((point, sets, source)) = point_error(&e) {
        return scenario_err(py, source, Some(format!("design point {point} ({sets})")));
    }
    match &e {
        JobError::Scenario(s) => scenario_err(py, s, None),
        JobError::Sweep(SweepError::Layout { .. } | SweepError::Shard { .. })
        | JobError::Design(_)
        | JobError::Usage { .. }
        | JobError::Limit { .. }
        | JobError::Score(_) => PyValueError::new_err(e.to_string()),
        _ => PyRuntimeError::new_err(e.to_string()),
    }
}

/// A count argument (trials, seed, threads): `None`, or a Python int that
/// fits `u64`; any other int gets the CLI's message for that flag.
fn count(py: Python<'_>, flag: &str, v: Option<&Bound<'_, PyAny>>) -> PyResult<Option<u64>> {
    let Some(v) = v else { return Ok(None) };
    if v.is_none() {
        return Ok(None);
    }
    if let Ok(x) = v.extract::<u64>() {
        return Ok(Some(x));
    }
    let found = v.str()?.to_string();
    let negative = v.lt(0).unwrap_or(false);
    let expected = match (flag, negative) {
        (_, _) if !v.is_instance_of::<pyo3::types::PyInt>() => "expected a whole number".to_string(),
        ("--trials", true) => "expected at least 1 trial".to_string(),
        ("--trials", false) => format!("expected at most {MAX_TRIALS} (2^53) trials"),
        ("--threads", _) => format!("expected a number of worker threads from 0 to {MAX_THREADS}"),
        _ => "expected a whole number from 0 to 2^64 - 1".to_string(),
    };
    let e = BrinkError::bad_flag(flag, &format!("{expected}, found {found}"));
    Err(scenario_err(py, &e, None))
}

fn threads_arg(py: Python<'_>, v: Option<&Bound<'_, PyAny>>) -> PyResult<Option<usize>> {
    // Beyond usize it is beyond MAX_THREADS too: the job says so.
    Ok(count(py, "--threads", v)?.map(|t| usize::try_from(t).unwrap_or(usize::MAX)))
}

fn kind_name(k: MetricKind) -> &'static str {
    match k {
        MetricKind::Count => "count",
        MetricKind::Real => "real",
        MetricKind::Step => "step",
        MetricKind::Status => "status",
    }
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

/// One row of `params`: path, value, meaning, then the distribution (as
/// written) with its mean, 5 % and 95 % quantiles (`None` for a point),
/// and for a key a regime inherits, the dyad's path it comes from.
type ParamRow = (
    String,
    String,
    String,
    Option<String>,
    Option<f64>,
    Option<f64>,
    Option<f64>,
    Option<String>,
);

/// A row per reachable parameter, as `brink params`.
#[pyfunction]
#[pyo3(signature = (scenario=None, sets=Vec::new()))]
fn params(py: Python<'_>, scenario: Option<String>, sets: Vec<String>) -> PyResult<Vec<ParamRow>> {
    let ps = ScenarioSpec { scenario, sets }.params().map_err(|e| job_err(py, e))?;
    Ok(ps
        .into_iter()
        .map(|p| {
            // engine15: a key a regime inherits names its source; it is
            // drawn per trial there too (regimedraw).
            let from = p.inherited.map(|i| i.from);
            let (text, mean, p5, p95) = match p.dist {
                Some(d) => (
                    Some(d.text),
                    Some(d.summary.mean),
                    Some(d.summary.p5),
                    Some(d.summary.p95),
                ),
                None => (None, None, None, None),
            };
            (p.path, p.value, p.doc, text, mean, p5, p95, from)
        })
        .collect())
}

/// The built-in scenarios' names.
#[pyfunction]
fn builtins() -> Vec<&'static str> {
    brink::scenario::builtin::BUILTINS.iter().map(|b| b.name).collect()
}

/// Runs trials like `brink run`; returns buffers, summary cells and meta.
#[pyfunction]
#[pyo3(signature = (scenario=None, sets=Vec::new(), trials=None, seed=None, threads=None, point=false, draws_per_param=None))]
#[allow(clippy::too_many_arguments)] // one per keyword of brink.run
fn run<'py>(
    py: Python<'py>,
    scenario: Option<String>,
    sets: Vec<String>,
    trials: Option<Bound<'py, PyAny>>,
    seed: Option<Bound<'py, PyAny>>,
    threads: Option<Bound<'py, PyAny>>,
    point: bool,
    draws_per_param: Option<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let spec = RunSpec {
        scenario,
        sets,
        trials: count(py, "--trials", trials.as_ref())?,
        seed: count(py, "--seed", seed.as_ref())?,
        threads: threads_arg(py, threads.as_ref())?,
        point,
        per_draw: count(py, "--draws-per-param", draws_per_param.as_ref())?,
        ..RunSpec::default()
    };
    let job = spec.validate().map_err(|e| job_err(py, e))?;
    let mut cols = Columns::default();
    let cancel = AtomicBool::new(false);
    let stats = detached(py, &cancel, || {
        job.run_into(&cancel, &mut Quiet, |i, r, row| {
            cols.push(None, i, r, row);
            Ok::<(), RunError>(())
        })
    })?
    .map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
    let mut cells = Vec::new();
    summary_cells(&stats.summary, None, &mut cells);
    let meta = job.meta("brink.run (Python)".into(), stats.seconds);
    result_dict(py, &job.layout, &job.outcomes, &cols, &cells, meta)
}

/// Collects a sweep's rows and per-point summaries (the summaries and
/// drivers fold on the pool, as the CLI's do: `PointStats`).
struct Collect {
    cols: Columns,
    current: Option<usize>,
    summary: Vec<(Option<usize>, Vec<String>)>,
    folds: PointFolds,
    /// Whether the points keep distributions (their drivers are kept).
    drivers: bool,
    /// `sensitivity.csv`'s rows: the point, then its cells as written.
    sensitivity: Vec<(usize, Vec<String>)>,
}

impl PointSink for Collect {
    type Error = SweepError;
    type Fold = PointStats;

    fn begin(&mut self, p: usize, _values: &[String]) -> Result<(), SweepError> {
        self.current = Some(p);
        Ok(())
    }

    fn fold(&mut self, s: &brink::model::Scenario) -> Result<Option<PointStats>, SweepError> {
        Ok(Some(self.folds.point(s, self.drivers)))
    }

    fn trial(&mut self, i: u64, r: &TrialResult, row: &[f64]) -> Result<(), SweepError> {
        let p = self.current.expect("begin before trial");
        self.cols.push(Some(p), i, r, row);
        Ok(())
    }

    fn end(&mut self, stats: Option<PointStats>) -> Result<(), SweepError> {
        let p = self.current.take().expect("begin before end");
        let stats = stats.expect("Collect::fold gives every point its statistics");
        summary_cells(&stats.summary, Some(p), &mut self.summary);
        for x in stats.drivers() {
            let cells = brink::output::sensitivity::cells(&x.output, &x.parameter, &x.estimate);
            self.sensitivity.push((p, cells.to_vec()));
        }
        Ok(())
    }
}

/// `(k, n)` as `--shard` text: Python's ints as they are, so a negative or
/// huge one gets the CLI's message.
fn shard_text(shard: &(Bound<'_, PyAny>, Bound<'_, PyAny>)) -> PyResult<String> {
    Ok(format!("{}/{}", shard.0.str()?, shard.1.str()?))
}

/// Runs shard `k` of `n` of a design like `brink sweep --shard k/n`
/// (common random numbers unless `crn` is false).
#[pyfunction]
#[pyo3(name = "sweep", signature = (scenario, sets, paths, points, trials=None, seed=None, threads=None, crn=true, shard=None))]
#[allow(clippy::too_many_arguments)]
fn sweep_py<'py>(
    py: Python<'py>,
    scenario: Option<String>,
    sets: Vec<String>,
    paths: Vec<String>,
    points: Vec<Vec<String>>,
    trials: Option<Bound<'py, PyAny>>,
    seed: Option<Bound<'py, PyAny>>,
    threads: Option<Bound<'py, PyAny>>,
    crn: bool,
    shard: Option<(Bound<'py, PyAny>, Bound<'py, PyAny>)>,
) -> PyResult<Bound<'py, PyDict>> {
    let spec = SweepSpec {
        scenario,
        sets,
        design: DesignSpec::Points { paths, points },
        salib_y: None,
        trials: count(py, "--trials", trials.as_ref())?,
        seed: count(py, "--seed", seed.as_ref())?,
        threads: threads_arg(py, threads.as_ref())?,
        crn,
        shard: shard.as_ref().map(shard_text).transpose()?,
        resume: false,
        out: None,
        format: Default::default(),
    };
    let job = spec.validate().map_err(|e| job_err(py, e))?;
    let mut sink = Collect {
        cols: Columns::default(),
        current: None,
        summary: Vec::new(),
        folds: PointFolds::new(&job),
        drivers: job.manifest.sensitivity,
        sensitivity: Vec::new(),
    };
    let cancel = AtomicBool::new(false);
    let started = std::time::Instant::now();
    detached(py, &cancel, || job.run_into(0, &cancel, &mut Quiet, &mut sink))?.map_err(|e| job_err(py, e.into()))?;
    let meta = job.meta("brink.sweep (Python)", started.elapsed().as_secs_f64());
    let d = result_dict(py, &job.layout, &job.outcomes, &sink.cols, &sink.summary, meta)?;
    // sensitivity.csv's rows (None when nothing is uncertain at the points).
    if job.manifest.sensitivity {
        d.set_item("sensitivity_columns", brink::output::sensitivity::COLUMNS.to_vec())?;
        let (points, cells): (Vec<usize>, Vec<Vec<String>>) = sink.sensitivity.into_iter().unzip();
        d.set_item("sensitivity_point", points)?;
        d.set_item("sensitivity", cells)?;
    } else {
        d.set_item("sensitivity", py.None())?;
    }
    Ok(d)
}

/// The points shard `k` of `n` runs, of `total`: `(start, end)`.
#[pyfunction]
fn shard_points(k: Bound<'_, PyAny>, n: Bound<'_, PyAny>, total: usize) -> PyResult<(usize, usize)> {
    let shard = Shard::parse(&shard_text(&(k, n))?).map_err(|e| PyValueError::new_err(e.to_string()))?;
    let r = shard.points(total);
    Ok((r.start, r.end))
}

/// Scores a run directory against an observed record, like `brink score`:
/// writes `score.csv` (to `out`, default `RUN_DIR/score.csv`) and returns
/// its path and whether the run was simulated again.
#[pyfunction]
#[pyo3(name = "score", signature = (run_dir, observed, threads=None, out=None))]
fn score_py(
    py: Python<'_>,
    run_dir: std::path::PathBuf,
    observed: std::path::PathBuf,
    threads: Option<Bound<'_, PyAny>>,
    out: Option<std::path::PathBuf>,
) -> PyResult<(String, bool)> {
    let job = ScoreSpec {
        run: run_dir,
        observed,
        threads: threads_arg(py, threads.as_ref())?,
        out,
    }
    .validate()
    .map_err(|e| job_err(py, e))?;
    let cancel = AtomicBool::new(false);
    let report = detached(py, &cancel, || job.write(&cancel, &mut Quiet))?.map_err(|e| job_err(py, e))?;
    let file = report.file.map(|f| f.display().to_string()).unwrap_or_default();
    Ok((file, report.resimulated))
}

// ----------------------------------------------------------------------
// pyabc branch: `brink.calibrate` (issue 16 item 5)

/// A real setting (`--quantile`, `--min-tolerance`, `--min-acceptance`):
/// `None`, or a Python number; anything else gets the flag's message.
fn real_arg(py: Python<'_>, flag: &str, v: Option<&Bound<'_, PyAny>>) -> PyResult<Option<f64>> {
    let Some(v) = v else { return Ok(None) };
    if v.is_none() {
        return Ok(None);
    }
    let number = v.is_instance_of::<pyo3::types::PyFloat>() || v.is_instance_of::<pyo3::types::PyInt>();
    if number
        && !v.is_instance_of::<pyo3::types::PyBool>()
        && let Ok(x) = v.extract::<f64>()
    {
        return Ok(Some(x));
    }
    let found = v.repr()?.to_string();
    let e = BrinkError::bad_flag(flag, &format!("expected a number, found {found}"));
    Err(scenario_err(py, &e, None))
}

/// A count that must fit a narrower integer (`--population`, ...).
fn narrow<T: TryFrom<u64>>(py: Python<'_>, flag: &str, v: Option<&Bound<'_, PyAny>>) -> PyResult<Option<T>> {
    match count(py, flag, v)? {
        None => Ok(None),
        Some(x) => T::try_from(x).map(Some).map_err(|_| {
            let e = BrinkError::bad_flag(flag, &format!("expected a smaller number, found {x}"));
            scenario_err(py, &e, None)
        }),
    }
}

/// Calibrates like `brink calibrate`: writes `posterior.csv`,
/// `calibration.json`, `predictive.csv` and `checkpoint.json` to `out`
/// (default `out/<scenario>_calibration`) and returns the directory and
/// the stop reason. Bad input raises before anything is written.
#[pyfunction]
#[pyo3(name = "calibrate", signature = (scenario, observed, out=None, sets=Vec::new(), params=Vec::new(),
    population=None, replicates=None, quantile=None, max_generations=None, min_tolerance=None,
    min_acceptance=None, max_simulations=None, seed=None, threads=None, resume=false, predictive=None))]
#[allow(clippy::too_many_arguments)] // one per flag of brink calibrate
fn calibrate_py<'py>(
    py: Python<'py>,
    scenario: Option<String>,
    observed: std::path::PathBuf,
    out: Option<std::path::PathBuf>,
    sets: Vec<String>,
    params: Vec<String>,
    population: Option<Bound<'py, PyAny>>,
    replicates: Option<Bound<'py, PyAny>>,
    quantile: Option<Bound<'py, PyAny>>,
    max_generations: Option<Bound<'py, PyAny>>,
    min_tolerance: Option<Bound<'py, PyAny>>,
    min_acceptance: Option<Bound<'py, PyAny>>,
    max_simulations: Option<Bound<'py, PyAny>>,
    seed: Option<Bound<'py, PyAny>>,
    threads: Option<Bound<'py, PyAny>>,
    resume: bool,
    predictive: Option<Bound<'py, PyAny>>,
) -> PyResult<(String, &'static str)> {
    let job = CalibrateSpec {
        scenario,
        sets,
        observed,
        out,
        population: narrow(py, "--population", population.as_ref())?,
        replicates: narrow(py, "--replicates", replicates.as_ref())?,
        quantile: real_arg(py, "--quantile", quantile.as_ref())?,
        max_generations: narrow(py, "--max-generations", max_generations.as_ref())?,
        min_tolerance: real_arg(py, "--min-tolerance", min_tolerance.as_ref())?,
        min_acceptance: real_arg(py, "--min-acceptance", min_acceptance.as_ref())?,
        max_simulations: count(py, "--max-simulations", max_simulations.as_ref())?,
        params,
        seed: count(py, "--seed", seed.as_ref())?,
        threads: threads_arg(py, threads.as_ref())?,
        resume,
        predictive: count(py, "--predictive", predictive.as_ref())?,
    }
    .validate()
    .map_err(|e| job_err(py, e))?;
    let cancel = AtomicBool::new(false);
    let report = detached(py, &cancel, || job.run(&cancel, &mut Quiet))?.map_err(|e| job_err(py, e))?;
    Ok((job.out.display().to_string(), stop_words(report.calibration.stop)))
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
    m.add_function(wrap_pyfunction!(score_py, m)?)?;
    m.add_function(wrap_pyfunction!(calibrate_py, m)?)?; // pyabc branch
    m.add_function(wrap_pyfunction!(merge_py, m)?)?; // sweepsens branch
    Ok(())
}

// ---- sweepsens branch: `brink merge` ----

/// Merges shard directories like `brink merge DIRS --out OUT`; returns the
/// merged manifest as JSON (`run.json` without `merged_from`). A shard
/// that is missing, duplicated, of another sweep or whose files do not
/// match its `run.json` raises `ValueError` with the CLI's message, and
/// nothing is written.
#[pyfunction]
#[pyo3(name = "merge")]
fn merge_py(py: Python<'_>, dirs: Vec<std::path::PathBuf>, out: std::path::PathBuf) -> PyResult<String> {
    let spec = MergeSpec { dirs, out };
    let m = py.detach(|| spec.execute()).map_err(|e| match e {
        JobError::Merge(_) if e.bad_input() => PyValueError::new_err(e.to_string()),
        e => job_err(py, e),
    })?;
    Ok(serde_json::to_string(&m).expect("manifest serialises"))
}

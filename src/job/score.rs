//! `score`: a run's forecasts against an observed record, beside two naive
//! baselines, under proper scores (`crate::score` gives every formula and
//! its source).
//!
//! For each observation (a quantity at a step) of the record, the forecast
//! sample is that quantity over the window `0..=step` in each of the run's
//! trials ([`crate::observed::Quantity::window`]). It is read from
//! `trials.csv` when the scenario declares that very window as a
//! `[metrics]` column; otherwise the run is simulated again from
//! `run.json` (same scenario, checked by its SHA-256, same overrides, seed,
//! trials and design, nested or `--point`: runs are deterministic, so these
//! are the same trials), with
//! the observations' windows as the only declared metrics, and each
//! re-simulated trial's outcome and end step are checked against
//! `trials.csv` when it is there.
//!
//! Scores per observation:
//! * counts (`events`, `responses`, `killed`, `wounded`): CRPS (plain sample
//!   estimator), log score (the smoothed pmf of `score::CountPmf`: α = 1
//!   pseudo-observation spread geometrically), randomized PIT, central
//!   50 %/90 % coverage; for the model, and for the persistence and
//!   bootstrap baselines built from the record's own earlier observations
//!   of the quantity (both need two; otherwise their cells are empty);
//! * true/false (`first_event`, `first_death`) and `track_status`: the Brier
//!   score of the share of trials in which the observed value came out;
//!   persistence forecasts the previous observation's value with certainty
//!   (no baseline for the first observation; no bootstrap).
//!
//! Skill against each baseline is `1 − S̄_model / S̄_baseline` over the
//! observations both scored (mean CRPS for counts, mean Brier for the
//! rest). `score.csv` is written whole or not at all.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use super::{JobError, Watch, load};
use crate::engine::MetricLayout;
use crate::model::{Measure, Scenario, TalkStatus, Windowed};
use crate::observed::{self, ObservedError, Quantity, Record, Value};
use crate::output::{CsvFile, OutputError, fmt_real};
use crate::rng::trial_rng;
use crate::runner::{self, Plan};
use crate::scenario::Loaded;
use crate::score::{self, baseline};

/// Bootstrap draws of the bootstrap baseline.
pub const BOOTSTRAP_DRAWS: u32 = 2000;

/// A score that cannot be computed.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[non_exhaustive]
pub enum ScoreError {
    /// The run directory has no readable `run.json`.
    #[error("{dir}: not a run directory: {why}")]
    #[diagnostic(
        code(brink::score::no_run),
        help("give the directory `brink run --out DIR` wrote (it holds run.json and trials.csv)")
    )]
    NoRun {
        /// The directory.
        dir: String,
        /// What is missing or wrong.
        why: String,
    },
    /// The scenario file changed since the run.
    #[error("{file}: the scenario changed since the run (SHA-256 {found}, run.json says {expected})")]
    #[diagnostic(
        code(brink::score::hash),
        help("score against the scenario as it was run: restore the file, or run it again")
    )]
    Hash {
        /// The scenario file.
        file: String,
        /// Its hash now.
        found: String,
        /// The hash run.json recorded.
        expected: String,
    },
    /// The observed record is bad.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Observed(#[from] ObservedError),
    /// Simulating again gave other trials than `trials.csv` holds.
    #[error("{file}: trial {trial} re-simulated as `{found}`, but trials.csv says `{expected}`")]
    #[diagnostic(
        code(brink::score::mismatch),
        help("the run was made by another version of brink or its files were edited; run it again")
    )]
    Mismatch {
        /// trials.csv's path.
        file: String,
        /// The trial.
        trial: u64,
        /// What the re-simulation gave (outcome, end step).
        found: String,
        /// What the file says.
        expected: String,
    },
    /// trials.csv could not be read.
    #[error("{file}: {why}")]
    #[diagnostic(code(brink::score::trials))]
    Trials {
        /// The file.
        file: String,
        /// What went wrong.
        why: String,
    },
}

/// What `brink score` (or `brink.score`) was asked.
#[derive(Debug, Clone, Default)]
pub struct ScoreSpec {
    /// The run directory (holds `run.json`).
    pub run: PathBuf,
    /// The observed record (TOML).
    pub observed: PathBuf,
    /// Worker threads for a re-simulation (`None`: every core).
    pub threads: Option<usize>,
    /// Where `score.csv` goes (`None`: `<run>/score.csv`).
    pub out: Option<PathBuf>,
}

/// A validated score job: the run's scenario reloaded and the record parsed.
pub struct ScoreJob {
    /// The scenario as run.
    pub loaded: Loaded,
    /// The record.
    pub record: Record,
    /// The run's seed.
    pub seed: u64,
    /// The run's trials.
    pub trials: u64,
    /// Worker threads.
    pub threads: usize,
    /// The run directory.
    pub run: PathBuf,
    /// `score.csv`'s path.
    pub out: PathBuf,
}

/// Scores of one forecaster at one observation (NaN = does not apply).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scores {
    /// Forecast mean (the probability, for a binary or status).
    pub mean: f64,
    /// CRPS, counts.
    pub crps: f64,
    /// Log score, nats.
    pub log_score: f64,
    /// Randomized PIT.
    pub pit: f64,
    /// Inside the central 50 % interval (1/0; NaN if not a count).
    pub in50: f64,
    /// Inside the central 90 % interval.
    pub in90: f64,
    /// Brier score (binary and status).
    pub brier: f64,
}

impl Scores {
    const NONE: Scores = Scores {
        mean: f64::NAN,
        crps: f64::NAN,
        log_score: f64::NAN,
        pit: f64::NAN,
        in50: f64::NAN,
        in90: f64::NAN,
        brier: f64::NAN,
    };

    fn counts(mean: f64, c: score::CountScores) -> Scores {
        Scores {
            mean,
            crps: c.crps,
            log_score: c.log_score,
            pit: c.pit,
            in50: f64::from(u8::from(c.in50)),
            in90: f64::from(u8::from(c.in90)),
            brier: f64::NAN,
        }
    }

    fn brier(p: f64, happened: bool) -> Scores {
        Scores {
            mean: p,
            brier: score::brier(p, happened),
            ..Scores::NONE
        }
    }

    /// The score skill is measured by: CRPS for counts, Brier otherwise.
    pub fn headline(&self) -> f64 {
        if self.crps.is_nan() { self.brier } else { self.crps }
    }
}

/// One observation, scored.
#[derive(Debug, Clone)]
pub struct Row {
    /// The quantity's id.
    pub quantity: String,
    /// Its metric.
    pub metric: &'static str,
    /// The step observed through.
    pub step: u32,
    /// Its date, if the scenario has a start date.
    pub date: Option<String>,
    /// The observed value, as written.
    pub observed: String,
    /// The model, persistence and bootstrap.
    pub scores: [Scores; 3],
}

/// The forecasters of [`Row::scores`], in order.
pub const FORECASTERS: [&str; 3] = ["model", "persistence", "bootstrap"];

/// Mean headline scores and skill over the observations each pair scored.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Skill {
    /// Observations both the model and the baseline scored.
    pub n: usize,
    /// The model's mean score over them.
    pub model: f64,
    /// The baseline's.
    pub baseline: f64,
    /// `1 − model / baseline`.
    pub skill: f64,
}

/// What `score` found.
pub struct ScoreReport {
    /// Rows, in the record's order.
    pub rows: Vec<Row>,
    /// Skill against persistence and bootstrap.
    pub skill: [Skill; 2],
    /// Whether the run was simulated again (else read from trials.csv).
    pub resimulated: bool,
    /// score.csv, once written.
    pub file: Option<PathBuf>,
}

fn no_run(dir: &Path, why: impl Into<String>) -> JobError {
    ScoreError::NoRun {
        dir: dir.display().to_string(),
        why: why.into(),
    }
    .into()
}

impl ScoreSpec {
    /// Reads `run.json`, reloads and checks the scenario, parses the record.
    pub fn validate(self) -> Result<ScoreJob, JobError> {
        let meta_path = self.run.join("run.json");
        let text = std::fs::read_to_string(&meta_path)
            .map_err(|e| no_run(&self.run, format!("cannot read {}: {e}", meta_path.display())))?;
        let meta: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| no_run(&self.run, format!("{} is not JSON: {e}", meta_path.display())))?;
        let field = |path: &[&str]| {
            let mut v = &meta;
            for p in path {
                v = v.get(p).ok_or_else(|| {
                    no_run(
                        &self.run,
                        format!("{} has no `{}`", meta_path.display(), path.join(".")),
                    )
                })?;
            }
            Ok::<_, JobError>(v)
        };
        let file = field(&["scenario", "file"])?
            .as_str()
            .ok_or_else(|| no_run(&self.run, "run.json's scenario.file is not a string"))?
            .to_string();
        let expected = field(&["scenario", "sha256"])?.as_str().unwrap_or("").to_string();
        let sets: Vec<String> = field(&["overrides"])?
            .as_array()
            .map(|a| a.iter().filter_map(|x| x.as_str().map(String::from)).collect())
            .unwrap_or_default();
        let seed = field(&["seed"])?
            .as_u64()
            .ok_or_else(|| no_run(&self.run, "run.json's seed is not a whole number"))?;
        let trials = field(&["trials"])?
            .as_u64()
            .ok_or_else(|| no_run(&self.run, "run.json's trials is not a whole number"))?;
        let mut loaded = load(Some(&file), &sets)?;
        let found = loaded.hash();
        if found != expected {
            return Err(ScoreError::Hash { file, found, expected }.into());
        }
        // The run's design, so a re-simulation draws what the run drew:
        // no draws listed is a point run (`--point`, or nothing uncertain);
        // otherwise `trials_per_draw` trials share each draw (nested).
        // A run.json from before the nested design has neither: one draw
        // per trial.
        let design = meta.get("parameters");
        let drew = design
            .and_then(|p| p.get("draws"))
            .and_then(|d| d.as_array())
            .map(Vec::len);
        let per_draw = design
            .and_then(|p| p.get("trials_per_draw"))
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(1);
        if drew == Some(0) {
            loaded.point();
        } else {
            loaded.per_draw(per_draw);
        }
        let obs_name = self.observed.display().to_string();
        let obs_text = std::fs::read_to_string(&self.observed).map_err(|e| {
            JobError::usage(
                format!("cannot read the observed record {obs_name}: {e}"),
                "give --observed FILE, a TOML record (docs/observed.md)",
            )
        })?;
        let record = observed::parse(&obs_text, &obs_name, &loaded.scenario).map_err(ScoreError::from)?;
        Ok(ScoreJob {
            loaded,
            record,
            seed,
            trials,
            threads: super::threads(self.threads)?,
            out: self.out.unwrap_or_else(|| self.run.join("score.csv")),
            run: self.run,
        })
    }
}

/// The windows the record observes, one per observation, in record order.
pub fn windows(record: &Record) -> Vec<(usize, usize, Windowed)> {
    let mut out = Vec::new();
    for (qi, q) in record.quantities.iter().enumerate() {
        for (oi, o) in q.observations.iter().enumerate() {
            let mut w = q.window(o);
            w.id = format!("obs_{}", out.len());
            out.push((qi, oi, w));
        }
    }
    out
}

impl ScoreJob {
    /// The forecast samples: per observation (record order), one value per
    /// trial. Read from trials.csv when every window is a declared column
    /// there; else simulated again.
    pub fn samples(&self, cancel: &AtomicBool, watch: &mut dyn Watch) -> Result<(Vec<Vec<f64>>, bool), JobError> {
        let s = &self.loaded.scenario;
        let ws = windows(&self.record);
        let trials_csv = self.run.join("trials.csv");
        let declared: Option<Vec<&str>> = ws
            .iter()
            .map(|(_, _, w)| {
                s.metrics
                    .iter()
                    .find(|m| m.measure == w.measure && m.from == w.from && m.to == w.to)
                    .map(|m| m.id.as_str())
            })
            .collect();
        if let Some(cols) = declared
            && trials_csv.exists()
        {
            return Ok((read_columns(&trials_csv, &cols, self.trials)?, false));
        }
        // Simulate again with the record's windows as the only metrics.
        let mut sim: Scenario = s.clone();
        sim.metrics = ws.iter().map(|(_, _, w)| w.clone()).collect();
        let layout = MetricLayout::new(&sim);
        // The record's windows are the only declared metrics: find their
        // first column by name (other columns, such as actions and
        // milestones, may follow the metrics and precede the parameters).
        let first = sim.metrics.first().and_then(|m| layout.index(&m.id)).unwrap_or(0);
        let outcomes = s.outcome_names();
        let check = read_endings(&trials_csv, self.trials)?;
        let mut samples = vec![Vec::with_capacity(self.trials as usize); ws.len()];
        let plan = Plan {
            seed: self.seed,
            trials: 0..self.trials,
            threads: self.threads,
        };
        watch.start(self.trials);
        let ran = runner::run(
            &sim,
            &layout,
            &plan,
            cancel,
            |done| watch.advance(done),
            |i, r, row| {
                if let Some(ends) = &check {
                    let (o, e) = &ends[i as usize];
                    let got = (outcomes[r.outcome as usize], r.end_step);
                    if (o.as_str(), *e) != got {
                        return Err(JobError::from(ScoreError::Mismatch {
                            file: trials_csv.display().to_string(),
                            trial: i,
                            found: format!("{} at step {}", got.0, got.1),
                            expected: format!("{o} at step {e}"),
                        }));
                    }
                }
                for (k, x) in row[first..first + samples.len()].iter().enumerate() {
                    samples[k].push(*x);
                }
                Ok(())
            },
        );
        watch.finish();
        ran?;
        Ok((samples, true))
    }

    /// Scores every observation of the record.
    pub fn score(&self, cancel: &AtomicBool, watch: &mut dyn Watch) -> Result<ScoreReport, JobError> {
        let (samples, resimulated) = self.samples(cancel, watch)?;
        let ws = windows(&self.record);
        let mut rows = Vec::with_capacity(ws.len());
        for (k, (qi, oi, _)) in ws.iter().enumerate() {
            let q = &self.record.quantities[*qi];
            rows.push(score_one(q, *oi, &samples[k], self.seed, k as u64));
        }
        let skill = [skill(&rows, 1), skill(&rows, 2)];
        Ok(ScoreReport {
            rows,
            skill,
            resimulated,
            file: None,
        })
    }

    /// Scores and writes `score.csv` (whole, or not at all).
    pub fn write(&self, cancel: &AtomicBool, watch: &mut dyn Watch) -> Result<ScoreReport, JobError> {
        let mut report = self.score(cancel, watch)?;
        report.file = Some(write_csv(&self.out, &report)?);
        Ok(report)
    }
}

/// Scores observation `oi` of quantity `q` against its forecast `sample`.
/// The PIT draws come from the streams `(seed, 2^62 + 3k + f)`.
pub fn score_one(q: &Quantity, oi: usize, sample: &[f64], seed: u64, k: u64) -> Row {
    let o = &q.observations[oi];
    let pit_rng = |f: u64| trial_rng(seed, (1 << 62) + 3 * k + f);
    let (observed, scores) = match o.value {
        Value::Count(y) => {
            let counts: Vec<u64> = sample.iter().map(|&x| x as u64).collect();
            let mean = sample.iter().sum::<f64>() / sample.len().max(1) as f64;
            let model = Scores::counts(mean, score::score_counts(&counts, y, &mut pit_rng(0)));
            let history: Vec<(i64, u64)> = q.count_series().unwrap_or_default()[..oi].to_vec();
            let target = i64::from(o.step);
            let pers = baseline::persistence(&history, target)
                .map(|p| Scores::counts(p.offset as f64 + p.lambda, p.scores(y as i64, &mut pit_rng(1))))
                .unwrap_or(Scores::NONE);
            let boot = baseline::bootstrap(&history, target, BOOTSTRAP_DRAWS, seed ^ k)
                .map(|b| {
                    let mean = b.iter().sum::<u64>() as f64 / b.len().max(1) as f64;
                    Scores::counts(mean, score::score_counts(&b, y, &mut pit_rng(2)))
                })
                .unwrap_or(Scores::NONE);
            (y.to_string(), [model, pers, boot])
        }
        Value::Happened(b) => {
            let p = share(sample, |x| x > 0.0);
            let pers = match oi.checked_sub(1).map(|j| q.observations[j].value) {
                Some(Value::Happened(prev)) => Scores::brier(f64::from(u8::from(prev)), b),
                _ => Scores::NONE,
            };
            (b.to_string(), [Scores::brier(p, b), pers, Scores::NONE])
        }
        Value::Status(st) => {
            let p = share(sample, |x| x as u8 == st as u8);
            let pers = match oi.checked_sub(1).map(|j| q.observations[j].value) {
                Some(Value::Status(prev)) => Scores::brier(f64::from(u8::from(prev == st)), true),
                _ => Scores::NONE,
            };
            (st.as_str().to_string(), [Scores::brier(p, true), pers, Scores::NONE])
        }
    };
    Row {
        quantity: q.id.clone(),
        metric: q.metric.name(),
        step: o.step,
        date: o.date.map(|d| d.to_string()),
        observed,
        scores,
    }
}

fn share(sample: &[f64], f: impl Fn(f64) -> bool) -> f64 {
    sample.iter().filter(|&&x| f(x)).count() as f64 / sample.len().max(1) as f64
}

/// Skill of the model against forecaster `b` (1 persistence, 2 bootstrap)
/// over the observations both scored.
fn skill(rows: &[Row], b: usize) -> Skill {
    let pairs: Vec<(f64, f64)> = rows
        .iter()
        .map(|r| (r.scores[0].headline(), r.scores[b].headline()))
        .filter(|(m, x)| m.is_finite() && x.is_finite())
        .collect();
    let n = pairs.len();
    let mean = |f: fn(&(f64, f64)) -> f64| pairs.iter().map(f).sum::<f64>() / n.max(1) as f64;
    let (model, baseline) = if n == 0 {
        (f64::NAN, f64::NAN)
    } else {
        (mean(|p| p.0), mean(|p| p.1))
    };
    Skill {
        n,
        model,
        baseline,
        skill: if n == 0 {
            f64::NAN
        } else {
            score::skill(model, baseline)
        },
    }
}

/// The header of `score.csv`.
pub const COLUMNS: [&str; 13] = [
    "quantity",
    "metric",
    "step",
    "date",
    "observed",
    "forecaster",
    "mean",
    "crps",
    "log_score",
    "pit",
    "in50",
    "in90",
    "brier",
];

/// Writes `score.csv`: per observation one row per forecaster that scored
/// it, then per baseline a skill row: quantity `*`, `observed` the number
/// of observations paired, `forecaster` `skill_vs_persistence` or
/// `skill_vs_bootstrap`, `mean` the skill.
fn write_csv(path: &Path, report: &ScoreReport) -> Result<PathBuf, OutputError> {
    let mut f = CsvFile::create(path)?;
    f.record(COLUMNS)?;
    let mut buf = String::new();
    let mut num = |f: &mut CsvFile, x: f64| -> Result<(), OutputError> {
        buf.clear();
        if !x.is_nan() {
            fmt_real(x, &mut buf);
        }
        f.field(&buf)
    };
    for r in &report.rows {
        for (name, s) in FORECASTERS.iter().zip(&r.scores) {
            if s.headline().is_nan() {
                continue;
            }
            f.field(&r.quantity)?;
            f.field(r.metric)?;
            f.field(&r.step.to_string())?;
            f.field(r.date.as_deref().unwrap_or(""))?;
            f.field(&r.observed)?;
            f.field(name)?;
            for x in [s.mean, s.crps, s.log_score, s.pit, s.in50, s.in90, s.brier] {
                num(&mut f, x)?;
            }
            f.end()?;
        }
    }
    for (sk, name) in report.skill.iter().zip(["skill_vs_persistence", "skill_vs_bootstrap"]) {
        f.field("*")?;
        f.field("")?;
        f.field("")?;
        f.field("")?;
        f.field(&sk.n.to_string())?;
        f.field(name)?;
        num(&mut f, sk.skill)?;
        for _ in 0..6 {
            f.field("")?;
        }
        f.end()?;
    }
    f.commit()
}

/// Columns `cols` of trials.csv, each a vector over its `trials` rows.
fn read_columns(path: &Path, cols: &[&str], trials: u64) -> Result<Vec<Vec<f64>>, JobError> {
    let bad = |why: String| -> JobError {
        ScoreError::Trials {
            file: path.display().to_string(),
            why,
        }
        .into()
    };
    let mut r = csv::Reader::from_path(path).map_err(|e| bad(e.to_string()))?;
    let header = r.headers().map_err(|e| bad(e.to_string()))?.clone();
    let idx: Vec<usize> = cols
        .iter()
        .map(|c| {
            header
                .iter()
                .position(|h| h == *c)
                .ok_or_else(|| bad(format!("no column `{c}`")))
        })
        .collect::<Result<_, _>>()?;
    let mut out = vec![Vec::with_capacity(trials as usize); cols.len()];
    for rec in r.records() {
        let rec = rec.map_err(|e| bad(e.to_string()))?;
        for (k, &i) in idx.iter().enumerate() {
            let cell = rec.get(i).unwrap_or("");
            let x = if let Some(t) = TalkStatus::parse(cell) {
                f64::from(t as u8)
            } else if cell.is_empty() {
                f64::NAN
            } else {
                cell.parse::<f64>()
                    .map_err(|_| bad(format!("column `{}`: expected a number, found `{cell}`", cols[k])))?
            };
            out[k].push(x);
        }
    }
    if out.first().is_some_and(|c| c.len() as u64 != trials) {
        return Err(bad(format!(
            "expected {trials} rows (run.json's trials), found {}",
            out[0].len()
        )));
    }
    Ok(out)
}

/// trials.csv's (outcome, end_step) per trial, if the file is there.
fn read_endings(path: &Path, trials: u64) -> Result<Option<Vec<(String, u32)>>, JobError> {
    if !path.exists() {
        return Ok(None);
    }
    let bad = |why: String| -> JobError {
        ScoreError::Trials {
            file: path.display().to_string(),
            why,
        }
        .into()
    };
    let mut r = csv::Reader::from_path(path).map_err(|e| bad(e.to_string()))?;
    let header = r.headers().map_err(|e| bad(e.to_string()))?.clone();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| bad(format!("no column `{name}`")))
    };
    let (o, e) = (col("outcome")?, col("end_step")?);
    let mut out = Vec::with_capacity(trials as usize);
    for rec in r.records() {
        let rec = rec.map_err(|e| bad(e.to_string()))?;
        let end = rec
            .get(e)
            .and_then(|x| x.parse::<u32>().ok())
            .ok_or_else(|| bad(format!("row {}: end_step is not a step", out.len() + 1)))?;
        out.push((rec.get(o).unwrap_or("").to_string(), end));
    }
    if out.len() as u64 != trials {
        return Err(bad(format!(
            "expected {trials} rows (run.json's trials), found {}",
            out.len()
        )));
    }
    Ok(Some(out))
}

/// Whether a measure's forecast is a count (scored by CRPS).
pub fn is_count(m: &Measure) -> bool {
    !m.is_binary() && !matches!(m, Measure::TrackStatus(_))
}

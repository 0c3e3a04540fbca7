//! `calibrate`: the posterior of a scenario's uncertain parameters given an
//! observed record, by ABC-SMC ([`crate::calibrate`]: Beaumont et al.
//! 2009 weights, quantile tolerance schedule, MAD-scaled distance).
//!
//! * **Priors** are the scenario's own distributions: every uncertain path
//!   with a continuous family, or those `--params` selects (globs over the
//!   dotted paths). The uncertain paths not calibrated keep being drawn
//!   from their priors inside each simulation, so the posterior is
//!   marginal over them. A scenario's own `[posterior]` is ignored: a
//!   calibration starts from the priors.
//! * **Summaries** are the record's observations, one per (quantity,
//!   date), each the quantity over the window `0..=step` of one simulated
//!   trial: the same windows (`job::score::windows`) and engine columns
//!   `brink score` reads, so the two can never disagree on what a
//!   quantity means. A count is its value; a first event 0/1; a track's
//!   status its code.
//! * **A simulation** is one trial of the scenario with the proposal `θ`
//!   written over the calibrated paths ([`runner::Worker::run_at`]),
//!   whose event and parameter streams are keyed by the calibration's
//!   seed and the simulation's own seed (from the proposal's stream).
//! * **Outputs** in OUT, each written whole (temporary file, then rename):
//!   `checkpoint.json` after every generation (`--resume` continues from
//!   it bit-identically; it also holds the scenario's and record's
//!   hashes, checked on resume), `posterior.csv`, `calibration.json`
//!   (settings, schedule, acceptance rates, ESS, simulations, stop
//!   reason, hashes, every prior with its posterior summary), and
//!   `predictive.csv`: per observation, the posterior-predictive mean,
//!   5/50/95 % quantiles and the model's scores from `job::score`'s own
//!   `score_one` (CRPS, log score, randomized PIT, 50/90 % coverage,
//!   Brier).

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::score::{score_one, windows};
use super::{JobError, Watch, load};
use crate::calibrate::output::{CalibrationRecord, Moments, PriorRecord, weighted_moments, write_posterior};
use crate::calibrate::{self, CalibrateError, Calibration, Checkpoint, Settings, StopReason};
use crate::dist::Dist;
use crate::engine::{MetricLayout, NoObserver};
use crate::model::Scenario;
use crate::observed::{self, Record, Value};
use crate::rng::{trial_rng, uniform};
use crate::runner::{self, Worker};
use crate::scenario::Loaded;

/// Posterior-predictive trials by default.
pub const PREDICTIVE_TRIALS: u64 = 1000;

/// What `brink calibrate` (or `brink.calibrate`) was asked. `None` takes
/// the default of [`Settings`] (population 1000, 1 replicate, quantile
/// 0.5, 20 generations, acceptance floor 0.01, a million simulations).
#[derive(Debug, Clone, Default)]
pub struct CalibrateSpec {
    /// Scenario file or built-in name (`None`: the flagship).
    pub scenario: Option<String>,
    /// `--set` overrides.
    pub sets: Vec<String>,
    /// The observed record (TOML).
    pub observed: PathBuf,
    /// Output directory (`None`: `out/<scenario>_calibration`).
    pub out: Option<PathBuf>,
    /// Particles per generation.
    pub population: Option<usize>,
    /// Simulations per particle.
    pub replicates: Option<u32>,
    /// Tolerance quantile.
    pub quantile: Option<f64>,
    /// Generations at most (generation 0 included).
    pub max_generations: Option<u32>,
    /// Stop at this tolerance.
    pub min_tolerance: Option<f64>,
    /// Stop below this acceptance rate.
    pub min_acceptance: Option<f64>,
    /// Simulation budget.
    pub max_simulations: Option<u64>,
    /// Globs selecting the calibrated paths (empty: every continuous one).
    pub params: Vec<String>,
    /// Master seed (`None`: the scenario's).
    pub seed: Option<u64>,
    /// Worker threads (`None`: every core). The result does not depend on it.
    pub threads: Option<usize>,
    /// Continue from OUT/checkpoint.json.
    pub resume: bool,
    /// Posterior-predictive trials (`None`: [`PREDICTIVE_TRIALS`]).
    pub predictive: Option<u64>,
}

/// A validated calibration.
pub struct CalibrateJob {
    /// The scenario (priors; its own posterior dropped).
    pub loaded: Loaded,
    /// The record.
    pub record: Record,
    /// The scenario with the record's windows as its only metrics.
    sim: Scenario,
    layout: MetricLayout,
    first: usize,
    /// Calibrated paths.
    pub names: Vec<String>,
    /// Their positions among the uncertain paths.
    at: Vec<usize>,
    /// Their priors.
    pub priors: Vec<Dist>,
    /// Observed summaries, one per observation.
    pub observed: Vec<f64>,
    /// Their labels.
    pub labels: Vec<String>,
    /// ABC-SMC settings.
    pub settings: Settings,
    /// Worker threads.
    pub threads: usize,
    /// Output directory.
    pub out: PathBuf,
    /// Resume from OUT/checkpoint.json.
    pub resume: bool,
    /// Posterior-predictive trials.
    pub predictive: u64,
    hashes: BTreeMap<String, String>,
    observed_file: String,
}

/// One observation's posterior-predictive check.
#[derive(Debug, Clone)]
pub struct Predictive {
    /// The scored row (model forecaster only is filled here).
    pub row: super::score::Row,
    /// 5, 50 and 95 % quantiles of the predictive sample.
    pub quantiles: [f64; 3],
}

/// What a calibration gave.
pub struct CalibrateReport {
    /// The result.
    pub calibration: Calibration,
    /// The record written to calibration.json.
    pub record: CalibrationRecord,
    /// Posterior-predictive checks, in record order.
    pub predictive: Vec<Predictive>,
    /// The generation it resumed after, if resumed.
    pub resumed_after: Option<u32>,
    /// Wall time, seconds.
    pub seconds: f64,
    /// Files written.
    pub files: Vec<PathBuf>,
}

fn usage(message: impl Into<String>, help: impl Into<String>) -> JobError {
    JobError::usage(message, help)
}

fn from_calibrate(e: CalibrateError) -> JobError {
    let help = match &e {
        CalibrateError::ResumeMismatch { .. } => {
            "resume with the settings of the interrupted run, or drop --resume (or choose another --out) to start afresh"
        }
        CalibrateError::BadCheckpoint(_) => "delete OUT/checkpoint.json to start afresh",
        _ => "see brink calibrate --help",
    };
    usage(e.to_string(), help)
}

/// `*` any run of characters, `?` one character.
pub fn glob(pattern: &str, s: &str) -> bool {
    let (p, s): (Vec<char>, Vec<char>) = (pattern.chars().collect(), s.chars().collect());
    let (mut pi, mut si, mut star, mut mark) = (0, 0, None, 0);
    while si < s.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == s[si]) {
            pi += 1;
            si += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = si;
            pi += 1;
        } else if let Some(st) = star {
            pi = st + 1;
            mark += 1;
            si = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

impl CalibrateSpec {
    /// Loads the scenario and the record, selects the parameters and
    /// checks the settings; writes nothing.
    pub fn validate(self) -> Result<CalibrateJob, JobError> {
        let mut loaded = load(self.scenario.as_deref(), &self.sets)?;
        loaded.scenario.uncertainty.posterior = None;
        loaded.scenario.uncertainty.per_draw = 1;
        let s = &loaded.scenario;
        let u = &s.uncertainty;
        let Some(set) = u.set.as_ref().filter(|_| !u.is_empty()) else {
            return Err(usage(
                format!("scenario `{}` has no uncertain parameter to calibrate", s.name),
                "write a distribution as a prior (docs/scenario.md, \"Distributions\"), or --set PATH=gamma:shape=..,scale=..",
            ));
        };
        let at = select_params(&self.params, set, &loaded)?;
        let paths = set.paths();
        let obs_name = self.observed.display().to_string();
        let obs_text = std::fs::read_to_string(&self.observed).map_err(|e| {
            usage(
                format!("cannot read the observed record {obs_name}: {e}"),
                "give --observed FILE, a TOML record (docs/observed.md)",
            )
        })?;
        let record =
            observed::parse(&obs_text, &obs_name, s).map_err(|e| JobError::from(super::score::ScoreError::from(e)))?;
        let ws = windows(&record);
        let (observed, labels) = summaries(&record, &ws);
        if observed.is_empty() {
            return Err(usage(
                format!("{obs_name}: the record holds no observation"),
                "add observations = [{ date = ..., value = ... }] to a quantity",
            ));
        }
        let mut sim = s.clone();
        sim.metrics = ws.iter().map(|(_, _, w)| w.clone()).collect();
        let layout = MetricLayout::new(&sim);
        // The record's windows are the only declared metrics: find their
        // first column by name (other columns, such as actions and
        // milestones, may follow the metrics and precede the parameters).
        let first = sim.metrics.first().and_then(|m| layout.index(&m.id)).unwrap_or(0);
        let d = Settings::default();
        let settings = Settings {
            population: self.population.unwrap_or(d.population),
            replicates: self.replicates.unwrap_or(d.replicates),
            quantile: self.quantile.unwrap_or(d.quantile),
            max_generations: self.max_generations.unwrap_or(d.max_generations),
            min_tolerance: self.min_tolerance.unwrap_or(d.min_tolerance),
            min_acceptance: self.min_acceptance.unwrap_or(d.min_acceptance),
            max_simulations: self.max_simulations.unwrap_or(d.max_simulations),
            seed: self.seed.unwrap_or(s.seed),
            ..d
        };
        check_settings(&settings)?;
        let predictive = self.predictive.unwrap_or(PREDICTIVE_TRIALS);
        if predictive == 0 || predictive > 10_000_000 {
            return Err(usage(
                format!("--predictive: expected 1..=10000000 trials, found {predictive}"),
                "the posterior-predictive check runs this many trials",
            ));
        }
        let mut hashes = BTreeMap::new();
        hashes.insert("scenario".to_string(), loaded.hash());
        hashes.insert("observed".to_string(), sha256(obs_text.as_bytes()));
        let names = at.iter().map(|&i| paths[i].clone()).collect();
        let priors = at.iter().map(|&i| set.dists()[i].clone()).collect();
        let out = self
            .out
            .unwrap_or_else(|| PathBuf::from("out").join(format!("{}_calibration", s.name)));
        Ok(CalibrateJob {
            threads: super::threads(self.threads)?,
            sim,
            layout,
            first,
            names,
            at,
            priors,
            observed,
            labels,
            settings,
            out,
            resume: self.resume,
            predictive,
            hashes,
            observed_file: obs_name,
            record,
            loaded,
        })
    }
}

/// The indices of the uncertain paths `--params` selects (every continuous
/// one without it), sorted; an error names the pattern that selects
/// nothing, a fixed path or a discrete prior.
fn select_params(params: &[String], set: &crate::dist::ParamSet, loaded: &Loaded) -> Result<Vec<usize>, JobError> {
    let s = &loaded.scenario;
    let paths = set.paths();
    let continuous = |i: usize| set.dists()[i].family().is_continuous() && !set.dists()[i].is_point();
    let mut at: Vec<usize> = Vec::new();
    if params.is_empty() {
        at = (0..paths.len()).filter(|&i| continuous(i)).collect();
    }
    for pat in params {
        let hits: Vec<usize> = (0..paths.len()).filter(|&i| glob(pat, &paths[i])).collect();
        if hits.is_empty() {
            let known = loaded.params().iter().any(|(p, _)| p == pat);
            let msg = if known {
                format!(
                    "--params {pat}: this path is not uncertain in scenario `{}` (it is a fixed value)",
                    s.name
                )
            } else {
                let near = crate::scenario::paths::closest(pat, paths.iter().map(String::as_str));
                format!(
                    "--params {pat}: no uncertain path matches{}",
                    near.map(|n| format!(" (closest: {n})")).unwrap_or_default()
                )
            };
            return Err(usage(
                msg,
                format!(
                    "calibrate the scenario's distributions; its uncertain paths: {}",
                    paths.join(", ")
                ),
            ));
        }
        for i in hits {
            if !continuous(i) {
                return Err(usage(
                    format!(
                        "--params {pat}: `{}` is a {} distribution; ABC-SMC's kernel moves continuous parameters only",
                        paths[i],
                        set.dists()[i].family().name()
                    ),
                    "leave discrete choices out of --params: they stay drawn from their prior (marginalised)",
                ));
            }
            if !at.contains(&i) {
                at.push(i);
            }
        }
    }
    if at.is_empty() {
        return Err(usage(
            format!(
                "scenario `{}` has no continuous uncertain parameter to calibrate",
                s.name
            ),
            "give a parameter a continuous prior (uniform, normal, lognormal, beta, gamma, triangular)",
        ));
    }
    at.sort_unstable();
    Ok(at)
}

/// Each observation's value as a summary (counts, 0/1, a status's code) and
/// its label `quantity@date`, in the record's window order.
fn summaries(record: &Record, ws: &[(usize, usize, crate::model::Windowed)]) -> (Vec<f64>, Vec<String>) {
    let mut observed = Vec::with_capacity(ws.len());
    let mut labels = Vec::with_capacity(ws.len());
    for (qi, oi, _) in ws {
        let q = &record.quantities[*qi];
        let o = &q.observations[*oi];
        observed.push(match o.value {
            Value::Count(c) => c as f64,
            Value::Happened(b) => f64::from(u8::from(b)),
            Value::Status(st) => f64::from(st as u8),
        });
        labels.push(format!(
            "{}@{}",
            q.id,
            o.date.map_or_else(|| o.step.to_string(), |d| d.to_string())
        ));
    }
    (observed, labels)
}

/// Checks the settings before OUT is created, naming the flag.
fn check_settings(s: &Settings) -> Result<(), JobError> {
    s.check().map_err(|e| {
        let flag = match &e {
            CalibrateError::BadSetting { field, .. } => field.replace('_', "-"),
            _ => "settings".into(),
        };
        usage(format!("--{flag}: {e}"), "see brink calibrate --help")
    })
}

/// Writes `bytes` to `path` whole: a temporary file beside it, then a
/// rename.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), JobError> {
    let tmp = path.with_file_name(format!(
        ".{}.tmp",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("out")
    ));
    let io = |e: std::io::Error| {
        JobError::usage(
            format!("cannot write {}: {e}", path.display()),
            "check that the output directory is writable",
        )
    };
    std::fs::write(&tmp, bytes).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
}

/// `checkpoint.json`: the library's checkpoint with the hashes of what it
/// was made from.
#[derive(serde::Serialize, serde::Deserialize)]
struct SavedCheckpoint {
    hashes: BTreeMap<String, String>,
    parameters: Vec<String>,
    checkpoint: Checkpoint,
}

impl CalibrateJob {
    fn checkpoint_path(&self) -> PathBuf {
        self.out.join("checkpoint.json")
    }

    fn load_checkpoint(&self) -> Result<Option<Checkpoint>, JobError> {
        if !self.resume {
            return Ok(None);
        }
        let path = self.checkpoint_path();
        let text = std::fs::read_to_string(&path).map_err(|e| {
            usage(
                format!("--resume: cannot read {}: {e}", path.display()),
                "resume in the OUT directory of an interrupted calibration, or drop --resume",
            )
        })?;
        let saved: SavedCheckpoint = serde_json::from_str(&text).map_err(|e| {
            usage(
                format!("--resume: {} is not a calibration checkpoint: {e}", path.display()),
                "delete it to start afresh",
            )
        })?;
        for (k, v) in &self.hashes {
            if saved.hashes.get(k) != Some(v) {
                return Err(usage(
                    format!("--resume: the checkpoint was made from another {k} (its SHA-256 differs)"),
                    "resume with the scenario, overrides and record of the interrupted run, or start afresh in another --out",
                ));
            }
        }
        if saved.parameters != self.names {
            return Err(usage(
                format!(
                    "--resume: the checkpoint calibrates {}, this run {}",
                    saved.parameters.join(", "),
                    self.names.join(", ")
                ),
                "resume with the --params of the interrupted run",
            ));
        }
        let c = Checkpoint::from_json(&serde_json::to_string(&saved.checkpoint).unwrap_or_default())
            .map_err(from_calibrate)?;
        Ok(Some(c))
    }

    /// One simulation's summaries.
    fn simulate<'a>(&'a self, pool: &Mutex<Vec<(Worker<'a>, Vec<f64>)>>, theta: &[f64], i: u64) -> Vec<f64> {
        let taken = pool.lock().map(|mut p| p.pop()).unwrap_or(None);
        let (mut w, mut row) =
            taken.unwrap_or_else(|| (Worker::new(&self.sim, self.settings.seed), vec![0.0; self.layout.len()]));
        w.run_at(
            &self.layout,
            self.settings.seed,
            i,
            &self.at,
            theta,
            &mut row,
            &mut NoObserver,
        );
        let out = row[self.first..self.first + self.observed.len()].to_vec();
        if let Ok(mut p) = pool.lock() {
            p.push((w, row));
        }
        out
    }

    /// Runs (or resumes) the calibration, then the posterior-predictive
    /// check, and writes the outputs. `cancel` stops it at the next
    /// simulation (the last checkpoint stays for `--resume`).
    pub fn run(&self, cancel: &AtomicBool, watch: &mut (dyn Watch + Send)) -> Result<CalibrateReport, JobError> {
        let started = Instant::now();
        let resume = self.load_checkpoint()?;
        let resumed_after = resume.as_ref().map(|c| c.generation);
        crate::output::ensure_dir(&self.out)?;
        let pool = runner::pool(self.threads)?;
        let workers: Mutex<Vec<(Worker<'_>, Vec<f64>)>> = Mutex::new(Vec::new());
        let done = AtomicU64::new(resume.as_ref().map_or(0, |c| c.simulations));
        let finished = AtomicBool::new(false);
        let notes: Mutex<Vec<String>> = Mutex::new(Vec::new());
        let n = self.observed.len();
        let simulator = |theta: &[f64], seed: u64| -> Vec<f64> {
            if cancel.load(Ordering::Relaxed) {
                return vec![f64::NAN; n];
            }
            done.fetch_add(1, Ordering::Relaxed);
            self.simulate(&workers, theta, seed)
        };
        let mut io_error: Option<JobError> = None;
        let names: Vec<&str> = self.names.iter().map(String::as_str).collect();
        let result = std::thread::scope(|scope| {
            scope.spawn(|| {
                watch.start(self.settings.max_simulations);
                while !finished.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(100));
                    for m in notes.lock().map(|mut v| std::mem::take(&mut *v)).unwrap_or_default() {
                        watch.note(&m);
                    }
                    watch.advance(done.load(Ordering::Relaxed));
                }
                for m in notes.lock().map(|mut v| std::mem::take(&mut *v)).unwrap_or_default() {
                    watch.note(&m);
                }
                watch.finish();
            });
            let r = pool.install(|| {
                calibrate::run(&simulator, &self.priors, &self.observed, &self.settings, resume, |c| {
                    if cancel.load(Ordering::Relaxed) {
                        return ControlFlow::Break(());
                    }
                    let saved = SavedCheckpoint {
                        hashes: self.hashes.clone(),
                        parameters: self.names.clone(),
                        checkpoint: c.clone(),
                    };
                    let text = serde_json::to_string(&saved).expect("a checkpoint serialises");
                    if let Err(e) = write_atomic(&self.checkpoint_path(), text.as_bytes()) {
                        io_error = Some(e);
                        return ControlFlow::Break(());
                    }
                    if let Some(g) = c.records.last()
                        && let Ok(mut v) = notes.lock()
                    {
                        v.push(format!(
                            "generation {}: tolerance {}, acceptance {:.1} %, ESS {:.0}, {} simulations",
                            g.generation,
                            g.tolerance.map_or_else(|| "∞".to_string(), |t| format!("{t:.4}")),
                            100.0 * g.acceptance_rate,
                            g.ess,
                            c.simulations
                        ));
                    }
                    ControlFlow::Continue(())
                })
            });
            finished.store(true, Ordering::Relaxed);
            r
        });
        if let Some(e) = io_error {
            return Err(e);
        }
        if cancel.load(Ordering::Relaxed) {
            return Err(runner::RunError::Interrupted {
                done: done.load(Ordering::Relaxed),
                total: self.settings.max_simulations,
            }
            .into());
        }
        let cal = result.map_err(from_calibrate)?;
        let predictive = pool.install(|| self.predictive_check(&cal, &workers));
        let mut record = CalibrationRecord::new(&cal, &self.settings, &names, &self.observed, self.hashes.clone());
        record.summaries = self.labels.clone();
        record.priors = self.prior_records(&cal);
        let files = self.write_outputs(&names, &cal, &record, &predictive)?;
        Ok(CalibrateReport {
            calibration: cal,
            record,
            predictive,
            resumed_after,
            seconds: started.elapsed().as_secs_f64(),
            files,
        })
    }

    /// Each calibrated path's prior (family, parameters, moments) beside
    /// its weighted posterior moments, for `calibration.json`.
    fn prior_records(&self, cal: &Calibration) -> Vec<PriorRecord> {
        self.names
            .iter()
            .zip(&self.priors)
            .enumerate()
            .map(|(k, (path, d))| {
                let m = d.summary();
                PriorRecord {
                    path: path.clone(),
                    family: d.family().name().to_string(),
                    distribution: d.to_string(),
                    parameters: d.parameters().into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
                    prior: Moments {
                        mean: m.mean,
                        median: m.median,
                        p5: m.p5,
                        p95: m.p95,
                    },
                    posterior: weighted_moments(&cal.population, k),
                }
            })
            .collect()
    }

    /// Writes `posterior.csv`, `calibration.json` and `predictive.csv`
    /// atomically into OUT; returns their paths.
    fn write_outputs(
        &self,
        names: &[&str],
        cal: &Calibration,
        record: &CalibrationRecord,
        predictive: &[Predictive],
    ) -> Result<Vec<PathBuf>, JobError> {
        let mut files = Vec::new();
        let mut csv = Vec::new();
        write_posterior(&mut csv, names, &cal.population).map_err(|e| usage(e.to_string(), "posterior.csv"))?;
        let p = self.out.join("posterior.csv");
        write_atomic(&p, &csv)?;
        files.push(p);
        let mut json = serde_json::to_value(record).expect("a record serialises");
        json["scenario"] = serde_json::json!({
            "name": self.loaded.scenario.name,
            "file": self.loaded.sources[0].name,
            "overrides": self.loaded.overrides.iter().map(|o| o.arg.clone()).collect::<Vec<_>>(),
        });
        json["observed_file"] = serde_json::json!(self.observed_file);
        json["method"] = serde_json::json!(
            "ABC-SMC (Beaumont et al. 2009): weighted quantile tolerance schedule, Gaussian kernel with twice the weighted covariance, MAD-scaled Euclidean distance over the record's observations; uncalibrated uncertain paths drawn from their priors in each simulation"
        );
        json["predictive_trials"] = serde_json::json!(self.predictive);
        let p = self.out.join("calibration.json");
        write_atomic(
            &p,
            (serde_json::to_string_pretty(&json).expect("json") + "\n").as_bytes(),
        )?;
        files.push(p);
        let p = self.out.join("predictive.csv");
        write_atomic(&p, predictive_csv(predictive).as_bytes())?;
        files.push(p);
        Ok(files)
    }

    /// Trials from the posterior: trial `k` resamples a particle (stream
    /// `(seed ^ PRED, k)`) and runs with it; each observation is scored
    /// by `brink score`'s own code.
    fn predictive_check<'a>(
        &'a self,
        cal: &Calibration,
        workers: &Mutex<Vec<(Worker<'a>, Vec<f64>)>>,
    ) -> Vec<Predictive> {
        use rayon::prelude::*;
        const PRED: u64 = 0x5052_4544_4943_5456;
        let pop = &cal.population;
        let mut cum = Vec::with_capacity(pop.len());
        let mut acc = 0.0;
        for w in &pop.weights {
            acc += w;
            cum.push(acc);
        }
        let seed = self.settings.seed;
        let rows: Vec<Vec<f64>> = (0..self.predictive)
            .into_par_iter()
            .map(|k| {
                let u = uniform(&mut trial_rng(seed ^ PRED, k)) * acc;
                let j = cum.partition_point(|&c| c <= u).min(pop.len() - 1);
                self.simulate(workers, pop.particle(j), (1 << 63) + k)
            })
            .collect();
        let ws = windows(&self.record);
        ws.iter()
            .enumerate()
            .map(|(k, (qi, oi, _))| {
                let mut sample: Vec<f64> = rows.iter().map(|r| r[k]).collect();
                let row = score_one(&self.record.quantities[*qi], *oi, &sample, seed, k as u64);
                sample.sort_by(f64::total_cmp);
                let q = |p: f64| {
                    let i = ((p * sample.len() as f64).ceil() as usize).clamp(1, sample.len());
                    sample[i - 1]
                };
                Predictive {
                    row,
                    quantiles: [q(0.05), q(0.5), q(0.95)],
                }
            })
            .collect()
    }
}

/// The header of `predictive.csv`.
pub const PREDICTIVE_COLUMNS: [&str; 15] = [
    "quantity",
    "metric",
    "step",
    "date",
    "observed",
    "mean",
    "p5",
    "p50",
    "p95",
    "pit",
    "in50",
    "in90",
    "crps",
    "log_score",
    "brier",
];

fn predictive_csv(rows: &[Predictive]) -> String {
    let num = |x: f64| if x.is_nan() { String::new() } else { format!("{x}") };
    let mut out = PREDICTIVE_COLUMNS.join(",");
    out.push('\n');
    for p in rows {
        let r = &p.row;
        let s = &r.scores[0];
        let cells = [
            r.quantity.clone(),
            r.metric.to_string(),
            r.step.to_string(),
            r.date.clone().unwrap_or_default(),
            r.observed.clone(),
            num(s.mean),
            num(p.quantiles[0]),
            num(p.quantiles[1]),
            num(p.quantiles[2]),
            num(s.pit),
            num(s.in50),
            num(s.in90),
            num(s.crps),
            num(s.log_score),
            num(s.brier),
        ];
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

/// The stop reason in words.
pub fn stop_words(s: StopReason) -> &'static str {
    match s {
        StopReason::Tolerance => "the tolerance reached --min-tolerance",
        StopReason::Acceptance => "the acceptance rate fell below --min-acceptance",
        StopReason::Budget => "the next generation would have run past --max-simulations",
        StopReason::Generations => "--max-generations generations ran",
        StopReason::Interrupted => "interrupted",
    }
}

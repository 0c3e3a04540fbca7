//! `sweep`: a scenario at every point of a design. [`SweepSpec::validate`]
//! loads the base scenario, builds the design (flags, a file, or points
//! given directly), parses the shard and the Y metric, and loads every
//! point of the shard, so a bad point fails before any trial runs.
//! [`SweepJob::run_into`] runs into any [`PointSink`] (Python's
//! collector); [`SweepJob::write_files`] is the CLI's: it resumes a
//! checkpoint, checks the disk, writes the files and the manifest.
//!
//! **Drivers per point.** A point whose scenario keeps distributions (the
//! paths the design does not fix) is itself a run with uncertainty, so
//! its [`PointStats`] estimates each remaining parameter's first-order
//! index on each output from that point's trials alone, as `brink run`
//! does ([`super::uncert::Analysis`]: Plischke, Borgonovo and Smith 2013).
//! The index is conditional on the point's fixed values: it says how much
//! of the variance *at that point* each uncertain parameter explains.
//!
//! **Statistics off the calling thread** (issue 18). A point's summary
//! and drivers are a [`runner::Fold`](crate::runner::Fold), folded block
//! by block on the pool beside the next block's trials, as `brink run`
//! folds its own; every accumulator still sees the trials in trial order,
//! so the files' bytes do not depend on the thread count. The calling
//! thread only copies each trial's `trials.csv` bytes (and builds its
//! `trials.parquet` row with `--format parquet|both`).

use super::uncert::{Analysis, Driver};
use super::{JobError, Watch, check_trials, load, load::reloader, plan};
use crate::design::{self, Design, DesignError};
use crate::engine::{MetricLayout, TrialResult};
use crate::model::Scenario;
pub use crate::output::parquet::Format;
use crate::output::sweep::{self as out, Manifest, MergeError, SweepWriter, YMetric};
use crate::output::{self, Summary, limits};
use crate::runner::Fold;
use crate::runner::sweep::{self, PointSink, Shard, SweepError, SweepPlan};
use crate::scenario::{Loaded, ScenarioError};
use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

/// Most points of a shard whose outcome shares the report keeps.
pub const KEEP_SHARES: usize = 50;

/// A point's index and its outcome shares.
pub type PointShares = (usize, Vec<f64>);

/// A design as the CLI's flags describe it.
#[derive(Debug, Clone, Default)]
pub struct DesignFlags {
    /// `--grid PATH=V1,V2,...` factors.
    pub grid: Vec<String>,
    /// `--zip PATH=V1,V2,...` lists varied together.
    pub zip: Vec<String>,
    /// `--sample KIND:N`.
    pub sample: Option<String>,
    /// `--range PATH=LO:HI` of the sampled parameters.
    pub range: Vec<String>,
    /// `--design FILE`.
    pub design: Option<PathBuf>,
    /// `--salib-problem FILE`.
    pub salib_problem: Option<PathBuf>,
}

/// Where a sweep's design comes from.
#[derive(Debug, Clone)]
pub enum DesignSpec {
    /// The CLI's flags.
    Flags(DesignFlags),
    /// Dotted paths and one row of values per point (Python's frames).
    Points {
        /// Column paths.
        paths: Vec<String>,
        /// Values, one row per point.
        points: Vec<Vec<String>>,
    },
}

/// What `brink sweep` (or `brink.sweep`) was asked.
#[derive(Debug, Clone)]
pub struct SweepSpec {
    /// Scenario file or built-in name (`None`: the flagship).
    pub scenario: Option<String>,
    /// Fixed `--set` overrides, applied before each point's.
    pub sets: Vec<String>,
    /// The design.
    pub design: DesignSpec,
    /// `--salib-y`: the metric of `Y.txt`.
    pub salib_y: Option<String>,
    /// Trials per point (`None`: the scenario's).
    pub trials: Option<u64>,
    /// Master seed (`None`: the scenario's); also seeds sampled designs.
    pub seed: Option<u64>,
    /// Worker threads (`None`: every core).
    pub threads: Option<usize>,
    /// Common random numbers.
    pub crn: bool,
    /// `--shard K/N` (`None`: the whole design).
    pub shard: Option<String>,
    /// Skip a shard already complete in `out`; continue a checkpoint.
    pub resume: bool,
    /// Output directory (`None`: `out/<scenario name>-sweep`).
    pub out: Option<PathBuf>,
    /// Trial files: `trials.csv`, `trials.parquet` or both.
    pub format: Format,
}

/// A validated sweep.
pub struct SweepJob {
    /// The base scenario.
    pub base: Loaded,
    /// The user's `--set`s.
    pub sets: Vec<String>,
    /// The design.
    pub design: Design,
    /// The base scenario's metric columns (every point keeps them).
    pub layout: MetricLayout,
    /// Outcome names.
    pub outcomes: Vec<String>,
    /// The metric of `Y.txt`.
    pub y: Option<YMetric>,
    /// How to run: seed, trials, threads, CRN, shard.
    pub plan: SweepPlan,
    /// Resume?
    pub resume: bool,
    /// Output directory.
    pub out: PathBuf,
    /// What the files will record (hashes of the files filled in at the end).
    pub manifest: Manifest,
    /// When validation began.
    pub started: Instant,
    /// Trials per parameter draw at each point: the automatic nested
    /// design of a run ([`super::auto_per_draw`] of the trials per point)
    /// when the points keep distributions, else 1.
    pub per_draw: u64,
}

/// What `write_files` did.
pub struct SweepReport {
    /// The manifest written (`None`: the shard was already complete).
    pub manifest: Option<Manifest>,
    /// Outcome shares of each point run, when the shard has at most
    /// [`KEEP_SHARES`] points.
    pub shares: Vec<PointShares>,
    /// Seconds the trials took.
    pub seconds: f64,
}

fn read_text(path: &Path) -> Result<String, DesignError> {
    std::fs::read_to_string(path).map_err(|e| DesignError::File {
        file: path.display().to_string(),
        line: 0,
        what: format!("cannot read: {e}"),
        help: "check the path".into(),
    })
}

impl DesignFlags {
    /// The design the flags describe (`seed` seeds a sampled one).
    pub fn design(&self, seed: u64) -> Result<Design, DesignError> {
        let a = self;
        let kinds = usize::from(!a.grid.is_empty() || !a.zip.is_empty())
            + usize::from(a.sample.is_some())
            + usize::from(a.design.is_some());
        let usage = |what: &str, help: &str| DesignError::Usage {
            what: what.to_string(),
            help: help.to_string(),
        };
        if kinds == 0 {
            return Err(usage(
                "no design: give --grid/--zip, --sample with --range, or --design",
                "for example: brink sweep us_iraq_2024 --grid dyads.us_kh.response.proportionality=0.75,1,1.3",
            ));
        }
        if kinds > 1 {
            return Err(usage(
                "expected one kind of design, found several",
                "--grid/--zip, --sample and --design cannot be combined; use one",
            ));
        }
        if !a.range.is_empty() && a.sample.is_none() {
            return Err(usage(
                "--range needs --sample",
                "for example --sample lhs:64 --range PATH=LO:HI",
            ));
        }
        if a.salib_problem.is_some() && a.design.is_none() {
            return Err(usage(
                "--salib-problem needs --design SAMPLE_FILE",
                "pass the SALib sample file with --design",
            ));
        }
        if let Some(s) = &a.sample {
            let kind = design::parse_sample(s)?;
            let ranges = a
                .range
                .iter()
                .map(|r| design::parse_range(r))
                .collect::<Result<Vec<_>, _>>()?;
            return Design::sample(kind, &ranges, seed);
        }
        if let Some(f) = &a.design {
            let text = read_text(f)?;
            return match &a.salib_problem {
                Some(p) => Design::from_salib(
                    &p.display().to_string(),
                    &read_text(p)?,
                    &f.display().to_string(),
                    &text,
                ),
                None => Design::from_csv(&f.display().to_string(), &text),
            };
        }
        let grids = a
            .grid
            .iter()
            .map(|g| design::parse_list("--grid", g))
            .collect::<Result<Vec<_>, _>>()?;
        let zips = a
            .zip
            .iter()
            .map(|z| design::parse_list("--zip", z))
            .collect::<Result<Vec<_>, _>>()?;
        Design::grid(&grids, &zips)
    }
}

impl DesignSpec {
    /// The design, checked.
    pub fn build(&self, seed: u64) -> Result<Design, JobError> {
        match self {
            DesignSpec::Flags(f) => Ok(f.design(seed)?),
            DesignSpec::Points { paths, points } => {
                if paths.is_empty() {
                    return Err(JobError::usage(
                        "a design needs at least one parameter column",
                        "name a parameter path per column",
                    ));
                }
                for (i, p) in paths.iter().enumerate() {
                    if paths[..i].contains(p) {
                        return Err(JobError::usage(
                            format!("design column `{p}` is given twice"),
                            "give each path once",
                        ));
                    }
                }
                if let Some((i, row)) = points.iter().enumerate().find(|(_, r)| r.len() != paths.len()) {
                    let msg = format!("design point {i} has {} values, expected {}", row.len(), paths.len());
                    return Err(JobError::usage(msg, "give one value per column"));
                }
                Ok(Design {
                    paths: paths.clone(),
                    points: points.clone(),
                })
            }
        }
    }
}

impl SweepSpec {
    /// Loads the base scenario and every point of the shard; checks the
    /// counts, the shard, the design and the Y metric.
    pub fn validate(self) -> Result<SweepJob, JobError> {
        let started = Instant::now();
        let base = load(self.scenario.as_deref(), &self.sets)?;
        let s = &base.scenario;
        let trials = self.trials.unwrap_or(s.trials);
        check_trials(trials)?;
        let seed = self.seed.unwrap_or(s.seed);
        let threads = super::threads(self.threads)?;
        let shard = match &self.shard {
            Some(x) => Shard::parse(x)?,
            None => Shard::WHOLE,
        };
        let design = self.design.build(seed)?;
        // A swept path's value replaces its distribution, so a point of a
        // scenario with distributions has fewer parameter columns than
        // the base: the columns are those of a point.
        let first = if s.uncertainty.is_empty() || design.is_empty() {
            None
        } else {
            let sets: Vec<String> = self.sets.iter().cloned().chain(design.overrides(0)).collect();
            Some(load(self.scenario.as_deref(), &sets)?)
        };
        let layout = MetricLayout::new(first.as_ref().map_or(s, |l| &l.scenario));
        let uncertain = first.as_ref().is_some_and(|l| !l.scenario.uncertainty.is_empty());
        let per_draw = if uncertain { super::auto_per_draw(trials) } else { 1 };
        let outcomes: Vec<String> = s.outcome_names().iter().map(|x| x.to_string()).collect();
        let y = match &self.salib_y {
            Some(m) => Some(
                YMetric::parse(m, &outcomes, &layout).map_err(|why| DesignError::BadArg {
                    flag: "--salib-y",
                    arg: m.clone(),
                    expected: "an outcome or metric".into(),
                    found: why,
                    help: "for example --salib-y outcome:agreement, or --salib-y killed_us".into(),
                })?,
            ),
            None => None,
        };
        let out = self
            .out
            .unwrap_or_else(|| PathBuf::from("out").join(format!("{}-sweep", s.name)));
        let range = shard.points(design.len());
        let manifest = Manifest {
            brink_version: env!("CARGO_PKG_VERSION").to_string(),
            scenario: s.name.clone(),
            scenario_sha256: base.hash(),
            overrides: self.sets.clone(),
            paths: design.paths.clone(),
            points: design.len(),
            design_sha256: design.hash(),
            seed,
            trials,
            crn: self.crn,
            y: y.as_ref().map(YMetric::name),
            shard,
            shard_points: [range.start, range.end],
            files: Default::default(),
            format: self.format,
            sensitivity: uncertain,
        };
        let plan = SweepPlan {
            seed,
            trials,
            threads,
            crn: self.crn,
            shard,
        };
        let job = SweepJob {
            sets: self.sets,
            design,
            layout,
            outcomes,
            y,
            plan,
            resume: self.resume,
            out,
            manifest,
            started,
            base,
            per_draw,
        };
        // A complete shard being resumed needs no point loaded.
        if !(job.resume && job.out.join("run.json").exists()) {
            job.check_points()?;
        }
        Ok(job)
    }
}

/// Makes each sweep point's [`PointStats`], for a sink's
/// [`PointSink::fold`]. Memory is one point's statistics, whatever the
/// number of points.
#[derive(Debug, Clone)]
pub struct PointFolds {
    outcomes: Vec<String>,
    layout: MetricLayout,
    trials: u64,
    per_draw: u64,
}

impl PointFolds {
    /// For the points of `job`.
    pub fn new(job: &SweepJob) -> PointFolds {
        PointFolds {
            outcomes: job.outcomes.clone(),
            layout: job.layout.clone(),
            trials: job.plan.trials,
            per_draw: job.per_draw,
        }
    }

    /// The empty statistics of a point whose trials run `s`; with
    /// `drivers`, its drivers too when `s` keeps distributions.
    pub fn point(&self, s: &Scenario, drivers: bool) -> PointStats {
        PointStats {
            summary: Summary::new(self.outcomes.clone(), &self.layout).nested(self.per_draw),
            analysis: if drivers {
                Analysis::new(s, &self.layout, self.trials)
            } else {
                None
            },
        }
    }
}

/// One sweep point's in-order statistics: its summary (`summary.csv`'s
/// rows, `Y.txt`'s value; a nested run's outcome intervals are
/// cluster-robust) and its drivers (`sensitivity.csv`'s block), folded on
/// the pool block by block in trial order ([`runner::Fold`](Fold)).
#[derive(Debug)]
pub struct PointStats {
    /// The point's summary.
    pub summary: Summary,
    analysis: Option<Analysis>,
}

impl PointStats {
    /// The point's drivers (outputs in order, then parameters), empty
    /// when it had nothing uncertain or drivers were not asked for.
    pub fn drivers(&self) -> Vec<Driver> {
        self.analysis.as_ref().map(Analysis::drivers).unwrap_or_default()
    }
}

impl Fold for PointStats {
    /// The summary's columns and the drivers' grid are independent
    /// accumulators, updated in parallel, each over the block in order
    /// (as `brink run`'s).
    fn fold(&mut self, _: u64, results: &[TrialResult], rows: &[f64], width: usize) {
        let PointStats { summary, analysis } = self;
        rayon::join(
            || summary.push_block(results, rows, width),
            || {
                if let Some(a) = analysis.as_mut() {
                    a.push_block(results, rows, width);
                }
            },
        );
    }
}

/// The CLI's sink: the files, through the writer, and each point's
/// statistics folded on the pool.
struct Files<'a> {
    writer: &'a mut SweepWriter,
    folds: PointFolds,
}

impl PointSink for Files<'_> {
    type Error = JobError;
    type Fold = PointStats;
    fn begin(&mut self, p: usize, values: &[String]) -> Result<(), JobError> {
        Ok(self.writer.begin(p, values)?)
    }
    fn fold(&mut self, s: &Scenario) -> Result<Option<PointStats>, JobError> {
        Ok(Some(self.folds.point(s, self.writer.writes_sensitivity())))
    }
    fn trial(&mut self, i: u64, r: &TrialResult, row: &[f64]) -> Result<(), JobError> {
        Ok(self.writer.trial(i, r, row)?)
    }
    fn render(&self) -> Option<Box<dyn crate::runner::Render>> {
        self.writer.render()
    }
    fn rendered(&mut self, i: u64, r: &TrialResult, row: &[f64], line: &[u8]) -> Result<(), JobError> {
        Ok(self.writer.rendered(i, r, row, line)?)
    }
    fn end(&mut self, stats: Option<PointStats>) -> Result<(), JobError> {
        let stats = stats.expect("Files::fold gives every point its statistics");
        let d = stats.drivers();
        let rows = d.iter().map(|d| (d.output.as_str(), d.parameter.as_str(), &d.estimate));
        self.writer.point_sensitivity(rows)?;
        Ok(self.writer.end(&stats.summary)?)
    }
}

impl SweepJob {
    /// Loads a point (the user's `--set`s, then the point's) with the
    /// sweep's trials per parameter draw.
    fn loader(&self) -> impl Fn(&[String]) -> Result<crate::scenario::Loaded, ScenarioError> + use<> {
        let inner = reloader(&self.base, &self.sets);
        let k = self.per_draw;
        move |extra: &[String]| {
            let mut l = inner(extra)?;
            if !l.scenario.uncertainty.is_empty() {
                l.per_draw(k);
            }
            Ok(l)
        }
    }

    /// The points of this shard.
    pub fn range(&self) -> std::ops::Range<usize> {
        self.plan.shard.points(self.design.len())
    }

    /// Loads every point of the shard and checks it keeps the columns.
    pub fn check_points(&self) -> Result<(), JobError> {
        let loader = self.loader();
        Ok(sweep::validate(&self.design, &self.layout, &loader, self.plan.shard)?)
    }

    /// Runs the shard's points from `first` into `sink`.
    pub fn run_into<S: PointSink>(
        &self,
        first: usize,
        cancel: &AtomicBool,
        watch: &mut dyn Watch,
        sink: &mut S,
    ) -> Result<(), S::Error> {
        let loader = self.loader();
        let range = self.range();
        watch.start((range.end - first.max(range.start)) as u64 * self.plan.trials);
        let ran = sweep::run_from(
            &self.design,
            &self.layout,
            &loader,
            &self.plan,
            first,
            cancel,
            |d| watch.advance(d),
            sink,
        );
        watch.finish();
        ran
    }

    /// Provenance of an in-memory sweep (Python's `meta`).
    pub fn meta(&self, command: &str, trials_seconds: f64) -> serde_json::Value {
        let s = &self.base.scenario;
        let range = self.range();
        let total = range.len() as u64 * self.plan.trials;
        let p = &self.plan;
        serde_json::json!({
            "brink_version": crate::VERSION,
            "command": command,
            "scenario": s.name,
            "scenario_file": self.base.sources[0].name,
            "scenario_sha256": self.manifest.scenario_sha256,
            "overrides": self.sets,
            "paths": self.design.paths,
            "points": self.design.len(),
            "design_sha256": self.manifest.design_sha256,
            "seed": p.seed,
            "trials": p.trials,
            "crn": p.crn,
            "shard": {"k": p.shard.k, "n": p.shard.n},
            "shard_points": [range.start, range.end],
            "threads": p.threads,
            "rng": sweep::rng_description(p.crn),
            "horizon": s.horizon,
            "trials_per_draw": self.per_draw,
            "outcomes": self.outcomes,
            "timing": {
                "trials_seconds": trials_seconds,
                "total_seconds": self.started.elapsed().as_secs_f64(),
                "trials_per_second": total as f64 / trials_seconds.max(1e-9),
            },
        })
    }

    /// With `resume`, true when `out` already holds this shard, complete
    /// and verified (an error if it holds another sweep).
    fn already_done(&self, watch: &mut dyn Watch) -> Result<bool, JobError> {
        if !(self.resume && self.out.join("run.json").exists()) {
            return Ok(false);
        }
        let d = self.out.display().to_string();
        let shard = self.plan.shard;
        match out::verify(&self.out) {
            Ok(m) => {
                out::same_sweep(&m, &d, &self.manifest, "this command")?;
                if m.shard != shard {
                    return Err(MergeError::Mismatch {
                        field: "shard".into(),
                        a_dir: d,
                        a: format!("{}/{}", m.shard.k, m.shard.n),
                        b_dir: "this command".into(),
                        b: format!("{}/{}", shard.k, shard.n),
                    }
                    .into());
                }
                let msg = format!(
                    "shard {}/{} in {d}/ is already complete and verified; nothing to do",
                    shard.k, shard.n
                );
                watch.note(&msg);
                Ok(true)
            }
            Err(e) => {
                watch.note(&format!(
                    "{d}/ is not complete ({e}); running shard {}/{}",
                    shard.k, shard.n
                ));
                self.check_points()?;
                Ok(false)
            }
        }
    }

    /// Fails if this shard's `trials.csv` would not fit on the disk.
    fn check_disk(&self) -> Result<(), JobError> {
        let range = self.range();
        if range.is_empty() {
            return Ok(());
        }
        let (s, trials) = (&self.base.scenario, self.plan.trials);
        let row = plan::trial_row_bytes(s, &self.layout, self.plan.seed, trials);
        let prefix: usize = limits::digits(range.end as u64)
            + self.design.points[range.start]
                .iter()
                .map(|v| v.len() + 1)
                .sum::<usize>()
            + 1;
        let per = row + prefix as f64;
        let rows = range.len() as f64 * trials as f64;
        let how = format!(
            "{} points x {trials} trials = {rows:.0} rows x {per:.0} bytes per row of trials.csv",
            range.len()
        );
        plan::check_space(&self.out, "this sweep", rows * per, &how)
    }

    /// Opens the writer: fresh, or continuing the checkpoint an
    /// interrupted run of this very shard left.
    fn open_writer(&self, watch: &mut dyn Watch, on_point: out::OnPoint) -> Result<SweepWriter, JobError> {
        let (range, shard) = (self.range(), self.plan.shard);
        let partial = match self.resume {
            true => out::read_partial(&self.out)?,
            false => None,
        };
        let partial = partial.filter(|p| {
            p.manifest.shard == shard
                && out::same_sweep(&p.manifest, "", &self.manifest, "").is_ok()
                && range.contains(&p.next_point)
        });
        let (o, l, y) = (self.outcomes.clone(), &self.layout, self.y.clone());
        Ok(match &partial {
            Some(p) => {
                watch.note(&format!(
                    "resuming shard {}/{} at point {}: points {}..{} are kept from the interrupted run",
                    shard.k, shard.n, p.next_point, range.start, p.next_point
                ));
                SweepWriter::resume(&self.out, &self.design, o, l, y, on_point, p)?
            }
            None => {
                let (format, sens) = (self.manifest.format, self.manifest.sensitivity);
                SweepWriter::create(&self.out, &self.design, o, l, y, on_point, format, sens)?
            }
        })
    }

    /// Runs into the files of `self.out` (resuming, checkpointing on an
    /// interruption); `command` goes to `run.json`.
    pub fn write_files(
        &self,
        command: serde_json::Value,
        cancel: &AtomicBool,
        watch: &mut dyn Watch,
    ) -> Result<SweepReport, JobError> {
        if self.already_done(watch)? {
            let seconds = 0.0;
            return Ok(SweepReport {
                manifest: None,
                shares: Vec::new(),
                seconds,
            });
        }
        output::ensure_dir(&self.out)?;
        output::remove_dead_temporaries(&self.out);
        self.check_disk()?;
        let range = self.range();
        let shares: Rc<RefCell<Vec<PointShares>>> = Rc::default();
        let keep = Rc::clone(&shares);
        let show = range.len() <= KEEP_SHARES;
        let on_point = Box::new(move |p: usize, sum: &Summary| {
            if show {
                keep.borrow_mut()
                    .push((p, sum.outcome_table().iter().map(|r| r.2).collect()));
            }
        });
        let mut writer = self.open_writer(watch, on_point)?;
        let first = writer.resume_point().unwrap_or(range.start);
        let t0 = Instant::now();
        let mut files = Files {
            writer: &mut writer,
            folds: PointFolds::new(self),
        };
        if let Err(e) = self.run_into(first, cancel, watch, &mut files) {
            if matches!(e, JobError::Sweep(SweepError::Interrupted { .. })) {
                // Keep the completed points for --resume.
                writer.checkpoint(&self.manifest, range.start)?;
            }
            return Err(e);
        }
        let seconds = t0.elapsed().as_secs_f64();
        let mut manifest = self.manifest.clone();
        manifest.files = writer.commit()?;
        let total = (range.end - first) as u64 * self.plan.trials;
        let extra = serde_json::json!({
            "command": command,
            "scenario_file": self.base.sources[0].name,
            "rng": sweep::rng_description(self.plan.crn),
            "threads": self.plan.threads,
            "horizon": self.base.scenario.horizon,
            "outcomes": self.outcomes,
            "trials_per_draw": self.per_draw,
            "timing": {
                "trials_seconds": seconds,
                "total_seconds": self.started.elapsed().as_secs_f64(),
                "trials_per_second": total as f64 / seconds.max(1e-9),
            },
        });
        out::write_manifest(&self.out, &manifest, extra)?;
        let shares = shares.borrow().clone();
        Ok(SweepReport {
            manifest: Some(manifest),
            shares,
            seconds,
        })
    }
}

/// A scenario error from loading a sweep's point, unwrapped (Python raises
/// it as `ScenarioError` with the point as context).
pub fn point_error(e: &JobError) -> Option<(usize, &str, &ScenarioError)> {
    match e {
        JobError::Sweep(SweepError::Point { point, sets, source }) => Some((*point, sets.as_str(), source)),
        _ => None,
    }
}

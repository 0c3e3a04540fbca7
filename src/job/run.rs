//! `run`: seeded trials of one scenario. [`RunSpec::validate`] loads the
//! scenario and checks the counts; [`RunJob::run_into`] runs the trials
//! into any sink (Python's collector) and keeps the summary;
//! [`RunJob::write_files`] is the CLI's sink: `trials.csv`, `summary.csv`,
//! `timeline.csv` and `run.json`, after checking the disk.

use super::{JobError, Watch, check_trials, load, plan};
use crate::engine::{MetricLayout, TrialResult};
pub use crate::output::parquet::Format;
use crate::output::parquet::TrialSink;
use crate::output::timeline::{TimelineError, TimelineWriter};
use crate::output::{self, CsvFile, OutputError, Summary, limits};
use crate::runner::{self, Plan, Render, RunError};
use crate::scenario::{Loaded, ScenarioError};
use crate::stats::ExactQuantiles;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Instant;

/// What `brink run` (or `brink.run`) was asked.
#[derive(Debug, Clone, Default)]
pub struct RunSpec {
    /// Scenario file or built-in name (`None`: the flagship).
    pub scenario: Option<String>,
    /// `--set PATH=VALUE` overrides.
    pub sets: Vec<String>,
    /// Trials (`None`: the scenario's).
    pub trials: Option<u64>,
    /// Master seed (`None`: the scenario's).
    pub seed: Option<u64>,
    /// Worker threads (`None`: every core).
    pub threads: Option<usize>,
    /// Trials whose every step goes to `timeline.csv` (0: none).
    pub timeline: u64,
    /// Trial files: `trials.csv`, `trials.parquet` or both.
    pub format: Format,
    /// Output directory (`None`: `out/<scenario name>`).
    pub out: Option<PathBuf>,
    /// Run every distribution at its median (`--point`): nothing drawn,
    /// no parameter columns.
    pub point: bool,
    /// Nested sampling (`--draws-per-param K`): K trials share each
    /// parameter draw (1: a fresh draw per trial; `None`: the automatic
    /// design [`super::auto_per_draw`]).
    pub per_draw: Option<u64>,
    /// `--posterior FILE`: the calibrated paths are resampled from this
    /// posterior.csv (relative to the working directory), as if the
    /// scenario said `[posterior] file = FILE`.
    pub posterior: Option<PathBuf>,
}

/// A validated run: the scenario loaded, every count resolved and checked.
pub struct RunJob {
    /// The scenario, its sources and overrides.
    pub loaded: Loaded,
    /// Its metric columns.
    pub layout: MetricLayout,
    /// Outcome names, in column order.
    pub outcomes: Vec<String>,
    /// Master seed.
    pub seed: u64,
    /// Trials.
    pub trials: u64,
    /// Worker threads.
    pub threads: usize,
    /// Timeline trials (at most `trials`).
    pub timeline: u64,
    /// Output directory.
    pub out: PathBuf,
    /// Trial files: `trials.csv`, `trials.parquet` or both.
    pub format: Format,
    /// When validation began (`run.json`'s total time counts from here).
    pub started: Instant,
}

/// What the trials gave, whatever the sink.
pub struct RunStats {
    /// The summary (`summary.csv`).
    pub summary: Summary,
    /// End steps of the trials of each outcome (for medians).
    pub ends: Vec<ExactQuantiles>,
    /// Seconds the trials took.
    pub seconds: f64,
    /// Drivers and nested spread, when parameters were drawn.
    pub analysis: Option<super::uncert::Analysis>,
}

/// The in-order statistics of a run, folded block by block on the pool
/// ([`runner::Fold`]): every trial in trial order, so their bytes are the
/// same for any thread count.
struct Accumulators {
    summary: Summary,
    ends: Vec<ExactQuantiles>,
    analysis: Option<super::uncert::Analysis>,
}

impl runner::Fold for Accumulators {
    /// The summary's columns and the sensitivity grid's parameters are
    /// independent accumulators: they are updated in parallel, each over
    /// the block's trials in order.
    fn fold(&mut self, _: u64, results: &[TrialResult], rows: &[f64], width: usize) {
        let Accumulators {
            summary,
            ends,
            analysis,
            ..
        } = self;
        rayon::join(
            || {
                summary.push_block(results, rows, width);
                for r in results {
                    ends[r.outcome as usize].push(i64::from(r.end_step));
                }
            },
            || {
                if let Some(a) = analysis.as_mut() {
                    a.push_block(results, rows, width);
                }
            },
        );
    }
}

/// What `write_files` did.
pub struct RunReport {
    /// The statistics.
    pub stats: RunStats,
    /// Files written, in the order written.
    pub files: Vec<PathBuf>,
}

impl RunSpec {
    /// Loads the scenario and checks trials, threads and the timeline.
    pub fn validate(self) -> Result<RunJob, JobError> {
        let started = Instant::now();
        let mut sets = self.sets.clone();
        if let Some(p) = &self.posterior {
            sets.push(format!("{}={}", crate::scenario::posterior::KEY, p.display()));
        }
        let mut loaded = load(self.scenario.as_deref(), &sets)?;
        let trials = self.trials.unwrap_or(loaded.scenario.trials);
        check_trials(trials)?;
        super::uncertainty(&mut loaded, self.point, self.per_draw, trials)?;
        let s = &loaded.scenario;
        if self.timeline > 0 && s.game.is_some() {
            return Err(ScenarioError::bad_flag(
                "--timeline",
                "a game has no timeline (each trial is one match); its trials.csv has the payoffs",
            )
            .into());
        }
        let threads = super::threads(self.threads)?;
        let out = self.out.unwrap_or_else(|| PathBuf::from("out").join(&s.name));
        Ok(RunJob {
            layout: MetricLayout::new(s),
            outcomes: s.outcome_names().iter().map(|x| x.to_string()).collect(),
            seed: self.seed.unwrap_or(s.seed),
            timeline: self.timeline.min(trials),
            trials,
            threads,
            out,
            loaded,
            started,
            format: self.format,
        })
    }
}

impl RunJob {
    /// Runs the trials, handing each row to `sink` in trial order, and
    /// returns the summary.
    pub fn run_into<E: From<RunError>>(
        &self,
        cancel: &AtomicBool,
        watch: &mut dyn Watch,
        mut sink: impl FnMut(u64, &TrialResult, &[f64]) -> Result<(), E>,
    ) -> Result<RunStats, E> {
        self.run_rendered(cancel, watch, &runner::NoRender, |i, r, row, _| sink(i, r, row))
    }

    /// Like [`RunJob::run_into`], with `render` formatting each trial's
    /// bytes in the workers; the sink gets them after the row.
    pub fn run_rendered<E: From<RunError>, R: Render>(
        &self,
        cancel: &AtomicBool,
        watch: &mut dyn Watch,
        render: &R,
        mut sink: impl FnMut(u64, &TrialResult, &[f64], &[u8]) -> Result<(), E>,
    ) -> Result<RunStats, E> {
        let mut acc = Accumulators {
            summary: Summary::new(self.outcomes.clone(), &self.layout)
                .nested(self.loaded.scenario.uncertainty.per_draw),
            ends: vec![ExactQuantiles::default(); self.outcomes.len()],
            analysis: super::uncert::Analysis::new(&self.loaded.scenario, &self.layout, self.trials),
        };
        let plan = Plan {
            seed: self.seed,
            trials: 0..self.trials,
            threads: self.threads,
        };
        let pool = runner::pool(self.threads)?;
        watch.start(self.trials);
        let t0 = Instant::now();
        // The summaries fold each block on the pool (in trial order); the
        // calling thread only hands the rows to the sink.
        let ran = runner::run_folded(
            &pool,
            &self.loaded.scenario,
            &self.layout,
            &plan,
            cancel,
            |done| watch.advance(done),
            render,
            &mut acc,
            |i, r, row, bytes| sink(i, r, row, bytes),
        );
        watch.finish();
        ran?;
        Ok(RunStats {
            summary: acc.summary,
            ends: acc.ends,
            seconds: t0.elapsed().as_secs_f64(),
            analysis: acc.analysis,
        })
    }

    /// `run.json`'s content for this run.
    pub fn meta(&self, command: serde_json::Value, trials_seconds: f64) -> serde_json::Value {
        output::run_meta(
            &self.loaded,
            command,
            self.seed,
            self.trials,
            self.threads,
            self.started,
            trials_seconds,
        )
    }

    /// Fails if the output would not fit on the disk: `trials.csv` (rows
    /// sized on real trials) and `timeline.csv` (at least).
    pub fn check_disk(&self) -> Result<(), JobError> {
        let s = &self.loaded.scenario;
        let trials = self.trials;
        let row = plan::trial_row_bytes(s, &self.layout, self.seed, trials);
        let mut bytes = row * trials as f64;
        let mut how = format!("{trials} trials x {row:.0} bytes per row of trials.csv");
        let k = self.timeline;
        if k > 0 {
            let per = limits::timeline_row_bytes_min(s);
            let rows = k as f64 * f64::from(s.horizon);
            bytes += rows * per as f64;
            how.push_str(&format!(
                ", plus timeline.csv: {k} trials x {} steps = {rows:.0} rows x at least {per} bytes",
                s.horizon
            ));
        }
        plan::check_space(&self.out, "this run", bytes, &how)
    }

    /// Runs into the files of `self.out`; `command` goes to `run.json`.
    pub fn write_files(
        &self,
        command: serde_json::Value,
        cancel: &AtomicBool,
        watch: &mut dyn Watch,
    ) -> Result<RunReport, JobError> {
        output::ensure_dir(&self.out)?;
        output::remove_dead_temporaries(&self.out);
        self.check_disk()?;
        // A stale run.json must not vouch for files this run replaces.
        output::remove_stale(&self.out.join("run.json"))?;
        let mut writer = TrialSink::create(self.format, &self.out, &[], self.outcomes.clone(), &self.layout)?;
        // CSV rows are formatted in the workers; the writer copies bytes.
        let stats = match &mut writer {
            TrialSink::Csv(c) => {
                let format = c.format().clone();
                self.run_rendered(cancel, watch, &format, |_, _, _, line| {
                    c.rendered(line).map_err(JobError::from)
                })?
            }
            TrialSink::Both(c, p) => {
                let format = c.format().clone();
                self.run_rendered(cancel, watch, &format, |i, r, row, line| {
                    c.rendered(line)?;
                    p.row(&[], i, r, row).map_err(JobError::from)
                })?
            }
            w => self.run_into(cancel, watch, |i, r, row| w.row(&[], i, r, row).map_err(JobError::from))?,
        };
        let mut files = Vec::new();
        if self.timeline > 0 {
            files.extend(self.write_timeline(cancel)?);
        }
        files.splice(0..0, writer.commit()?);
        let mut sum_file = CsvFile::create(&self.out.join("summary.csv"))?;
        Summary::write_header(&mut sum_file, &[])?;
        stats.summary.write_rows(&mut sum_file, &[])?;
        files.push(sum_file.commit()?);
        if let Some(a) = &stats.analysis {
            let drivers = a.drivers();
            let rows = drivers
                .iter()
                .map(|d| (d.output.as_str(), d.parameter.as_str(), &d.estimate));
            files.push(output::sensitivity::write(&self.out, rows)?);
        }
        let mut meta = self.meta(command, stats.seconds);
        meta["timeline_trials"] = self.timeline.into();
        if let Some(spread) = stats.analysis.as_ref().and_then(|a| a.spread()) {
            let num = |x: f64| {
                if x.is_finite() {
                    serde_json::json!(x)
                } else {
                    serde_json::Value::Null
                }
            };
            meta["parameters"]["spread"] = self
                .outcomes
                .iter()
                .zip(&spread)
                .map(|(o, x)| {
                    serde_json::json!({
                        "outcome": o, "draws": x.draws, "mean": num(x.mean),
                        "p5": num(x.p5), "p95": num(x.p95), "signal_share": num(x.signal),
                    })
                })
                .collect::<Vec<_>>()
                .into();
        }
        let json = serde_json::to_string_pretty(&meta).expect("json") + "\n";
        files.push(output::write_atomic(&self.out.join("run.json"), json.as_bytes())?);
        Ok(RunReport { stats, files })
    }

    /// Runs trials `0..timeline` again (same streams, so the same trials
    /// as in `trials.csv`) with the timeline watching every step.
    fn write_timeline(&self, cancel: &AtomicBool) -> Result<Vec<PathBuf>, JobError> {
        let s = &self.loaded.scenario;
        let mut w = TimelineWriter::create(&self.out, s, self.format)?;
        let ran = runner::observe(s, &self.layout, self.seed, 0..self.timeline, cancel, &mut w);
        match ran {
            Ok(()) => Ok(w.commit()?),
            Err(TimelineError::Output(e)) => Err(e.into()),
            Err(TimelineError::Run(RunError::Interrupted { .. })) => Err(OutputError::Interrupted {
                path: timeline_path(&self.out),
            }
            .into()),
            Err(TimelineError::Run(e)) => Err(e.into()),
        }
    }
}

fn timeline_path(dir: &Path) -> String {
    dir.join("timeline.csv").display().to_string()
}

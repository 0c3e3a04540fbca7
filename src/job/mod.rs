//! The application layer: one typed spec per command (run, sweep, merge,
//! tournament, check, params). A spec holds what the user asked for, as
//! plain values; `validate` checks it once (trial and thread counts,
//! shards, paths, memory and disk) and loads what it needs, giving a job;
//! the job runs into a sink and returns a typed report. The CLI (`cli/`)
//! and the Python binding (`python/src/`) only convert to and from specs
//! and reports, so a command is written once (ripgrep's split between
//! `LowArgs`, what was typed, and `HiArgs`, what it means).
//!
//! Errors: [`JobError`], whose [`JobError::exit_code`] is the CLI's exit
//! code (0 success, 1 run-time failure, 2 bad input, 130 interrupted).

pub mod calibrate;
pub mod inspect;
pub mod load;
pub mod merge;
pub mod plan;
pub mod run;
pub mod score;
pub mod sweep;
pub mod tournament;
pub mod uncert;

pub use load::{FsResolver, load};

use crate::design::DesignError;
use crate::output::OutputError;
use crate::output::report::ReportError;
use crate::output::sweep::MergeError;
use crate::runner::RunError;
use crate::runner::sweep::SweepError;
use crate::scenario::ScenarioError;

/// Most trials one run, sweep point or tournament pairing accepts: 2^53,
/// beyond which counts in `summary.csv` (f64) would no longer be exact.
pub const MAX_TRIALS: u64 = 1 << 53;

/// Most worker threads accepted: far beyond any machine brink runs on, and
/// small enough that asking for it cannot exhaust the process's threads.
pub const MAX_THREADS: usize = 4096;

/// Checks `--trials` (or the scenario's `trials`): 1..=[`MAX_TRIALS`].
pub fn check_trials(trials: u64) -> Result<(), ScenarioError> {
    if trials == 0 {
        return Err(ScenarioError::bad_flag(
            "--trials",
            "expected at least 1 trial, found 0",
        ));
    }
    if trials > MAX_TRIALS {
        return Err(ScenarioError::bad_flag(
            "--trials",
            &format!("expected at most {MAX_TRIALS} (2^53) trials, found {trials}"),
        ));
    }
    Ok(())
}

/// Parameter draws the automatic nested design aims for: enough for the
/// 5-95 % spread and for the drivers' classes (`⌈√200⌉ = 15`).
pub const AUTO_DRAWS: u64 = 200;

/// Most trials per draw the automatic design uses: beyond ~100 the
/// binomial noise of a draw's share (sd ≤ 0.05) is small against the
/// spread of judgements, and more draws help the drivers more.
pub const AUTO_PER_DRAW_MAX: u64 = 100;

/// Trials per parameter draw when `--draws-per-param` is not given, for a
/// run of `trials` trials: `clamp(⌊trials / 200⌋, 1, 100)`. So 10,000
/// trials make 200 draws of 50 trials, 20,000 make 200 of 100, 100,000
/// make 1,000 of 100; below 400 trials every trial draws afresh (no
/// spread can be separated from the noise with one trial per draw).
pub fn auto_per_draw(trials: u64) -> u64 {
    (trials / AUTO_DRAWS).clamp(1, AUTO_PER_DRAW_MAX)
}

/// Applies `--point` and `--draws-per-param K` to a loaded scenario:
/// `point` runs every distribution at its median; `K` (>= 1) trials share
/// each parameter draw; without `K`, a scenario with distributions gets
/// the nested design [`auto_per_draw`]`(trials)`. `K` with `--point`, or
/// on a scenario with nothing uncertain, is refused: it would silently do
/// nothing.
pub fn uncertainty(
    loaded: &mut crate::scenario::Loaded,
    point: bool,
    per_draw: Option<u64>,
    trials: u64,
) -> Result<(), ScenarioError> {
    if let Some(k) = per_draw {
        if k == 0 {
            return Err(ScenarioError::bad_flag(
                "--draws-per-param",
                "expected at least 1 trial per parameter draw, found 0",
            ));
        }
        if point {
            return Err(ScenarioError::bad_flag(
                "--draws-per-param",
                "--point draws no parameters; drop one of the two flags",
            ));
        }
        if loaded.scenario.uncertainty.is_empty() {
            return Err(ScenarioError::bad_flag(
                "--draws-per-param",
                "this scenario has no distribution to draw; write one (docs/scenario.md, \"Distributions\") or --set PATH=uniform:lower=..,upper=..",
            ));
        }
    }
    if point {
        loaded.point();
    } else if !loaded.scenario.uncertainty.is_empty() {
        loaded.per_draw(per_draw.unwrap_or_else(|| auto_per_draw(trials)));
    }
    Ok(())
}

/// The worker threads to use: `--threads` (checked against
/// [`MAX_THREADS`]), else every core (at least 1).
pub fn threads(threads: Option<usize>) -> Result<usize, ScenarioError> {
    if let Some(t) = threads
        && t > MAX_THREADS
    {
        return Err(ScenarioError::bad_flag(
            "--threads",
            &format!("expected at most {MAX_THREADS} worker threads, found {t}"),
        ));
    }
    Ok(threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1))
}

/// What a job tells its front end while it works: notes (warnings,
/// resumptions) and progress in trials. Every method does nothing by
/// default; [`Quiet`] is the watcher that hears nothing.
pub trait Watch {
    /// A note for the user (the CLI prints it on stderr unless `--quiet`).
    fn note(&mut self, _message: &str) {}
    /// Work of `total` trials starts.
    fn start(&mut self, _total: u64) {}
    /// `done` trials of the work are finished.
    fn advance(&mut self, _done: u64) {}
    /// The work has stopped (finished or not).
    fn finish(&mut self) {}
}

/// A [`Watch`] that ignores everything.
pub struct Quiet;

impl Watch for Quiet {}

/// Why a command failed.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum JobError {
    /// The scenario, an override or a flag's value is bad.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Scenario(#[from] ScenarioError),
    /// The design is bad.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Design(#[from] DesignError),
    /// A flag is bad (not tied to a scenario key).
    #[error("{message}")]
    #[diagnostic(code(brink::usage), help("{help}"))]
    Usage {
        /// What is wrong.
        message: String,
        /// What to do.
        help: String,
    },
    /// The job would exceed a limit (disk space, memory): refused before
    /// it starts.
    #[error("{what}")]
    #[diagnostic(code(brink::limit), help("{help}"))]
    Limit {
        /// What would be exceeded, with the estimate.
        what: String,
        /// What to do.
        help: String,
    },
    /// Running trials failed or was interrupted.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Run(#[from] RunError),
    /// A sweep failed or was interrupted.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Sweep(SweepError),
    /// Writing output failed.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Output(#[from] OutputError),
    /// `brink report` could not read a run's files or write the page.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Report(#[from] ReportError),
    /// Verifying or merging shards failed.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Merge(#[from] MergeError),
    /// `brink score` could not score the run.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Score(#[from] score::ScoreError),
}

impl From<SweepError> for JobError {
    fn from(e: SweepError) -> Self {
        match e {
            SweepError::Run(r) => JobError::Run(r),
            e => JobError::Sweep(e),
        }
    }
}

impl JobError {
    /// A bad flag with a hint.
    pub fn usage(message: impl Into<String>, help: impl Into<String>) -> JobError {
        JobError::Usage {
            message: message.into(),
            help: help.into(),
        }
    }

    /// True when the job stopped on SIGINT or SIGTERM (or Ctrl-C in Python).
    pub fn interrupted(&self) -> bool {
        matches!(
            self,
            JobError::Run(RunError::Interrupted { .. })
                | JobError::Sweep(SweepError::Interrupted { .. })
                | JobError::Output(OutputError::Interrupted { .. })
        )
    }

    /// True when the user's input is at fault (not the machine).
    pub fn bad_input(&self) -> bool {
        match self {
            JobError::Scenario(_) | JobError::Design(_) | JobError::Usage { .. } | JobError::Limit { .. } => true,
            JobError::Sweep(e) => matches!(
                e,
                SweepError::Point { .. } | SweepError::Layout { .. } | SweepError::Shard { .. }
            ),
            JobError::Merge(e) => !matches!(e, MergeError::Output(_)),
            JobError::Report(e) => !matches!(e, ReportError::Output(_) | ReportError::Chart { .. }),
            JobError::Score(e) => !matches!(e, score::ScoreError::Mismatch { .. }),
            JobError::Run(_) | JobError::Output(_) => false,
        }
    }

    /// The CLI's exit code: 130 interrupted, 2 bad input, 1 otherwise.
    pub fn exit_code(&self) -> i32 {
        if self.interrupted() {
            130
        } else if self.bad_input() {
            2
        } else {
            1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::job::run::RunSpec;
    use crate::job::tournament::TournamentSpec;

    #[test]
    fn counts_are_checked_before_anything_runs() {
        let e = check_trials(0).expect_err("zero");
        assert!(e.to_string().contains("--trials: expected at least 1 trial, found 0"));
        assert!(check_trials(MAX_TRIALS).is_ok());
        assert!(check_trials(MAX_TRIALS + 1).is_err());
        assert!(threads(Some(MAX_THREADS + 1)).is_err());
        assert_eq!(threads(Some(0)).expect("ok"), 1);
        let huge = RunSpec {
            trials: Some(u64::MAX),
            ..RunSpec::default()
        };
        assert_eq!(huge.validate().err().map(|e| e.exit_code()), Some(2));
        let t = TournamentSpec {
            trials: Some(100_000_000_000),
            ..TournamentSpec::default()
        };
        let e = t.validate().err().expect("too much memory");
        assert!(e.to_string().contains("this tournament would need about"), "{e}");
        assert_eq!(e.exit_code(), 2);
    }

    #[test]
    fn exit_codes() {
        let interrupted = JobError::Run(RunError::Interrupted { done: 1, total: 2 });
        assert_eq!(interrupted.exit_code(), 130);
        let threads = JobError::Run(RunError::Threads {
            threads: 2,
            why: "no".into(),
        });
        assert_eq!(threads.exit_code(), 1);
        assert_eq!(JobError::usage("bad", "fix it").exit_code(), 2);
        let shard = crate::runner::sweep::Shard::parse("3/2").expect_err("bad shard");
        assert_eq!(JobError::from(shard).exit_code(), 2);
    }
}

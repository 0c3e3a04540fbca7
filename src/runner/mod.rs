//! Running many trials: a rayon fan-out over blocks of trials, each trial
//! on its own ChaCha stream ([`crate::rng::trial_rng`]), results handed to
//! a sink strictly in trial order. Memory is one block of results, however
//! many trials run; the output is the same for any thread count because a
//! trial's draws depend only on (seed, trial index).
//!
//! The runner knows nothing of files: a sink returns its own error type
//! `E`, and the runner's own failures ([`RunError`]) convert into it
//! (`E: From<RunError>`), so a file writer, an in-memory collector and a
//! test's vector all plug in without the runner importing `output`.

use crate::engine::{MetricLayout, NoObserver, StepObserver, TrialResult};
use crate::model::Scenario;
use rayon::prelude::*;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};

pub mod sweep;
mod worker;

pub use worker::Worker;

/// Trials computed in parallel before their results are handed on.
pub const BLOCK: u64 = 4096;

/// Errors while running.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum RunError {
    /// The run was interrupted (SIGINT or SIGTERM) before it finished.
    #[error("interrupted after {done} of {total} trials; no output file was completed")]
    #[diagnostic(
        code(brink::interrupted),
        help("run the same command again: runs are deterministic, so it gives the same files")
    )]
    Interrupted {
        /// Trials finished.
        done: u64,
        /// Trials asked for.
        total: u64,
    },
    /// The thread pool could not be built.
    #[error("cannot start {threads} worker threads: {why}")]
    #[diagnostic(code(brink::threads))]
    Threads {
        /// Threads asked for.
        threads: usize,
        /// Why not.
        why: String,
    },
}

/// How to run: which trials, with which seed, on how many threads.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Master seed.
    pub seed: u64,
    /// Trial indices to run.
    pub trials: Range<u64>,
    /// Worker threads (>= 1).
    pub threads: usize,
}

/// Runs `plan`'s trials and calls `sink(trial, result, metrics)` for each,
/// in increasing trial order. `progress(done)` is called after each block;
/// `cancel` is checked before every trial, so a block stops within one
/// trial's time of the signal and none of its results are handed on.
/// The sink's error `E` stops the run and is returned as it is.
pub fn run<E, F>(
    s: &Scenario,
    layout: &MetricLayout,
    plan: &Plan,
    cancel: &AtomicBool,
    progress: impl FnMut(u64),
    sink: F,
) -> Result<(), E>
where
    E: From<RunError>,
    F: FnMut(u64, &TrialResult, &[f64]) -> Result<(), E>,
{
    let pool = pool(plan.threads)?;
    run_in(&pool, s, layout, plan, cancel, progress, sink)
}

/// A rayon pool of `threads` workers (at least 1), for [`run_in`].
pub fn pool(threads: usize) -> Result<rayon::ThreadPool, RunError> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .map_err(|e| RunError::Threads {
            threads,
            why: e.to_string(),
        })
}

/// Like [`run`] on an existing pool (a sweep runs many points on one
/// pool); `plan.threads` is ignored.
pub fn run_in<E, F>(
    pool: &rayon::ThreadPool,
    s: &Scenario,
    layout: &MetricLayout,
    plan: &Plan,
    cancel: &AtomicBool,
    mut progress: impl FnMut(u64),
    mut sink: F,
) -> Result<(), E>
where
    E: From<RunError>,
    F: FnMut(u64, &TrialResult, &[f64]) -> Result<(), E>,
{
    let width = layout.len().max(1);
    let total = plan.trials.end.saturating_sub(plan.trials.start);
    let cap = BLOCK.min(total.max(1)) as usize;
    let mut results = vec![
        TrialResult {
            outcome: 0,
            end_step: 0
        };
        cap
    ];
    let mut rows = vec![0.0f64; cap * width];
    let mut start = plan.trials.start;
    while start < plan.trials.end {
        if cancel.load(Ordering::Relaxed) {
            return Err(RunError::Interrupted {
                done: start - plan.trials.start,
                total,
            }
            .into());
        }
        let n = (plan.trials.end - start).min(BLOCK) as usize;
        pool.install(|| {
            results[..n]
                .par_iter_mut()
                .zip(rows[..n * width].par_chunks_mut(width))
                .enumerate()
                .for_each_init(
                    || Worker::new(s, plan.seed),
                    |w, (j, (res, row))| {
                        // Checked per trial: a block of long trials stops
                        // within one trial of the signal.
                        if cancel.load(Ordering::Relaxed) {
                            return;
                        }
                        let i = start + j as u64;
                        *res = w.run(layout, plan.seed, i, row, &mut NoObserver);
                    },
                );
        });
        if cancel.load(Ordering::Relaxed) {
            // Some results of this block were skipped: hand on none of it.
            return Err(RunError::Interrupted {
                done: start - plan.trials.start,
                total,
            }
            .into());
        }
        for j in 0..n {
            sink(
                start + j as u64,
                &results[j],
                &rows[j * width..j * width + layout.len()],
            )?;
        }
        start += n as u64;
        progress(start - plan.trials.start);
    }
    Ok(())
}

/// Watches every step of the trials a [`observe`] runs (the timeline).
pub trait TrialObserver: StepObserver {
    /// The observer's error; the runner's own failures convert into it.
    type Error: From<RunError>;
    /// Trial `i` starts.
    fn begin(&mut self, i: u64);
    /// The trial that began last has ended; an error stops the run.
    fn end(&mut self) -> Result<(), Self::Error>;
}

/// Runs `trials` one after the other on this thread, with `obs` watching
/// every step: the same trials (same streams) as any batch holding them.
/// `cancel` is checked before every trial.
pub fn observe<O: TrialObserver>(
    s: &Scenario,
    layout: &MetricLayout,
    seed: u64,
    trials: Range<u64>,
    cancel: &AtomicBool,
    obs: &mut O,
) -> Result<(), O::Error> {
    let mut w = Worker::new(s, seed);
    let mut row = vec![0.0; layout.len()];
    let total = trials.end.saturating_sub(trials.start);
    for i in trials.clone() {
        if cancel.load(Ordering::Relaxed) {
            let done = i - trials.start;
            return Err(RunError::Interrupted { done, total }.into());
        }
        obs.begin(i);
        w.run(layout, seed, i, &mut row, obs);
        obs.end()?;
    }
    Ok(())
}

/// Runs one trial alone (for tests and the Python bindings): the same
/// result as trial `i` of any batch.
pub fn one(s: &Scenario, layout: &MetricLayout, seed: u64, i: u64) -> (TrialResult, Vec<f64>) {
    let mut row = vec![0.0; layout.len()];
    let r = Worker::new(s, seed).run(layout, seed, i, &mut row, &mut NoObserver);
    (r, row)
}

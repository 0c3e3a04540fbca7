//! Running many trials: a rayon fan-out over blocks of trials, each trial
//! on its own ChaCha stream ([`crate::rng::trial_rng`]), results handed to
//! a sink strictly in trial order. Memory is two blocks of results, however
//! many trials run; the output is the same for any thread count because a
//! trial's draws depend only on (seed, trial index).
//!
//! **A bounded pipeline** (issue 18). Blocks of [`BLOCK`] trials go
//! through two buffers: while the pool's workers simulate block `k + 1`
//! into one, the calling thread hands block `k`'s results from the other
//! to the sink (writing, summarising), then the buffers swap. The in-order
//! consumer is thus off the workers' critical path; by Amdahl's law the
//! speed-up on `p` workers is `1 / (s + (1 − s)/p)` only for the share `s`
//! that the consumer cannot hide, the time it spends per trial against the
//! workers' (`BENCHMARKS.md` measures it). Work that does not depend on
//! order moves into the workers: a [`Render`] formats each trial's output
//! bytes beside the trial (a CSV row), so the consumer only copies them;
//! in-order statistics (summaries) are a [`Fold`], given each block as a
//! task on the pool beside the next block's trials ([`run_folded`]).
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

/// Output a worker prepares for each trial, beside the trial itself, so
/// that the in-order consumer only copies it (a CSV row as bytes).
/// It must depend only on its arguments: the bytes are the same whichever
/// worker renders them.
pub trait Render: Sync {
    /// Appends trial `i`'s bytes to `out` (which is empty).
    fn render(&self, i: u64, r: &TrialResult, metrics: &[f64], out: &mut Vec<u8>);
}

impl<T: Render + ?Sized> Render for Box<T> {
    #[inline]
    fn render(&self, i: u64, r: &TrialResult, metrics: &[f64], out: &mut Vec<u8>) {
        (**self).render(i, r, metrics, out);
    }
}

/// Renders nothing (the sink formats its own output).
pub struct NoRender;

impl Render for NoRender {
    #[inline(always)]
    fn render(&self, _: u64, _: &TrialResult, _: &[f64], _: &mut Vec<u8>) {}
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
    progress: impl FnMut(u64),
    mut sink: F,
) -> Result<(), E>
where
    E: From<RunError>,
    F: FnMut(u64, &TrialResult, &[f64]) -> Result<(), E>,
{
    run_rendered(pool, s, layout, plan, cancel, progress, &NoRender, |i, r, row, _| {
        sink(i, r, row)
    })
}

/// One buffer of the pipeline: a block's results, metric rows and
/// rendered bytes, reused from block to block (no allocation once the
/// byte buffers have grown to their rows' size).
struct Block {
    results: Vec<TrialResult>,
    rows: Vec<f64>,
    bytes: Vec<Vec<u8>>,
}

impl Block {
    fn new(cap: usize, width: usize) -> Block {
        Block {
            results: vec![
                TrialResult {
                    outcome: 0,
                    end_step: 0
                };
                cap
            ],
            rows: vec![0.0; cap * width],
            // Empty vectors own no memory until a render writes to them.
            bytes: vec![Vec::new(); cap],
        }
    }
}

/// Where a block sits in the run: its first trial and its size.
#[derive(Clone, Copy)]
struct Span {
    start: u64,
    n: usize,
}

/// What the workers need to simulate a block; shared by reference.
struct Work<'a, R: Render> {
    s: &'a Scenario,
    layout: &'a MetricLayout,
    seed: u64,
    width: usize,
    render: &'a R,
    /// Set by the caller's `cancel` or by a failing sink.
    cancel: &'a AtomicBool,
    stop: &'a AtomicBool,
}

impl<R: Render> Work<'_, R> {
    fn stopped(&self) -> bool {
        self.cancel.load(Ordering::Relaxed) || self.stop.load(Ordering::Relaxed)
    }

    /// Simulates (and renders) `span` into `b`, on the current pool.
    fn block(&self, b: &mut Block, span: Span) {
        let (s, layout, width, plan_seed) = (self.s, self.layout, self.width, self.seed);
        b.results[..span.n]
            .par_iter_mut()
            .zip(b.rows[..span.n * width].par_chunks_mut(width))
            .zip(b.bytes[..span.n].par_iter_mut())
            .enumerate()
            .for_each_init(
                || Worker::new(s, plan_seed),
                |w, (j, ((res, row), out))| {
                    // Checked per trial: a block of long trials stops
                    // within one trial of the signal.
                    if self.stopped() {
                        return;
                    }
                    let i = span.start + j as u64;
                    *res = w.run(layout, plan_seed, i, row, &mut NoObserver);
                    out.clear();
                    self.render.render(i, res, &row[..layout.len()], out);
                },
            );
    }
}

/// Like [`run_in`], with `render` run in the workers beside each trial
/// and its bytes handed to `sink(trial, result, metrics, bytes)` (empty
/// with [`NoRender`]). The sink runs on the calling thread while the
/// workers simulate the next block.
#[allow(clippy::too_many_arguments)]
pub fn run_rendered<E, F, R>(
    pool: &rayon::ThreadPool,
    s: &Scenario,
    layout: &MetricLayout,
    plan: &Plan,
    cancel: &AtomicBool,
    progress: impl FnMut(u64),
    render: &R,
    sink: F,
) -> Result<(), E>
where
    E: From<RunError>,
    F: FnMut(u64, &TrialResult, &[f64], &[u8]) -> Result<(), E>,
    R: Render,
{
    run_folded(pool, s, layout, plan, cancel, progress, render, &mut NoFold, sink)
}

/// In-order work on whole blocks that needs no output file: summaries.
/// [`run_folded`] calls it once per block, in block order, as a task on
/// the pool, concurrently with the sink's copying of the same block and
/// with the simulation of the next one; so its instructions are off the
/// calling thread, and it sees every trial in order (its floating-point
/// results do not depend on the thread count).
pub trait Fold: Send {
    /// Trials `first..first + results.len()`: their results, and their
    /// metric rows (`rows[j * width..j * width + len]` is trial
    /// `first + j`'s, `len` the layout's width).
    fn fold(&mut self, first: u64, results: &[TrialResult], rows: &[f64], width: usize);
}

/// Folds nothing.
pub struct NoFold;

impl Fold for NoFold {
    #[inline(always)]
    fn fold(&mut self, _: u64, _: &[TrialResult], _: &[f64], _: usize) {}
}

/// A fold that may be absent (a sweep point with nothing to fold).
impl<G: Fold> Fold for Option<G> {
    #[inline]
    fn fold(&mut self, first: u64, results: &[TrialResult], rows: &[f64], width: usize) {
        if let Some(g) = self {
            g.fold(first, results, rows, width);
        }
    }
}

/// Like [`run_rendered`], with `fold` given each block, in order, on a
/// pool thread while the calling thread hands the same block to `sink`
/// and the other workers simulate the next block. The fold of a block
/// ends before the next block is handed on; a block the run stops in
/// (interrupt) is neither folded nor handed on.
#[allow(clippy::too_many_arguments)]
pub fn run_folded<E, F, R, G>(
    pool: &rayon::ThreadPool,
    s: &Scenario,
    layout: &MetricLayout,
    plan: &Plan,
    cancel: &AtomicBool,
    mut progress: impl FnMut(u64),
    render: &R,
    fold: &mut G,
    mut sink: F,
) -> Result<(), E>
where
    E: From<RunError>,
    F: FnMut(u64, &TrialResult, &[f64], &[u8]) -> Result<(), E>,
    R: Render,
    G: Fold,
{
    let width = layout.len().max(1);
    let first = plan.trials.start;
    let total = plan.trials.end.saturating_sub(first);
    if total == 0 {
        return Ok(());
    }
    let cap = BLOCK.min(total) as usize;
    let stop = AtomicBool::new(false);
    let work = Work {
        s,
        layout,
        seed: plan.seed,
        width,
        render,
        cancel,
        stop: &stop,
    };
    let span_at = |start: u64| Span {
        start,
        n: (plan.trials.end - start).min(BLOCK) as usize,
    };
    let interrupted = |done: u64| RunError::Interrupted { done, total };
    let mut cur = Block::new(cap, width);
    let mut next = Block::new(if total > BLOCK { cap } else { 0 }, width);
    let mut span = span_at(first);
    if cancel.load(Ordering::Relaxed) {
        return Err(interrupted(0).into());
    }
    pool.install(|| work.block(&mut cur, span));
    loop {
        if cancel.load(Ordering::Relaxed) {
            // Some results of the block just simulated may be missing:
            // hand on none of it.
            return Err(interrupted(span.start - first).into());
        }
        let after = span.start + span.n as u64;
        let ahead = (after < plan.trials.end).then(|| span_at(after));
        // Simulate the next block on the pool while this thread hands the
        // current one on; the scope returns when both are done.
        let handed = pool.in_place_scope(|sc| {
            // The fold is spawned first, so that a worker takes it before
            // the next block's trials (jobs injected from outside the pool
            // run in the order spawned); it then runs beside them.
            let (c, f) = (&cur, &mut *fold);
            sc.spawn(move |_| f.fold(span.start, &c.results[..span.n], &c.rows[..span.n * width], width));
            if let Some(a) = ahead {
                let (work, next) = (&work, &mut next);
                sc.spawn(move |_| work.block(next, a));
            }
            let handed = hand_on(&cur, span, layout.len(), width, &mut sink);
            if handed.is_err() {
                stop.store(true, Ordering::Relaxed);
            }
            handed
        });
        handed?;
        progress(after - first);
        match ahead {
            Some(a) => {
                std::mem::swap(&mut cur, &mut next);
                span = a;
            }
            None => return Ok(()),
        }
    }
}

/// Hands a simulated block to the sink in trial order.
fn hand_on<E, F>(b: &Block, span: Span, len: usize, width: usize, sink: &mut F) -> Result<(), E>
where
    F: FnMut(u64, &TrialResult, &[f64], &[u8]) -> Result<(), E>,
{
    for j in 0..span.n {
        let row = &b.rows[j * width..j * width + len];
        sink(span.start + j as u64, &b.results[j], row, &b.bytes[j])?;
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

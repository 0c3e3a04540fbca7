//! Sweeps: one run of `trials` trials at each point of a
//! [`Design`](crate::design::Design), points in design order, each point's
//! results handed to a [`PointSink`] in trial order. Memory is two blocks
//! of trial results and one point's summary, whatever the numbers of
//! points and trials.
//!
//! **The calling thread only copies** (issue 18). Each point runs through
//! the bounded pipeline of [`run_folded`]: the workers format each trial's
//! bytes ([`PointSink::render`]) beside the trial, and the point's
//! in-order statistics (its summary, its drivers) are a [`Fold`]
//! ([`PointSink::fold`]) given each block as a task on the pool beside the
//! next block's trials; the sink's [`PointSink::rendered`] on the calling
//! thread is left with copying bytes. By Amdahl's law the speed-up on `p`
//! workers is `1 / (s + (1 − s)/p)` for the share `s` of a trial's work
//! that stays on the calling thread (`BENCHMARKS.md`, "Issue 18 part 1 for
//! sweeps", measures it).
//!
//! **Common random numbers.** By default trial `i` at every point draws
//! from [`trial_rng`](crate::rng::trial_rng)`(seed, i)`, so two points that
//! differ only in a parameter a trial never consults give identical rows,
//! and differences between points are not drowned in sampling noise
//! (Glasserman and Yao 1992). With `crn = false` point `p` gets its own
//! master seed, [`point_seed`]`(seed, p)`, derived deterministically.
//!
//! **Shards.** `--shard K/N` runs the contiguous point range
//! `[⌊K·P/N⌋, ⌊(K+1)·P/N⌋)` ([`Shard::points`]): it depends only on N and
//! the design, so any batch system can run the shards in any order and
//! `brink merge` concatenates their files in shard order to the bytes of a
//! single run.

use super::{Fold, NoRender, Plan, Render, RunError, pool, run_folded};
use crate::design::Design;
use crate::engine::{MetricLayout, TrialResult};
use crate::scenario::{Loaded, ScenarioError};
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::ops::Range;
use std::sync::atomic::AtomicBool;

/// Errors while sweeping.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum SweepError {
    /// A point's scenario does not load.
    #[error("design point {point} ({sets}) is not a valid scenario")]
    #[diagnostic(
        code(brink::sweep_point),
        help("fix the design's value for this point; `brink check SCENARIO --set PATH=VALUE` reproduces the error")
    )]
    Point {
        /// The point.
        point: usize,
        /// Its overrides.
        sets: String,
        /// Why.
        #[source]
        source: Box<ScenarioError>,
    },
    /// A point changes the output columns (e.g. adds an actor or dyad).
    #[error("design point {point} changes the output columns: expected {expected} metrics, found {found}")]
    #[diagnostic(
        code(brink::sweep_layout),
        help(
            "sweep parameters that keep the scenario's actors, dyads and tracks; run structural variants as separate sweeps"
        )
    )]
    Layout {
        /// The point.
        point: usize,
        /// Columns of the base scenario.
        expected: String,
        /// Columns at this point.
        found: String,
    },
    /// `--shard` is malformed.
    #[error("--shard `{arg}`: expected K/N with 0 <= K < N, found {found}")]
    #[diagnostic(
        code(brink::shard),
        help(
            "shards are numbered from 0: --shard 0/4 ... --shard 3/4 (Slurm: $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT)"
        )
    )]
    Shard {
        /// As typed.
        arg: String,
        /// What is wrong.
        found: String,
    },
    /// The sweep was interrupted (SIGINT or SIGTERM).
    #[error(
        "interrupted at design point {point}, after {done} of {points} points of shard {}/{}; no output file was completed (the points done are kept for --resume)",
        shard.k, shard.n
    )]
    #[diagnostic(
        code(brink::interrupted),
        help(
            "run the same command again with --resume: the points completed are kept in --out and not rerun, and the files are byte-identical to an uninterrupted sweep's"
        )
    )]
    Interrupted {
        /// The point that was running.
        point: usize,
        /// Points of the shard finished.
        done: usize,
        /// Points in the shard.
        points: usize,
        /// The shard.
        shard: Shard,
    },
    /// Running a point failed.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Run(#[from] RunError),
}

/// Shard `k` of `n` (0-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Shard {
    /// This shard (0..n).
    pub k: u64,
    /// Number of shards (>= 1).
    pub n: u64,
}

impl Shard {
    /// The whole sweep, one shard.
    pub const WHOLE: Shard = Shard { k: 0, n: 1 };

    /// Parses `K/N`.
    pub fn parse(arg: &str) -> Result<Shard, SweepError> {
        let err = |found: String| SweepError::Shard {
            arg: arg.to_string(),
            found,
        };
        let (k, n) = arg.split_once('/').ok_or_else(|| err("no `/`".into()))?;
        let k: u64 = k.trim().parse().map_err(|_| err(format!("K = `{k}`")))?;
        let n: u64 = n.trim().parse().map_err(|_| err(format!("N = `{n}`")))?;
        if n == 0 || k >= n {
            return Err(err(format!("K = {k}, N = {n}")));
        }
        Ok(Shard { k, n })
    }

    /// The points this shard runs, of `total`.
    pub fn points(&self, total: usize) -> Range<usize> {
        let at = |k: u64| (u128::from(k) * total as u128 / u128::from(self.n)) as usize;
        at(self.k)..at(self.k + 1)
    }
}

/// How to sweep.
#[derive(Debug, Clone)]
pub struct SweepPlan {
    /// Master seed.
    pub seed: u64,
    /// Trials per point.
    pub trials: u64,
    /// Worker threads.
    pub threads: usize,
    /// Common random numbers (trial `i` uses the same stream at every point).
    pub crn: bool,
    /// The slice of points to run.
    pub shard: Shard,
}

/// How a sweep's trials draw their random numbers, as `run.json` records it.
pub fn rng_description(crn: bool) -> &'static str {
    if crn {
        "ChaCha8, common random numbers: trial i on stream i of seed_from_u64(seed) at every point"
    } else {
        "ChaCha8; point p uses seed point_seed(seed, p), trial i its stream i"
    }
}

/// Master seed of point `p`: `seed` itself under common random numbers,
/// else the first word of ChaCha8 keyed by `seed`, stream `p`, offset by a
/// constant so it differs from trial streams.
pub fn point_seed(seed: u64, p: usize, crn: bool) -> u64 {
    if crn {
        return seed;
    }
    let mut r = ChaCha8Rng::seed_from_u64(seed ^ 0x9e37_79b9_7f4a_7c15);
    r.set_stream(p as u64);
    r.next_u64()
}

/// Receives a sweep's results. Its error type is its own (a file writer's,
/// a collector's); the sweep's failures convert into it.
///
/// Per point the sweep calls [`PointSink::begin`], [`PointSink::fold`]
/// and [`PointSink::render`] once, then [`PointSink::rendered`] for each
/// trial in trial order on the calling thread while the fold is given the
/// same trials, block by block, on the pool; then [`PointSink::end`] with
/// the fold, which has seen every trial of the point in order. An
/// interrupted point gets no `end`.
pub trait PointSink {
    /// The sink's error.
    type Error: From<SweepError>;
    /// A point's in-order statistics (summaries), folded on the pool;
    /// [`super::NoFold`] for a sink that keeps none.
    type Fold: Fold;
    /// Point `p` starts; `values` are its design values.
    fn begin(&mut self, p: usize, values: &[String]) -> Result<(), Self::Error>;
    /// The current point's fold, for its compiled scenario `s` (its trials
    /// run it; its parameters drawn per trial are those the point leaves
    /// uncertain), called once after [`PointSink::begin`]. `None` (the
    /// default): nothing to fold.
    fn fold(&mut self, s: &crate::model::Scenario) -> Result<Option<Self::Fold>, Self::Error> {
        let _ = s;
        Ok(None)
    }
    /// Trial `i` of the current point.
    fn trial(&mut self, i: u64, r: &TrialResult, row: &[f64]) -> Result<(), Self::Error>;
    /// The current point is complete; `fold` is what [`PointSink::fold`]
    /// gave, having folded all its trials.
    fn end(&mut self, fold: Option<Self::Fold>) -> Result<(), Self::Error>;
    /// The current point's output bytes per trial, formatted by the
    /// workers beside each trial (issue 18); `None` (the default): the
    /// sink formats its own in [`PointSink::trial`].
    fn render(&self) -> Option<Box<dyn Render>> {
        None
    }
    /// Trial `i` of the current point with the bytes [`PointSink::render`]
    /// formatted (empty when it gave `None`); by default
    /// [`PointSink::trial`].
    fn rendered(&mut self, i: u64, r: &TrialResult, row: &[f64], bytes: &[u8]) -> Result<(), Self::Error> {
        let _ = bytes;
        self.trial(i, r, row)
    }
}

/// Why one point's run stopped: the runner's reason or the sink's error.
enum Halt<E> {
    Run(RunError),
    Sink(E),
}

impl<E> From<RunError> for Halt<E> {
    fn from(e: RunError) -> Self {
        Halt::Run(e)
    }
}

/// Loads the scenario with extra `--set` overrides (the point's).
#[allow(clippy::result_large_err)] // ScenarioError is the scenario layer's type
pub type Loader<'a> = dyn Fn(&[String]) -> Result<Loaded, ScenarioError> + 'a;

/// Loads every point of the plan's shard and checks that it keeps the base
/// scenario's columns, before any trial runs (so a bad point fails in
/// seconds, not after hours).
pub fn validate(design: &Design, base: &MetricLayout, load: &Loader, shard: Shard) -> Result<(), SweepError> {
    for p in shard.points(design.len()) {
        point_scenario(design, base, load, p)?;
    }
    Ok(())
}

fn point_scenario(design: &Design, base: &MetricLayout, load: &Loader, p: usize) -> Result<Loaded, SweepError> {
    let sets = design.overrides(p);
    let l = load(&sets).map_err(|source| SweepError::Point {
        point: p,
        sets: sets.join(" "),
        source: Box::new(source),
    })?;
    let layout = MetricLayout::new(&l.scenario);
    if layout.names != base.names {
        return Err(SweepError::Layout {
            point: p,
            expected: base.names.len().to_string(),
            found: format!("{} ({})", layout.names.len(), layout.names.join(",")),
        });
    }
    Ok(l)
}

/// Runs the plan's shard of `design`: for each point in order, loads the
/// scenario with the point's overrides and runs `plan.trials` trials.
/// `progress(done)` counts trials over the shard's points.
pub fn run<S: PointSink>(
    design: &Design,
    base: &MetricLayout,
    load: &Loader,
    plan: &SweepPlan,
    cancel: &AtomicBool,
    progress: impl FnMut(u64),
    sink: &mut S,
) -> Result<(), S::Error> {
    run_from(design, base, load, plan, 0, cancel, progress, sink)
}

/// Like [`run`], skipping the shard's points before `first` (they were
/// completed by an interrupted run whose files the sink continues).
#[allow(clippy::too_many_arguments)]
pub fn run_from<S: PointSink>(
    design: &Design,
    base: &MetricLayout,
    load: &Loader,
    plan: &SweepPlan,
    first: usize,
    cancel: &AtomicBool,
    mut progress: impl FnMut(u64),
    sink: &mut S,
) -> Result<(), S::Error> {
    let pool = pool(plan.threads).map_err(SweepError::Run)?;
    let mut done = 0u64;
    let range = plan.shard.points(design.len());
    for p in range.start.max(first)..range.end {
        let l = point_scenario(design, base, load, p)?;
        let run_plan = Plan {
            seed: point_seed(plan.seed, p, plan.crn),
            trials: 0..plan.trials,
            threads: plan.threads,
        };
        sink.begin(p, &design.points[p])?;
        let mut fold = sink.fold(&l.scenario)?;
        let render = sink.render().unwrap_or_else(|| Box::new(NoRender));
        // The point's statistics fold on the pool, block by block in
        // trial order; this thread only hands each trial's bytes on.
        run_folded(
            &pool,
            &l.scenario,
            base,
            &run_plan,
            cancel,
            |d| progress(done + d),
            &render,
            &mut fold,
            |i, r, row, bytes| sink.rendered(i, r, row, bytes).map_err(Halt::Sink),
        )
        .map_err(|e| match e {
            Halt::Run(RunError::Interrupted { .. }) => S::Error::from(SweepError::Interrupted {
                point: p,
                done: p - range.start,
                points: range.len(),
                shard: plan.shard,
            }),
            Halt::Run(e) => S::Error::from(SweepError::Run(e)),
            Halt::Sink(e) => e,
        })?;
        sink.end(fold)?;
        done += plan.trials;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_points() {
        for total in [0usize, 1, 5, 9, 64, 1000] {
            for n in [1u64, 2, 3, 4, 7, 16] {
                let mut next = 0;
                for k in 0..n {
                    let r = Shard { k, n }.points(total);
                    assert_eq!(r.start, next);
                    next = r.end;
                }
                assert_eq!(next, total);
            }
        }
    }

    #[test]
    fn shard_parse() {
        assert_eq!(Shard::parse("2/7").expect("ok"), Shard { k: 2, n: 7 });
        assert!(Shard::parse("4/4").is_err());
        assert!(Shard::parse("1/0").is_err());
        assert!(Shard::parse("x").is_err());
    }

    #[test]
    fn point_seeds() {
        assert_eq!(point_seed(5, 3, true), 5);
        assert_ne!(point_seed(5, 3, false), point_seed(5, 4, false));
        assert_eq!(point_seed(5, 3, false), point_seed(5, 3, false));
    }
}

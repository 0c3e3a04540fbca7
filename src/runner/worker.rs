//! One worker's trials: the per-trial call of the engine, with the
//! trial's parameter draw (issue 14).
//!
//! A [`Worker`] is made once per rayon worker (`for_each_init`), or once
//! for a sequential loop. For a scenario with no uncertain parameter it
//! runs every trial on the shared scenario, exactly as before. Otherwise it
//! owns a clone of the scenario and a value buffer; trial `i` draws its
//! parameter vector from its own stream (`dist::ParamKey`, apart from the
//! event stream `rng::trial_rng(seed, i)`), writes it into the clone
//! ([`crate::model::Uncertainty::apply`]: one `match` per slot, then only
//! the derived tables the slots feed), runs the trial, and writes the drawn
//! values into the row's parameter columns. A trial's draws depend only on
//! (seed, i, path), so rows are the same for any thread count or shard.
//!
//! In a nested run (`K` trials per draw) the trials of one draw share
//! their values, and a worker mostly runs them one after another; it then
//! keeps the drawn and applied scenario from the previous trial instead of
//! drawing the same values again (issue 18: at `K = 100` the draw was 4 %
//! of a trial). `apply` depends on the values only, so this is exact.

use crate::dist::ParamKey;
use crate::engine::{MetricLayout, StepObserver, TrialResult, TrialState, run_trial};
use crate::model::Scenario;
use crate::rng::{Streams, TrialRng};

/// A worker's scenario copy, trial state and parameter buffers.
pub struct Worker<'a> {
    shared: &'a Scenario,
    own: Option<Scenario>,
    state: TrialState,
    key: ParamKey,
    values: Vec<f64>,
    scratch: Vec<Vec<f64>>,
    /// The draw index whose values `own` holds, if any.
    applied: Option<u64>,
    /// The event streams of the seed the worker was made for.
    streams: Streams,
}

impl<'a> Worker<'a> {
    /// A worker for trials of `s` under master seed `seed`.
    pub fn new(s: &'a Scenario, seed: u64) -> Worker<'a> {
        let u = &s.uncertainty;
        Worker {
            shared: s,
            own: (!u.is_empty()).then(|| s.clone()),
            state: TrialState::new(s),
            key: ParamKey::new(seed),
            values: vec![0.0; u.len()],
            scratch: u.scratch(),
            applied: None,
            streams: Streams::new(seed),
        }
    }

    /// Trial `i`'s event stream, `trial_rng(seed, i)`, from the stored
    /// key when `seed` is the worker's.
    #[inline]
    fn rng(&mut self, seed: u64, i: u64) -> TrialRng {
        if seed != self.streams.master() {
            self.streams = Streams::new(seed);
        }
        self.streams.trial(i)
    }

    /// Runs trial `i` (events from `trial_rng(seed, i)`), writing its
    /// metrics, then its drawn parameters, into `row`.
    pub fn run<O: StepObserver>(
        &mut self,
        layout: &MetricLayout,
        seed: u64,
        i: u64,
        row: &mut [f64],
        obs: &mut O,
    ) -> TrialResult {
        let mut rng = self.rng(seed, i);
        let Some(own) = self.own.as_mut() else {
            return run_trial(self.shared, layout, &mut self.state, &mut rng, row, obs);
        };
        let u = &self.shared.uncertainty;
        let d = u.draw_index(i);
        if self.applied != Some(d) {
            u.draw(&self.key, i, &mut self.values);
            u.apply(own, &self.values, &mut self.scratch);
            self.applied = Some(d);
        }
        let r = run_trial(own, layout, &mut self.state, &mut rng, row, obs);
        for (x, v) in row[layout.param_columns()].iter_mut().zip(&self.values) {
            *x = *v;
        }
        r
    }

    /// Like [`Worker::run`], with the parameters at positions `at` (of the
    /// scenario's uncertain paths) set to `theta` after the trial's draw:
    /// a calibration's proposal (issue 16). The other uncertain paths keep
    /// their draws from trial `i`'s stream, so they are marginalised over.
    #[allow(clippy::too_many_arguments)] // run's arguments plus the proposal
    pub fn run_at<O: StepObserver>(
        &mut self,
        layout: &MetricLayout,
        seed: u64,
        i: u64,
        at: &[usize],
        theta: &[f64],
        row: &mut [f64],
        obs: &mut O,
    ) -> TrialResult {
        let mut rng = self.rng(seed, i);
        let own = self.own.as_mut().expect("a calibrated scenario has uncertain paths");
        let u = &self.shared.uncertainty;
        self.applied = None;
        u.draw(&self.key, i, &mut self.values);
        for (&k, &x) in at.iter().zip(theta) {
            self.values[k] = x;
        }
        u.apply(own, &self.values, &mut self.scratch);
        let r = run_trial(own, layout, &mut self.state, &mut rng, row, obs);
        for (x, v) in row[layout.param_columns()].iter_mut().zip(&self.values) {
            *x = *v;
        }
        r
    }

    /// The scenario trial `i` ran with, after [`Worker::run`] (the shared
    /// one when nothing is drawn): what an observer's output should name.
    pub fn scenario(&self) -> &Scenario {
        self.own.as_ref().unwrap_or(self.shared)
    }
}

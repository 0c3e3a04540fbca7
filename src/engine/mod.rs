//! One trial: `(&Scenario, rng) -> TrialResult`. No I/O, no allocation per
//! step, no string look-ups: ids are indices, policies are enums, the
//! read-only tables are the scenario's [`Compiled`](crate::model::Compiled)
//! part, and everything that changes within a trial lives in a
//! [`TrialState`] that a worker reuses ([`TrialState::reset`] is its one
//! set-up path).
//!
//! The model's concepts each have one module, which opens with its
//! equation and citation:
//!
//! * [`events`]: events and their consequences, noise and perception;
//! * [`responses`]: the dyads' stocks (deterrence, self-excitation,
//!   grievance) and their answers (reciprocity rules, hazards);
//! * [`tracks`]: negotiation tracks;
//! * [`pressure`]: the actors' pressure and risk stocks;
//! * [`actions`]: the actions actors choose besides violence;
//! * [`triggers`]: triggers and restraint, regimes and drivers;
//! * [`outcomes`]: outcomes, milestones and the escalation spiral;
//! * [`implementation`]: implementation phases after an agreement;
//! * [`windows`]: quantities over windows of steps (`[metrics]`);
//! * [`metrics`]: what a trial reports; [`game`]: iterated games.
//!
//! # The order of a step
//!
//! A step runs the phases of [`Phase::ORDER`] in that order, so results
//! never depend on iteration accidents. `docs/model.md` ("The order of a
//! step") states the same list, and `tests/engine.rs` checks that the two
//! agree.

pub mod actions;
pub mod events;
pub mod game;
mod implementation;
pub mod metrics;
mod outcomes;
mod pressure;
mod responses;
mod tracks;
mod triggers;
mod windows;

use crate::model::{Scenario, TalkStatus};
use crate::rng::TrialRng;
pub use events::Event;
pub use metrics::{Metric, MetricKind, MetricLayout};

/// How one trial ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrialResult {
    /// Index into [`Scenario::outcome_names`].
    pub outcome: u16,
    /// The last step simulated: the step whose outcome ended the trial, or
    /// `horizon - 1` for the horizon outcome (steps run `0..horizon`), so
    /// a trial lasted `end_step + 1` steps.
    pub end_step: u32,
}

/// The phases of a step, in the order [`step`] runs them ([`Phase::ORDER`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Regimes whose duration ran out revert; drivers start, end on
    /// schedule, or end by their hazard.
    RegimesAndDrivers,
    /// Tracks open (date or precondition); paused tracks whose pause is
    /// over resume.
    TracksOpen,
    /// Triggers whose condition is a step fire, in file order.
    StepTriggers,
    /// Dyad by dyad in file order: scheduled acts, then the initiative's
    /// Poisson count; each event draws level, execution noise, place and
    /// consequences.
    Events,
    /// Each event is counted, charged to its target's casualties, fed to
    /// the pressure inputs, seen by the tracks (violence, pauses, the
    /// signing calm) and perceived by its target.
    Perception,
    /// Deterrence, self-excitation and grievance stocks update.
    Stocks,
    /// Tracks pause, progress, collapse and sign; then pressure decays,
    /// takes this step's inputs and the talks' relief.
    TracksAndPressure,
    /// Actor by actor, each action its policy chooses on the actor's
    /// stocks is carried out; its effects start the next step.
    Actions,
    /// Dyad by dyad: the reciprocity rule, then the hazard; answers are
    /// scheduled ahead.
    Answers,
    /// Event, pressure and track triggers fire, in file order.
    OtherTriggers,
    /// This step's severity enters each spiral outcome's window.
    SpiralWindow,
    /// Implementation phases start, break, slip or advance; milestones
    /// that hold are recorded; outcomes are checked in declared order, the
    /// first terminal one that holds ending the trial at this step; the
    /// windowed quantities record the step.
    Outcomes,
}

impl Phase {
    /// Every phase, in the order a step runs them.
    pub const ORDER: [Phase; 12] = [
        Phase::RegimesAndDrivers,
        Phase::TracksOpen,
        Phase::StepTriggers,
        Phase::Events,
        Phase::Perception,
        Phase::Stocks,
        Phase::TracksAndPressure,
        Phase::Actions,
        Phase::Answers,
        Phase::OtherTriggers,
        Phase::SpiralWindow,
        Phase::Outcomes,
    ];

    /// The phase's title, as `docs/model.md` lists it.
    pub fn title(self) -> &'static str {
        match self {
            Phase::RegimesAndDrivers => "Regimes and drivers",
            Phase::TracksOpen => "Tracks open",
            Phase::StepTriggers => "Step triggers",
            Phase::Events => "Events",
            Phase::Perception => "Perception",
            Phase::Stocks => "Stocks",
            Phase::TracksAndPressure => "Tracks and pressure",
            Phase::Actions => "Actions",
            Phase::Answers => "Answers",
            Phase::OtherTriggers => "Other triggers",
            Phase::SpiralWindow => "Spiral window",
            Phase::Outcomes => "Outcomes",
        }
    }
}

/// "Never" for a step bound.
const NEVER: u32 = u32::MAX;

/// Empties `v` and fills it with `n` copies of `x`; allocates only the
/// first time (or when the scenario grows), so [`TrialState::reset`] is
/// also how [`TrialState::new`] sets up.
#[inline]
fn refill<T: Clone>(v: &mut Vec<T>, n: usize, x: T) {
    v.clear();
    v.resize(n, x);
}

/// All the mutable state of one trial, by concept; allocated once per
/// worker and [`reset`](TrialState::reset) before each trial.
#[derive(Debug, Clone, Default)]
pub struct TrialState {
    switches: triggers::Switches,
    events: events::EventState,
    stocks: responses::Stocks,
    tracks: Vec<tracks::TrackState>,
    pressure: pressure::PressureState,
    spiral: outcomes::Spiral,
    implementation: implementation::Phases,
    windows: windows::Windows,
    choices: actions::ChoiceState,
    game: game::GameCache,
}

impl TrialState {
    /// State for trials of `s`.
    pub fn new(s: &Scenario) -> TrialState {
        let mut st = TrialState::default();
        st.reset(s);
        st
    }

    /// Returns the state to step 0 of a new trial of `s`; allocates nothing
    /// once it has held a trial of `s`.
    pub fn reset(&mut self, s: &Scenario) {
        self.switches.reset(s);
        self.events.reset(s);
        self.stocks.reset(s);
        tracks::reset(&mut self.tracks, s);
        self.pressure.reset(s);
        self.spiral.reset(s);
        self.implementation.reset(s);
        self.windows.reset(s);
        self.choices.reset(s);
    }

    /// Events of the step just simulated (for timelines and tests).
    pub fn events(&self) -> &[Event] {
        &self.events.events
    }

    /// Current pressure of each actor.
    pub fn pressure(&self) -> &[f64] {
        &self.pressure.level
    }

    /// Status and mean progress of track `k`.
    pub fn track(&self, k: usize) -> (TalkStatus, f64) {
        let ts = &self.tracks[k];
        (ts.status, ts.mean)
    }

    /// Whether each driver is active.
    pub fn drivers(&self) -> &[bool] {
        &self.switches.driver_on
    }

    /// Running totals per dyad: (events, severity, responses).
    pub fn dyad_totals(&self, d: usize) -> (u32, f64, u32) {
        let ev = &self.events;
        (ev.events_total[d], ev.severity_total[d], ev.responses_total[d])
    }

    /// Casualties of actor `a` so far: (killed, wounded).
    pub fn casualties(&self, a: usize) -> (u32, u32) {
        (self.events.killed[a], self.events.wounded[a])
    }

    /// Active regime index of each dyad.
    pub fn regimes(&self) -> &[u8] {
        &self.switches.regime
    }

    /// First step each trigger fired, if it did.
    pub fn trigger_steps(&self) -> &[Option<u32>] {
        &self.switches.trigger_fired
    }

    /// Current risk stock of each actor (0 for actors without one).
    pub fn risk(&self) -> &[f64] {
        &self.pressure.risk
    }

    /// Times each choice was taken so far, actor-major in file order.
    pub fn choice_counts(&self) -> &[u32] {
        &self.choices.count
    }

    /// Concessions so far and the observed cost C_t of track `k`.
    pub fn track_bargaining(&self, k: usize) -> (u32, f64) {
        let ts = &self.tracks[k];
        (ts.concessions, ts.cost)
    }
}

/// Something that wants to see every step of a trial (timelines, tests).
pub trait StepObserver {
    /// Called after step `t` is complete (its outcomes checked, the state
    /// unchanged by that check).
    fn step(&mut self, s: &Scenario, st: &TrialState, t: u32);
}

/// The observer that does nothing; the compiler removes it.
pub struct NoObserver;

impl StepObserver for NoObserver {
    #[inline]
    fn step(&mut self, _: &Scenario, _: &TrialState, _: u32) {}
}

/// Runs one trial of a crisis scenario (or a game, see [`game`]) and writes
/// its metrics into `row` (laid out by [`MetricLayout`]).
pub fn run_trial<O: StepObserver>(
    s: &Scenario,
    layout: &MetricLayout,
    st: &mut TrialState,
    rng: &mut TrialRng,
    row: &mut [f64],
    obs: &mut O,
) -> TrialResult {
    if let Some(g) = &s.game {
        return game::run_match(s, g, layout, &mut st.game, rng, row);
    }
    st.reset(s);
    let mut result = TrialResult {
        outcome: s.outcomes.len() as u16,
        end_step: s.horizon.saturating_sub(1),
    };
    for t in 0..s.horizon {
        let ended = step(s, st, rng, t);
        obs.step(s, st, t);
        if let Some(o) = ended {
            result = TrialResult {
                outcome: o,
                end_step: t,
            };
            break;
        }
    }
    layout.write_crisis(s, st, row);
    result
}

/// One step of a crisis scenario: the phases of [`Phase::ORDER`], in
/// order. Returns the outcome that ends the trial at step `t`, if one holds.
#[inline]
pub fn step(s: &Scenario, st: &mut TrialState, rng: &mut TrialRng, t: u32) -> Option<u16> {
    let mut ended = None;
    for phase in Phase::ORDER {
        match phase {
            Phase::RegimesAndDrivers => triggers::regimes_and_drivers(s, st, rng, t),
            Phase::TracksOpen => tracks::open(s, st, t),
            Phase::StepTriggers => triggers::fire(s, st, rng, t, true),
            Phase::Events => events::generate(s, st, rng, t),
            Phase::Perception => events::record(s, st, rng, t),
            Phase::Stocks => responses::update_stocks(s, st),
            Phase::TracksAndPressure => {
                tracks::update(s, st, rng, t);
                pressure::update(s, st);
            }
            Phase::Actions => actions::choose(s, st, rng, t),
            Phase::Answers => responses::decide(s, st, rng, t),
            Phase::OtherTriggers => triggers::fire(s, st, rng, t, false),
            Phase::SpiralWindow => {
                if !s.compiled.spirals.is_empty() {
                    outcomes::update_spiral(s, st, t);
                }
            }
            Phase::Outcomes => {
                if !s.phases.is_empty() {
                    implementation::update(s, st, rng, t);
                }
                ended = outcomes::check(s, st, t);
                if !s.metrics.is_empty() {
                    windows::record(s, st, t);
                }
            }
        }
    }
    ended
}

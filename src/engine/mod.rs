//! One trial: `(&Scenario, rng) -> TrialResult`. No I/O, no allocation per
//! step, no string look-ups: ids are indices, policies are enums, and all
//! scratch space lives in a [`TrialState`] that a worker reuses.
//!
//! # The order of a step
//!
//! Within step `t` things happen in this order, so results never depend on
//! iteration accidents (`docs/model.md` has the same list):
//!
//! 1. Regimes whose duration ran out revert; drivers start, end on schedule,
//!    or end by their hazard (one draw per active driver with a hazard).
//! 2. Tracks open (on their `open_step`, or when the precondition's calm
//!    has held) and paused tracks whose pause is over resume.
//! 3. Triggers whose condition is `step` fire, in file order.
//! 4. Events, dyad by dyad in file order: first the acts scheduled for this
//!    step (responses, trigger acts) in the order they were scheduled, then
//!    the initiative's Poisson count. Each event draws its level, execution
//!    noise, place and consequences (wounded, killed) in that order.
//! 5. Each event is counted, fed to pressure stocks, seen by the tracks
//!    (violence, pauses, the signing calm) and perceived by its target
//!    (perception noise).
//! 6. Stocks update: deterrence, self-excitation, grievance.
//! 7. Tracks: progress, pauses, collapse, signing; then pressure decays,
//!    takes this step's inputs and talks' relief.
//! 8. Responses are decided, dyad by dyad: the reciprocity rule, then the
//!    hazard. An answer is scheduled `delay` steps ahead.
//! 9. Triggers with other conditions (event, pressure, track) fire, in file
//!    order.
//! 10. Outcomes are checked in declared order; the first that holds ends the
//!     trial at step `t`. A trial that reaches the horizon ends in the
//!     horizon outcome.

pub mod game;
pub mod metrics;

use crate::model::*;
use crate::policy::{HazardStock, Observation, RuleState};
use crate::rng::{Poisson, TrialRng, bernoulli, categorical, uniform};
pub use metrics::{MetricKind, MetricLayout};

/// How one trial ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrialResult {
    /// Index into [`Scenario::outcome_names`].
    pub outcome: u16,
    /// Step at which it ended (the horizon for the horizon outcome).
    pub end_step: u32,
}

/// One hostile act.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Event {
    /// The dyad that acted.
    pub dyad: DyadId,
    /// Its level (>= 1).
    pub level: Level,
    /// Where (`NO_PLACE` = unspecified).
    pub place: PlaceId,
    /// People of the target killed.
    pub killed: u32,
    /// People of the target wounded.
    pub wounded: u32,
    /// Whether the act was a response or a trigger's act (not initiative).
    pub response: bool,
}

#[derive(Debug, Clone, Copy)]
struct Scheduled {
    step: u32,
    dyad: DyadId,
    level: Level,
    place: PlaceId,
    killed: Option<u32>,
    wounded: Option<u32>,
}

#[derive(Debug, Clone)]
struct TrackState {
    status: TalkStatus,
    progress: Vec<f64>,
    /// Mean of `progress`, kept in step with it.
    mean: f64,
    violence: f64,
    pause_until: u32,
    pauses: u32,
    pause_steps: u32,
    last_break: i64,
    last_pre_event: i64,
    open_step: Option<u32>,
    agreement_step: Option<u32>,
    /// Mean progress gained this step (for relief).
    gained: f64,
    /// Whether agreement was reached this step (for relief).
    signed_now: bool,
    /// A pause was requested by this step's events.
    pause_requested: bool,
}

/// All the mutable state of one trial; allocated once per worker and
/// [`reset`](TrialState::reset) before each trial.
#[derive(Debug, Clone)]
pub struct TrialState {
    // per dyad
    regime: Vec<u8>,
    regime_until: Vec<u32>,
    deterrence: Vec<f64>,
    excitation: Vec<f64>,
    grievance: Vec<f64>,
    rules: Vec<RuleState>,
    refractory_until: Vec<u32>,
    hazard_until: Vec<u32>,
    mult: Vec<f64>,
    poisson: Vec<Poisson>,
    acted: Vec<Level>,
    step_events: Vec<u32>,
    perc_max: Vec<Level>,
    perc_sev: Vec<f64>,
    hit_wounded: Vec<bool>,
    hit_killed: Vec<bool>,
    events_total: Vec<u32>,
    severity_total: Vec<f64>,
    responses_total: Vec<u32>,
    place_events: Vec<u32>,
    // per actor
    pressure: Vec<f64>,
    pressure_in: Vec<f64>,
    killed: Vec<u32>,
    wounded: Vec<u32>,
    first_death: Vec<Option<u32>>,
    // drivers
    driver_on: Vec<bool>,
    driver_ended: Vec<bool>,
    driver_end_step: Vec<Option<u32>>,
    // tracks
    tracks: Vec<TrackState>,
    // triggers
    trigger_fired: Vec<Option<u32>>,
    // spiral
    ring: Vec<f64>,
    spiral_sum: Vec<f64>,
    // events
    events: Vec<Event>,
    scheduled: Vec<Scheduled>,
    // every pressure input as (actor, input), actor-major as in the file
    inputs: Vec<(usize, PressureInput)>,
    // triggers evaluated at the start / at the end of a step
    start_triggers: Vec<usize>,
    end_triggers: Vec<usize>,
    // consequence samplers per level
    wounded_extra: Vec<Poisson>,
    killed_extra: Vec<Poisson>,
}

const NEVER: u32 = u32::MAX;

impl TrialState {
    /// Scratch space for `s`.
    pub fn new(s: &Scenario) -> TrialState {
        let nd = s.dyads.len();
        let na = s.actors.len();
        let ring_len = s
            .outcomes
            .iter()
            .map(|o| match o.kind {
                OutcomeKind::Spiral { window, .. } => window as usize + 1,
                _ => 1,
            })
            .max()
            .unwrap_or(1);
        let places_per_dyad = s.places.len().max(1);
        let mut st = TrialState {
            regime: vec![0; nd],
            regime_until: vec![NEVER; nd],
            deterrence: vec![0.0; nd],
            excitation: vec![0.0; nd],
            grievance: vec![0.0; nd],
            rules: vec![RuleState::default(); nd],
            refractory_until: vec![0; nd],
            hazard_until: vec![0; nd],
            mult: vec![1.0; nd],
            poisson: vec![Poisson::new(0.0); nd],
            acted: vec![0; nd],
            step_events: vec![0; nd],
            perc_max: vec![0; nd],
            perc_sev: vec![0.0; nd],
            hit_wounded: vec![false; nd],
            hit_killed: vec![false; nd],
            events_total: vec![0; nd],
            severity_total: vec![0.0; nd],
            responses_total: vec![0; nd],
            place_events: vec![0; nd * places_per_dyad],
            pressure: vec![0.0; na],
            pressure_in: vec![0.0; na],
            killed: vec![0; na],
            wounded: vec![0; na],
            first_death: vec![None; na],
            driver_on: vec![false; s.drivers.len()],
            driver_ended: vec![false; s.drivers.len()],
            driver_end_step: vec![None; s.drivers.len()],
            tracks: s
                .tracks
                .iter()
                .map(|t| TrackState {
                    status: t.initial,
                    progress: vec![0.0; t.groups.len()],
                    mean: 0.0,
                    violence: 0.0,
                    pause_until: 0,
                    pauses: 0,
                    pause_steps: 0,
                    last_break: i64::MIN / 2,
                    last_pre_event: -1,
                    open_step: None,
                    agreement_step: None,
                    gained: 0.0,
                    signed_now: false,
                    pause_requested: false,
                })
                .collect(),
            trigger_fired: vec![None; s.triggers.len()],
            ring: vec![0.0; ring_len],
            spiral_sum: vec![0.0; s.outcomes.len()],
            events: Vec::with_capacity(64),
            scheduled: Vec::with_capacity(64),
            inputs: s
                .actors
                .iter()
                .enumerate()
                .flat_map(|(a, actor)| {
                    actor
                        .pressure
                        .iter()
                        .flat_map(move |p| p.inputs.iter().map(move |i| (a, i.clone())))
                })
                .collect(),
            start_triggers: (0..s.triggers.len())
                .filter(|&k| matches!(s.triggers[k].when, Condition::Step(_)))
                .collect(),
            end_triggers: (0..s.triggers.len())
                .filter(|&k| !matches!(s.triggers[k].when, Condition::Step(_)))
                .collect(),
            wounded_extra: s.ladder.wounded.iter().map(|&m| Poisson::new(m - 1.0)).collect(),
            killed_extra: s.ladder.killed.iter().map(|&m| Poisson::new(m - 1.0)).collect(),
        };
        st.reset(s);
        st
    }

    /// Returns the state to step 0 of a new trial without allocating.
    pub fn reset(&mut self, s: &Scenario) {
        self.regime.fill(0);
        self.regime_until.fill(NEVER);
        self.deterrence.fill(0.0);
        for (e, d) in self.excitation.iter_mut().zip(&s.dyads) {
            *e = d.initiative.as_ref().map_or(0.0, |i| i.history);
        }
        self.grievance.fill(0.0);
        self.rules.fill(RuleState::default());
        self.refractory_until.fill(0);
        self.hazard_until.fill(0);
        self.poisson.fill(Poisson::new(0.0));
        self.acted.fill(0);
        self.events_total.fill(0);
        self.severity_total.fill(0.0);
        self.responses_total.fill(0);
        self.place_events.fill(0);
        for (a, actor) in s.actors.iter().enumerate() {
            self.pressure[a] = actor.pressure.as_ref().map_or(0.0, |p| p.initial);
        }
        self.killed.fill(0);
        self.wounded.fill(0);
        self.first_death.fill(None);
        self.driver_on.fill(false);
        self.driver_ended.fill(false);
        self.driver_end_step.fill(None);
        for (ts, t) in self.tracks.iter_mut().zip(&s.tracks) {
            ts.status = t.initial;
            ts.progress.fill(0.0);
            ts.mean = 0.0;
            ts.violence = 0.0;
            ts.pause_until = 0;
            ts.pauses = 0;
            ts.pause_steps = 0;
            ts.last_break = i64::MIN / 2;
            ts.last_pre_event = -1;
            ts.open_step = (t.initial == TalkStatus::Active).then_some(0);
            ts.agreement_step = None;
            ts.gained = 0.0;
            ts.signed_now = false;
            ts.pause_requested = false;
        }
        self.trigger_fired.fill(None);
        self.ring.fill(0.0);
        self.spiral_sum.fill(0.0);
        self.events.clear();
        self.scheduled.clear();
    }

    /// Events of the step just simulated (for timelines and tests).
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// Current pressure of each actor.
    pub fn pressure(&self) -> &[f64] {
        &self.pressure
    }

    /// Status and mean progress of track `k`.
    pub fn track(&self, k: usize) -> (TalkStatus, f64) {
        let ts = &self.tracks[k];
        (ts.status, ts.mean)
    }

    /// Whether each driver is active.
    pub fn drivers(&self) -> &[bool] {
        &self.driver_on
    }

    /// Running totals per dyad: (events, severity, responses).
    pub fn dyad_totals(&self, d: usize) -> (u32, f64, u32) {
        (self.events_total[d], self.severity_total[d], self.responses_total[d])
    }

    /// Casualties of actor `a` so far: (killed, wounded).
    pub fn casualties(&self, a: usize) -> (u32, u32) {
        (self.killed[a], self.wounded[a])
    }

    /// Active regime index of each dyad.
    pub fn regimes(&self) -> &[u8] {
        &self.regime
    }

    /// First step each trigger fired, if it did.
    pub fn trigger_steps(&self) -> &[Option<u32>] {
        &self.trigger_fired
    }
}

fn mean_progress(p: &[f64]) -> f64 {
    p.iter().map(|x| x.min(1.0)).sum::<f64>() / p.len() as f64
}

/// Something that wants to see every step of a trial (timelines, tests).
pub trait StepObserver {
    /// Called after step `t` is complete (before outcomes end the trial).
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
        return game::run_match(s, g, rng, row);
    }
    st.reset(s);
    let mut result = TrialResult {
        outcome: s.outcomes.len() as u16,
        end_step: s.horizon,
    };
    for t in 0..s.horizon {
        step(s, st, rng, t);
        obs.step(s, st, t);
        if let Some(o) = check_outcomes(s, st, t) {
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

/// One step of a crisis scenario (see the module documentation for the
/// order).
pub fn step(s: &Scenario, st: &mut TrialState, rng: &mut TrialRng, t: u32) {
    // 1. regimes and drivers
    for d in 0..s.dyads.len() {
        if st.regime_until[d] <= t {
            st.regime[d] = 0;
            st.regime_until[d] = NEVER;
        }
    }
    for (k, drv) in s.drivers.iter().enumerate() {
        if t == drv.start && !st.driver_ended[k] {
            st.driver_on[k] = true;
        }
        if st.driver_on[k] {
            let ends = t >= drv.end || bernoulli(rng, drv.end_hazard);
            if ends {
                st.driver_on[k] = false;
                st.driver_ended[k] = true;
                st.driver_end_step[k] = Some(t);
            }
        }
    }
    // 2. tracks open or resume
    for (ts, tr) in st.tracks.iter_mut().zip(&s.tracks) {
        match ts.status {
            TalkStatus::NotStarted => {
                let calm_ok =
                    tr.precondition_calm == 0 || t as i64 - ts.last_pre_event > i64::from(tr.precondition_calm);
                let scheduled = match tr.open_step {
                    Some(o) => t >= o,
                    None => tr.precondition_calm > 0,
                };
                if scheduled && calm_ok {
                    ts.status = TalkStatus::Active;
                    ts.open_step = Some(t);
                }
            }
            TalkStatus::Paused if t >= ts.pause_until => ts.status = TalkStatus::Active,
            _ => {}
        }
    }
    // 3. step triggers
    fire_triggers(s, st, rng, t, true);
    // 4. events
    generate_events(s, st, rng, t);
    // 5. count, feed, perceive
    process_events(s, st, rng, t);
    // 6. stocks
    for (d, dy) in s.dyads.iter().enumerate() {
        let received = dy.reverse.map_or(0.0, |r| st.perc_sev[r as usize]);
        if let Some(init) = &dy.initiative {
            st.deterrence[d] = init.memory * st.deterrence[d] + received;
            st.excitation[d] = init.kernel * st.excitation[d] + (1.0 - init.kernel) * f64::from(st.step_events[d]);
        }
        if let Some(h) = &dy.hazard
            && let HazardStock::Grievance { decay } = h.stock
        {
            st.grievance[d] = decay * st.grievance[d] + received;
        }
    }
    // 7. tracks, then pressure
    update_tracks(s, st, rng, t);
    update_pressure(s, st);
    // 8. responses
    decide_responses(s, st, rng, t);
    // 9. other triggers
    fire_triggers(s, st, rng, t, false);
    // spiral window
    let total: f64 = st.events.iter().map(|e| s.ladder.severity[e.level as usize]).sum();
    let n = st.ring.len();
    let slot = t as usize % n;
    for (o, out) in s.outcomes.iter().enumerate() {
        if let OutcomeKind::Spiral { window, .. } = out.kind {
            st.spiral_sum[o] += total;
            if t >= window {
                st.spiral_sum[o] -= st.ring[(t - window) as usize % n];
            }
        }
    }
    st.ring[slot] = total;
}

fn generate_events(s: &Scenario, st: &mut TrialState, rng: &mut TrialRng, t: u32) {
    st.events.clear();
    // multipliers: regime, drivers, tracks
    for (d, dy) in s.dyads.iter().enumerate() {
        let mut m = dy.regimes[st.regime[d] as usize].rate;
        if let Some(init) = &dy.initiative {
            m *= init.driver_factor(&st.driver_on);
        }
        st.mult[d] = m;
    }
    for (k, tr) in s.tracks.iter().enumerate() {
        let ts = &st.tracks[k];
        let progress = ts.mean;
        for e in &tr.effects {
            st.mult[e.dyad as usize] *= e.by_status[ts.status as usize] * (1.0 + e.progress * progress);
        }
    }
    for (d, dy) in s.dyads.iter().enumerate() {
        st.step_events[d] = 0;
        st.acted[d] = 0;
        // scheduled acts first, in the order they were scheduled
        let mut i = 0;
        while i < st.scheduled.len() {
            let sc = st.scheduled[i];
            if sc.step == t && sc.dyad as usize == d {
                st.scheduled.remove(i);
                let level = execute_level(dy, sc.level, rng);
                let (killed, wounded) = consequences(st, s, level, sc.killed, sc.wounded, rng);
                st.events.push(Event {
                    dyad: d as DyadId,
                    level,
                    place: sc.place,
                    killed,
                    wounded,
                    response: true,
                });
            } else {
                i += 1;
            }
        }
        let Some(init) = &dy.initiative else { continue };
        let m = st.mult[d];
        if m <= 0.0 {
            continue;
        }
        let p_from = st.pressure[dy.from as usize];
        let lambda = init.rate(m, st.deterrence[d], st.excitation[d], p_from);
        if lambda <= 0.0 {
            continue;
        }
        if st.poisson[d].lambda().to_bits() != lambda.to_bits() {
            st.poisson[d] = Poisson::new(lambda);
        }
        let n = st.poisson[d].sample(rng);
        for _ in 0..n {
            let level = (categorical(rng, &init.levels) + 1) as Level;
            let level = execute_level(dy, level, rng);
            let place = draw_place(&init.places, rng);
            let (killed, wounded) = consequences(st, s, level, None, None, rng);
            st.events.push(Event {
                dyad: d as DyadId,
                level,
                place,
                killed,
                wounded,
                response: false,
            });
        }
    }
}

/// Execution or perception error: with probability `eps` the level moves
/// one rung up or down (equally likely) within the acting dyad's
/// repertoire (the levels it can act at), reflected at its ends. A dyad
/// with a one-level repertoire is never shifted.
#[inline]
pub fn shift_level(level: Level, repertoire: &[Level], eps: f64, rng: &mut TrialRng) -> Level {
    if repertoire.len() < 2 || !bernoulli(rng, eps) {
        return level;
    }
    let Some(i) = repertoire.iter().position(|&l| l == level) else {
        return level;
    };
    let up = uniform(rng) < 0.5;
    let last = repertoire.len() - 1;
    let j = match (up, i) {
        (true, i) if i < last => i + 1,
        (true, i) => i - 1,
        (false, i) if i > 0 => i - 1,
        (false, i) => i + 1,
    };
    repertoire[j]
}

#[inline]
fn execute_level(dy: &Dyad, level: Level, rng: &mut TrialRng) -> Level {
    shift_level(level, &dy.repertoire, dy.execution_noise, rng)
}

#[inline]
fn consequences(
    st: &TrialState,
    s: &Scenario,
    level: Level,
    forced_killed: Option<u32>,
    forced_wounded: Option<u32>,
    rng: &mut TrialRng,
) -> (u32, u32) {
    let l = level as usize;
    let wounded = match forced_wounded {
        Some(w) => w,
        None if bernoulli(rng, s.ladder.wound[l]) => 1 + st.wounded_extra[l].sample(rng),
        None => 0,
    };
    let killed = match forced_killed {
        Some(k) => k,
        None if bernoulli(rng, s.ladder.kill[l]) => 1 + st.killed_extra[l].sample(rng),
        None => 0,
    };
    (killed, wounded)
}

fn process_events(s: &Scenario, st: &mut TrialState, rng: &mut TrialRng, t: u32) {
    st.perc_max.fill(0);
    st.perc_sev.fill(0.0);
    st.hit_wounded.fill(false);
    st.hit_killed.fill(false);
    st.pressure_in.fill(0.0);
    for ts in st.tracks.iter_mut() {
        ts.pause_requested = false;
    }
    let nplaces = s.places.len().max(1);
    for i in 0..st.events.len() {
        let e = st.events[i];
        let d = e.dyad as usize;
        let dy = &s.dyads[d];
        let sev = s.ladder.severity[e.level as usize];
        st.step_events[d] += 1;
        st.events_total[d] += 1;
        st.severity_total[d] += sev;
        if e.response {
            st.responses_total[d] += 1;
        }
        if e.place != NO_PLACE {
            st.place_events[d * nplaces + e.place as usize] += 1;
        }
        st.acted[d] = st.acted[d].max(e.level);
        let to = dy.to as usize;
        st.killed[to] += e.killed;
        st.wounded[to] += e.wounded;
        if e.killed > 0 && st.first_death[to].is_none() {
            st.first_death[to] = Some(t);
        }
        // pressure inputs
        for (a, inp) in &st.inputs {
            if inp.from.is_some_and(|f| f != dy.from)
                || inp.to.is_some_and(|x| x != dy.to)
                || inp.place.is_some_and(|pl| pl != e.place)
                || e.level < inp.min_level
            {
                continue;
            }
            let units = match inp.per {
                PerEvent::Event => 1.0,
                PerEvent::Severity => sev,
                PerEvent::Killed => f64::from(e.killed),
                PerEvent::Wounded => f64::from(e.wounded),
            };
            st.pressure_in[*a] += inp.weight * units;
        }
        // tracks see the event
        for (ts, tr) in st.tracks.iter_mut().zip(&s.tracks) {
            if tr.precondition_actors[dy.from as usize] {
                ts.last_pre_event = i64::from(t);
            }
            if !tr.watch[dy.from as usize] {
                continue;
            }
            ts.violence += sev;
            if e.level >= tr.signing_level {
                ts.last_break = i64::from(t);
            }
            if tr.pause_level.is_some_and(|l| e.level >= l) || (tr.pause_on_kill && e.killed > 0) {
                ts.pause_requested = true;
            }
        }
        // the target perceives it
        let seen = shift_level(e.level, &dy.repertoire, dy.perception_noise, rng);
        st.perc_max[d] = st.perc_max[d].max(seen);
        st.perc_sev[d] += s.ladder.severity[seen as usize];
        st.hit_wounded[d] |= e.wounded > 0;
        st.hit_killed[d] |= e.killed > 0;
    }
}

fn update_tracks(s: &Scenario, st: &mut TrialState, rng: &mut TrialRng, t: u32) {
    for (ts, tr) in st.tracks.iter_mut().zip(&s.tracks) {
        // `violence` already holds this step's severity on top of the
        // decayed past: V_t = δ·V_{t-1} + S_t is applied as decay below.
        ts.gained = 0.0;
        ts.signed_now = false;
        let open = matches!(ts.status, TalkStatus::Active | TalkStatus::Paused);
        if open && ts.pause_requested && tr.pause_steps > 0 {
            if ts.status == TalkStatus::Active {
                ts.pauses += 1;
            }
            ts.status = TalkStatus::Paused;
            ts.pause_until = t + tr.pause_steps;
        }
        if ts.status == TalkStatus::Active {
            let speed = tr.rate / (1.0 + tr.violence * ts.violence);
            for (p, w) in ts.progress.iter_mut().zip(&tr.groups) {
                // Within 1e-9 of done is done: ten steps of 0.1 complete.
                *p += speed * w;
                if *p >= 1.0 - 1e-9 {
                    *p = 1.0;
                }
            }
            let mean = mean_progress(&ts.progress);
            ts.gained = mean - ts.mean;
            ts.mean = mean;
        }
        if matches!(ts.status, TalkStatus::Active | TalkStatus::Paused) {
            let h = tr.collapse_hazard + tr.collapse_violence * ts.violence;
            if bernoulli(rng, h) {
                ts.status = TalkStatus::Collapsed;
            }
        }
        if ts.status == TalkStatus::Active
            && ts.progress.iter().all(|&p| p >= 1.0)
            && i64::from(t) - ts.last_break >= i64::from(tr.signing_calm)
        {
            ts.status = TalkStatus::Agreement;
            ts.agreement_step = Some(t);
            ts.signed_now = true;
        }
        if ts.status == TalkStatus::Paused {
            ts.pause_steps += 1;
        }
        ts.violence *= tr.memory;
    }
}

fn update_pressure(s: &Scenario, st: &mut TrialState) {
    for (a, actor) in s.actors.iter().enumerate() {
        let Some(p) = &actor.pressure else { continue };
        let mut relief = 0.0;
        for r in &p.relief {
            let ts = &st.tracks[r.track as usize];
            relief += r.progress * ts.gained;
            if ts.status == TalkStatus::Active {
                relief += r.active;
            }
            if ts.signed_now {
                relief += r.agreement;
            }
        }
        st.pressure[a] = (p.decay * st.pressure[a] + st.pressure_in[a] - relief).max(0.0);
    }
}

fn decide_responses(s: &Scenario, st: &mut TrialState, rng: &mut TrialRng, t: u32) {
    for (d, dy) in s.dyads.iter().enumerate() {
        if !dy.regimes[st.regime[d] as usize].respond {
            continue;
        }
        if let Some(resp) = &dy.response {
            let (theirs, wounded, killed) = match dy.reverse {
                Some(r) => {
                    let r = r as usize;
                    (st.perc_max[r], st.hit_wounded[r], st.hit_killed[r])
                }
                None => (0, false, false),
            };
            let o = Observation {
                mine: st.acted[d],
                theirs,
                wounded,
                killed,
                ready: t >= st.refractory_until[d],
            };
            let level = resp.rule.decide(&mut st.rules[d], &o, &s.ladder, rng);
            if level > 0 {
                let place = draw_place(&resp.places, rng);
                let due = t + resp.delay;
                st.refractory_until[d] = due + resp.refractory;
                schedule(st, due, d as DyadId, level, place, None, None);
            }
        }
        if let Some(h) = &dy.hazard {
            if t < st.hazard_until[d] {
                continue;
            }
            let x = match h.stock {
                HazardStock::Grievance { .. } => st.grievance[d],
                HazardStock::Pressure => st.pressure[dy.from as usize],
            };
            if bernoulli(rng, h.probability(x)) {
                let place = draw_place(&h.places, rng);
                st.hazard_until[d] = t + 1 + h.refractory;
                schedule(st, t + 1, d as DyadId, h.level, place, None, None);
            }
        }
    }
}

/// A place drawn from cumulative weights; `NO_PLACE` when there are none.
#[inline]
fn draw_place(places: &[f64], rng: &mut TrialRng) -> PlaceId {
    if places.is_empty() {
        NO_PLACE
    } else {
        categorical(rng, places) as PlaceId
    }
}

#[inline]
fn schedule(
    st: &mut TrialState,
    step: u32,
    dyad: DyadId,
    level: Level,
    place: PlaceId,
    killed: Option<u32>,
    wounded: Option<u32>,
) {
    st.scheduled.push(Scheduled {
        step,
        dyad,
        level,
        place,
        killed,
        wounded,
    });
}

fn condition_holds(s: &Scenario, st: &TrialState, c: &Condition, t: u32) -> bool {
    match *c {
        Condition::Step(at) => at == t,
        Condition::Event {
            from,
            to,
            min_level,
            killed,
            wounded,
        } => st.events.iter().any(|e| {
            let dy = &s.dyads[e.dyad as usize];
            from.is_none_or(|f| f == dy.from)
                && to.is_none_or(|x| x == dy.to)
                && e.level >= min_level
                && (!killed || e.killed > 0)
                && (!wounded || e.wounded > 0)
        }),
        Condition::Pressure { actor, above } => st.pressure[actor as usize] >= above,
        Condition::Track { track, status } => st.tracks[track as usize].status == status,
    }
}

fn fire_triggers(s: &Scenario, st: &mut TrialState, rng: &mut TrialRng, t: u32, at_start: bool) {
    // First step an action from this phase affects.
    let now = if at_start { t } else { t + 1 };
    let phase = if at_start {
        st.start_triggers.len()
    } else {
        st.end_triggers.len()
    };
    for j in 0..phase {
        let k = if at_start {
            st.start_triggers[j]
        } else {
            st.end_triggers[j]
        };
        let trig = &s.triggers[k];
        if trig.once && st.trigger_fired[k].is_some() {
            continue;
        }
        if !condition_holds(s, st, &trig.when, t) || !bernoulli(rng, trig.probability) {
            continue;
        }
        if st.trigger_fired[k].is_none() {
            st.trigger_fired[k] = Some(t);
        }
        match &trig.action {
            Action::Act {
                dyad,
                level,
                delay,
                place,
                killed,
                wounded,
            } => {
                let due = if at_start { t + delay } else { t + (*delay).max(1) };
                schedule(st, due, *dyad, *level, *place, *killed, *wounded);
            }
            Action::Regime { dyad, regime, duration } => set_regime(st, *dyad as usize, *regime, *duration, now),
            Action::Restrain {
                patron,
                regime_by_dyad,
                duration,
                ..
            } => {
                for (c, actor) in s.actors.iter().enumerate() {
                    if actor.patron != Some(*patron) || !bernoulli(rng, actor.obey) {
                        continue;
                    }
                    for (d, dy) in s.dyads.iter().enumerate() {
                        if dy.from as usize == c
                            && let Some(r) = regime_by_dyad[d]
                        {
                            set_regime(st, d, r, *duration, now);
                        }
                    }
                }
            }
            Action::Driver { driver, active } => {
                let k = *driver as usize;
                if st.driver_on[k] && !active {
                    st.driver_ended[k] = true;
                    st.driver_end_step[k] = Some(t);
                }
                st.driver_on[k] = *active;
            }
            Action::Track {
                track,
                status,
                duration,
            } => {
                let ts = &mut st.tracks[*track as usize];
                match status {
                    TalkStatus::Active if ts.status == TalkStatus::NotStarted => {
                        ts.status = TalkStatus::Active;
                        ts.open_step = Some(now);
                    }
                    TalkStatus::Paused if ts.status == TalkStatus::Active => {
                        ts.status = TalkStatus::Paused;
                        ts.pauses += 1;
                        ts.pause_until = t + duration;
                    }
                    TalkStatus::Collapsed if matches!(ts.status, TalkStatus::Active | TalkStatus::Paused) => {
                        ts.status = TalkStatus::Collapsed;
                    }
                    _ => {}
                }
            }
            Action::Mark => {}
        }
    }
}

fn set_regime(st: &mut TrialState, d: usize, regime: u8, duration: u32, now: u32) {
    st.regime[d] = regime;
    st.regime_until[d] = if duration == 0 { NEVER } else { now + duration };
}

fn check_outcomes(s: &Scenario, st: &TrialState, t: u32) -> Option<u16> {
    s.outcomes.iter().enumerate().find_map(|(o, out)| {
        let holds = match out.kind {
            OutcomeKind::Agreement(k) => st.tracks[k as usize].status == TalkStatus::Agreement,
            OutcomeKind::Collapse(k) => st.tracks[k as usize].status == TalkStatus::Collapsed,
            OutcomeKind::Pressure { actor, threshold } => st.pressure[actor as usize] >= threshold,
            OutcomeKind::Spiral {
                threshold, min_step, ..
            } => t >= min_step && st.spiral_sum[o] >= threshold - 1e-9,
            OutcomeKind::Deaths { actor, threshold } => f64::from(st.killed[actor as usize]) >= threshold,
        };
        holds.then_some(o as u16)
    })
}

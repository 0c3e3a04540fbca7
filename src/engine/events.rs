//! Events and their consequences: what happens in a step, how much it
//! hurts, and what the target perceives of it.
//!
//! Each dyad's events in step `t` are, in order, the acts scheduled for `t`
//! (answers and trigger acts, in the order they were scheduled) and then
//! its initiative's Poisson count `n_t ~ Poisson(λ_t)` (the rate equation
//! is in [`crate::policy::initiative`]; [Hawkes1971; GoldsteinPevehouse1997]).
//! Each event draws, in this order, its level from the initiative's
//! weights, execution noise, its place and its consequences:
//!
//! ```text
//! wounded = Bernoulli(wound_ℓ) · (1 + Poisson(wounded_ℓ - 1))
//! killed  = Bernoulli(kill_ℓ)  · (1 + Poisson(killed_ℓ - 1))
//! ```
//!
//! so that `wounded_ℓ`, `killed_ℓ` are the mean numbers given any. Noise
//! (execution, then perception by the target) moves a level one rung up or
//! down within the dyad's repertoire with probability ε, reflected at the
//! ends [WuAxelrod1995]. Casualties count against the dyad's target; what
//! the target perceives (the highest level and the summed severity of
//! each dyad's events) is what its answers, deterrence and grievance see.

use super::{TrialState, pressure, refill, tracks};
use crate::model::{Compiled, Dyad, DyadId, Ladder, Level, NO_PLACE, PlaceId, Scenario};
use crate::rng::{Poisson, TrialRng, bernoulli, categorical, uniform};

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

/// An act waiting for its step: an answer or a trigger's act.
#[derive(Debug, Clone, Copy)]
pub(super) struct Scheduled {
    pub(super) step: u32,
    pub(super) dyad: DyadId,
    pub(super) level: Level,
    pub(super) place: PlaceId,
    /// Forced consequences (a trigger replaying what happened).
    pub(super) killed: Option<u32>,
    pub(super) wounded: Option<u32>,
}

/// What one dyad did in the current step, and what its target perceived
/// of it.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct DyadStep {
    /// Severity its target perceived.
    pub(super) perc_sev: f64,
    /// Number of events.
    pub(super) events: u32,
    /// Highest level the dyad acted at.
    pub(super) acted: Level,
    /// Highest level its target perceived.
    pub(super) perc_max: Level,
    /// Whether an event wounded.
    pub(super) hit_wounded: bool,
    /// Whether an event killed.
    pub(super) hit_killed: bool,
}

/// Events of the step, acts to come, and the running counts per dyad and
/// per actor.
#[derive(Debug, Clone, Default)]
pub(super) struct EventState {
    /// This step's events, in the order they happened.
    pub(super) events: Vec<Event>,
    /// Acts due at a later step (or this one, for a step trigger).
    pub(super) scheduled: Vec<Scheduled>,
    /// Whether [`EventState::now`] (and the pressure inputs, the tracks'
    /// pause requests) are all zero: true after a step without events, so
    /// the next step need not clear them.
    pub(super) clean: bool,
    /// Per dyad, what this step did: one record per dyad, dyad-major, so
    /// that perception writes one place per event and a step clears one
    /// block.
    pub(super) now: Vec<DyadStep>,
    /// Per dyad: the Poisson sampler of the last rate (its constants cached).
    pub(super) poisson: Vec<Poisson>,
    // per dyad, the trial so far
    pub(super) events_total: Vec<u32>,
    pub(super) severity_total: Vec<f64>,
    pub(super) responses_total: Vec<u32>,
    /// Answers of the dyad that landed on another dyad (misattribution).
    pub(super) misattributed: Vec<u32>,
    /// Per dyad and place, dyad-major (stride `Compiled::places_per_dyad`).
    pub(super) place_events: Vec<u32>,
    /// Per dyad and ladder level, dyad-major (stride the ladder's length).
    pub(super) level_events: Vec<u32>,
    // per actor, the trial so far
    pub(super) killed: Vec<u32>,
    pub(super) wounded: Vec<u32>,
    pub(super) first_death: Vec<Option<u32>>,
}

impl EventState {
    pub(super) fn reset(&mut self, s: &Scenario) {
        let (nd, na) = (s.dyads.len(), s.actors.len());
        self.events.clear();
        self.scheduled.clear();
        refill(&mut self.poisson, nd, Poisson::new(0.0));
        refill(&mut self.now, nd, DyadStep::default());
        refill(&mut self.events_total, nd, 0);
        refill(&mut self.severity_total, nd, 0.0);
        refill(&mut self.responses_total, nd, 0);
        refill(&mut self.misattributed, nd, 0);
        refill(&mut self.place_events, nd * s.compiled.places_per_dyad, 0);
        refill(&mut self.level_events, nd * s.ladder.len(), 0);
        refill(&mut self.killed, na, 0);
        refill(&mut self.wounded, na, 0);
        refill(&mut self.first_death, na, None);
        self.clean = false;
    }

    /// Queues an act for step `step`.
    #[inline]
    pub(super) fn schedule(
        &mut self,
        step: u32,
        dyad: DyadId,
        level: Level,
        place: PlaceId,
        killed: Option<u32>,
        wounded: Option<u32>,
    ) {
        self.scheduled.push(Scheduled {
            step,
            dyad,
            level,
            place,
            killed,
            wounded,
        });
    }
}

/// Phase "Events": dyad by dyad in file order, its scheduled acts, then
/// its initiative's count at the multiplier `M_t` (regime, drivers, the
/// track effects listed for the dyad in [`Compiled::dyad_effects`]).
/// Nothing is computed for a dyad whose regime rate is 0 (its count is 0
/// and draws nothing either way), and the queue of acts is scanned only
/// when an act is due this step.
pub(super) fn generate(s: &Scenario, st: &mut TrialState, rng: &mut TrialRng, t: u32) {
    let ev = &mut st.events;
    ev.events.clear();
    let mut due = ev.scheduled.iter().filter(|sc| sc.step == t).count();
    for (d, dy) in s.dyads.iter().enumerate() {
        // scheduled acts first, in the order they were scheduled
        let mut i = 0;
        while due > 0 && i < ev.scheduled.len() {
            let sc = ev.scheduled[i];
            if sc.step == t && sc.dyad as usize == d {
                ev.scheduled.remove(i);
                due -= 1;
                let level = execute_level(dy, sc.level, rng);
                let (killed, wounded) = consequences(&s.compiled, &s.ladder, level, sc.killed, sc.wounded, rng);
                ev.events.push(Event {
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
        let regime_rate = dy.regimes[st.switches.regime[d] as usize].rate;
        if regime_rate == 0.0 {
            // M_t = 0 (or 0·∞, which `rate` turns into 0): no events, no draw
            continue;
        }
        let mut m = regime_rate * init.driver_factor(&st.switches.driver_on);
        for &(k, i) in s.compiled.dyad_effects.of(d) {
            let (e, ts) = (&s.tracks[k as usize].effects[i as usize], &st.tracks[k as usize]);
            m *= e.by_status[ts.status as usize] * (1.0 + e.progress * ts.mean);
        }
        if m <= 0.0 {
            continue;
        }
        let p_from = st.pressure.level[dy.from as usize];
        let lambda = init.rate(m, st.stocks.deterrence[d], st.stocks.excitation[d], p_from);
        if lambda <= 0.0 {
            continue;
        }
        if ev.poisson[d].lambda().to_bits() != lambda.to_bits() {
            ev.poisson[d] = Poisson::lazy(lambda);
        }
        let n = ev.poisson[d].sample_lazy(rng);
        for _ in 0..n {
            let level = (categorical(rng, &init.levels) + 1) as Level;
            let level = execute_level(dy, level, rng);
            let place = draw_place(&init.places, rng);
            let (killed, wounded) = consequences(&s.compiled, &s.ladder, level, None, None, rng);
            ev.events.push(Event {
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

/// Phase "Perception": each event in turn is counted, charged to the
/// target's casualties, fed to the pressure inputs listed for its dyad
/// ([`super::pressure::feed`]), seen by the tracks listed for its dyad
/// ([`super::tracks::see`]) and perceived by its target (perception
/// noise, the only draw). The per-step arrays are cleared only when the
/// last step left something in them.
pub(super) fn record(s: &Scenario, st: &mut TrialState, rng: &mut TrialRng, t: u32) {
    let ev = &mut st.events;
    if !ev.clean {
        st.pressure.inflow.fill(0.0);
        for ts in st.tracks.iter_mut() {
            ts.pause_requested = false;
        }
        ev.now.fill(DyadStep::default());
    }
    ev.clean = ev.events.is_empty();
    let nplaces = s.compiled.places_per_dyad;
    let nlevels = s.ladder.len();
    for i in 0..ev.events.len() {
        let e = ev.events[i];
        let d = e.dyad as usize;
        let dy = &s.dyads[d];
        ev.now[d].events += 1;
        ev.events_total[d] += 1;
        ev.severity_total[d] += s.ladder.severity[e.level as usize];
        if e.response {
            ev.responses_total[d] += 1;
        }
        if e.place != NO_PLACE {
            ev.place_events[d * nplaces + e.place as usize] += 1;
        }
        ev.level_events[d * nlevels + e.level as usize] += 1;
        ev.now[d].acted = ev.now[d].acted.max(e.level);
        let sev = s.ladder.severity[e.level as usize];
        pressure::feed(s, &mut st.pressure.inflow, &e, sev);
        tracks::see(s, &mut st.tracks, &e, dy, sev, t);
        let to = dy.to as usize;
        ev.killed[to] += e.killed;
        ev.wounded[to] += e.wounded;
        if e.killed > 0 && ev.first_death[to].is_none() {
            ev.first_death[to] = Some(t);
        }
        // the target perceives it
        let seen = shift_level(e.level, &dy.repertoire, dy.perception_noise, rng);
        let now = &mut ev.now[d];
        now.perc_max = now.perc_max.max(seen);
        now.perc_sev += s.ladder.severity[seen as usize];
        now.hit_wounded |= e.wounded > 0;
        now.hit_killed |= e.killed > 0;
    }
}

/// Execution or perception error: with probability `eps` the level moves
/// one rung up or down (equally likely) within the acting dyad's
/// repertoire (the levels it can act at), reflected at its ends. A dyad
/// with a one-level repertoire is never shifted. The test and its one draw
/// are inlined into the caller; the rare shift is not.
#[inline(always)]
pub fn shift_level(level: Level, repertoire: &[Level], eps: f64, rng: &mut TrialRng) -> Level {
    if repertoire.len() < 2 || !bernoulli(rng, eps) {
        return level;
    }
    shifted(level, repertoire, rng)
}

/// The level one rung up or down from `level` in `repertoire` (which has
/// at least two levels), reflected at its ends.
#[cold]
#[inline(never)]
fn shifted(level: Level, repertoire: &[Level], rng: &mut TrialRng) -> Level {
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

/// The consequences equation above: (killed, wounded), wounded drawn first;
/// a forced number (a trigger replaying what happened) replaces its draw.
#[inline]
fn consequences(
    c: &Compiled,
    ladder: &Ladder,
    level: Level,
    forced_killed: Option<u32>,
    forced_wounded: Option<u32>,
    rng: &mut TrialRng,
) -> (u32, u32) {
    let l = level as usize;
    let wounded = match forced_wounded {
        Some(w) => w,
        None if bernoulli(rng, ladder.wound[l]) => 1 + c.wounded_extra[l].sample(rng),
        None => 0,
    };
    let killed = match forced_killed {
        Some(k) => k,
        None if bernoulli(rng, ladder.kill[l]) => 1 + c.killed_extra[l].sample(rng),
        None => 0,
    };
    (killed, wounded)
}

/// A place drawn from cumulative weights; `NO_PLACE` when there are none.
#[inline]
pub(super) fn draw_place(places: &[f64], rng: &mut TrialRng) -> PlaceId {
    if places.is_empty() {
        NO_PLACE
    } else {
        categorical(rng, places) as PlaceId
    }
}

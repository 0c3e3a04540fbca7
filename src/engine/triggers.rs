//! Triggers and restraint, and the switches they move: regimes and drivers.
//!
//! A trigger pairs a condition with an action and fires with its
//! `probability` when the condition holds. Its condition combines leaves
//! (an event within the last `within` steps, a step window, pressure above
//! a threshold, a track's status, a driver on or off, a dyad's regime, an
//! actor's chosen action taken within the last `within` steps; actions are
//! chosen in phase "Actions", before these triggers, so a trigger sees the
//! action of its own step):
//!
//! ```text
//! C_t = ∧_{c ∈ all} c_t  ∧  (any = ∅  ∨  ∨_{c ∈ any} c_t)
//! ```
//!
//! A trigger fires at most once unless `once = false`; a repeatable one
//! then sleeps `refractory = r` steps after each firing. On a condition
//! that always holds, firing with probability p, the gaps between firings
//! are `r + G`, G geometric on {1, 2, ...} with mean 1/p: a renewal process
//! with `T / (r + 1/p)` firings over T steps in the long run [Cox1962]
//! (exact means in `tests/triggers.rs`). Triggers whose conditions are all
//! step windows fire at the start of their step; the others at the end, so
//! their effects start the next step.
//! A patron's restraint order is obeyed by each client independently:
//!
//! ```text
//! P(client c switches its dyads to the restraint regime) = obey_c
//! ```
//!
//! proxies obey their patrons imperfectly [Salehyan2010]. A regime set for
//! `duration` steps reverts to the initial regime when it runs out. A
//! driver (an exogenous condition such as the Gaza war) is active from its
//! start until its end, ending earlier with probability `end_hazard` per
//! active step, so its remaining duration is geometric with mean
//! (1 - h)/h steps; triggers may also switch it.

use super::{NEVER, TrialState, refill, responses};
use crate::model::{Action, Condition, Conditions, Scenario};
use crate::rng::{TrialRng, bernoulli};

/// Regimes, drivers and which triggers have fired.
#[derive(Debug, Clone, Default)]
pub(super) struct Switches {
    /// Active regime per dyad (0 = initial).
    pub(super) regime: Vec<u8>,
    /// Step at which each dyad's regime reverts (`NEVER` = it does not).
    pub(super) regime_until: Vec<u32>,
    /// Whether each driver is active.
    pub(super) driver_on: Vec<bool>,
    /// Whether each driver has ended (it does not start again on schedule).
    pub(super) driver_ended: Vec<bool>,
    /// Step at which each driver ended.
    pub(super) driver_end_step: Vec<Option<u32>>,
    /// First step each trigger fired.
    pub(super) trigger_fired: Vec<Option<u32>>,
    /// Last step each trigger fired.
    pub(super) trigger_last: Vec<Option<u32>>,
    /// Times each trigger fired.
    pub(super) trigger_count: Vec<u32>,
    /// Per event condition (its `slot`): the last step an event matched it.
    pub(super) event_seen: Vec<Option<u32>>,
}

impl Switches {
    pub(super) fn reset(&mut self, s: &Scenario) {
        let (nd, nk) = (s.dyads.len(), s.drivers.len());
        refill(&mut self.regime, nd, 0);
        refill(&mut self.regime_until, nd, NEVER);
        refill(&mut self.driver_on, nk, false);
        refill(&mut self.driver_ended, nk, false);
        refill(&mut self.driver_end_step, nk, None);
        refill(&mut self.trigger_fired, s.triggers.len(), None);
        refill(&mut self.trigger_last, s.triggers.len(), None);
        refill(&mut self.trigger_count, s.triggers.len(), 0);
        refill(&mut self.event_seen, s.compiled.event_slots, None);
    }

    fn set_regime(&mut self, d: usize, regime: u8, duration: u32, now: u32) {
        self.regime[d] = regime;
        self.regime_until[d] = if duration == 0 { NEVER } else { now + duration };
    }
}

/// Phase "Regimes and drivers": regimes whose duration ran out revert;
/// drivers start, end on schedule, or end by their hazard (one draw per
/// active driver with a hazard, in file order).
pub(super) fn regimes_and_drivers(s: &Scenario, st: &mut TrialState, rng: &mut TrialRng, t: u32) {
    let sw = &mut st.switches;
    for d in 0..s.dyads.len() {
        if sw.regime_until[d] <= t {
            sw.regime[d] = 0;
            sw.regime_until[d] = NEVER;
        }
    }
    for (k, drv) in s.drivers.iter().enumerate() {
        if t == drv.start && !sw.driver_ended[k] {
            sw.driver_on[k] = true;
        }
        if sw.driver_on[k] {
            let ends = t >= drv.end || bernoulli(rng, drv.end_hazard);
            if ends {
                sw.driver_on[k] = false;
                sw.driver_ended[k] = true;
                sw.driver_end_step[k] = Some(t);
            }
        }
    }
}

/// Whether event `e` matches an event condition's filter.
#[inline]
fn matches(s: &Scenario, c: &Condition, e: &super::Event) -> bool {
    let Condition::Event {
        from,
        to,
        min_level,
        killed,
        wounded,
        ..
    } = *c
    else {
        return false;
    };
    let dy = &s.dyads[e.dyad as usize];
    from.is_none_or(|f| f == dy.from)
        && to.is_none_or(|x| x == dy.to)
        && e.level >= min_level
        && (!killed || e.killed > 0)
        && (!wounded || e.wounded > 0)
}

/// Each event condition remembers the step of this step's matching event
/// (before any end-of-step trigger is evaluated). An event looks only at
/// the conditions whose actor filters admit its dyad
/// ([`crate::model::Compiled::dyad_conditions`]).
fn see_events(s: &Scenario, st: &mut TrialState, t: u32) {
    let (events, sw) = (&st.events.events, &mut st.switches);
    for e in events {
        for &(k, i) in s.compiled.dyad_conditions.of(e.dyad as usize) {
            let c = nth_condition(&s.triggers[k as usize].when, i as usize);
            if let Condition::Event { slot, .. } = *c
                && matches(s, c, e)
            {
                sw.event_seen[slot as usize] = Some(t);
            }
        }
    }
}

/// Condition `i` of `w.iter()`.
#[inline]
fn nth_condition(w: &Conditions, i: usize) -> &Condition {
    w.all.get(i).unwrap_or_else(|| &w.any[i - w.all.len()])
}

/// Whether condition `c` holds at step `t`.
fn holds(st: &TrialState, c: &Condition, t: u32) -> bool {
    match *c {
        Condition::Step { at, until } => at <= t && t < until,
        Condition::Event { within, slot, .. } => {
            st.switches.event_seen[slot as usize].is_some_and(|seen| t - seen < within)
        }
        Condition::Pressure { actor, above } => st.pressure.level[actor as usize] >= above,
        Condition::Track { track, status } => st.tracks[track as usize].status == status,
        Condition::Driver { driver, active } => st.switches.driver_on[driver as usize] == active,
        Condition::Regime { dyad, regime } => st.switches.regime[dyad as usize] == regime,
        Condition::Action { choice, within } => {
            let last = st.choices.last[choice as usize];
            last != NEVER && t - last < within
        }
    }
}

/// Whether a trigger's combined condition holds at step `t`.
fn all_hold(st: &TrialState, w: &Conditions, t: u32) -> bool {
    w.all.iter().all(|c| holds(st, c, t)) && (w.any.is_empty() || w.any.iter().any(|c| holds(st, c, t)))
}

/// Phases "Step triggers" (`at_start`) and "Other triggers": the triggers of
/// that phase, in file order.
pub(super) fn fire(s: &Scenario, st: &mut TrialState, rng: &mut TrialRng, t: u32, at_start: bool) {
    // First step an action from this phase affects.
    let now = if at_start { t } else { t + 1 };
    let phase = if at_start {
        &s.compiled.start_triggers
    } else {
        &s.compiled.end_triggers
    };
    if phase.is_empty() {
        // No trigger of this phase: nothing reads the event conditions'
        // memory either (a trigger with one is an end-of-step trigger).
        return;
    }
    if !at_start {
        see_events(s, st, t);
    }
    for &k in phase {
        let trig = &s.triggers[k];
        let sw = &st.switches;
        if trig.once && sw.trigger_fired[k].is_some() {
            continue;
        }
        if sw.trigger_last[k].is_some_and(|last| t - last <= trig.refractory) {
            continue;
        }
        if !all_hold(st, &trig.when, t) || !bernoulli(rng, trig.probability) {
            continue;
        }
        let sw = &mut st.switches;
        if sw.trigger_fired[k].is_none() {
            sw.trigger_fired[k] = Some(t);
        }
        sw.trigger_last[k] = Some(t);
        sw.trigger_count[k] += 1;
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
                // a replay of what happened (forced consequences) is not
                // misattributed
                let on = if killed.is_none() && wounded.is_none() {
                    responses::attribute(s, &mut st.events, *dyad, rng)
                } else {
                    *dyad
                };
                st.events.schedule(due, on, *level, *place, *killed, *wounded);
            }
            Action::Regime { dyad, regime, duration } => {
                st.switches.set_regime(*dyad as usize, *regime, *duration, now);
            }
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
                            st.switches.set_regime(d, r, *duration, now);
                        }
                    }
                }
            }
            Action::Driver { driver, active } => {
                let (k, sw) = (*driver as usize, &mut st.switches);
                if sw.driver_on[k] && !active {
                    sw.driver_ended[k] = true;
                    sw.driver_end_step[k] = Some(t);
                }
                sw.driver_on[k] = *active;
            }
            Action::Track {
                track,
                status,
                duration,
            } => st.tracks[*track as usize].set_by_trigger(*status, *duration, t, now),
            Action::Mark => {}
        }
    }
}

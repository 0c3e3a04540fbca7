//! Triggers and restraint, and the switches they move: regimes and drivers.
//!
//! A trigger pairs a condition with an action and fires with its
//! `probability` when the condition holds (at most once unless `once =
//! false`). Step triggers fire at the start of their step; event, pressure
//! and track triggers at the end, so their effects start the next step.
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

use super::{NEVER, TrialState, refill};
use crate::model::{Action, Condition, Scenario};
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

/// Whether condition `c` holds at step `t`.
fn holds(s: &Scenario, st: &TrialState, c: &Condition, t: u32) -> bool {
    match *c {
        Condition::Step(at) => at == t,
        Condition::Event {
            from,
            to,
            min_level,
            killed,
            wounded,
        } => st.events.events.iter().any(|e| {
            let dy = &s.dyads[e.dyad as usize];
            from.is_none_or(|f| f == dy.from)
                && to.is_none_or(|x| x == dy.to)
                && e.level >= min_level
                && (!killed || e.killed > 0)
                && (!wounded || e.wounded > 0)
        }),
        Condition::Pressure { actor, above } => st.pressure.level[actor as usize] >= above,
        Condition::Track { track, status } => st.tracks[track as usize].status == status,
    }
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
    for &k in phase {
        let trig = &s.triggers[k];
        if trig.once && st.switches.trigger_fired[k].is_some() {
            continue;
        }
        if !holds(s, st, &trig.when, t) || !bernoulli(rng, trig.probability) {
            continue;
        }
        if st.switches.trigger_fired[k].is_none() {
            st.switches.trigger_fired[k] = Some(t);
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
                st.events.schedule(due, *dyad, *level, *place, *killed, *wounded);
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

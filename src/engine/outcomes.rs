//! Outcomes and the escalation spiral: the named conditions checked at the
//! end of every step in declared order. A terminal outcome ends the trial:
//! the first that holds ends it at that step, and a trial that reaches the
//! horizon ends in the horizon outcome, so every trial ends in exactly one.
//! A milestone (`terminal = false`) is recorded with the first step it
//! holds (`milestone_<id>_step`), and the trial goes on: an agreement
//! followed by its implementation, say. Milestones are checked first, so a
//! milestone that holds at the step a terminal outcome ends the trial is
//! recorded too.
//!
//! The spiral is the severity of all events in a rolling window:
//!
//! ```text
//! W_t = Σ_{u = t-window+1..t} S_u ≥ threshold       (from step min_step)
//! ```
//!
//! kept in a ring of per-step severities (a running sum per spiral outcome,
//! one subtraction per step). A coerced exit is a pressure stock crossing a
//! threshold ([`super::pressure`]), or an actor's chosen action taken
//! (`kind = "action"`, [`super::actions`]: a demand for withdrawal, say); an agreement or a collapse is a track's
//! status ([`super::tracks`]). Tit-for-tat under noise falls into such
//! echoes of retaliation [Axelrod1984; Molander1985].

use super::{NEVER, TrialState, refill};
use crate::model::{Outcome, OutcomeKind, Scenario, TalkStatus};

/// Per-step severities over the longest window, and each spiral's sum.
#[derive(Debug, Clone, Default)]
pub(super) struct Spiral {
    /// S_u at slot `u % len`.
    ring: Vec<f64>,
    /// W_t per outcome, then per milestone (0 for those that are not
    /// spirals).
    sums: Vec<f64>,
    /// First step each milestone held (`NEVER` = not yet).
    pub(super) milestone_step: Vec<u32>,
}

impl Spiral {
    pub(super) fn reset(&mut self, s: &Scenario) {
        refill(&mut self.ring, s.compiled.ring_len, 0.0);
        refill(&mut self.sums, s.outcomes.len() + s.milestones.len(), 0.0);
        refill(&mut self.milestone_step, s.milestones.len(), NEVER);
    }
}

/// Phase "Spiral window": this step's severity enters each spiral's window
/// and the step that left it leaves (the spirals listed in
/// [`crate::model::Compiled::spirals`]; the step does not call this
/// without one).
pub(super) fn update_spiral(s: &Scenario, st: &mut TrialState, t: u32) {
    let total: f64 = st
        .events
        .events
        .iter()
        .map(|e| s.ladder.severity[e.level as usize])
        .sum();
    let sp = &mut st.spiral;
    let n = sp.ring.len();
    let slot = t as usize % n;
    let no = s.outcomes.len();
    for &o in &s.compiled.spirals {
        let o = o as usize;
        let out = if o < no { &s.outcomes[o] } else { &s.milestones[o - no] };
        if let OutcomeKind::Spiral { window, .. } = out.kind {
            sp.sums[o] += total;
            if t >= window {
                sp.sums[o] -= sp.ring[(t - window) as usize % n];
            }
        }
    }
    sp.ring[slot] = total;
}

/// Whether outcome `out` (number `o` in outcomes-then-milestones order)
/// holds at step `t`.
#[inline(always)]
fn holds(st: &TrialState, out: &Outcome, o: usize, t: u32) -> bool {
    match out.kind {
        OutcomeKind::Agreement(k) => st.tracks[k as usize].status == TalkStatus::Agreement,
        OutcomeKind::Collapse(k) => st.tracks[k as usize].status == TalkStatus::Collapsed,
        OutcomeKind::Pressure { actor, threshold } => st.pressure.level[actor as usize] >= threshold,
        OutcomeKind::Spiral {
            threshold, min_step, ..
        } => t >= min_step && st.spiral.sums[o] >= threshold - 1e-9,
        OutcomeKind::Deaths { actor, threshold } => f64::from(st.events.killed[actor as usize]) >= threshold,
        OutcomeKind::Implemented(p) => st.implementation.state[p as usize] == super::implementation::DONE,
        OutcomeKind::Broken(p) => st.implementation.state[p as usize] == super::implementation::BROKEN,
        OutcomeKind::Action(c) => st.choices.count[c as usize] > 0,
    }
}

/// Phase "Outcomes": milestones that hold for the first time are recorded
/// at step `t`; then the first terminal outcome that holds, in declared
/// order, ends the trial.
pub(super) fn check(s: &Scenario, st: &mut TrialState, t: u32) -> Option<u16> {
    let no = s.outcomes.len();
    for (m, out) in s.milestones.iter().enumerate() {
        if st.spiral.milestone_step[m] == NEVER && holds(st, out, no + m, t) {
            st.spiral.milestone_step[m] = t;
        }
    }
    s.outcomes
        .iter()
        .enumerate()
        .find_map(|(o, out)| holds(st, out, o, t).then_some(o as u16))
}

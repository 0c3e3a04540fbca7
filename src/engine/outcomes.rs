//! Outcomes and the escalation spiral: the named conditions that end a
//! trial, checked at the end of every step in declared order; the first
//! that holds ends the trial at that step, and a trial that reaches the
//! horizon ends in the horizon outcome, so every trial ends in exactly one.
//!
//! The spiral is the severity of all events in a rolling window:
//!
//! ```text
//! W_t = Σ_{u = t-window+1..t} S_u ≥ threshold       (from step min_step)
//! ```
//!
//! kept in a ring of per-step severities (a running sum per spiral outcome,
//! one subtraction per step). A coerced exit is a pressure stock crossing a
//! threshold ([`super::pressure`]); an agreement or a collapse is a track's
//! status ([`super::tracks`]). Tit-for-tat under noise falls into such
//! echoes of retaliation [Axelrod1984; Molander1985].

use super::{TrialState, refill};
use crate::model::{OutcomeKind, Scenario, TalkStatus};

/// Per-step severities over the longest window, and each spiral's sum.
#[derive(Debug, Clone, Default)]
pub(super) struct Spiral {
    /// S_u at slot `u % len`.
    ring: Vec<f64>,
    /// W_t per outcome (0 for outcomes that are not spirals).
    sums: Vec<f64>,
}

impl Spiral {
    pub(super) fn reset(&mut self, s: &Scenario) {
        refill(&mut self.ring, s.compiled.ring_len, 0.0);
        refill(&mut self.sums, s.outcomes.len(), 0.0);
    }
}

/// Phase "Spiral window": this step's severity enters each spiral's window
/// and the step that left it leaves.
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
    for (o, out) in s.outcomes.iter().enumerate() {
        if let OutcomeKind::Spiral { window, .. } = out.kind {
            sp.sums[o] += total;
            if t >= window {
                sp.sums[o] -= sp.ring[(t - window) as usize % n];
            }
        }
    }
    sp.ring[slot] = total;
}

/// Phase "Outcomes": the first outcome that holds at step `t`, in declared
/// order.
pub(super) fn check(s: &Scenario, st: &TrialState, t: u32) -> Option<u16> {
    s.outcomes.iter().enumerate().find_map(|(o, out)| {
        let holds = match out.kind {
            OutcomeKind::Agreement(k) => st.tracks[k as usize].status == TalkStatus::Agreement,
            OutcomeKind::Collapse(k) => st.tracks[k as usize].status == TalkStatus::Collapsed,
            OutcomeKind::Pressure { actor, threshold } => st.pressure.level[actor as usize] >= threshold,
            OutcomeKind::Spiral {
                threshold, min_step, ..
            } => t >= min_step && st.spiral.sums[o] >= threshold - 1e-9,
            OutcomeKind::Deaths { actor, threshold } => f64::from(st.events.killed[actor as usize]) >= threshold,
        };
        holds.then_some(o as u16)
    })
}

//! Implementation phases after an agreement ([`crate::model::implementation`]
//! gives the rule and its sources): a phase starts the step its track
//! reaches agreement, switches its spoilers' regimes, then each later step
//! breaks, slips or advances. Draws come from the trial's stream only
//! while a phase runs, so a scenario without phases draws exactly as
//! before.

use super::{NEVER, TrialState, refill};
use crate::model::{Scenario, TalkStatus};
use crate::rng::{TrialRng, uniform};

/// Not started.
pub(super) const WAITING: u8 = 0;
/// Running.
pub(super) const RUNNING: u8 = 1;
/// Complete.
pub(super) const DONE: u8 = 2;
/// Broken down.
pub(super) const BROKEN: u8 = 3;

/// Per phase: its state, work done and the steps it started and ended.
#[derive(Debug, Clone, Default)]
pub(super) struct Phases {
    pub(super) state: Vec<u8>,
    work: Vec<u32>,
    pub(super) start: Vec<u32>,
    pub(super) end: Vec<u32>,
}

impl Phases {
    pub(super) fn reset(&mut self, s: &Scenario) {
        let n = s.phases.len();
        refill(&mut self.state, n, WAITING);
        refill(&mut self.work, n, 0);
        refill(&mut self.start, n, NEVER);
        refill(&mut self.end, n, NEVER);
    }
}

/// Runs step `t` of every phase (part of the phase "Outcomes", before the
/// outcomes are checked).
pub(super) fn update(s: &Scenario, st: &mut TrialState, rng: &mut TrialRng, t: u32) {
    for (i, p) in s.phases.iter().enumerate() {
        match st.implementation.state[i] {
            WAITING if st.tracks[p.track as usize].status == TalkStatus::Agreement => {
                st.implementation.state[i] = RUNNING;
                st.implementation.start[i] = t;
                for &(d, r) in &p.spoilers {
                    st.switches.regime[d as usize] = r;
                    st.switches.regime_until[d as usize] = NEVER;
                }
            }
            RUNNING => {
                let ph = &mut st.implementation;
                if p.break_hazard > 0.0 && uniform(rng) < p.break_hazard {
                    ph.state[i] = BROKEN;
                    ph.end[i] = t;
                    continue;
                }
                if p.slip > 0.0 && uniform(rng) < p.slip {
                    ph.work[i] = ph.work[i].saturating_sub(p.setback);
                } else {
                    ph.work[i] += 1;
                }
                if ph.work[i] >= p.duration {
                    ph.state[i] = DONE;
                    ph.end[i] = t;
                }
            }
            _ => {}
        }
    }
}

//! Actors that choose: actions other than violence (restraining factions,
//! pausing, hurrying or walking out of talks, hardening demands,
//! demanding withdrawal, protesting), each chosen by a policy on one of the
//! actor's own stocks, X = its pressure or its risk
//! ([`super::pressure`]):
//!
//! ```text
//! hazard:     P(act at t) = 1 / (1 + exp(-(a + b·X_t)))
//! threshold:  acts when X_t + σ·ε_t ≥ θ,  ε_t ~ N(0, 1):  P(act at t) = Φ((X_t - θ)/σ)
//! ```
//!
//! The logistic link is the discrete-time hazard model [Allison1982]; the
//! threshold with normal noise is Thurstone's model of a judgement with
//! normally distributed error [Thurstone1927] (a probit): the actor acts
//! when the stock passes its tolerance, which the analyst knows only up
//! to σ. With X held fixed the per-step
//! probability is constant, so the time to the first action is geometric
//! (tested in `tests/actions.rs`). An action is considered only when it
//! can do something (talks actions while the track is open), not within
//! `refractory` steps of the last one, and at most `max` times; acting
//! sheds `relief` of the actor's own pressure. Its effects start the next
//! step, as an end-of-step trigger's do.
//!
//! A restraint order is obeyed by each faction independently, with its
//! own compliance: `P(faction f switches its dyads to the regime) = c_f`,
//! the imperfect control of principals over agents [Salehyan2010]. A
//! demand for withdrawal or a protest adds `weight` to the target's
//! pressure: a costly signal the target feels.

use super::{NEVER, TrialState, refill};
use crate::model::{ChoiceAct, ChoicePolicy, ChoiceStock, Scenario, TalkStatus};
use crate::rng::{TrialRng, bernoulli};

/// Per choice (actor-major, in file order): how often and when it was
/// taken.
#[derive(Debug, Clone, Default)]
pub(super) struct ChoiceState {
    /// Times taken so far.
    pub(super) count: Vec<u32>,
    /// Last step taken (`NEVER` = not yet).
    pub(super) last: Vec<u32>,
    /// First step taken.
    pub(super) first: Vec<Option<u32>>,
}

impl ChoiceState {
    pub(super) fn reset(&mut self, s: &Scenario) {
        let n = s.actors.iter().map(|a| a.choices.len()).sum();
        refill(&mut self.count, n, 0);
        refill(&mut self.last, n, NEVER);
        refill(&mut self.first, n, None);
    }
}

/// The per-step probability that policy `p` chooses its action at stock
/// value `x` (1 or 0 for a sharp threshold).
#[inline]
pub fn probability(p: &ChoicePolicy, x: f64) -> f64 {
    match *p {
        ChoicePolicy::Hazard { intercept, slope } => 1.0 / (1.0 + crate::math::exp(-(intercept + slope * x))),
        ChoicePolicy::Threshold { threshold, noise } if noise > 0.0 => {
            crate::dist::num::norm_cdf((x - threshold) / noise)
        }
        ChoicePolicy::Threshold { threshold, .. } => {
            if x >= threshold {
                1.0
            } else {
                0.0
            }
        }
    }
}

/// Phase "Actions": actor by actor, choice by choice in file order, each
/// choice that can act draws whether it does (no draw when its
/// probability is 0 or 1), and if so acts.
pub(super) fn choose(s: &Scenario, st: &mut TrialState, rng: &mut TrialRng, t: u32) {
    if st.choices.count.is_empty() {
        // No actor has choices: skip the walk over actors (2 % of a
        // flagship trial's instructions otherwise).
        return;
    }
    let now = t + 1;
    let mut k = 0;
    for (a, actor) in s.actors.iter().enumerate() {
        for ch in &actor.choices {
            let i = k;
            k += 1;
            let cs = &st.choices;
            if (ch.max > 0 && cs.count[i] >= ch.max) || (cs.last[i] != NEVER && t <= cs.last[i] + ch.refractory) {
                continue;
            }
            let can = match ch.act {
                ChoiceAct::Pause { track, .. } | ChoiceAct::Pace { track, .. } => {
                    st.tracks[track as usize].status == TalkStatus::Active
                }
                ChoiceAct::WalkOut { track } => matches!(
                    st.tracks[track as usize].status,
                    TalkStatus::Active | TalkStatus::Paused
                ),
                ChoiceAct::Restrain { .. } | ChoiceAct::Signal { .. } => true,
            };
            if !can {
                continue;
            }
            let x = match ch.stock {
                ChoiceStock::Pressure => st.pressure.level[a],
                ChoiceStock::Risk => st.pressure.risk[a],
            };
            if !bernoulli(rng, probability(&ch.policy, x)) {
                continue;
            }
            let cs = &mut st.choices;
            cs.count[i] += 1;
            cs.last[i] = t;
            cs.first[i].get_or_insert(t);
            if actor.pressure.is_some() {
                st.pressure.level[a] = (st.pressure.level[a] - ch.relief).max(0.0);
            }
            act(s, st, rng, &ch.act, t, now);
        }
    }
}

/// Carries out `act`, chosen at step `t`, with effects from step `now`.
fn act(s: &Scenario, st: &mut TrialState, rng: &mut TrialRng, act: &ChoiceAct, t: u32, now: u32) {
    match act {
        ChoiceAct::Restrain {
            factions,
            regime_by_dyad,
            duration,
        } => {
            for &(f, comply) in factions {
                if !bernoulli(rng, comply) {
                    continue;
                }
                for (d, dy) in s.dyads.iter().enumerate() {
                    if dy.from == f
                        && let Some(r) = regime_by_dyad[d]
                    {
                        st.switches.regime[d] = r;
                        st.switches.regime_until[d] = if *duration == 0 { NEVER } else { now + duration };
                    }
                }
            }
        }
        ChoiceAct::Pause { track, duration } => {
            st.tracks[*track as usize].set_by_trigger(TalkStatus::Paused, *duration, t, now);
        }
        ChoiceAct::Pace {
            track,
            factor,
            duration,
        } => {
            let ts = &mut st.tracks[*track as usize];
            ts.pace = *factor;
            ts.pace_until = now + duration;
        }
        ChoiceAct::WalkOut { track } => {
            st.tracks[*track as usize].set_by_trigger(TalkStatus::Collapsed, 0, t, now);
        }
        ChoiceAct::Signal { target, weight } => {
            st.pressure.level[*target as usize] += weight;
        }
    }
}

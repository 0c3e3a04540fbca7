//! Graded tit-for-tat: reciprocity on an escalation ladder.
//!
//! Each step the actor looks at the highest level `ℓ` it perceived the other
//! acting at. Nothing perceived, nothing to answer. Otherwise it forgives
//! with probability `q(ℓ)` (its *generosity* at that level, lowered to
//! `q_w` if the act wounded its people and to `q_k` if it killed them). An
//! act not forgiven is felt with severity `s = max(s(ℓ), s_w if it wounded,
//! s_k if it killed)` (the harm done can weigh more than the weapon): it adds
//! `s` to a grievance `G` and raises the pending severity `s* = max(s*, s)`.
//! Once `G >= θ` (the *threshold*) and the actor is not in a refractory
//! period, it answers at the level of its allowed range whose severity is
//! nearest `π·s*` (*proportionality* π: 1 in kind, > 1 escalates, < 1
//! restrains), and `G`, `s*` reset. The engine carries the answer out after
//! the response's delay.
//!
//! Published special cases, on a two-rung ladder (cooperate = 0,
//! defect = 1) with θ = 0, π = 1, delay 1:
//!
//! * `q = 0` is tit-for-tat [Axelrod1980]: four-vector (1, 0, 1, 0).
//! * `q > 0` is generous tit-for-tat [Molander1985; NowakSigmund1992]: (1, q, 1, q), with
//!   `q = min(1 - (T-R)/(R-S), (R-P)/(T-P))` by default (1/3 at 3, 0, 5, 1).
//!
//! Both cooperate in round 0 of a game. In a game `gtft`'s `q` comes from
//! the scenario's payoffs unless `generosity` is given; on a crisis ladder
//! it defaults to 1/3. `q = 0` makes `gtft` exactly `tft` (axelrod:
//! "TitForTat is equivalent to GTFT(0)").
//!
//! `MEMORY_DEPTH` = 1 when θ = 0 (unbounded otherwise); `STOCHASTIC` when
//! some `0 < q < 1`.

use super::{Observation, RuleState};
use crate::model::{Ladder, Level};
use crate::rng::{TrialRng, bernoulli};

/// Parameters of graded tit-for-tat.
#[derive(Debug, Clone, PartialEq)]
pub struct Graded {
    /// π: answer severity / received severity (1 = in kind).
    pub proportionality: f64,
    /// θ: grievance (severity units) needed before answering.
    pub threshold: f64,
    /// q(ℓ): probability of forgiving an act at level ℓ (index = level).
    pub generosity: Vec<f64>,
    /// q_w: generosity toward an act that wounded (applied as a ceiling).
    pub generosity_if_wounded: f64,
    /// q_k: generosity toward an act that killed (applied as a ceiling).
    pub generosity_if_killed: f64,
    /// s_w: severity at least felt from an act that wounded (0 = none).
    pub severity_if_wounded: f64,
    /// s_k: severity at least felt from an act that killed (0 = none).
    pub severity_if_killed: f64,
    /// Lowest level an answer may take (>= 1).
    pub min_level: Level,
    /// Highest level an answer may take.
    pub max_level: Level,
}

impl Graded {
    /// Plain tit-for-tat on a ladder with `levels` rungs: forgives nothing,
    /// answers in kind, any level.
    pub fn tit_for_tat(levels: usize) -> Graded {
        Graded::generous(levels, 0.0)
    }

    /// Generous tit-for-tat: forgives every level with probability `q`.
    pub fn generous(levels: usize, q: f64) -> Graded {
        Graded {
            proportionality: 1.0,
            threshold: 0.0,
            generosity: vec![q; levels],
            generosity_if_wounded: 1.0,
            generosity_if_killed: 1.0,
            severity_if_wounded: 0.0,
            severity_if_killed: 0.0,
            min_level: 1,
            max_level: (levels - 1) as Level,
        }
    }

    /// Effective generosity toward what was observed.
    #[inline]
    pub fn forgiveness(&self, obs: &Observation) -> f64 {
        let mut q = self.generosity[obs.theirs as usize];
        if obs.wounded {
            q = q.min(self.generosity_if_wounded);
        }
        if obs.killed {
            q = q.min(self.generosity_if_killed);
        }
        q
    }

    /// The rule; see the module documentation.
    #[inline]
    pub fn decide(&self, state: &mut RuleState, obs: &Observation, ladder: &Ladder, rng: &mut TrialRng) -> Level {
        if obs.theirs > 0 && !bernoulli(rng, self.forgiveness(obs)) {
            let mut felt = ladder.severity[obs.theirs as usize];
            if obs.wounded {
                felt = felt.max(self.severity_if_wounded);
            }
            if obs.killed {
                felt = felt.max(self.severity_if_killed);
            }
            state.grievance += felt;
            state.pending = true;
            state.pending_severity = state.pending_severity.max(felt);
        }
        if !state.pending || !obs.ready || state.grievance < self.threshold {
            return 0;
        }
        let target = self.proportionality * state.pending_severity;
        state.grievance = 0.0;
        state.pending = false;
        state.pending_severity = 0.0;
        ladder.nearest(target, self.min_level, self.max_level)
    }
}

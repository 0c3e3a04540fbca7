//! Two-action rules that are not graded tit-for-tat.
//!
//! **Memory-one strategies** [NowakSigmund1990]: the probability of
//! cooperating given the last round's outcome, in the axelrod library's
//! convention, own move first: `(p_CC, p_CD, p_DC, p_DD)`. Named cases:
//!
//! | name | four-vector | source |
//! |---|---|---|
//! | `wsls` (Pavlov) | (1, 0, 0, 1) | [NowakSigmund1993] |
//! | `allc` | (1, 1, 1, 1) | [Axelrod1984] |
//! | `alld` | (0, 0, 0, 0) | [Axelrod1984] |
//! | `random` | (p, p, p, p), p = 1/2 | [Axelrod1980] |
//!
//! (`tft` = (1, 0, 1, 0) and `gtft` = (1, q, 1, q) are graded tit-for-tat,
//! see [`super::graded`].) `MEMORY_DEPTH` = 1; `STOCHASTIC` when some
//! `0 < p < 1`.
//!
//! **Contrite tit-for-tat** [Sugden1986; Boyd1989; WuAxelrod1995]: each
//! player has a *standing*. A player is in good standing after a round in
//! which it cooperated, or defected while the other was in bad standing;
//! otherwise (it defected against a player in good standing) it is in bad
//! standing. CTFT cooperates if it is itself in bad standing (it accepts
//! the punishment its own error earned), or if the other is in good
//! standing; it defects only when it is good and the other is bad. Both
//! start good. Standings are computed from the acts as this player saw
//! them. `MEMORY_DEPTH` unbounded (standing carries history);
//! deterministic.
//!
//! The axelrod library's `ContriteTitForTat` is a variant: it copies the
//! other's last move unless its own last move was a *noise-flipped*
//! defection, in which case it cooperates until it has cooperated once.
//! The two agree whenever at most one act per round is flipped and an
//! apology is not itself flipped; they differ when both players err in the
//! same round (standing then leaves both good: no punishment follows) or
//! when a contrite cooperation comes out as a defection (standing keeps the
//! player bad, so it goes on cooperating).

use super::{Observation, RuleState};
use crate::model::Level;
use crate::rng::{TrialRng, bernoulli};

/// A memory-one strategy.
#[derive(Debug, Clone, PartialEq)]
pub struct MemoryOne {
    /// Cooperation probability after CC, CD, DC, DD (own move first).
    pub coop: [f64; 4],
    /// Cooperation probability in round 0.
    pub first: f64,
    /// Level acted at when defecting.
    pub level: Level,
}

impl MemoryOne {
    /// The strategy with four-vector `coop` and first move `first`.
    pub fn new(coop: [f64; 4], first: f64, level: Level) -> MemoryOne {
        MemoryOne { coop, first, level }
    }

    /// Win-stay, lose-shift (Pavlov): (1, 0, 0, 1).
    pub fn wsls(level: Level) -> MemoryOne {
        MemoryOne::new([1.0, 0.0, 0.0, 1.0], 1.0, level)
    }

    /// Index of the last round's outcome in the four-vector.
    #[inline]
    pub fn state_index(obs: &Observation) -> usize {
        (usize::from(obs.mine > 0) << 1) | usize::from(obs.theirs > 0)
    }

    /// The rule: cooperate (0) with probability `coop[state]`.
    #[inline]
    pub fn decide(&self, obs: &Observation, rng: &mut TrialRng) -> Level {
        let p = self.coop[Self::state_index(obs)];
        if bernoulli(rng, p) { 0 } else { self.level }
    }
}

/// Contrite tit-for-tat.
#[derive(Debug, Clone, PartialEq)]
pub struct Contrite {
    /// Level acted at when defecting.
    pub level: Level,
}

impl Contrite {
    /// Updates both standings from the last round, then chooses.
    /// In the first round (`obs` all zero, both good) it cooperates.
    #[inline]
    pub fn decide(&self, state: &mut RuleState, obs: &Observation) -> Level {
        let (me_d, them_d) = (obs.mine > 0, obs.theirs > 0);
        let (my_bad, their_bad) = (state.my_bad, state.their_bad);
        state.my_bad = me_d && !their_bad;
        state.their_bad = them_d && !my_bad;
        if !state.my_bad && state.their_bad {
            self.level
        } else {
            0
        }
    }
}

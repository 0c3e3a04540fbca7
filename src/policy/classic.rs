//! Two-action rules that are not graded tit-for-tat.
//!
//! **Memory-one strategies** [NowakSigmund1990]: the probability of
//! cooperating given the last round's outcome, in the axelrod library's
//! convention, own move first: `(p_CC, p_CD, p_DC, p_DD)`, plus the
//! probability `p_0` of cooperating in round 0. Named cases:
//!
//! | name | four-vector | `p_0` | source |
//! |---|---|---|---|
//! | `wsls` (Pavlov) | (1, 0, 0, 1) | 1 | [NowakSigmund1993] |
//! | `allc` | (1, 1, 1, 1) | 1 | [Axelrod1984] |
//! | `alld` | (0, 0, 0, 0) | 0 | [Axelrod1984] |
//! | `random` | (p, p, p, p), p = 1/2 | p | [Axelrod1980] |
//! | `memory_one` | `four_vector` | `first` (default 1) | [NowakSigmund1990] |
//!
//! Win-stay lose-shift repeats its last act after a "win" (R or T: the
//! other cooperated) and switches after a "loss" (S or P): hence (1, 0, 0,
//! 1); it was named Pavlov by [Kraines1989]. `random` draws every act
//! afresh, round 0 included (as axelrod's `Random`). Other classics are
//! `memory_one` vectors: suspicious TFT = (1, 0, 1, 0) with `first = 0`,
//! the alternator = (0, 0, 1, 1) with `first = 1`. (`tft` = (1, 0, 1, 0)
//! and `gtft` = (1, q, 1, q) are graded tit-for-tat, see
//! [`super::graded`].) `MEMORY_DEPTH` = 1; `STOCHASTIC` when some
//! probability is strictly between 0 and 1.
//!
//! **Contrite tit-for-tat** [Sugden1986; Boyd1989; WuAxelrod1995]: each
//! player has a *standing*, good or bad; both start good. After each round
//! a player is in good standing if it cooperated in that round, or if it
//! defected while the other was in bad standing (before that round);
//! otherwise, having defected against a player in good standing, it is in
//! bad standing (Boyd 1989's definition, used by Wu and Axelrod 1995). CTFT
//! cooperates in round 0; afterwards it defects only when it is in good
//! standing and the other is in bad standing, and cooperates otherwise. So
//! it punishes an unprovoked defection once, and accepts the punishment its
//! own unprovoked defection earned without answering it. Standings are
//! computed from the acts as this player saw them. `MEMORY_DEPTH`
//! unbounded (standing carries history); deterministic. Without noise it
//! plays exactly as tit-for-tat.
//!
//! The axelrod library's `ContriteTitForTat` is a variant: it plays TFT
//! (copies the other's last act), but when its own last act was a
//! noise-flipped defection against a cooperator it becomes *contrite*, and
//! a contrite player whose last act was a cooperation cooperates once more
//! and stops being contrite. The two agree when at most one act per round
//! is flipped and an apology is not itself flipped. They differ:
//!
//! * when both players err in the same round (both defect from good
//!   standing): standing makes both bad, so both cooperate next and no
//!   punishment follows; axelrod's variant is not contrite (the other did
//!   not cooperate) and copies the defection: against itself or TFT, mutual
//!   defection follows until another error;
//! * when the apology (a cooperation intended after one's own error) comes
//!   out as a defection: standing keeps the player bad (it defected against
//!   a good player), so it goes on cooperating until a cooperation comes
//!   out; axelrod's variant stays contrite but copies the other meanwhile.

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

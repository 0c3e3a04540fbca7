//! Policies: what an actor does toward another. One file per family, each
//! citing its source (keys into `docs/references.md`):
//!
//! * [`initiative`]: unprompted events, a Poisson count per step whose rate
//!   is scaled by drivers, talks, regimes, deterrence or backlash, and may be
//!   self-exciting.
//! * [`graded`]: tit-for-tat on a ladder: proportionality, threshold,
//!   severity-dependent generosity. `tft` and `gtft` are its two-rung cases.
//! * [`classic`]: the two-action rules that need more memory or another
//!   shape: memory-one four-vectors (WSLS, ALLC, ALLD, random), grim trigger,
//!   tit-for-two-tats, contrite tit-for-tat.
//! * [`hazard`]: responses driven by an accumulated grievance or pressure.
//! * [`registry`]: every rule's name in one table, and how a name becomes a
//!   [`Rule`].
//!
//! All reciprocity rules share one interface, [`Rule::decide`], called once
//! per step (once per round in a game) with what the actor saw. The crisis
//! engine and the game loop call the same function; nothing is duplicated.

pub mod classic;
pub mod graded;
pub mod hazard;
pub mod initiative;
pub mod registry;

pub use classic::{Contrite, MemoryOne};
pub use graded::Graded;
pub use hazard::{Hazard, HazardStock};
pub use initiative::Initiative;
pub(crate) use registry::named;
pub use registry::{Named, RuleName, RuleParams, UnknownName};

use crate::model::{Ladder, Level};
use crate::rng::TrialRng;

/// What an actor saw in the step (or round) just ended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Observation {
    /// The highest level this actor itself acted at toward the other
    /// (0 = did not act / cooperated). In a game, the act that happened.
    pub mine: Level,
    /// The highest level it perceived the other acting at (0 = none).
    pub theirs: Level,
    /// Whether that act wounded any of its people.
    pub wounded: bool,
    /// Whether that act killed any of its people.
    pub killed: bool,
    /// Whether a response may be decided now (not in a refractory period).
    pub ready: bool,
}

/// Memory a rule keeps between steps. One per dyad, reset per trial.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RuleState {
    /// Graded: severity received and not forgiven since the last response.
    pub grievance: f64,
    /// Graded: whether an act not forgiven awaits an answer.
    pub pending: bool,
    /// Graded: the highest severity felt since the last answer.
    pub pending_severity: f64,
    /// Tit-for-two-tats: whether the other acted in the previous step.
    pub their_prev: bool,
    /// Grim: whether the trigger has been pulled.
    pub triggered: bool,
    /// Contrite: whether this actor is in bad standing.
    pub my_bad: bool,
    /// Contrite: whether the other is in bad standing.
    pub their_bad: bool,
}

/// A reciprocity rule. Two-action rules read "defect" as acting at `level`
/// and "cooperate" as not acting.
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    /// Graded tit-for-tat on a ladder (`tft`, `gtft` are special cases).
    Graded(Graded),
    /// A memory-one strategy (`wsls`, `allc`, `alld`, `random`, `memory_one`).
    MemoryOne(MemoryOne),
    /// Grim trigger [Friedman1971] (axelrod's `Grudger`): cooperate until
    /// the other first defects, then defect in every later round, whatever
    /// the other does. Defects in round `t` iff the other defected in some
    /// round `< t`. `MEMORY_DEPTH` unbounded; deterministic.
    Grim {
        /// Level acted at when defecting.
        level: Level,
    },
    /// Tit-for-two-tats [Axelrod1984] (John Maynard Smith's entry in the
    /// second tournament, [Axelrod1980b]; axelrod's `TitFor2Tats`):
    /// cooperate in rounds 0 and 1; from round 2 on, defect iff the other
    /// defected in *both* of the two previous rounds. `MEMORY_DEPTH` = 2;
    /// deterministic.
    TitForTwoTats {
        /// Level acted at when defecting.
        level: Level,
    },
    /// Contrite tit-for-tat with good and bad standing [Sugden1986;
    /// Boyd1989; WuAxelrod1995]; see [`classic`].
    Contrite(Contrite),
}

impl Rule {
    /// Decide this step's act (0 = none) from what was observed in the
    /// previous step. Draws from `rng` only when the rule is stochastic in
    /// the situation at hand, so deterministic pairs use no random numbers.
    ///
    /// Round 0 of a game is not decided here: every rule cooperates first
    /// except a memory-one rule, which cooperates with its own first-move
    /// probability ([`Rule::first_cooperation`]). The first call sees round
    /// 0's acts.
    ///
    /// Outside games, a rule that is not `obs.ready` (in its refractory
    /// period) still updates its memory but does not act.
    #[inline]
    pub fn decide(&self, state: &mut RuleState, obs: &Observation, ladder: &Ladder, rng: &mut TrialRng) -> Level {
        let level = self.choose(state, obs, ladder, rng);
        if obs.ready { level } else { 0 }
    }

    #[inline]
    fn choose(&self, state: &mut RuleState, obs: &Observation, ladder: &Ladder, rng: &mut TrialRng) -> Level {
        match self {
            Rule::Graded(g) => g.decide(state, obs, ladder, rng),
            Rule::MemoryOne(m) => m.decide(obs, rng),
            Rule::Grim { level } => {
                state.triggered |= obs.theirs > 0;
                if state.triggered { *level } else { 0 }
            }
            Rule::TitForTwoTats { level } => {
                let now = obs.theirs > 0;
                let act = now && state.their_prev;
                state.their_prev = now;
                if act { *level } else { 0 }
            }
            Rule::Contrite(c) => c.decide(state, obs),
        }
    }

    /// Whether [`Rule::decide`] on an observation in which the other did
    /// nothing (`theirs = 0`) returns 0 without drawing and without
    /// changing `state`: a graded rule with no answer pending. The engine
    /// skips such calls; the other rules always take them.
    #[inline]
    pub fn quiet(&self, state: &RuleState) -> bool {
        matches!(self, Rule::Graded(_)) && !state.pending
    }

    /// Probability of cooperating (not acting) in the first round of a game:
    /// 1 for every rule but memory-one ones (`alld` 0, `random` its `p`,
    /// `memory_one` its `first`, default 1).
    pub fn first_cooperation(&self) -> f64 {
        match self {
            Rule::MemoryOne(m) => m.first,
            _ => 1.0,
        }
    }

    /// `MEMORY_DEPTH`: how many past rounds the rule reads (`None` =
    /// unbounded), as the axelrod library classifies it (except contrite
    /// TFT: axelrod's variant says 3, the published standing rule carries
    /// the whole history).
    pub fn memory_depth(&self) -> Option<u32> {
        match self {
            Rule::Graded(g) if g.threshold > 0.0 => None,
            Rule::Graded(_) | Rule::MemoryOne(_) => Some(1),
            Rule::TitForTwoTats { .. } => Some(2),
            Rule::Grim { .. } | Rule::Contrite(_) => None,
        }
    }

    /// `STOCHASTIC`: whether the rule draws random numbers in some
    /// situation.
    pub fn stochastic(&self) -> bool {
        match self {
            Rule::Graded(g) => g.generosity.iter().any(|&q| q > 0.0 && q < 1.0),
            Rule::MemoryOne(m) => m.coop.iter().chain([&m.first]).any(|&p| p > 0.0 && p < 1.0),
            _ => false,
        }
    }
}

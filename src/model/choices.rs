//! The compiled form of two things a scenario may add to actors and talks
//! (issue 15, parts 1-2): talks that *bargain* ([`Bargaining`], on a
//! [`Track`](super::Track)) and actors that *choose* ([`Choice`], on an
//! [`Actor`](super::Actor)), with an actor's own *risk* stock ([`Risk`]).
//! The rules and their sources are in `engine::tracks` and
//! `engine::actions`; here are only the validated numbers.

use super::{ActorId, PressureInput};

/// Talks whose pace and chance of a deal answer to the parties' states:
///
/// ```text
/// R_t = min_i hurt_i · P_i(t-1)                 ripeness (listed parties)
/// M_t = (1 + ρ·R_t) · Π_k d_k(t)                 pace multiplier
/// h_t = 1 / (1 + exp(-(a + b_R·R_t + b_L·C_t)))  concession hazard (progress incomplete)
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Bargaining {
    /// (party, hurt weight): pressure of that party, times the weight, is
    /// its hurt; the ripeness is the least hurt (empty = no ripeness).
    pub hurt: Vec<(ActorId, f64)>,
    /// ρ: slope of the pace multiplier in ripeness (>= 0).
    pub ripeness: f64,
    /// (driver, multiplier while active, multiplier while inactive).
    pub drivers: Vec<(u16, f64, f64)>,
    /// The concession hazard, if the talks have one.
    pub concession: Option<Concession>,
}

/// A per-step chance that one side concedes, logistic in ripeness and in
/// the costs observed since the talks opened.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Concession {
    /// a: the logit with no ripeness and no observed cost.
    pub intercept: f64,
    /// b_R: logit per unit of ripeness.
    pub ripeness: f64,
    /// b_L: logit per unit of observed cost (severity since opening).
    pub learning: f64,
    /// Progress added to every working group by a concession (0..=1; 1
    /// completes the deal, which then waits for the signing calm).
    pub jump: f64,
}

/// A decaying stock of risk an actor runs (for a patron: strikes on its
/// partners' leaders, escalation toward its forces), fed by events like a
/// pressure stock but relieved by nothing: `K_t = decay·K_{t-1} + inputs_t`.
#[derive(Debug, Clone)]
pub struct Risk {
    /// Stock at step 0.
    pub initial: f64,
    /// Share kept from one step to the next (0..1).
    pub decay: f64,
    /// What feeds the stock.
    pub inputs: Vec<PressureInput>,
}

/// Which of the actor's stocks a choice reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChoiceStock {
    /// Its pressure stock.
    Pressure,
    /// Its risk stock.
    Risk,
}

/// How a choice turns the stock X into a per-step probability.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ChoicePolicy {
    /// `p = 1 / (1 + exp(-(a + b·X)))`.
    Hazard {
        /// a: the logit at X = 0.
        intercept: f64,
        /// b: logit per unit of X.
        slope: f64,
    },
    /// Acts when `X + σ·ε ≥ θ`, ε standard normal: `p = Φ((X - θ)/σ)`
    /// (σ = 0: acts exactly when X ≥ θ).
    Threshold {
        /// θ.
        threshold: f64,
        /// σ (>= 0).
        noise: f64,
    },
}

/// What a choice does.
#[derive(Debug, Clone, PartialEq)]
pub enum ChoiceAct {
    /// Orders factions into a regime: each complies with its own
    /// probability, switching every dyad it acts in that has the regime.
    Restrain {
        /// (faction, compliance 0..=1).
        factions: Vec<(ActorId, f64)>,
        /// Per dyad of the scenario: the regime index, if it has it.
        regime_by_dyad: Vec<Option<u8>>,
        /// Steps before the regime reverts (0 = never).
        duration: u32,
    },
    /// Pauses active talks for `duration` steps.
    Pause {
        /// The track.
        track: u16,
        /// Steps.
        duration: u32,
    },
    /// Multiplies the talks' pace by `factor` for `duration` steps:
    /// hurrying (factor > 1) or hardening its demands (factor < 1).
    Pace {
        /// The track.
        track: u16,
        /// Multiplier on progress per step (>= 0).
        factor: f64,
        /// Steps.
        duration: u32,
    },
    /// Walks out: the talks collapse.
    WalkOut {
        /// The track.
        track: u16,
    },
    /// A demand (for withdrawal) or a protest addressed to `target`, which
    /// adds `weight` to the target's pressure.
    Signal {
        /// The actor addressed.
        target: ActorId,
        /// Pressure added to the target's stock.
        weight: f64,
    },
}

/// One action an actor may choose, the policy that chooses it, and its
/// limits.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    /// Id as written.
    pub id: String,
    /// Kind name as written (`restrain`, `hurry`...), for output.
    pub kind: &'static str,
    /// What it does.
    pub act: ChoiceAct,
    /// The stock the policy reads.
    pub stock: ChoiceStock,
    /// The policy.
    pub policy: ChoicePolicy,
    /// Steps after an action during which it is not chosen again.
    pub refractory: u32,
    /// Most times per trial (0 = no limit).
    pub max: u32,
    /// Pressure the actor sheds by acting (>= 0).
    pub relief: f64,
}

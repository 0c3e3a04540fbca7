//! Pressure-driven responses: a per-step hazard that rises with a stock.
//!
//! `P(act at step t) = 1 / (1 + exp(-(a + b·X_t)))`, where `X` is either
//! the dyad's *grievance*, `G_t = δ·G_{t-1} + S_t` (S = severity perceived
//! from the target this step), or the acting actor's *pressure* stock. An
//! act comes at a fixed level one step later, and the hazard sleeps for a
//! refractory period after it. This is the "campaign as a whole" kind of
//! answer in CALIBRATION.md (rounds 2, 3 and 7), as opposed to
//! tit-for-tat's answers to one act; the logistic link is the usual
//! discrete-time hazard model [Allison1982].

use crate::model::Level;

/// Which stock drives the hazard.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum HazardStock {
    /// The dyad's own grievance, with its decay δ per step.
    Grievance {
        /// Share of the grievance kept from one step to the next.
        decay: f64,
    },
    /// The acting actor's pressure stock.
    Pressure,
}

/// Parameters of a hazard response.
#[derive(Debug, Clone, PartialEq)]
pub struct Hazard {
    /// The stock X.
    pub stock: HazardStock,
    /// a: the logit at X = 0.
    pub intercept: f64,
    /// b: the logit's slope per unit of X.
    pub slope: f64,
    /// Level of the act.
    pub level: Level,
    /// Steps after an act during which the hazard is off.
    pub refractory: u32,
    /// Where acts land (cumulative weights), empty = no place.
    pub places: Vec<f64>,
}

impl Hazard {
    /// Probability of acting this step given the stock value `x`.
    #[inline]
    pub fn probability(&self, x: f64) -> f64 {
        1.0 / (1.0 + crate::math::exp(-(self.intercept + self.slope * x)))
    }
}

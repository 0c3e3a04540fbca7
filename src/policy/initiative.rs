//! Initiative: events an actor starts unprompted.
//!
//! The number of events a dyad starts in step `t` is Poisson with rate
//!
//! ```text
//! λ_t = min(λ_max, M_t · (μ · exp(-β·D_t) · (1 + ρ·P_t) + α·E_t))
//! D_t = δ·D_{t-1} + S_{t-1}                  (severity received, perceived)
//! E_t = φ·E_{t-1} + (1 - φ)·n_{t-1}          (own recent events)
//! M_t = regime · Π_k driver_k(t) · Π_j track_j(t)
//! ```
//!
//! * μ (`rate`) is the base rate per step.
//! * β (`beta`) is deterrence (β > 0: what the target did lately lowers the
//!   rate) or backlash (β < 0: it provokes) [GoldsteinPevehouse1997];
//!   δ (`memory`) is how long it is remembered.
//! * α (`excitation`) and φ (`kernel`) make the process self-exciting
//!   [Hawkes1971; Lewis2012]: each event adds α expected events later,
//!   spread over a geometric kernel with mean lag 1/(1-φ) steps. α is the
//!   branching ratio; with M = 1 and β = 0 the long-run mean rate is
//!   μ/(1-α) (α < 1 required). Under a constant multiplier M it is
//!   Mμ/(1-Mα): a driver that doubles the rate also doubles α.
//! * ρ (`pressure`) scales the rate with the actor's own pressure stock.
//! * M multiplies everything: the active regime's `rate`, each driver's
//!   `active`/`inactive` factor, each track's effect for its status
//!   (spoilers attack more as talks advance or stall [KyddWalter2002]).
//! * λ_max (`max_rate`) caps the rate so a runaway backlash stays finite.
//!
//! Each event's level is drawn from `levels` and its place from `places`.

/// Parameters of a dyad's initiative.
#[derive(Debug, Clone, PartialEq)]
pub struct Initiative {
    /// μ: base rate, events per step.
    pub rate: f64,
    /// Cumulative weights over levels 1..; index i is level i+1.
    pub levels: Vec<f64>,
    /// Cumulative weights over places; empty = no place.
    pub places: Vec<f64>,
    /// β: deterrence (> 0) or backlash (< 0) per unit of D.
    pub beta: f64,
    /// δ: decay of D per step.
    pub memory: f64,
    /// α: branching ratio of self-excitation (0..1).
    pub excitation: f64,
    /// φ: kernel decay per step (0..1).
    pub kernel: f64,
    /// E_0: the excitation stock at step 0, events per step.
    pub history: f64,
    /// ρ: rate slope in the actor's pressure.
    pub pressure: f64,
    /// λ_max: cap on the rate, events per step.
    pub max_rate: f64,
    /// Driver effects: (driver index, factor when active, when inactive).
    pub drivers: Vec<(u16, f64, f64)>,
}

impl Initiative {
    /// The rate equation above, given the multiplier `m` (regime, drivers
    /// and tracks), the deterrence stock `d`, the excitation stock `e` and
    /// the actor's pressure `p`.
    #[inline]
    pub fn rate(&self, m: f64, d: f64, e: f64, p: f64) -> f64 {
        let mut base = self.rate;
        if self.beta != 0.0 && d != 0.0 {
            // exp(-β·0) is exactly 1: skipped, the rate is bit-identical
            base *= crate::math::exp(-self.beta * d);
        }
        if self.pressure != 0.0 {
            base *= (1.0 + self.pressure * p).max(0.0);
        }
        let lambda = m * (base + self.excitation * e);
        if lambda.is_nan() {
            // 0 x inf: a zero rate or multiplier times an overflowing
            // backlash factor is no event, not the cap.
            0.0
        } else if lambda < self.max_rate {
            lambda
        } else {
            self.max_rate
        }
    }

    /// The driver factor for driver `k` being `active`.
    #[inline]
    pub fn driver_factor(&self, active: &[bool]) -> f64 {
        self.drivers
            .iter()
            .map(|&(k, on, off)| if active[k as usize] { on } else { off })
            .product()
    }
}

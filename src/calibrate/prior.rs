//! Priors for ABC-SMC: one [`ParamPrior`] per parameter, independent, so
//! the joint density is the product of the marginals. The trait is the
//! whole contract: any distribution type (the scenario's own, a test's
//! Gamma) plugs in by drawing from a trial stream and giving its log
//! density.

use crate::rng::{TrialRng, uniform};

/// One parameter's prior.
pub trait ParamPrior: Send + Sync {
    /// One draw, from `rng` only.
    fn sample(&self, rng: &mut TrialRng) -> f64;
    /// Log density at `x` (up to a constant shared by all `x`);
    /// `f64::NEG_INFINITY` outside the support.
    fn ln_density(&self, x: f64) -> f64;
}

/// The uniform law on `[lo, hi]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Uniform {
    /// Lower bound.
    pub lo: f64,
    /// Upper bound, > `lo`.
    pub hi: f64,
}

impl ParamPrior for Uniform {
    fn sample(&self, rng: &mut TrialRng) -> f64 {
        self.lo + (self.hi - self.lo) * uniform(rng)
    }
    fn ln_density(&self, x: f64) -> f64 {
        if (self.lo..=self.hi).contains(&x) {
            -(self.hi - self.lo).ln()
        } else {
            f64::NEG_INFINITY
        }
    }
}

impl<P: ParamPrior + ?Sized> ParamPrior for Box<P> {
    fn sample(&self, rng: &mut TrialRng) -> f64 {
        (**self).sample(rng)
    }
    fn ln_density(&self, x: f64) -> f64 {
        (**self).ln_density(x)
    }
}

/// Joint log density of independent marginals at `theta`.
pub fn ln_density<P: ParamPrior>(prior: &[P], theta: &[f64]) -> f64 {
    prior.iter().zip(theta).map(|(p, &x)| p.ln_density(x)).sum()
}

impl<P: ParamPrior + ?Sized> ParamPrior for &P {
    fn sample(&self, rng: &mut TrialRng) -> f64 {
        (**self).sample(rng)
    }
    fn ln_density(&self, x: f64) -> f64 {
        (**self).ln_density(x)
    }
}

/// A scenario's distribution as a prior: the same draws a trial makes and
/// the density of [`crate::dist::Dist::ln_density`].
impl ParamPrior for crate::dist::Dist {
    fn sample(&self, rng: &mut TrialRng) -> f64 {
        crate::dist::Dist::sample(self, rng)
    }
    fn ln_density(&self, x: f64) -> f64 {
        crate::dist::Dist::ln_density(self, x)
    }
}

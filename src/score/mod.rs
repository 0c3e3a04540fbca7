//! Proper scores of probabilistic forecasts against an observed value, and
//! the naive baselines they are compared with.
//!
//! A forecast is either a *sample* (the values of one quantity over a run's
//! trials) or a closed-form Poisson law (the persistence baseline). Every
//! score here is negatively oriented (lower is better) and *proper*: the
//! forecaster minimises its expected score by reporting its true belief
//! (Gneiting & Raftery 2007, "Strictly proper scoring rules, prediction, and
//! estimation", JASA 102:359).
//!
//! * **CRPS**, `CRPS(F, y) = ∫ (F(x) − 1{y ≤ x})² dx = E|X − y| − ½ E|X − X'|`.
//!   For a sample `x_(1) ≤ … ≤ x_(n)` of the forecast, [`crps_sorted`] is the
//!   *plain* estimator (the CRPS of the empirical distribution, scoringRules'
//!   `edf` and scoringutils' `crps_sample`):
//!   `(1/n) Σ|x_i − y| − (1/n²) Σ_i (2i − n − 1) x_(i)`, using
//!   `Σ_i Σ_j |x_i − x_j| = 2 Σ_i (2i − n − 1) x_(i)`, so it costs a sort,
//!   O(n log n). [`crps_sorted_fair`] divides the spread term by `n(n − 1)`
//!   instead of `n²`: unbiased for the CRPS of the distribution the sample was
//!   drawn from (Ferro 2014). For a Poisson law, [`crps_poisson`] sums
//!   `Σ_k (F(k) − 1{y ≤ k})²` exactly over the whole support.
//! * **Log score** for counts, `−ln p(y)`. A sample's empirical pmf gives
//!   zero probability to unseen values, so [`CountPmf`] smooths it:
//!   `p(k) = (n_k + α q(k)) / (n + α)`, a Dirichlet-process posterior
//!   predictive with `α = 1` pseudo-observation spread by `q`, a geometric
//!   law on {0, 1, …} whose mean is the sample mean plus ½. The pmf depends
//!   on the sample alone, never on `y`, sums to one over all counts and is
//!   positive everywhere; so it is one fixed forecast distribution, and the
//!   log score of a fixed distribution is strictly proper. (scoringutils
//!   declines to log-score integer samples because its kernel density
//!   estimate is not defined for them; this is our answer to that.)
//! * **Randomized PIT** for counts (Czado, Gneiting & Held 2009, Biometrics
//!   65:1254): `u = F(y − 1) + v (F(y) − F(y − 1))`, `v ~ U(0, 1)` drawn from
//!   the caller's RNG, so a calibrated count forecast gives uniform `u`.
//!   Same definition as scoringutils' `pit_sample` for integer forecasts.
//! * **Central intervals**: `y` lies in the central `c` interval when
//!   `Q((1 − c)/2) ≤ y ≤ Q((1 + c)/2)`, with `c` = 50 % and 90 %. Sample
//!   quantiles are type 7 of Hyndman & Fan (1996), R's default and the one
//!   scoringutils uses; Poisson quantiles are `min{k : F(k) ≥ p}`.
//! * **Brier score** for a binary event, `(p − o)²` (Brier 1950), `p` the
//!   forecast probability and `o ∈ {0, 1}` the outcome.
//! * **Skill** against a baseline, `1 − S_model / S_baseline` for mean scores
//!   over the same observations (Murphy 1973): 1 is perfect, 0 no better
//!   than the baseline, negative worse.
//!
//! The baselines are in [`baseline`].

pub mod baseline;

use rand::RngCore;

use crate::rng::{ln_factorial, uniform};

/// Central interval levels reported: 50 % and 90 %.
pub const INTERVALS: [f64; 2] = [0.5, 0.9];

/// CRPS of a sample against `y`, by the plain (empirical-distribution)
/// estimator. Sorts a copy of the sample. NaN if the sample is empty.
pub fn crps_sample(sample: &[f64], y: f64) -> f64 {
    let mut s = sample.to_vec();
    s.sort_by(f64::total_cmp);
    crps_sorted(&s, y)
}

/// CRPS of a sample of counts against a count `y` (plain estimator).
pub fn crps_counts(sample: &[u64], y: u64) -> f64 {
    let mut s: Vec<f64> = sample.iter().map(|&x| x as f64).collect();
    s.sort_by(f64::total_cmp);
    crps_sorted(&s, y as f64)
}

/// Sums `Σ|x_i − y|` and `Σ (2i − n − 1) x_(i)` over a sorted sample.
fn crps_terms(sorted: &[f64], y: f64) -> (f64, f64) {
    let n = sorted.len() as f64;
    let mut abs = 0.0;
    let mut spread = 0.0;
    for (i, &x) in sorted.iter().enumerate() {
        abs += (x - y).abs();
        spread += (2.0 * (i as f64 + 1.0) - n - 1.0) * x;
    }
    (abs, spread)
}

/// Plain CRPS of an ascending sample: the CRPS of its empirical
/// distribution, `(1/n) Σ|x_i − y| − (1/n²) Σ (2i − n − 1) x_(i)`.
/// NaN if empty.
pub fn crps_sorted(sorted: &[f64], y: f64) -> f64 {
    debug_assert!(sorted.windows(2).all(|w| w[0] <= w[1]), "sample not sorted");
    if sorted.is_empty() {
        return f64::NAN;
    }
    let n = sorted.len() as f64;
    let (abs, spread) = crps_terms(sorted, y);
    abs / n - spread / (n * n)
}

/// Fair CRPS of an ascending sample: the spread term divided by `n(n − 1)`,
/// unbiased for the CRPS of the law the sample was drawn from (Ferro 2014).
/// NaN if fewer than two values.
pub fn crps_sorted_fair(sorted: &[f64], y: f64) -> f64 {
    debug_assert!(sorted.windows(2).all(|w| w[0] <= w[1]), "sample not sorted");
    if sorted.len() < 2 {
        return f64::NAN;
    }
    let n = sorted.len() as f64;
    let (abs, spread) = crps_terms(sorted, y);
    abs / n - spread / (n * (n - 1.0))
}

/// Analytic CRPS of a normal law N(μ, σ²) at `y` (Gneiting et al. 2005):
/// `σ (z (2Φ(z) − 1) + 2φ(z) − 1/√π)`, `z = (y − μ)/σ`.
pub fn crps_normal(mu: f64, sigma: f64, y: f64) -> f64 {
    let z = (y - mu) / sigma;
    let pdf = (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt();
    let cdf = 0.5 * erfc(-z / std::f64::consts::SQRT_2);
    sigma * (z * (2.0 * cdf - 1.0) + 2.0 * pdf - 1.0 / std::f64::consts::PI.sqrt())
}

/// Complementary error function by the Chebyshev-fitted `erfcc` of
/// Numerical Recipes (2nd ed., §6.2): fractional error below 1.2e-7
/// everywhere, ample for scores.
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let r = t
        * (-z * z - 1.265_512_23
            + t * (1.000_023_68
                + t * (0.374_091_96
                    + t * (0.096_784_18
                        + t * (-0.186_288_06
                            + t * (0.278_868_07
                                + t * (-1.135_203_98
                                    + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77)))))))))
            .exp();
    if x >= 0.0 { r } else { 2.0 - r }
}

/// A Poisson law of rate `lambda` (mean per forecast window) shifted by
/// `offset`: the forecast `offset + N`, `N ~ Poisson(lambda)`. The
/// persistence baseline of a cumulative count is one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ShiftedPoisson {
    /// The count already reached (the record at the forecast origin).
    pub offset: u64,
    /// Expected further count, >= 0.
    pub lambda: f64,
}

impl ShiftedPoisson {
    /// `ln P(N = k)`; `ln 1 = 0` at k = 0 when λ = 0.
    fn ln_pmf(&self, k: u64) -> f64 {
        let l = self.lambda;
        if l == 0.0 {
            return if k == 0 { 0.0 } else { f64::NEG_INFINITY };
        }
        let k = k as f64;
        -l + k * l.ln() - ln_factorial(k)
    }

    /// A count past which the upper tail is below 1e-17 (λ + 12√λ + 30).
    fn upper(&self) -> u64 {
        (self.lambda + 12.0 * self.lambda.sqrt() + 30.0).ceil() as u64
    }

    /// `P(offset + N ≤ y)`.
    pub fn cdf(&self, y: i64) -> f64 {
        let m = y - self.offset as i64;
        if m < 0 {
            return 0.0;
        }
        let mut acc = 0.0;
        for k in 0..=(m as u64).min(self.upper()) {
            acc += self.ln_pmf(k).exp();
        }
        acc.min(1.0)
    }

    /// `min{y : P(offset + N ≤ y) ≥ p}`.
    pub fn quantile(&self, p: f64) -> u64 {
        let mut acc = 0.0;
        let top = self.upper();
        for k in 0..=top {
            acc += self.ln_pmf(k).exp();
            if acc >= p {
                return self.offset + k;
            }
        }
        self.offset + top
    }

    /// Exact CRPS at `y`: `Σ_x (F(x) − 1{y ≤ x})²` over every whole `x`
    /// (the CRPS of an integer law is this sum, each unit step contributing
    /// its square). Below the offset F = 0, so each count there between `y`
    /// and the offset contributes 1.
    pub fn crps(&self, y: i64) -> f64 {
        let off = self.offset as i64;
        let mut total = 0.0;
        if y < off {
            total += (off - y) as f64;
        }
        let top = self.upper().max((y - off).max(0) as u64);
        let mut cdf = 0.0;
        for k in 0..=top {
            cdf += self.ln_pmf(k).exp();
            let f = cdf.min(1.0);
            let ind = if y <= off + k as i64 { 1.0 } else { 0.0 };
            total += (f - ind) * (f - ind);
        }
        total
    }

    /// Log score `−ln P(offset + N = y)`; infinite if `y` is below the offset.
    pub fn log_score(&self, y: i64) -> f64 {
        let m = y - self.offset as i64;
        if m < 0 {
            return f64::INFINITY;
        }
        -self.ln_pmf(m as u64)
    }

    /// Randomized PIT `F(y − 1) + v (F(y) − F(y − 1))`, `v` from `rng`.
    pub fn pit<R: RngCore>(&self, y: i64, rng: &mut R) -> f64 {
        let lo = self.cdf(y - 1);
        let hi = self.cdf(y);
        lo + uniform(rng) * (hi - lo)
    }

    /// Whether `y` lies in the central 50 % and 90 % intervals.
    pub fn coverage(&self, y: i64) -> Coverage {
        let inside = |c: f64| {
            let lo = self.quantile((1.0 - c) / 2.0) as i64;
            let hi = self.quantile((1.0 + c) / 2.0) as i64;
            lo <= y && y <= hi
        };
        Coverage {
            in50: inside(INTERVALS[0]),
            in90: inside(INTERVALS[1]),
        }
    }

    /// `P(offset + N > k)`: for `k = 0`, the probability that a first event
    /// has come (when the record so far holds none).
    pub fn prob_exceeds(&self, k: u64) -> f64 {
        (1.0 - self.cdf(k as i64)).max(0.0)
    }

    /// Every count score of this law at `y`.
    pub fn scores<R: RngCore>(&self, y: i64, rng: &mut R) -> CountScores {
        let c = self.coverage(y);
        CountScores {
            crps: self.crps(y),
            log_score: self.log_score(y),
            pit: self.pit(y, rng),
            in50: c.in50,
            in90: c.in90,
        }
    }
}

/// Exact CRPS of Poisson(λ) at count `y` (see [`ShiftedPoisson::crps`]).
pub fn crps_poisson(lambda: f64, y: u64) -> f64 {
    ShiftedPoisson { offset: 0, lambda }.crps(y as i64)
}

/// Whether an observation lies in the central 50 % and 90 % intervals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Coverage {
    /// Inside the central 50 % interval (quantiles 0.25 and 0.75).
    pub in50: bool,
    /// Inside the central 90 % interval (quantiles 0.05 and 0.95).
    pub in90: bool,
}

/// Quantile `p` of an ascending sample, type 7 of Hyndman & Fan (1996):
/// linear interpolation between `x_(⌊h⌋)` and `x_(⌊h⌋+1)`, `h = (n − 1)p`
/// (0-based). NaN if empty.
pub fn quantile_sorted(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = (sorted.len() - 1) as f64 * p.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Central 50 % and 90 % interval coverage of `y` by an ascending sample.
pub fn coverage_sorted(sorted: &[f64], y: f64) -> Coverage {
    let inside =
        |c: f64| quantile_sorted(sorted, (1.0 - c) / 2.0) <= y && y <= quantile_sorted(sorted, (1.0 + c) / 2.0);
    Coverage {
        in50: inside(INTERVALS[0]),
        in90: inside(INTERVALS[1]),
    }
}

/// Randomized PIT of count `y` under the empirical law of an ascending
/// sample of counts: `F(y − 1) + v (F(y) − F(y − 1))`, `F(k) = #{x ≤ k}/n`,
/// `v` one uniform draw from `rng`. NaN if the sample is empty (no draw).
pub fn pit_counts<R: RngCore>(sorted: &[u64], y: u64, rng: &mut R) -> f64 {
    debug_assert!(sorted.windows(2).all(|w| w[0] <= w[1]), "sample not sorted");
    if sorted.is_empty() {
        return f64::NAN;
    }
    let n = sorted.len() as f64;
    let below = sorted.partition_point(|&x| x < y) as f64;
    let at_most = sorted.partition_point(|&x| x <= y) as f64;
    (below + uniform(rng) * (at_most - below)) / n
}

/// The smoothed pmf of a sample of counts used by the log score:
/// `p(k) = (n_k + α q(k)) / (n + α)`, α = [`CountPmf::ALPHA`], `q` geometric
/// on {0, 1, …} with mean `x̄ + ½`, `q(k) = (1 − θ) θ^k`, `θ = m/(1 + m)`.
/// Proper because it depends on the sample only (see the module docs).
#[derive(Debug, Clone)]
pub struct CountPmf<'a> {
    sorted: &'a [u64],
    theta: f64,
}

impl<'a> CountPmf<'a> {
    /// Pseudo-observations given to the smoothing law.
    pub const ALPHA: f64 = 1.0;

    /// The smoothed pmf of an ascending sample (may be empty: then it is
    /// the geometric law of mean ½).
    pub fn new(sorted: &'a [u64]) -> CountPmf<'a> {
        debug_assert!(sorted.windows(2).all(|w| w[0] <= w[1]), "sample not sorted");
        let mean = if sorted.is_empty() {
            0.0
        } else {
            sorted.iter().map(|&x| x as f64).sum::<f64>() / sorted.len() as f64
        };
        let m = mean + 0.5;
        CountPmf {
            sorted,
            theta: m / (1.0 + m),
        }
    }

    /// `p(k)`.
    pub fn pmf(&self, k: u64) -> f64 {
        let nk = (self.sorted.partition_point(|&x| x <= k) - self.sorted.partition_point(|&x| x < k)) as f64;
        let q = (1.0 - self.theta) * self.theta.powf(k as f64);
        (nk + Self::ALPHA * q) / (self.sorted.len() as f64 + Self::ALPHA)
    }

    /// Log score `−ln p(y)`.
    pub fn log_score(&self, y: u64) -> f64 {
        -self.pmf(y).ln()
    }
}

/// Log score of count `y` under the smoothed pmf of an ascending sample.
pub fn log_score_counts(sorted: &[u64], y: u64) -> f64 {
    CountPmf::new(sorted).log_score(y)
}

/// Brier score `(p − o)²` of probability `p` (0..=1) for an event that
/// happened (`o = 1`) or not.
pub fn brier(p: f64, happened: bool) -> f64 {
    let o = if happened { 1.0 } else { 0.0 };
    (p - o) * (p - o)
}

/// Brier score of a sample of binary outcomes (the forecast probability is
/// the share of `true`). NaN if empty.
pub fn brier_sample(sample: &[bool], happened: bool) -> f64 {
    if sample.is_empty() {
        return f64::NAN;
    }
    let p = sample.iter().filter(|&&b| b).count() as f64 / sample.len() as f64;
    brier(p, happened)
}

/// Skill `1 − model / baseline` of a mean negatively oriented score. NaN
/// when the baseline scores exactly 0 (no room to improve).
pub fn skill(model: f64, baseline: f64) -> f64 {
    if baseline == 0.0 {
        return f64::NAN;
    }
    1.0 - model / baseline
}

/// The scores of one count forecast at one observation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CountScores {
    /// CRPS (plain estimator for samples; exact for Poisson), in counts.
    pub crps: f64,
    /// `−ln p(y)`, nats.
    pub log_score: f64,
    /// Randomized PIT, 0..=1.
    pub pit: f64,
    /// Inside the central 50 % interval.
    pub in50: bool,
    /// Inside the central 90 % interval.
    pub in90: bool,
}

/// Every count score of a sample of counts at `y`. Sorts a copy; draws one
/// uniform from `rng` (for the PIT).
pub fn score_counts<R: RngCore>(sample: &[u64], y: u64, rng: &mut R) -> CountScores {
    let mut sorted = sample.to_vec();
    sorted.sort_unstable();
    let as_f: Vec<f64> = sorted.iter().map(|&x| x as f64).collect();
    let cov = coverage_sorted(&as_f, y as f64);
    CountScores {
        crps: crps_sorted(&as_f, y as f64),
        log_score: log_score_counts(&sorted, y),
        pit: pit_counts(&sorted, y, rng),
        in50: cov.in50,
        in90: cov.in90,
    }
}

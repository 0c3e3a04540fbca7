//! Approximate Bayesian computation by sequential Monte Carlo (ABC-SMC):
//! the posterior of a simulator's parameters given observed summaries,
//! from simulations alone.
//!
//! **Algorithm** (Beaumont, Cornuet, Marin & Robert 2009, "Adaptive
//! approximate Bayesian computation", Biometrika 96:983; Toni et al. 2009).
//! Generation 0 draws `N` particles from the prior and accepts them all.
//! Generation `t ≥ 1` has tolerance `ε_t` and repeats, until `N` particles
//! are accepted: pick an ancestor `θ_i` of generation `t − 1` with
//! probability `w_i`; perturb it, `θ* = θ_i + L z`, `z ~ N(0, I)`, `L Lᵀ =
//! 2 Σ_{t−1}` (twice the weighted covariance of the previous population,
//! Beaumont et al.'s choice, which Filippi et al. 2013 show near-optimal for
//! a Gaussian kernel); reject it unseen if the prior density is 0; run `R`
//! replicate simulations; accept it if `k ≥ 1` of them fall within `ε_t`.
//! Its weight is
//!
//! `w* ∝ π(θ*) · (k / R) / Σ_i w_i K(θ* | θ_i)`,
//!
//! where `k/R` is the unbiased estimate of the ABC likelihood
//! `P(d ≤ ε | θ*)` from the replicates, so replicates reduce noise without
//! changing the target (pseudo-marginal ABC, Bornn et al. 2017).
//!
//! **Tolerance schedule**: `ε_{t+1}` is the weighted `q`-quantile (default
//! `q = 0.5`, pyabc's median schedule) of the distances of the replicates of
//! generation `t` that fell within `ε_t`, each weighing `w_i / k_i`. When
//! whole-number summaries pile the distances on a few values and the
//! quantile equals `ε_t`, the schedule steps to the largest distance below
//! `ε_t` instead, so it still descends (to 0: exact matching).
//!
//! **Distance**: `d(s, s°) = sqrt(Σ_j ((s_j − s°_j) / m_j)²)`, with `m_j`
//! the median absolute deviation (MAD) of summary `j` over generation 0's
//! prior-predictive simulations, so summaries of different units weigh
//! alike and an outlier does not set the scale (pyabc's `PNormDistance`
//! with MAD scaling, fixed after generation 0 so that tolerances of all
//! generations are comparable). A summary whose MAD is 0 falls back to its
//! mean absolute deviation, then to 1.
//!
//! **Stopping**: after a generation whose tolerance is at most
//! `min_tolerance`, whose acceptance rate (accepted / proposed) is below
//! `min_acceptance`, or at `max_generations`; and before running past
//! `max_simulations` (an unfinished generation is dropped and the previous
//! population returned; proposals rejected unseen for zero prior density
//! count against the same budget, so a kernel that keeps missing the
//! support stops too). A non-finite summary is never within tolerance.
//!
//! **Determinism**: proposal `j` of generation `t` takes all its randomness
//! (ancestor, kernel step, the seeds of its `R` simulations) from the
//! ChaCha stream keyed by `(seed, t, j)`. Proposals run in parallel (rayon)
//! in batches of a fixed size and are accepted in index order, so the
//! result is bit-identical for any thread count, and a run resumed from a
//! generation's [`Checkpoint`] continues exactly as if never interrupted.
//!
//! **Memory** holds two populations (`N` particles, their replicate
//! distances) and one batch of proposals: bounded by the population and
//! batch sizes, not by the number of simulations.

pub mod output;
pub mod prior;

use std::ops::ControlFlow;

use rand::RngCore;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::rng::{TrialRng, categorical, trial_rng, uniform};
pub use prior::{ParamPrior, Uniform};

/// The settings of one calibration. Those that shape the random streams or
/// the target (everything but the stopping rules) must match to resume.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Particles per generation, `N` (>= 2).
    pub population: usize,
    /// Simulations per proposed particle, `R` (>= 1).
    pub replicates: u32,
    /// Quantile `q` of the accepted distances that sets the next tolerance,
    /// in (0, 1).
    pub quantile: f64,
    /// Kernel covariance as a multiple of the population's (2 in Beaumont
    /// et al. 2009), > 0.
    pub kernel_scale: f64,
    /// Proposals simulated per parallel batch (>= 1). Part of the result's
    /// identity: changing it changes which proposals are drawn.
    pub batch: usize,
    /// Master seed.
    pub seed: u64,
    /// Stop once a generation's tolerance is at most this.
    pub min_tolerance: f64,
    /// Stop once a generation's acceptance rate falls below this (0..=1).
    pub min_acceptance: f64,
    /// Never run more simulations than this in total.
    pub max_simulations: u64,
    /// Stop after this many generations (generation 0 included).
    pub max_generations: u32,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            population: 1000,
            replicates: 1,
            quantile: 0.5,
            kernel_scale: 2.0,
            batch: 256,
            seed: 1,
            min_tolerance: 0.0,
            min_acceptance: 0.01,
            max_simulations: 1_000_000,
            max_generations: 20,
        }
    }
}

impl Settings {
    /// Checks every setting's range.
    pub fn check(&self) -> Result<(), CalibrateError> {
        let bad = |field: &'static str, expected: &'static str, found: String| {
            Err(CalibrateError::BadSetting { field, expected, found })
        };
        if self.population < 2 {
            return bad("population", "at least 2", self.population.to_string());
        }
        if self.replicates == 0 {
            return bad("replicates", "at least 1", "0".into());
        }
        if !(self.quantile > 0.0 && self.quantile < 1.0) {
            return bad("quantile", "a number in (0, 1)", self.quantile.to_string());
        }
        if !(self.kernel_scale > 0.0 && self.kernel_scale.is_finite()) {
            return bad("kernel_scale", "a finite number > 0", self.kernel_scale.to_string());
        }
        if self.batch == 0 {
            return bad("batch", "at least 1", "0".into());
        }
        if self.min_tolerance.is_nan() || self.min_tolerance < 0.0 {
            return bad("min_tolerance", "a number >= 0", self.min_tolerance.to_string());
        }
        if !(0.0..=1.0).contains(&self.min_acceptance) {
            return bad("min_acceptance", "a number in [0, 1]", self.min_acceptance.to_string());
        }
        if self.max_generations == 0 {
            return bad("max_generations", "at least 1", "0".into());
        }
        Ok(())
    }

    /// The first setting that differs in a way that forbids resuming.
    fn identity_mismatch(&self, other: &Settings) -> Option<(&'static str, String, String)> {
        macro_rules! cmp {
            ($f:ident) => {
                if self.$f != other.$f {
                    return Some((
                        stringify!($f),
                        format!("{:?}", other.$f),
                        format!("{:?}", self.$f),
                    ));
                }
            };
        }
        cmp!(population);
        cmp!(replicates);
        cmp!(quantile);
        cmp!(kernel_scale);
        cmp!(batch);
        cmp!(seed);
        None
    }
}

/// A calibration that cannot run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CalibrateError {
    /// A setting out of range.
    #[error("calibration setting `{field}`: expected {expected}, found {found}")]
    BadSetting {
        /// The setting.
        field: &'static str,
        /// What is allowed.
        expected: &'static str,
        /// What was given.
        found: String,
    },
    /// No parameters, or no observed summaries.
    #[error("nothing to calibrate: {0}")]
    Empty(&'static str),
    /// An observed summary is NaN or infinite.
    #[error("observed summary {index} is {value}, expected a finite number")]
    NonFiniteObserved {
        /// 0-based index.
        index: usize,
        /// The value.
        value: f64,
    },
    /// The simulator returned the wrong number of summaries.
    #[error("the simulator returned {found} summaries, expected {expected} (one per observed summary)")]
    SummaryLength {
        /// Observed summaries.
        expected: usize,
        /// Returned.
        found: usize,
    },
    /// A prior draw has zero density under the prior itself.
    #[error("parameter {index}'s prior drew {value}, where its own density is 0")]
    PriorOutsideSupport {
        /// 0-based parameter index.
        index: usize,
        /// The draw.
        value: f64,
    },
    /// A checkpoint from a calibration with other settings or data.
    #[error("cannot resume: the checkpoint has {field} = {checkpoint}, this calibration has {now}")]
    ResumeMismatch {
        /// What differs.
        field: &'static str,
        /// The checkpoint's value.
        checkpoint: String,
        /// This run's value.
        now: String,
    },
    /// A checkpoint that does not parse or is inconsistent.
    #[error("cannot read checkpoint: {0}")]
    BadCheckpoint(String),
}

/// Why the calibration stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// The tolerance reached `min_tolerance`.
    Tolerance,
    /// The acceptance rate fell below `min_acceptance`.
    Acceptance,
    /// The next generation would have run past `max_simulations`.
    Budget,
    /// `max_generations` generations ran.
    Generations,
    /// The caller asked to stop (its generation callback returned `Break`).
    Interrupted,
}

/// One generation's record, as `calibration.json` reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GenerationRecord {
    /// 0-based generation.
    pub generation: u32,
    /// Tolerance `ε_t` (None for generation 0, which accepts everything).
    pub tolerance: Option<f64>,
    /// Proposals drawn (including those rejected unseen for zero prior
    /// density).
    pub proposals: u64,
    /// Simulations run in this generation.
    pub simulations: u64,
    /// Accepted / proposed, 0..=1.
    pub acceptance_rate: f64,
    /// Effective sample size of the weights, `(Σw)² / Σw²`.
    pub ess: f64,
}

/// A weighted population of particles.
#[derive(Debug, Clone, PartialEq)]
pub struct Population {
    /// Parameters per particle.
    pub dim: usize,
    /// Row-major `N × dim` parameter values.
    pub particles: Vec<f64>,
    /// Normalised weights (sum 1), one per particle.
    pub weights: Vec<f64>,
    /// Per particle, the distances of its replicates that fell within the
    /// generation's tolerance (`≥ 1` each).
    pub distances: Vec<Vec<f64>>,
}

impl Population {
    /// Particles.
    pub fn len(&self) -> usize {
        self.weights.len()
    }
    /// No particles.
    pub fn is_empty(&self) -> bool {
        self.weights.is_empty()
    }
    /// Particle `i`'s parameters.
    pub fn particle(&self, i: usize) -> &[f64] {
        &self.particles[i * self.dim..(i + 1) * self.dim]
    }
    /// Effective sample size `(Σw)² / Σw²`.
    pub fn ess(&self) -> f64 {
        let s: f64 = self.weights.iter().sum();
        let s2: f64 = self.weights.iter().map(|w| w * w).sum();
        s * s / s2
    }
    /// Weighted mean of parameter `k`.
    pub fn mean(&self, k: usize) -> f64 {
        (0..self.len()).map(|i| self.weights[i] * self.particle(i)[k]).sum()
    }
    /// Weighted covariance matrix (row-major `dim × dim`), normalised by
    /// `Σw = 1` (the plug-in estimate Beaumont et al. use).
    pub fn covariance(&self) -> Vec<f64> {
        let d = self.dim;
        let means: Vec<f64> = (0..d).map(|k| self.mean(k)).collect();
        let mut c = vec![0.0; d * d];
        for i in 0..self.len() {
            let p = self.particle(i);
            for a in 0..d {
                for b in 0..=a {
                    c[a * d + b] += self.weights[i] * (p[a] - means[a]) * (p[b] - means[b]);
                }
            }
        }
        for a in 0..d {
            for b in 0..a {
                c[b * d + a] = c[a * d + b];
            }
        }
        c
    }
}

/// Everything needed to continue a calibration after generation
/// `generation`: serialise it (serde JSON) after each generation and pass
/// it back to [`run`] to resume. Floats are stored as their IEEE bits so a
/// resumed run is bit-identical to an uninterrupted one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    /// Format version.
    pub format: u32,
    /// The settings it ran with.
    pub settings: Settings,
    /// Observed summaries (bits).
    observed: Vec<u64>,
    /// Parameters.
    dim: usize,
    /// MAD scales (bits).
    scales: Vec<u64>,
    /// The last completed generation.
    pub generation: u32,
    /// Particles, row-major (bits).
    particles: Vec<u64>,
    /// Weights (bits).
    weights: Vec<u64>,
    /// Within-tolerance replicate distances per particle (bits).
    distances: Vec<Vec<u64>>,
    /// Simulations so far.
    pub simulations: u64,
    /// Records of the generations so far.
    pub records: Vec<GenerationRecord>,
}

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

fn unbits(v: &[u64]) -> Vec<f64> {
    v.iter().map(|&b| f64::from_bits(b)).collect()
}

impl Checkpoint {
    const FORMAT: u32 = 1;

    /// The checkpoint as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a checkpoint always serialises")
    }

    /// A checkpoint from JSON.
    pub fn from_json(text: &str) -> Result<Checkpoint, CalibrateError> {
        let c: Checkpoint = serde_json::from_str(text).map_err(|e| CalibrateError::BadCheckpoint(e.to_string()))?;
        let n = c.weights.len();
        if c.format != Self::FORMAT
            || c.particles.len() != n * c.dim
            || c.distances.len() != n
            || c.records.len() != c.generation as usize + 1
        {
            return Err(CalibrateError::BadCheckpoint(
                "inconsistent sizes or an unknown format version".into(),
            ));
        }
        Ok(c)
    }

    /// The population it holds.
    pub fn population(&self) -> Population {
        Population {
            dim: self.dim,
            particles: unbits(&self.particles),
            weights: unbits(&self.weights),
            distances: self.distances.iter().map(|d| unbits(d)).collect(),
        }
    }
}

/// The result of a calibration.
#[derive(Debug, Clone, PartialEq)]
pub struct Calibration {
    /// The final population: the posterior sample.
    pub population: Population,
    /// One record per completed generation.
    pub records: Vec<GenerationRecord>,
    /// MAD scale of each summary.
    pub scales: Vec<f64>,
    /// Simulations run in total (all sessions, if resumed).
    pub simulations: u64,
    /// Why it stopped.
    pub stop: StopReason,
}

/// Mixes `(seed, generation)` into a ChaCha key (SplitMix64 finaliser), so
/// each generation has its own family of streams.
fn generation_key(seed: u64, generation: u32) -> u64 {
    let mut z = seed ^ (u64::from(generation).wrapping_add(1)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Proposal `j` of generation `t`'s stream.
fn proposal_rng(seed: u64, generation: u32, j: u64) -> TrialRng {
    trial_rng(generation_key(seed, generation), j)
}

/// A standard normal draw (Box–Muller, cosine branch).
fn std_normal(rng: &mut TrialRng) -> f64 {
    let u1 = 1.0 - uniform(rng);
    let u2 = uniform(rng);
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

/// Lower Cholesky factor of a symmetric `d × d` matrix; a diagonal jitter
/// grows until it is positive definite (a collapsed parameter keeps a tiny
/// step instead of none).
fn cholesky(m: &[f64], d: usize) -> Vec<f64> {
    let scale = (0..d).map(|i| m[i * d + i].abs()).fold(0.0, f64::max).max(1e-300);
    let mut jitter = 0.0;
    loop {
        let mut l = vec![0.0; d * d];
        let mut ok = true;
        'outer: for i in 0..d {
            for j in 0..=i {
                let mut s = m[i * d + j] + if i == j { jitter } else { 0.0 };
                for k in 0..j {
                    s -= l[i * d + k] * l[j * d + k];
                }
                if i == j {
                    if s.is_nan() || s <= 0.0 {
                        ok = false;
                        break 'outer;
                    }
                    l[i * d + i] = s.sqrt();
                } else {
                    l[i * d + j] = s / l[j * d + j];
                }
            }
        }
        if ok {
            return l;
        }
        jitter = if jitter == 0.0 { scale * 1e-10 } else { jitter * 10.0 };
    }
}

/// The mixture `Σ_i w_i K(θ | θ_i)` of one generation's Gaussian kernels,
/// `ln K(θ | θ_i) = -½ |L⁻¹ (θ − θ_i)|²` (unnormalised, covariance `L Lᵀ`),
/// evaluated for every accepted proposal: `N` kernels of `d²/2`
/// multiply-adds each, the inner loop of ABC-SMC once its simulations are
/// done (issue 18 part 4).
///
/// Laid out for that loop: the particles dimension-major (parameter `k` of
/// every particle contiguous) and their `ln w_i` computed once per
/// generation, so the forward substitution runs over all particles at once,
/// one parameter row at a time, in packed (SIMD) arithmetic. Each
/// particle's sum is still formed in the order of the scalar substitution
/// (`s = x_k; s −= L_kj y_j` for `j < k`; `y_k = s / L_kk`; `q += y_k²`), and
/// packed IEEE operations round each lane as scalar ones do, so every
/// weight, and every byte of a calibration, is as before this layout
/// (`kernel_mixture_is_scalar_bitwise`).
struct Kernel {
    dim: usize,
    n: usize,
    /// `cols[k * n + i]`: parameter `k` of particle `i`.
    cols: Vec<f64>,
    /// `ln w_i`.
    ln_w: Vec<f64>,
}

impl Kernel {
    fn new(pop: &Population) -> Kernel {
        let (dim, n) = (pop.dim, pop.len());
        let mut cols = vec![0.0; dim * n];
        for i in 0..n {
            for (k, &x) in pop.particle(i).iter().enumerate() {
                cols[k * n + i] = x;
            }
        }
        Kernel {
            dim,
            n,
            cols,
            ln_w: pop.weights.iter().map(|w| w.ln()).collect(),
        }
    }

    /// `ln Σ_i w_i K(θ | θ_i)` by log-sum-exp against the largest term;
    /// `y` and `q` are scratch of any length (`d · N` and `N` once used).
    fn ln_mixture(&self, l: &[f64], theta: &[f64], y: &mut Vec<f64>, q: &mut Vec<f64>) -> f64 {
        let (d, n) = (self.dim, self.n);
        // Row k of `y` is `(θ − θ_i)_k` for every particle, then, once
        // the rows before it are done, `y_k = (x_k − Σ_{j<k} L_kj y_j) / L_kk`.
        y.clear();
        for (k, &t) in theta.iter().enumerate().take(d) {
            y.extend(self.cols[k * n..(k + 1) * n].iter().map(|&c| t - c));
        }
        q.clear();
        q.resize(n, 0.0);
        for k in 0..d {
            let (done, rest) = y.split_at_mut(k * n);
            let yk = &mut rest[..n];
            for j in 0..k {
                let c = l[k * d + j];
                let yj = &done[j * n..(j + 1) * n];
                for i in 0..n {
                    yk[i] -= c * yj[i];
                }
            }
            let diag = l[k * d + k];
            let q = &mut q[..n];
            for i in 0..n {
                let a = yk[i] / diag;
                yk[i] = a;
                q[i] += a * a;
            }
        }
        // lks_i = ln w_i + (−½ q_i), then log-sum-exp in particle order.
        let ln_w = &self.ln_w[..n];
        for i in 0..n {
            q[i] = ln_w[i] + -0.5 * q[i];
        }
        let top = q.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        top + q.iter().map(|x| (x - top).exp()).sum::<f64>().ln()
    }
}

/// Median absolute deviation of `v` (sorted copy).
fn mad(v: &[f64]) -> f64 {
    let med = |s: &mut Vec<f64>| {
        s.sort_by(f64::total_cmp);
        let n = s.len();
        if n % 2 == 1 {
            s[n / 2]
        } else {
            0.5 * (s[n / 2 - 1] + s[n / 2])
        }
    };
    let mut s = v.to_vec();
    let m = med(&mut s);
    let mut dev: Vec<f64> = v.iter().map(|x| (x - m).abs()).collect();
    med(&mut dev)
}

/// Robust scale of one summary: MAD, else mean absolute deviation, else 1.
fn robust_scale(v: &[f64]) -> f64 {
    let m = mad(v);
    if m > 0.0 && m.is_finite() {
        return m;
    }
    let mean = v.iter().sum::<f64>() / v.len() as f64;
    let mean_abs = v.iter().map(|x| (x - mean).abs()).sum::<f64>() / v.len() as f64;
    if mean_abs > 0.0 && mean_abs.is_finite() {
        mean_abs
    } else {
        1.0
    }
}

/// The scaled Euclidean distance of simulated summaries from the observed.
pub fn distance(sim: &[f64], observed: &[f64], scales: &[f64]) -> f64 {
    sim.iter()
        .zip(observed)
        .zip(scales)
        .map(|((s, o), m)| ((s - o) / m).powi(2))
        .sum::<f64>()
        .sqrt()
}

/// Weighted `q`-quantile: the smallest value whose cumulative weight
/// reaches `q` of the total.
fn weighted_quantile(mut pairs: Vec<(f64, f64)>, q: f64) -> f64 {
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = pairs.iter().map(|p| p.1).sum();
    let mut acc = 0.0;
    for &(x, w) in &pairs {
        acc += w;
        if acc >= q * total {
            return x;
        }
    }
    pairs.last().map_or(f64::INFINITY, |p| p.0)
}

/// The next tolerance from a population's within-tolerance distances and
/// the current tolerance: the weighted quantile, or, when that does not
/// fall below `current` (discrete summaries pile distances on a few
/// values), the largest distance strictly below `current`.
fn next_tolerance(pop: &Population, q: f64, current: f64) -> f64 {
    let mut pairs = Vec::new();
    for (i, d) in pop.distances.iter().enumerate() {
        let w = pop.weights[i] / d.len() as f64;
        pairs.extend(d.iter().map(|&x| (x, w)));
    }
    let below = pairs
        .iter()
        .map(|p| p.0)
        .filter(|&x| x < current)
        .fold(f64::NEG_INFINITY, f64::max);
    let eps = weighted_quantile(pairs, q);
    if eps < current || below == f64::NEG_INFINITY {
        eps
    } else {
        below
    }
}

fn simulate<S>(sim: &S, theta: &[f64], seed: u64, expected: usize) -> Result<Vec<f64>, CalibrateError>
where
    S: Fn(&[f64], u64) -> Vec<f64>,
{
    let s = sim(theta, seed);
    if s.len() != expected {
        return Err(CalibrateError::SummaryLength {
            expected,
            found: s.len(),
        });
    }
    Ok(s)
}

/// Runs (or resumes) ABC-SMC.
///
/// `simulator(θ, seed)` returns one summary per observed summary; `prior`
/// holds one marginal per parameter. After each completed generation
/// `on_generation` receives the checkpoint to save and may stop the run
/// (`ControlFlow::Break`, reported as [`StopReason::Interrupted`]).
pub fn run<S, P>(
    simulator: &S,
    prior: &[P],
    observed: &[f64],
    settings: &Settings,
    resume: Option<Checkpoint>,
    mut on_generation: impl FnMut(&Checkpoint) -> ControlFlow<()>,
) -> Result<Calibration, CalibrateError>
where
    S: Fn(&[f64], u64) -> Vec<f64> + Sync,
    P: ParamPrior,
{
    check_inputs(prior.len(), observed, settings)?;
    let dim = prior.len();
    let r = settings.replicates;
    let (mut pop, scales, mut records, mut sims, start) = match resume {
        Some(c) => resumed(c, settings, dim, observed)?,
        None => {
            let (pop, scales, rec) = generation_zero(simulator, prior, observed, settings)?;
            let sims = rec.simulations;
            (pop, scales, vec![rec], sims, 1)
        }
    };
    let checkpoint = |pop: &Population, records: &[GenerationRecord], sims: u64| Checkpoint {
        format: Checkpoint::FORMAT,
        settings: settings.clone(),
        observed: bits(observed),
        dim,
        scales: bits(&scales),
        generation: records.len() as u32 - 1,
        particles: bits(&pop.particles),
        weights: bits(&pop.weights),
        distances: pop.distances.iter().map(|d| bits(d)).collect(),
        simulations: sims,
        records: records.to_vec(),
    };
    if start == 1 && on_generation(&checkpoint(&pop, &records, sims)).is_break() {
        return Ok(Calibration {
            population: pop,
            records,
            scales,
            simulations: sims,
            stop: StopReason::Interrupted,
        });
    }
    let mut generation = start;
    let stop = loop {
        if let Some(stop) = stop_reason(&records, settings, generation) {
            break stop;
        }
        let current = records.last().and_then(|r| r.tolerance).unwrap_or(f64::INFINITY);
        let eps = next_tolerance(&pop, settings.quantile, current);
        let cov = pop.covariance();
        let scaled: Vec<f64> = cov.iter().map(|c| c * settings.kernel_scale).collect();
        let l = cholesky(&scaled, dim);
        let cum: Vec<f64> = pop
            .weights
            .iter()
            .scan(0.0, |acc, w| {
                *acc += w;
                Some(*acc)
            })
            .collect();
        let kernel = Kernel::new(&pop);
        let ctx = Step {
            prior,
            observed,
            scales: &scales,
            pop: &pop,
            cum: &cum,
            kernel: &kernel,
            l: &l,
            eps,
            replicates: r,
            seed: settings.seed,
            generation,
        };
        let Some((mut next, proposals, gen_sims)) = sample_generation(simulator, &ctx, settings, sims)? else {
            break StopReason::Budget;
        };
        normalise_log_weights(&mut next.weights);
        sims += gen_sims;
        records.push(GenerationRecord {
            generation,
            tolerance: Some(eps),
            proposals,
            simulations: gen_sims,
            acceptance_rate: settings.population as f64 / proposals as f64,
            ess: next.ess(),
        });
        pop = next;
        generation += 1;
        if on_generation(&checkpoint(&pop, &records, sims)).is_break() {
            break StopReason::Interrupted;
        }
    };
    Ok(Calibration {
        population: pop,
        records,
        scales,
        simulations: sims,
        stop,
    })
}

/// Checks the settings, that the prior (of `prior_len` parameters) and the
/// observed summaries are non-empty, and that every observed summary is
/// finite.
fn check_inputs(prior_len: usize, observed: &[f64], settings: &Settings) -> Result<(), CalibrateError> {
    settings.check()?;
    if prior_len == 0 {
        return Err(CalibrateError::Empty("the prior has no parameters"));
    }
    if observed.is_empty() {
        return Err(CalibrateError::Empty("no observed summaries"));
    }
    if let Some((index, &value)) = observed.iter().enumerate().find(|(_, x)| !x.is_finite()) {
        return Err(CalibrateError::NonFiniteObserved { index, value });
    }
    Ok(())
}

/// The state a run continues from: population, distance scales,
/// generation records, simulations so far, and the next generation.
type RunState = (Population, Vec<f64>, Vec<GenerationRecord>, u64, u32);

/// The state to resume from checkpoint `c`, after checking that it was
/// made with the same settings, number of parameters and observed
/// summaries.
fn resumed(c: Checkpoint, settings: &Settings, dim: usize, observed: &[f64]) -> Result<RunState, CalibrateError> {
    if let Some((field, checkpoint, now)) = settings.identity_mismatch(&c.settings) {
        return Err(CalibrateError::ResumeMismatch { field, checkpoint, now });
    }
    if c.dim != dim {
        return Err(CalibrateError::ResumeMismatch {
            field: "parameters",
            checkpoint: c.dim.to_string(),
            now: dim.to_string(),
        });
    }
    if unbits(&c.observed) != observed {
        return Err(CalibrateError::ResumeMismatch {
            field: "observed summaries",
            checkpoint: format!("{:?}", unbits(&c.observed)),
            now: format!("{observed:?}"),
        });
    }
    let pop = c.population();
    Ok((pop, unbits(&c.scales), c.records, c.simulations, c.generation + 1))
}

/// Why the run stops before sampling `generation`, if it does: the last
/// generation reached the minimum tolerance or fell below the minimum
/// acceptance rate, or the generation limit is reached.
fn stop_reason(records: &[GenerationRecord], settings: &Settings, generation: u32) -> Option<StopReason> {
    let last = records.last().expect("generation 0 ran");
    if let Some(eps) = last.tolerance {
        if eps <= settings.min_tolerance {
            return Some(StopReason::Tolerance);
        }
        if last.acceptance_rate < settings.min_acceptance {
            return Some(StopReason::Acceptance);
        }
    }
    if generation >= settings.max_generations {
        return Some(StopReason::Generations);
    }
    None
}

/// Proposes particles in parallel batches until `settings.population` are
/// accepted: the new population (log weights, not yet normalised), the
/// proposals made and the simulations they cost, or `None` when the
/// simulation budget (with `sims` already spent) would be exceeded.
fn sample_generation<S, P>(
    simulator: &S,
    ctx: &Step<'_, P>,
    settings: &Settings,
    sims: u64,
) -> Result<Option<(Population, u64, u64)>, CalibrateError>
where
    S: Fn(&[f64], u64) -> Vec<f64> + Sync,
    P: ParamPrior,
{
    let dim = ctx.pop.dim;
    let mut next = Population {
        dim,
        particles: Vec::with_capacity(settings.population * dim),
        weights: Vec::with_capacity(settings.population),
        distances: Vec::with_capacity(settings.population),
    };
    let mut proposals = 0u64;
    let mut gen_sims = 0u64;
    let mut j0 = 0u64;
    while next.len() < settings.population {
        let results: Vec<Result<Proposal, CalibrateError>> = (j0..j0 + settings.batch as u64)
            .into_par_iter()
            .map_init(Scratch::default, |scratch, j| ctx.propose(simulator, j, scratch))
            .collect();
        for res in results {
            let p = res?;
            if sims + gen_sims + p.simulations > settings.max_simulations {
                return Ok(None);
            }
            proposals += 1;
            gen_sims += p.simulations;
            // Proposals outside the prior cost no simulation; a kernel
            // that keeps missing the support must still stop.
            if proposals > settings.max_simulations {
                return Ok(None);
            }
            if let Some(w) = p.weight {
                next.particles.extend_from_slice(&p.theta);
                next.weights.push(w);
                next.distances.push(p.within);
                if next.len() == settings.population {
                    return Ok(Some((next, proposals, gen_sims)));
                }
            }
        }
        j0 += settings.batch as u64;
    }
    Ok(Some((next, proposals, gen_sims)))
}

/// Turns log weights into weights summing to 1, normalising against the
/// largest.
fn normalise_log_weights(weights: &mut [f64]) {
    let top = weights.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    for w in weights.iter_mut() {
        *w = (*w - top).exp();
    }
    let total: f64 = weights.iter().sum();
    for w in weights.iter_mut() {
        *w /= total;
    }
}

/// A prior draw and its replicates' summaries.
type Draw = (Vec<f64>, Vec<Vec<f64>>);

/// Generation 0: `N` prior draws, all accepted with equal weight; fixes the
/// MAD scales.
fn generation_zero<S, P>(
    simulator: &S,
    prior: &[P],
    observed: &[f64],
    settings: &Settings,
) -> Result<(Population, Vec<f64>, GenerationRecord), CalibrateError>
where
    S: Fn(&[f64], u64) -> Vec<f64> + Sync,
    P: ParamPrior,
{
    let n = settings.population;
    let dim = prior.len();
    let r = settings.replicates;
    let draws: Vec<Result<Draw, CalibrateError>> = (0..n as u64)
        .into_par_iter()
        .map(|j| {
            let mut rng = proposal_rng(settings.seed, 0, j);
            let theta: Vec<f64> = prior.iter().map(|p| p.sample(&mut rng)).collect();
            for (index, (p, &value)) in prior.iter().zip(&theta).enumerate() {
                if !p.ln_density(value).is_finite() {
                    return Err(CalibrateError::PriorOutsideSupport { index, value });
                }
            }
            let seeds: Vec<u64> = (0..r).map(|_| rng.next_u64()).collect();
            let sums = seeds
                .iter()
                .map(|&s| simulate(simulator, &theta, s, observed.len()))
                .collect::<Result<Vec<_>, _>>()?;
            Ok((theta, sums))
        })
        .collect();
    let draws = draws.into_iter().collect::<Result<Vec<_>, _>>()?;
    let scales: Vec<f64> = (0..observed.len())
        .map(|k| {
            let col: Vec<f64> = draws.iter().flat_map(|(_, s)| s.iter().map(move |v| v[k])).collect();
            robust_scale(&col)
        })
        .collect();
    let mut pop = Population {
        dim,
        particles: Vec::with_capacity(n * dim),
        weights: vec![1.0 / n as f64; n],
        distances: Vec::with_capacity(n),
    };
    for (theta, sums) in &draws {
        pop.particles.extend_from_slice(theta);
        pop.distances
            .push(sums.iter().map(|s| distance(s, observed, &scales)).collect());
    }
    let rec = GenerationRecord {
        generation: 0,
        tolerance: None,
        proposals: n as u64,
        simulations: n as u64 * u64::from(r),
        acceptance_rate: 1.0,
        ess: pop.ess(),
    };
    Ok((pop, scales, rec))
}

/// What one generation's proposals share.
struct Step<'a, P> {
    prior: &'a [P],
    observed: &'a [f64],
    scales: &'a [f64],
    pop: &'a Population,
    cum: &'a [f64],
    kernel: &'a Kernel,
    l: &'a [f64],
    eps: f64,
    replicates: u32,
    seed: u64,
    generation: u32,
}

/// A worker's buffers for [`Kernel::ln_mixture`], kept from proposal to
/// proposal (`d · N` and `N` values: 144 KB at N = 2,000, d = 9).
#[derive(Default)]
struct Scratch {
    y: Vec<f64>,
    q: Vec<f64>,
}

/// One proposal's fate.
struct Proposal {
    theta: Vec<f64>,
    simulations: u64,
    /// Log of the unnormalised weight, if accepted.
    weight: Option<f64>,
    within: Vec<f64>,
}

impl<P: ParamPrior> Step<'_, P> {
    fn propose<S>(&self, simulator: &S, j: u64, scratch: &mut Scratch) -> Result<Proposal, CalibrateError>
    where
        S: Fn(&[f64], u64) -> Vec<f64>,
    {
        let d = self.pop.dim;
        let mut rng = proposal_rng(self.seed, self.generation, j);
        let anc = categorical(&mut rng, self.cum);
        let z: Vec<f64> = (0..d).map(|_| std_normal(&mut rng)).collect();
        let base = self.pop.particle(anc);
        let theta: Vec<f64> = (0..d)
            .map(|i| base[i] + (0..=i).map(|k| self.l[i * d + k] * z[k]).sum::<f64>())
            .collect();
        let ln_prior = prior::ln_density(self.prior, &theta);
        if !ln_prior.is_finite() {
            return Ok(Proposal {
                theta,
                simulations: 0,
                weight: None,
                within: Vec::new(),
            });
        }
        let seeds: Vec<u64> = (0..self.replicates).map(|_| rng.next_u64()).collect();
        let mut within = Vec::new();
        for &s in &seeds {
            let sum = simulate(simulator, &theta, s, self.observed.len())?;
            let dist = distance(&sum, self.observed, self.scales);
            if dist <= self.eps {
                within.push(dist);
            }
        }
        let weight = if within.is_empty() {
            None
        } else {
            // Σ_i w_i K(θ* | θ_i), by log-sum-exp against the largest term.
            let denom = self.kernel.ln_mixture(self.l, &theta, &mut scratch.y, &mut scratch.q);
            let frac = within.len() as f64 / f64::from(self.replicates);
            Some(ln_prior - denom + frac.ln())
        };
        Ok(Proposal {
            theta,
            simulations: u64::from(self.replicates),
            weight,
            within,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The scalar mixture as the proposal computed it before [`Kernel`]:
    /// particle by particle, `ln w_i` then the forward substitution.
    fn scalar_ln_mixture(pop: &Population, l: &[f64], theta: &[f64]) -> f64 {
        let d = pop.dim;
        let mut scratch = vec![0.0; d];
        let lks: Vec<f64> = (0..pop.len())
            .map(|i| {
                let p = pop.particle(i);
                let mut q = 0.0;
                for k in 0..d {
                    let mut s = theta[k] - p[k];
                    for j in 0..k {
                        s -= l[k * d + j] * scratch[j];
                    }
                    scratch[k] = s / l[k * d + k];
                    q += scratch[k] * scratch[k];
                }
                pop.weights[i].ln() + -0.5 * q
            })
            .collect();
        let top = lks.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        top + lks.iter().map(|x| (x - top).exp()).sum::<f64>().ln()
    }

    #[test]
    fn kernel_mixture_is_scalar_bitwise() {
        let mut rng = trial_rng(20240124, 0);
        let (mut y, mut q) = (Vec::new(), Vec::new());
        let mut cases = 0;
        for d in 1..=10 {
            // Odd and even populations: the packed loops' remainders.
            for n in [1usize, 2, 3, 7, 64, 301] {
                let particles: Vec<f64> = (0..n * d).map(|_| 10.0 * std_normal(&mut rng)).collect();
                let mut weights: Vec<f64> = (0..n).map(|_| uniform(&mut rng)).collect();
                if n > 2 {
                    weights[1] = 0.0; // ln 0 = −∞: a particle that cannot be an ancestor
                }
                let pop = Population {
                    dim: d,
                    particles,
                    weights,
                    distances: vec![Vec::new(); n],
                };
                let cov = pop.covariance();
                let l = cholesky(&cov.iter().map(|c| 2.0 * c).collect::<Vec<_>>(), d);
                let kernel = Kernel::new(&pop);
                for _ in 0..5 {
                    let theta: Vec<f64> = (0..d).map(|_| 10.0 * std_normal(&mut rng)).collect();
                    let want = scalar_ln_mixture(&pop, &l, &theta);
                    let got = kernel.ln_mixture(&l, &theta, &mut y, &mut q);
                    assert_eq!(got.to_bits(), want.to_bits(), "d = {d}, n = {n}: {got} vs {want}");
                    cases += 1;
                }
            }
        }
        assert_eq!(cases, 300);
    }
}

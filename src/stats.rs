//! Streaming statistics for `summary.csv`, in constant memory per metric.
//!
//! * Outcome probabilities carry the Wilson (1927) score interval,
//!   `(p̂ + z²/2n ± z·sqrt(p̂(1-p̂)/n + z²/4n²)) / (1 + z²/n)`, z = 1.96:
//!   unlike the normal interval it stays inside [0, 1] and keeps its
//!   coverage near 0 and 1.
//! * Mean and standard deviation by Welford's (1962) update.
//! * Quantiles of whole-number metrics are exact, from counts per distinct
//!   value (memory grows with the range of values, not trials): a dense
//!   table indexed by the value for `0..4096`, an ordered map beyond, so
//!   that adding a trial is one increment (issue 18's serial share). Quantiles of
//!   real-valued metrics are the P² estimates of Jain and Chlamtac (1985):
//!   five markers per quantile, adjusted by piecewise-parabolic
//!   interpolation; exact for the first five observations.
//!
//! Exact quantiles use the "inverse of the empirical CDF" definition
//! (type 1 of Hyndman and Fan 1996): the smallest x with F(x) >= p.

use std::collections::BTreeMap;

/// The quantile levels reported.
pub const QUANTILES: [f64; 5] = [0.05, 0.25, 0.5, 0.75, 0.95];

/// z for a two-sided 95 % interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// Wilson score interval for `k` successes in `n` trials at normal quantile
/// `z`. Returns (low, high); (0, 1) when n = 0.
pub fn wilson(k: u64, n: u64, z: f64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let n = n as f64;
    let p = k as f64 / n;
    let z2 = z * z;
    let denom = 1.0 + z2 / n;
    let center = (p + z2 / (2.0 * n)) / denom;
    let half = z / denom * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    let lo = if k == 0 { 0.0 } else { (center - half).max(0.0) };
    let hi = if k as f64 == n { 1.0 } else { (center + half).min(1.0) };
    (lo, hi)
}

/// Welford running mean and variance, with min and max.
#[derive(Debug, Clone, Default)]
pub struct Moments {
    n: u64,
    mean: f64,
    m2: f64,
    min: f64,
    max: f64,
}

impl Moments {
    /// Adds one observation.
    pub fn push(&mut self, x: f64) {
        self.n += 1;
        if self.n == 1 {
            self.min = x;
            self.max = x;
        } else {
            self.min = self.min.min(x);
            self.max = self.max.max(x);
        }
        let d = x - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (x - self.mean);
    }
    /// Observations so far.
    pub fn n(&self) -> u64 {
        self.n
    }
    /// Sample mean (NaN if empty).
    pub fn mean(&self) -> f64 {
        if self.n == 0 { f64::NAN } else { self.mean }
    }
    /// Sample standard deviation, n - 1 denominator (NaN if n < 2).
    pub fn sd(&self) -> f64 {
        if self.n < 2 {
            f64::NAN
        } else {
            (self.m2 / (self.n - 1) as f64).sqrt()
        }
    }
    /// Smallest observation.
    pub fn min(&self) -> f64 {
        if self.n == 0 { f64::NAN } else { self.min }
    }
    /// Largest observation.
    pub fn max(&self) -> f64 {
        if self.n == 0 { f64::NAN } else { self.max }
    }
}

/// Values in `0..DENSE_MAX` are counted in a dense table, the rest in an
/// ordered map: counts of days, events and casualties are small whole
/// numbers, so a push is one indexed increment.
const DENSE_MAX: i64 = 1 << 12;

/// Exact quantiles of whole numbers from counts per value: a dense table
/// for `0..DENSE_MAX` (grown to the largest value seen, so memory follows
/// the range of values, not the trials), an ordered map for the rest.
/// Either way the counts are the same, so the quantiles are too.
#[derive(Debug, Clone, Default)]
pub struct ExactQuantiles {
    dense: Vec<u64>,
    sparse: BTreeMap<i64, u64>,
    n: u64,
}

impl ExactQuantiles {
    /// Adds one whole-number observation.
    #[inline]
    pub fn push(&mut self, x: i64) {
        self.n += 1;
        if (0..DENSE_MAX).contains(&x) {
            let i = x as usize;
            if let Some(c) = self.dense.get_mut(i) {
                *c += 1;
                return;
            }
            // A new largest value: grow the table (rare, amortised).
            self.dense.resize(i + 1, 0);
            self.dense[i] = 1;
        } else {
            *self.sparse.entry(x).or_insert(0) += 1;
        }
    }

    /// (value, count) for every value seen, in increasing order.
    fn counts(&self) -> impl Iterator<Item = (i64, u64)> + '_ {
        let below = self.sparse.range(..0).map(|(&x, &c)| (x, c));
        let dense = self
            .dense
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .map(|(x, &c)| (x as i64, c));
        let above = self.sparse.range(DENSE_MAX..).map(|(&x, &c)| (x, c));
        below.chain(dense).chain(above)
    }

    /// The smallest x with F(x) >= p (NaN if empty).
    pub fn quantile(&self, p: f64) -> f64 {
        if self.n == 0 {
            return f64::NAN;
        }
        let target = ((p * self.n as f64).ceil() as u64).max(1);
        let mut acc = 0;
        let mut last = 0;
        for (x, c) in self.counts() {
            acc += c;
            last = x;
            if acc >= target {
                return x as f64;
            }
        }
        last as f64
    }

    /// How many times `x` was seen.
    pub fn count_of(&self, x: i64) -> u64 {
        if (0..DENSE_MAX).contains(&x) {
            self.dense.get(x as usize).copied().unwrap_or(0)
        } else {
            self.sparse.get(&x).copied().unwrap_or(0)
        }
    }

    /// Distinct values seen.
    pub fn distinct(&self) -> usize {
        self.dense.iter().filter(|c| **c > 0).count() + self.sparse.len()
    }
}

/// The P² estimate of one quantile (Jain and Chlamtac 1985).
#[derive(Debug, Clone)]
pub struct P2 {
    p: f64,
    n: [f64; 5],
    np: [f64; 5],
    dn: [f64; 5],
    q: [f64; 5],
    count: usize,
}

impl P2 {
    /// An estimator of the `p` quantile.
    pub fn new(p: f64) -> P2 {
        P2 {
            p,
            n: [0.0, 1.0, 2.0, 3.0, 4.0],
            np: [0.0, 2.0 * p, 4.0 * p, 2.0 + 2.0 * p, 4.0],
            dn: [0.0, p / 2.0, p, (1.0 + p) / 2.0, 1.0],
            q: [0.0; 5],
            count: 0,
        }
    }

    /// Adds one observation.
    pub fn push(&mut self, x: f64) {
        if self.count < 5 {
            self.q[self.count] = x;
            self.count += 1;
            if self.count == 5 {
                self.q.sort_by(f64::total_cmp);
            }
            return;
        }
        self.count += 1;
        let k = if x < self.q[0] {
            self.q[0] = x;
            0
        } else if x >= self.q[4] {
            self.q[4] = x;
            3
        } else {
            (1..5).find(|&i| x < self.q[i]).expect("x < q[4]") - 1
        };
        for i in k + 1..5 {
            self.n[i] += 1.0;
        }
        for i in 0..5 {
            self.np[i] += self.dn[i];
        }
        for i in 1..4 {
            let d = self.np[i] - self.n[i];
            if (d >= 1.0 && self.n[i + 1] - self.n[i] > 1.0) || (d <= -1.0 && self.n[i - 1] - self.n[i] < -1.0) {
                let s = d.signum();
                let qp = self.parabolic(i, s);
                self.q[i] = if self.q[i - 1] < qp && qp < self.q[i + 1] {
                    qp
                } else {
                    self.linear(i, s)
                };
                self.n[i] += s;
            }
        }
    }

    fn parabolic(&self, i: usize, s: f64) -> f64 {
        let (n, q) = (&self.n, &self.q);
        q[i] + s / (n[i + 1] - n[i - 1])
            * ((n[i] - n[i - 1] + s) * (q[i + 1] - q[i]) / (n[i + 1] - n[i])
                + (n[i + 1] - n[i] - s) * (q[i] - q[i - 1]) / (n[i] - n[i - 1]))
    }

    fn linear(&self, i: usize, s: f64) -> f64 {
        let j = if s > 0.0 { i + 1 } else { i - 1 };
        self.q[i] + s * (self.q[j] - self.q[i]) / (self.n[j] - self.n[i])
    }

    /// The current estimate (exact, type 1, while fewer than 6 values).
    pub fn estimate(&self) -> f64 {
        if self.count == 0 {
            return f64::NAN;
        }
        if self.count <= 5 {
            let mut v = self.q[..self.count].to_vec();
            v.sort_by(f64::total_cmp);
            let idx = ((self.p * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1;
            return v[idx];
        }
        self.q[2]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{trial_rng, uniform};

    #[test]
    fn wilson_known_values() {
        // Wilson (1927) / Newcombe (1998) table: 81 of 263 -> 0.2553, 0.3662.
        let (lo, hi) = wilson(81, 263, Z95);
        assert!((lo - 0.2553).abs() < 5e-5 && (hi - 0.3662).abs() < 5e-5, "{lo} {hi}");
        let (lo, hi) = wilson(0, 10, Z95);
        assert_eq!(lo, 0.0);
        assert!((hi - 0.2775).abs() < 5e-5, "{hi}");
        assert_eq!(wilson(0, 0, Z95), (0.0, 1.0));
    }

    /// Coverage of the Wilson interval: for p = 0.1 and n = 50, draw 4000
    /// binomial samples and count how often the interval covers p. The
    /// exact coverage of Wilson at (0.1, 50) is about 0.95 (Brown, Cai and
    /// DasGupta 2001 fig. 4 show 0.93-0.97 there). The estimate's standard
    /// error is sqrt(0.95*0.05/4000) = 0.0034; z = 4 gives +-0.014 around
    /// 0.95, widened by the 0.02 the literature allows: [0.916, 0.984].
    #[test]
    fn wilson_coverage() {
        let mut rng = trial_rng(77, 0);
        let (p, n, reps) = (0.1, 50u64, 4000);
        let mut covered = 0;
        for _ in 0..reps {
            let k = (0..n).filter(|_| uniform(&mut rng) < p).count() as u64;
            let (lo, hi) = wilson(k, n, Z95);
            covered += u32::from(lo <= p && p <= hi);
        }
        let c = f64::from(covered) / f64::from(reps);
        assert!((0.916..=0.984).contains(&c), "coverage {c}");
    }

    /// The dense table and the map give the same counts and quantiles as
    /// a sorted list, for values on both sides of the table's range.
    #[test]
    fn exact_quantiles_dense_and_sparse_agree_with_sorting() {
        let mut rng = trial_rng(5, 0);
        let mut e = ExactQuantiles::default();
        let mut all = Vec::new();
        for k in 0..5000 {
            let u = uniform(&mut rng);
            let x = match k % 4 {
                0 => (u * 50.0) as i64,
                1 => -((u * 20.0) as i64) - 1,
                2 => DENSE_MAX + (u * 30.0) as i64 - 10,
                _ => (u * 3.0) as i64,
            };
            e.push(x);
            all.push(x);
        }
        all.sort_unstable();
        for p in [0.0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.999, 1.0] {
            let k = ((p * all.len() as f64).ceil() as usize).max(1) - 1;
            assert_eq!(e.quantile(p), all[k] as f64, "p = {p}");
        }
        let mut distinct = all.clone();
        distinct.dedup();
        assert_eq!(e.distinct(), distinct.len());
        for x in [-5, 0, 2, 49, DENSE_MAX - 1, DENSE_MAX + 5, 1_000_000] {
            assert_eq!(e.count_of(x), all.iter().filter(|&&y| y == x).count() as u64, "x = {x}");
        }
    }

    #[test]
    fn exact_quantiles_type1() {
        let mut e = ExactQuantiles::default();
        for x in [5, 1, 3, 2, 4] {
            e.push(x);
        }
        assert_eq!(e.quantile(0.5), 3.0);
        assert_eq!(e.quantile(0.05), 1.0);
        assert_eq!(e.quantile(0.95), 5.0);
        assert_eq!(e.quantile(0.2), 1.0);
        assert_eq!(e.quantile(0.21), 2.0);
    }

    /// P² on 100_000 uniforms: the p-quantile of U(0,1) is p. The sample
    /// quantile's standard error is sqrt(p(1-p)/n) <= 0.0016; P² adds a
    /// small bias. Tolerance 0.01 (z > 6 for sampling error alone).
    #[test]
    fn p2_uniform_quantiles() {
        let mut rng = trial_rng(11, 0);
        let mut est: Vec<P2> = QUANTILES.iter().map(|&p| P2::new(p)).collect();
        for _ in 0..100_000 {
            let x = uniform(&mut rng);
            est.iter_mut().for_each(|e| e.push(x));
        }
        for (e, p) in est.iter().zip(QUANTILES) {
            assert!((e.estimate() - p).abs() < 0.01, "p={p}: {}", e.estimate());
        }
    }

    #[test]
    fn moments_welford() {
        let mut m = Moments::default();
        for x in [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0] {
            m.push(x);
        }
        assert_eq!(m.mean(), 5.0);
        assert!((m.sd() - (32.0f64 / 7.0).sqrt()).abs() < 1e-12);
        assert_eq!((m.min(), m.max()), (2.0, 9.0));
    }
}

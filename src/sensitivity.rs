//! First-order sensitivity indices from given data: which uncertain
//! parameter drives an answer, estimated from one run's rows (each trial
//! drew its parameters and produced its outcome), with no separate design.
//!
//! The first-order index of parameter `X` on output `Y` is the correlation
//! ratio (Pearson 1905), equal to the first-order Sobol' index when the
//! parameters are independent:
//!
//! ```text
//! S = η² = Var(E[Y | X]) / Var(Y)
//! ```
//!
//! **Estimator.** The binning ("given data") estimator of Plischke,
//! Borgonovo and Smith (2013), "Global sensitivity measures from given
//! data", European Journal of Operational Research 226(3), 536-550
//! [Plischke2013]; also Strong and Oakley (2012). The
//! rows are partitioned by `X` into `M` classes of (nearly) equal count —
//! tied values of `X` are never split, so a discrete parameter with few
//! values gets one class per value — and
//!
//! ```text
//! η̂² = SS_b / SS_t,  SS_b = Σ_m n_m (ȳ_m - ȳ)²,  SS_t = Σ_k (y_k - ȳ)²
//! ```
//!
//! Noise alone makes `SS_b` about `(M-1)·σ²_within`, so the reported index
//! subtracts it (the ε² correction of one-way ANOVA, Kelley 1935):
//! `S = (SS_b - (M-1)·SS_w/(n-M)) / SS_t`, `SS_w = SS_t - SS_b`. It can be
//! slightly negative for a parameter with no effect; it is not clipped
//! (clipping would bias the mean of many estimates). The uncorrected η̂² is
//! reported as `raw`. Discretising `X` into `M` classes loses the variation
//! of `E[Y|X]` inside a class, a bias of order `1/M²` for smooth
//! responses; brink uses `M = ⌈√n⌉` (at most 1000), which makes it of
//! order `1/n` while leaving about `√n` rows per class.
//!
//! **Standard error** (analytic). By the delta method on
//! `η̂² = 1 - mean(e²)/mean(d²)` with within-class residuals `e_k = y_k -
//! ȳ_{m(k)}` and deviations `d_k = y_k - ȳ`, the influence of row `k` is
//! `-(e_k² - R d_k²)/mean(d²)` with `R = SS_w/SS_t`, so
//! `Var ≈ Σ_k (e_k² - R d_k²)² / SS_t²`. Computed with estimated class
//! means, that sum carries their noise, about `4(M-1)R²/n²`, which is
//! removed; then the noise the class means put into the index itself,
//! `2(M-1)R²/n²` (exact for normal residuals), is added. The last term
//! dominates for a parameter with no effect. (Both corrections were
//! checked against the spread of replications, `tests/sensitivity.rs`.) Both need only each class's
//! count and central moments up to the fourth, so the estimate streams:
//! [`Streaming`] keeps `M` accumulators (Welford-style updates of the
//! central moments, Pébay 2008) and never stores rows. A fixed-seed
//! bootstrap ([`bootstrap_se`]) is provided to check the analytic error.
//!
//! Works alike for a metric and for an outcome indicator (`Y ∈ {0, 1}`:
//! `E[Y|X]` is the outcome's probability given the parameter).
//!
//! Cost: sorting `X` once, `O(n log n)` ([`Partition::new`]), then `O(n)`
//! per output ([`Partition::estimate`]); streaming, `O(log M)` per row.

use crate::dist::Dist;
use crate::rng::{below, trial_rng};

/// Why an index could not be estimated.
#[derive(Debug, Clone, PartialEq, thiserror::Error, miette::Diagnostic)]
#[non_exhaustive]
pub enum SensitivityError {
    /// `x` and `y` have different lengths.
    #[error("{x} parameter values but {y} output values; give one of each per row")]
    #[diagnostic(code(brink::sensitivity_lengths))]
    Lengths {
        /// Rows of the parameter.
        x: usize,
        /// Rows of the output.
        y: usize,
    },
    /// Too few rows for the number of classes.
    #[error("{n} rows are too few for a first-order index; at least {min} are needed")]
    #[diagnostic(code(brink::sensitivity_rows), help("run more trials"))]
    TooFew {
        /// Rows given.
        n: usize,
        /// Rows needed.
        min: usize,
    },
    /// A value that is NaN or infinite.
    #[error("row {row}: the {which} value {value} is not a finite number")]
    #[diagnostic(
        code(brink::sensitivity_nan),
        help("drop rows whose output is empty (a step that never came), or use an indicator")
    )]
    NotFinite {
        /// `parameter` or `output`.
        which: &'static str,
        /// 0-based row.
        row: usize,
        /// The value.
        value: f64,
    },
}

/// Rows below which no index is estimated.
pub const MIN_ROWS: usize = 20;

/// The default number of classes for `n` rows: `⌈√n⌉`, between 2 and 1000.
pub fn default_classes(n: usize) -> u32 {
    ((n as f64).sqrt().ceil() as u32).clamp(2, 1000)
}

/// A first-order index with its standard error.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// The bias-corrected index `S` (NaN when the output never varies).
    pub index: f64,
    /// Its standard error (analytic).
    pub se: f64,
    /// The uncorrected correlation ratio η̂² = SS_b / SS_t.
    pub raw: f64,
    /// Classes that held at least one row.
    pub classes: u32,
    /// Rows used.
    pub n: u64,
}

/// Count, mean and central sums of powers 2 to 4 of one class's outputs.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Moments4 {
    n: f64,
    mean: f64,
    m2: f64,
    m3: f64,
    m4: f64,
}

impl Moments4 {
    /// One observation (Terriberry's extension of Welford's update).
    #[inline]
    fn push(&mut self, y: f64) {
        let n1 = self.n;
        self.n += 1.0;
        let n = self.n;
        let delta = y - self.mean;
        let dn = delta / n;
        let dn2 = dn * dn;
        let term1 = delta * dn * n1;
        self.mean += dn;
        self.m4 += term1 * dn2 * (n * n - 3.0 * n + 3.0) + 6.0 * dn2 * self.m2 - 4.0 * dn * self.m3;
        self.m3 += term1 * dn * (n - 2.0) - 3.0 * dn * self.m2;
        self.m2 += term1;
    }
}

/// The index from per-class moments.
fn from_classes(classes: &[Moments4]) -> Estimate {
    let n: f64 = classes.iter().map(|c| c.n).sum();
    let used = classes.iter().filter(|c| c.n > 0.0).count();
    let mean = classes.iter().map(|c| c.n * c.mean).sum::<f64>() / n;
    let mut ss_w = 0.0;
    let mut ss_b = 0.0;
    for c in classes.iter().filter(|c| c.n > 0.0) {
        let d = c.mean - mean;
        ss_w += c.m2;
        ss_b += c.n * d * d;
    }
    let ss_t = ss_w + ss_b;
    let m = used as f64;
    if ss_t <= 0.0 || !ss_t.is_finite() {
        return Estimate {
            index: f64::NAN,
            se: f64::NAN,
            raw: f64::NAN,
            classes: used as u32,
            n: n as u64,
        };
    }
    let raw = ss_b / ss_t;
    let index = (ss_b - (m - 1.0) * ss_w / (n - m)) / ss_t;
    let r = ss_w / ss_t;
    // Σ (e² - R d²)² with d = e + δ inside a class (Σ e = 0 there).
    let mut sum_a2 = 0.0;
    for c in classes.iter().filter(|c| c.n > 0.0) {
        let d = c.mean - mean;
        let d2 = d * d;
        let e2d2 = c.m4 + 2.0 * d * c.m3 + d2 * c.m2;
        let d4 = c.m4 + 4.0 * d * c.m3 + 6.0 * d2 * c.m2 + d2 * d2 * c.n;
        sum_a2 += c.m4 - 2.0 * r * e2d2 + r * r * d4;
    }
    // The influence term computed with estimated class means carries their
    // noise, 4(M-1)R²/n² in expectation; it is removed, and the noise of
    // the class means in the index itself, 2(M-1)R²/n², added.
    let noise = (m - 1.0) * r * r / (n * n);
    let influence = (sum_a2 / (ss_t * ss_t) - 4.0 * noise).max(0.0);
    let var = influence + 2.0 * noise;
    Estimate {
        index,
        se: var.sqrt(),
        raw,
        classes: used as u32,
        n: n as u64,
    }
}

fn check_finite(which: &'static str, v: &[f64]) -> Result<(), SensitivityError> {
    match v.iter().position(|x| !x.is_finite()) {
        Some(row) => Err(SensitivityError::NotFinite {
            which,
            row,
            value: v[row],
        }),
        None => Ok(()),
    }
}

/// The rows of one parameter partitioned into classes of nearly equal
/// count by its value; reused for every output.
#[derive(Debug, Clone, PartialEq)]
pub struct Partition {
    class_of: Vec<u32>,
    classes: u32,
}

impl Partition {
    /// Partitions `x` into `classes` classes (default
    /// [`default_classes`]), never splitting tied values.
    pub fn new(x: &[f64], classes: Option<u32>) -> Result<Partition, SensitivityError> {
        let n = x.len();
        if n < MIN_ROWS {
            return Err(SensitivityError::TooFew { n, min: MIN_ROWS });
        }
        check_finite("parameter", x)?;
        let m = classes.unwrap_or_else(|| default_classes(n)).clamp(1, (n / 2) as u32) as usize;
        let mut order: Vec<u32> = (0..n as u32).collect();
        order.sort_by(|&i, &j| x[i as usize].total_cmp(&x[j as usize]).then(i.cmp(&j)));
        let mut class_of = vec![0u32; n];
        let mut class = 0u32;
        let mut next_cut = 1usize;
        for (pos, &row) in order.iter().enumerate() {
            // Close the class at the first position past its share whose
            // value differs from the previous one.
            if pos > 0 && next_cut < m && pos * m >= next_cut * n && x[row as usize] != x[order[pos - 1] as usize] {
                class += 1;
                while next_cut < m && pos * m >= next_cut * n {
                    next_cut += 1;
                }
            }
            class_of[row as usize] = class;
        }
        Ok(Partition {
            class_of,
            classes: class + 1,
        })
    }

    /// Classes formed.
    pub fn classes(&self) -> u32 {
        self.classes
    }

    /// The first-order index of this parameter on output `y` (one value
    /// per row, in the rows' order).
    pub fn estimate(&self, y: &[f64]) -> Result<Estimate, SensitivityError> {
        if y.len() != self.class_of.len() {
            return Err(SensitivityError::Lengths {
                x: self.class_of.len(),
                y: y.len(),
            });
        }
        check_finite("output", y)?;
        let mut acc = vec![Moments4::default(); self.classes as usize];
        for (&c, &v) in self.class_of.iter().zip(y) {
            acc[c as usize].push(v);
        }
        Ok(from_classes(&acc))
    }

    /// The index on a resample: row `k` counted `weights[k]` times.
    fn estimate_weighted(&self, y: &[f64], weights: &[u32]) -> Estimate {
        let mut acc = vec![Moments4::default(); self.classes as usize];
        for ((&c, &v), &w) in self.class_of.iter().zip(y).zip(weights) {
            for _ in 0..w {
                acc[c as usize].push(v);
            }
        }
        from_classes(&acc)
    }
}

/// The first-order index of `x` on `y` with the default number of classes.
pub fn first_order(x: &[f64], y: &[f64]) -> Result<Estimate, SensitivityError> {
    if x.len() != y.len() {
        return Err(SensitivityError::Lengths { x: x.len(), y: y.len() });
    }
    Partition::new(x, None)?.estimate(y)
}

/// Standard deviation of the index over `replicates` bootstrap resamples
/// of the rows (classes kept as formed on the full data), on a fixed seed.
pub fn bootstrap_se(x: &[f64], y: &[f64], replicates: u32, seed: u64) -> Result<f64, SensitivityError> {
    if x.len() != y.len() {
        return Err(SensitivityError::Lengths { x: x.len(), y: y.len() });
    }
    let part = Partition::new(x, None)?;
    check_finite("output", y)?;
    let n = x.len();
    let mut rng = trial_rng(seed, 0);
    let mut weights = vec![0u32; n];
    let (mut s, mut s2) = (0.0, 0.0);
    for _ in 0..replicates {
        weights.iter_mut().for_each(|w| *w = 0);
        for _ in 0..n {
            weights[below(&mut rng, n as u32) as usize] += 1;
        }
        let e = part.estimate_weighted(y, &weights).index;
        s += e;
        s2 += e * e;
    }
    let r = f64::from(replicates);
    Ok(((s2 - s * s / r) / (r - 1.0)).max(0.0).sqrt())
}

/// A first-order index accumulated row by row in constant memory: classes
/// are fixed in advance by edges (from the parameter's distribution, see
/// [`Streaming::for_dist`]), so no row is stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Streaming {
    edges: Vec<f64>,
    classes: Vec<Moments4>,
}

impl Streaming {
    /// Classes `(-∞, e_0], (e_0, e_1], ..., (e_last, ∞)` for increasing
    /// `edges` (duplicates are dropped).
    pub fn with_edges(mut edges: Vec<f64>) -> Streaming {
        edges.retain(|e| e.is_finite());
        edges.sort_by(f64::total_cmp);
        edges.dedup();
        let k = edges.len() + 1;
        Streaming {
            edges,
            classes: vec![Moments4::default(); k],
        }
    }

    /// `classes` classes of equal probability under `dist`: edges at its
    /// quantiles `k/classes` (for a discrete choice, one class per value).
    pub fn for_dist(dist: &Dist, classes: u32) -> Streaming {
        let edges = (1..classes)
            .map(|k| dist.quantile(f64::from(k) / f64::from(classes)))
            .collect();
        Streaming::with_edges(edges)
    }

    /// Adds one row: the parameter's value and the output's.
    #[inline]
    pub fn push(&mut self, x: f64, y: f64) {
        let c = self.edges.partition_point(|e| *e < x);
        self.classes[c].push(y);
    }

    /// The index so far (NaN before two classes have rows).
    pub fn estimate(&self) -> Estimate {
        from_classes(&self.classes)
    }
}

/// Many [`Streaming`] indices at once: every (parameter, output) pair of a
/// run, with one class lookup per parameter per row (not per pair), so
/// the cost per row is `P·log M + P·Q` moment updates for `P` parameters
/// and `Q` outputs. Memory is `P·Q·M` accumulators, fixed in advance.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    edges: Vec<Vec<f64>>,
    outputs: usize,
    /// `[param][output]` accumulators, each `edges[param].len() + 1` long.
    cells: Vec<Vec<Moments4>>,
    class: Vec<usize>,
}

impl Grid {
    /// One row of classes per distribution (equal-probability classes, as
    /// [`Streaming::for_dist`]) and `outputs` outputs.
    pub fn new(dists: &[Dist], classes: u32, outputs: usize) -> Grid {
        let edges: Vec<Vec<f64>> = dists.iter().map(|d| Streaming::for_dist(d, classes).edges).collect();
        let cells = edges
            .iter()
            .flat_map(|e| (0..outputs).map(move |_| vec![Moments4::default(); e.len() + 1]))
            .collect();
        Grid {
            class: vec![0; edges.len()],
            edges,
            outputs,
            cells,
        }
    }

    /// Adds one row: the parameters' values `x` and the outputs' `y`; an
    /// output that is NaN (a step that never came) is skipped for this row.
    #[inline]
    pub fn push(&mut self, x: &[f64], y: &[f64]) {
        for ((c, e), &xv) in self.class.iter_mut().zip(&self.edges).zip(x) {
            *c = e.partition_point(|v| *v < xv);
        }
        for (pq, cell) in self.cells.iter_mut().enumerate() {
            let (p, q) = (pq / self.outputs, pq % self.outputs);
            let yv = y[q];
            if yv.is_finite() {
                cell[self.class[p]].push(yv);
            }
        }
    }

    /// Outputs per row.
    pub fn outputs(&self) -> usize {
        self.outputs
    }

    /// The index of parameter `p` on output `q` so far.
    pub fn estimate(&self, p: usize, q: usize) -> Estimate {
        from_classes(&self.cells[p * self.outputs + q])
    }

    /// Adds rows `0..n` (parameter `p` of row `j` is `x(j, p)`, output
    /// `q` is `y(j, q)`): the same as `n` calls of [`Grid::push`], each
    /// cell seeing the rows in order (so the same bits), with the
    /// parameters' cells updated in parallel on the current rayon pool
    /// (issue 18: the run's in-order work off one thread).
    pub fn push_rows<X, Y>(&mut self, n: usize, x: X, y: Y)
    where
        X: Fn(usize, usize) -> f64 + Sync,
        Y: Fn(usize, usize) -> f64 + Sync,
    {
        use rayon::prelude::*;
        let outputs = self.outputs;
        if outputs == 0 {
            return;
        }
        self.cells
            .par_chunks_mut(outputs)
            .zip(self.edges.par_iter())
            .enumerate()
            .for_each(|(p, (cells, e))| {
                for j in 0..n {
                    let xv = x(j, p);
                    let c = e.partition_point(|v| *v < xv);
                    for (q, cell) in cells.iter_mut().enumerate() {
                        let yv = y(j, q);
                        if yv.is_finite() {
                            cell[c].push(yv);
                        }
                    }
                }
            });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments4_match_two_pass() {
        let ys = [1.0, 4.0, 4.0, 7.5, -2.0, 3.25, 10.0];
        let mut m = Moments4::default();
        ys.iter().for_each(|&y| m.push(y));
        let mean = ys.iter().sum::<f64>() / 7.0;
        let c = |k: i32| ys.iter().map(|y| (y - mean).powi(k)).sum::<f64>();
        assert!((m.mean - mean).abs() < 1e-12);
        assert!((m.m2 - c(2)).abs() < 1e-9);
        assert!((m.m3 - c(3)).abs() < 1e-9);
        assert!((m.m4 - c(4)).abs() < 1e-7);
    }

    #[test]
    fn ties_are_never_split() {
        let x: Vec<f64> = (0..100).map(|i| f64::from(i % 3)).collect();
        let p = Partition::new(&x, Some(10)).unwrap();
        assert_eq!(p.classes(), 3);
        for (i, c) in p.class_of.iter().enumerate() {
            assert_eq!(*c, (i % 3) as u32);
        }
    }

    #[test]
    fn exact_step_response_has_index_one() {
        // y depends on x only through its class: η² = 1 exactly (raw).
        let x: Vec<f64> = (0..400).map(|i| f64::from(i % 4)).collect();
        let y: Vec<f64> = x.iter().map(|v| v * v).collect();
        let e = first_order(&x, &y).unwrap();
        assert!((e.raw - 1.0).abs() < 1e-12 && (e.index - 1.0).abs() < 1e-12, "{e:?}");
        let flat = first_order(&x, &vec![2.0; 400]).unwrap();
        assert!(flat.index.is_nan());
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(matches!(
            first_order(&[1.0; 30], &[1.0; 29]),
            Err(SensitivityError::Lengths { .. })
        ));
        assert!(matches!(
            first_order(&[1.0; 5], &[1.0; 5]),
            Err(SensitivityError::TooFew { .. })
        ));
        let mut y = vec![1.0; 30];
        y[7] = f64::NAN;
        let x: Vec<f64> = (0..30).map(f64::from).collect();
        assert!(matches!(
            first_order(&x, &y),
            Err(SensitivityError::NotFinite { row: 7, .. })
        ));
    }
}

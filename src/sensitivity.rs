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
///
/// Layout (issue 18): per parameter a `ClassRows` block, in which the
/// `Q` outputs' accumulators of one class are contiguous, each moment in
/// its own array; a row adds its output vector to its class's row in one
/// pass without a branch per cell (an output that is NaN keeps its old
/// moments by a select), which the compiler vectorises. Every cell sees
/// the same operations in the same order as a [`Streaming`] class, so
/// every bit of every estimate is as before.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    edges: Vec<Vec<f64>>,
    outputs: usize,
    /// One block per parameter, `edges[param].len() + 1` classes each.
    cells: Vec<ClassRows>,
    class: Vec<usize>,
}

/// One parameter's accumulators: for class `c` and output `q`, entry
/// `c·Q + q` of each moment's array.
#[derive(Debug, Clone, PartialEq)]
struct ClassRows {
    n: Vec<f64>,
    mean: Vec<f64>,
    m2: Vec<f64>,
    m3: Vec<f64>,
    m4: Vec<f64>,
}

impl ClassRows {
    fn new(cells: usize) -> ClassRows {
        ClassRows {
            n: vec![0.0; cells],
            mean: vec![0.0; cells],
            m2: vec![0.0; cells],
            m3: vec![0.0; cells],
            m4: vec![0.0; cells],
        }
    }

    /// Adds the outputs `y` to class `c`'s row (`y.len()` outputs).
    #[inline]
    fn push(&mut self, c: usize, y: &[f64]) {
        let q = y.len();
        let r = c * q..(c + 1) * q;
        push_row(
            &mut self.n[r.clone()],
            &mut self.mean[r.clone()],
            &mut self.m2[r.clone()],
            &mut self.m3[r.clone()],
            &mut self.m4[r],
            y,
        );
    }

    /// Output `q`'s accumulator in class `c`.
    fn get(&self, c: usize, q: usize, outputs: usize) -> Moments4 {
        let i = c * outputs + q;
        Moments4 {
            n: self.n[i],
            mean: self.mean[i],
            m2: self.m2[i],
            m3: self.m3[i],
            m4: self.m4[i],
        }
    }
}

/// [`Moments4::push`] of `y[q]` into cell `q` for every finite `y[q]`,
/// written as selects (the same operations in the same order, so the same
/// bits). On x86-64 two cells at a time with SSE2 (part of the base
/// instruction set), whose packed operations round each lane exactly as
/// the scalar ones; the compiler did not vectorise the scalar loop.
#[inline]
fn push_row(n: &mut [f64], mean: &mut [f64], m2: &mut [f64], m3: &mut [f64], m4: &mut [f64], y: &[f64]) {
    let q = y.len();
    assert!(n.len() == q && mean.len() == q && m2.len() == q && m3.len() == q && m4.len() == q);
    #[cfg(target_arch = "x86_64")]
    let done = {
        push_pairs(n, mean, m2, m3, m4, y);
        q - q % 2
    };
    #[cfg(not(target_arch = "x86_64"))]
    let done = 0;
    for i in done..q {
        let mut c = Moments4 {
            n: n[i],
            mean: mean[i],
            m2: m2[i],
            m3: m3[i],
            m4: m4[i],
        };
        if y[i].is_finite() {
            c.push(y[i]);
        }
        (n[i], mean[i], m2[i], m3[i], m4[i]) = (c.n, c.mean, c.m2, c.m3, c.m4);
    }
}

/// Cells `0..2⌊Q/2⌋` of [`push_row`], two per step: each lane computes
/// exactly [`Moments4::push`] (same operations, same order, IEEE rounding
/// per lane), then keeps its old moments where `y` is not finite.
#[cfg(target_arch = "x86_64")]
#[inline]
fn push_pairs(n: &mut [f64], mean: &mut [f64], m2: &mut [f64], m3: &mut [f64], m4: &mut [f64], y: &[f64]) {
    use std::arch::x86_64::*;
    let pairs = y.len() / 2;
    // SAFETY: SSE2 is enabled on every x86-64 target; every slice holds
    // at least `2 * pairs` values (checked by the caller), and the
    // unaligned loads and stores read and write only `[2i, 2i + 2)`.
    unsafe {
        let (one, two, three, four, six) = (
            _mm_set1_pd(1.0),
            _mm_set1_pd(2.0),
            _mm_set1_pd(3.0),
            _mm_set1_pd(4.0),
            _mm_set1_pd(6.0),
        );
        let (sign, inf) = (_mm_set1_pd(-0.0), _mm_set1_pd(f64::INFINITY));
        let sel = |ok: __m128d, new: __m128d, old: __m128d| _mm_or_pd(_mm_and_pd(ok, new), _mm_andnot_pd(ok, old));
        for i in (0..pairs).map(|k| 2 * k) {
            let yv = _mm_loadu_pd(y.as_ptr().add(i));
            let n1 = _mm_loadu_pd(n.as_ptr().add(i));
            let mu = _mm_loadu_pd(mean.as_ptr().add(i));
            let s2 = _mm_loadu_pd(m2.as_ptr().add(i));
            let s3 = _mm_loadu_pd(m3.as_ptr().add(i));
            let s4 = _mm_loadu_pd(m4.as_ptr().add(i));
            let nn = _mm_add_pd(n1, one);
            let delta = _mm_sub_pd(yv, mu);
            let dn = _mm_div_pd(delta, nn);
            let dn2 = _mm_mul_pd(dn, dn);
            let term1 = _mm_mul_pd(_mm_mul_pd(delta, dn), n1);
            // m4 += term1·dn2·(n² - 3n + 3) + 6·dn2·m2 - 4·dn·m3
            let poly = _mm_add_pd(_mm_sub_pd(_mm_mul_pd(nn, nn), _mm_mul_pd(three, nn)), three);
            let a = _mm_mul_pd(_mm_mul_pd(term1, dn2), poly);
            let b = _mm_mul_pd(_mm_mul_pd(six, dn2), s2);
            let c = _mm_mul_pd(_mm_mul_pd(four, dn), s3);
            let new4 = _mm_add_pd(s4, _mm_sub_pd(_mm_add_pd(a, b), c));
            // m3 += term1·dn·(n - 2) - 3·dn·m2
            let d3 = _mm_sub_pd(
                _mm_mul_pd(_mm_mul_pd(term1, dn), _mm_sub_pd(nn, two)),
                _mm_mul_pd(_mm_mul_pd(three, dn), s2),
            );
            let new3 = _mm_add_pd(s3, d3);
            let new2 = _mm_add_pd(s2, term1);
            let newmu = _mm_add_pd(mu, dn);
            // |y| < ∞: false for NaN and ±∞.
            let ok = _mm_cmplt_pd(_mm_andnot_pd(sign, yv), inf);
            _mm_storeu_pd(n.as_mut_ptr().add(i), sel(ok, nn, n1));
            _mm_storeu_pd(mean.as_mut_ptr().add(i), sel(ok, newmu, mu));
            _mm_storeu_pd(m2.as_mut_ptr().add(i), sel(ok, new2, s2));
            _mm_storeu_pd(m3.as_mut_ptr().add(i), sel(ok, new3, s3));
            _mm_storeu_pd(m4.as_mut_ptr().add(i), sel(ok, new4, s4));
        }
    }
}

impl Grid {
    /// One row of classes per distribution (equal-probability classes, as
    /// [`Streaming::for_dist`]) and `outputs` outputs.
    pub fn new(dists: &[Dist], classes: u32, outputs: usize) -> Grid {
        let edges: Vec<Vec<f64>> = dists.iter().map(|d| Streaming::for_dist(d, classes).edges).collect();
        let cells = edges.iter().map(|e| ClassRows::new((e.len() + 1) * outputs)).collect();
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
        let y = &y[..self.outputs];
        for (((c, e), &xv), cells) in self.class.iter_mut().zip(&self.edges).zip(x).zip(&mut self.cells) {
            *c = e.partition_point(|v| *v < xv);
            cells.push(*c, y);
        }
    }

    /// Outputs per row.
    pub fn outputs(&self) -> usize {
        self.outputs
    }

    /// The index of parameter `p` on output `q` so far.
    pub fn estimate(&self, p: usize, q: usize) -> Estimate {
        let rows = &self.cells[p];
        let classes: Vec<Moments4> = (0..=self.edges[p].len())
            .map(|c| rows.get(c, q, self.outputs))
            .collect();
        from_classes(&classes)
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
        let q = self.outputs;
        let ys: Vec<f64> = (0..n * q).map(|k| y(k / q.max(1), k % q.max(1))).collect();
        self.push_matrix(n, x, &ys);
    }

    /// [`Grid::push_rows`] with the outputs given as a row-major matrix:
    /// row `j`'s outputs are `ys[j·Q..(j+1)·Q]`. Each parameter's class is
    /// found once per row and the row's outputs added to that class's
    /// contiguous row of accumulators.
    pub fn push_matrix<X>(&mut self, n: usize, x: X, ys: &[f64])
    where
        X: Fn(usize, usize) -> f64 + Sync,
    {
        use rayon::prelude::*;
        let outputs = self.outputs;
        if outputs == 0 {
            return;
        }
        assert!(
            ys.len() >= n * outputs,
            "push_matrix: {} outputs for {n} rows of {outputs}",
            ys.len()
        );
        self.cells
            .par_iter_mut()
            .zip(self.edges.par_iter())
            .enumerate()
            .for_each(|(p, (cells, e))| {
                for (j, y) in ys.chunks_exact(outputs).take(n).enumerate() {
                    let xv = x(j, p);
                    cells.push(e.partition_point(|v| *v < xv), y);
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

    /// `push_row` (SSE2 pairs and the scalar tail) leaves every cell with
    /// the bits of `Moments4::push`, with NaN and infinite outputs skipped.
    #[test]
    fn push_row_is_moments4_push_bitwise() {
        let mut rng = crate::rng::trial_rng(18, 0);
        for q in [1usize, 2, 7, 15, 16] {
            let mut cells = vec![Moments4::default(); q];
            let mut rows = ClassRows::new(q);
            for k in 0..3000 {
                let y: Vec<f64> = (0..q)
                    .map(|j| match (k + j) % 13 {
                        0 => f64::NAN,
                        1 if k % 7 == 0 => f64::INFINITY,
                        2 => f64::from(u8::from(crate::rng::uniform(&mut rng) < 0.3)),
                        _ => 1e3 * (crate::rng::uniform(&mut rng) - 0.2).powi(3),
                    })
                    .collect();
                for (c, &v) in cells.iter_mut().zip(&y) {
                    if v.is_finite() {
                        c.push(v);
                    }
                }
                rows.push(0, &y);
            }
            for (j, c) in cells.iter().enumerate() {
                let r = rows.get(0, j, q);
                let bits = |m: &Moments4| [m.n, m.mean, m.m2, m.m3, m.m4].map(f64::to_bits);
                assert_eq!(bits(c), bits(&r), "q = {q}, cell {j}");
            }
        }
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

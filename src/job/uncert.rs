//! What a run with uncertain parameters says beyond the mixture
//! probabilities (issue 14, parts 2 and 4), computed as rows stream past,
//! in memory that does not grow with the number of trials (bar one number
//! per outcome per nested draw).
//!
//! **Drivers.** For each (uncertain parameter, output) the first-order
//! index `S = Var(E[Y|X]) / Var(Y)` by the given-data estimator of
//! Plischke, Borgonovo and Smith (2013) [Plischke2013], with its analytic
//! standard error ([`crate::sensitivity::Grid`]). Outputs: each outcome's
//! indicator (so `E[Y|X]` is the outcome's probability given the
//! parameter), `end_step`, and the headline metrics (events per dyad,
//! killed per actor, end pressure per actor).
//!
//! **Responses under nesting.** With `K` trials per draw, the rows of one
//! draw share their parameters; the estimator's rows are then the draws,
//! each with its `K`-trial mean as the response (`ȳ_d`: for an outcome,
//! its share among the draw's trials; NaN values of a metric are left out
//! of the mean). The index estimates
//! `Var(E[ȳ_d | X]) / Var(ȳ_d)` with `Var(ȳ_d) = Var(E[Y|θ]) + E[Var(Y|θ)]/K`:
//! the share of the variance *across judgements* (plus `1/K` of the
//! trial-to-trial noise) that `X` explains, which is what the spread
//! below shows. With `K = 1` it is the trial-level index. The rows are
//! independent across draws, so the analytic standard error holds; rows
//! of one draw treated as independent would understate it by about
//! `√(1 + (K-1)ρ)`. A final draw with fewer than `K` trials is left out.
//! (Tested against the closed form of a linear response with Bernoulli
//! trials, below.)
//!
//! **Spread across the judgements** (nested sampling, `K` trials per draw).
//! Draw `d`'s `K` trials give `p̂_d`, the share of each outcome; across
//! draws `p̂_d` varies with the parameters *and* with binomial noise of
//! variance `p_d(1-p_d)/K`. The noise is removed by the method of moments:
//! with `V` the variance of the `p̂_d` across draws and
//! `N = mean(p̂_d(1-p̂_d))/(K-1)` (unbiased for the mean noise variance),
//! the parameters' own variance is `T = max(V - N, 0)`, and each `p̂_d` is
//! shrunk towards the mean `p̄` by `√(T/V)` before the 5 % and 95 %
//! quantiles are taken (a linear shrinkage that keeps the mean and has
//! variance `T`, as in empirical Bayes; Efron and Morris 1975). A final
//! draw with fewer than `K` trials is left out.

use crate::dist::Dist;
use crate::engine::{Metric, MetricLayout, TrialResult};
use crate::model::Scenario;
use crate::sensitivity::{Estimate, Grid, default_classes};

/// One output of the sensitivity analysis.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Output {
    Outcome(u16),
    EndStep,
    Column(usize),
}

/// Streams the drivers and the nested spread of a run.
#[derive(Debug, Clone)]
pub struct Analysis {
    params: Vec<String>,
    param_cols: std::ops::Range<usize>,
    names: Vec<String>,
    outputs: Vec<Output>,
    means: DrawMeans,
    y: Vec<f64>,
    /// A block's outputs, row-major (scratch, reused across blocks).
    block_y: Vec<f64>,
    per_draw: u64,
    counts: Vec<u64>,
    in_draw: u64,
    shares: Vec<Vec<f64>>,
}

/// One row of `sensitivity.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct Driver {
    /// The output: `outcome:<id>`, `end_step` or a metric column.
    pub output: String,
    /// The parameter's dotted path.
    pub parameter: String,
    /// The estimate.
    pub estimate: Estimate,
}

/// An outcome's spread across the judgements (nested sampling).
#[derive(Debug, Clone, PartialEq)]
pub struct Spread {
    /// Parameter draws with all their `K` trials.
    pub draws: usize,
    /// Mean of the per-draw shares (the mixture probability).
    pub mean: f64,
    /// 5 % quantile of the de-noised per-draw probabilities.
    pub p5: f64,
    /// 95 % quantile.
    pub p95: f64,
    /// Share of the per-draw variance that is the parameters' (1 - N/V).
    pub signal: f64,
}

impl Analysis {
    /// `None` when nothing is drawn.
    pub fn new(s: &Scenario, layout: &MetricLayout, trials: u64) -> Option<Analysis> {
        let set = s.uncertainty.set.as_ref()?;
        let outcomes = s.outcome_names();
        let mut names: Vec<String> = outcomes.iter().map(|o| format!("outcome:{o}")).collect();
        let mut outputs: Vec<Output> = (0..outcomes.len() as u16).map(Output::Outcome).collect();
        names.push("end_step".into());
        outputs.push(Output::EndStep);
        for (k, m) in layout.metrics().iter().enumerate() {
            if matches!(m, Metric::Events(_) | Metric::Killed(_) | Metric::Pressure(_)) {
                names.push(layout.names[k].clone());
                outputs.push(Output::Column(k));
            }
        }
        let dists: Vec<Dist> = set.dists().to_vec();
        let per_draw = s.uncertainty.per_draw.max(1);
        let draws = trials / per_draw;
        Some(Analysis {
            params: set.paths().to_vec(),
            param_cols: layout.param_columns(),
            means: DrawMeans::new(
                Grid::new(&dists, default_classes(draws.max(1) as usize), outputs.len()),
                dists.len(),
                per_draw,
            ),
            y: vec![0.0; outputs.len()],
            block_y: Vec::new(),
            names,
            outputs,
            per_draw,
            counts: vec![0; outcomes.len()],
            in_draw: 0,
            shares: if per_draw > 1 {
                vec![Vec::new(); outcomes.len()]
            } else {
                Vec::new()
            },
        })
    }

    /// Adds one trial's row (trials in order).
    pub fn push(&mut self, r: &TrialResult, row: &[f64]) {
        for (y, o) in self.y.iter_mut().zip(&self.outputs) {
            *y = output_value(*o, r, row);
        }
        self.means.push(&row[self.param_cols.clone()], &self.y);
        if self.per_draw > 1 {
            self.counts[r.outcome as usize] += 1;
            self.in_draw += 1;
            if self.in_draw == self.per_draw {
                for (sh, c) in self.shares.iter_mut().zip(self.counts.iter_mut()) {
                    sh.push(*c as f64 / self.per_draw as f64);
                    *c = 0;
                }
                self.in_draw = 0;
            }
        }
    }

    /// Adds a block of trials in order: `results[j]` with its metric row
    /// `rows[j * width..]`. The same as [`Analysis::push`] on each trial.
    /// With one trial per draw, every trial is a row of the grid and the
    /// parameters' binning is spread over the rayon pool; in a nested run
    /// the grid takes one row per draw (K times fewer), fed in order.
    pub fn push_block(&mut self, results: &[TrialResult], rows: &[f64], width: usize) {
        if self.per_draw > 1 {
            for (j, r) in results.iter().enumerate() {
                self.push(r, &rows[j * width..(j + 1) * width]);
            }
            return;
        }
        let cols = self.param_cols.start;
        self.block_y.clear();
        for (j, r) in results.iter().enumerate() {
            let row = &rows[j * width..(j + 1) * width];
            self.block_y
                .extend(self.outputs.iter().map(|o| output_value(*o, r, row)));
        }
        self.means
            .grid
            .push_matrix(results.len(), |j, p| rows[j * width + cols + p], &self.block_y);
    }

    /// Every (output, parameter) index, outputs in order.
    pub fn drivers(&self) -> Vec<Driver> {
        let mut out = Vec::new();
        for (q, name) in self.names.iter().enumerate() {
            for (p, path) in self.params.iter().enumerate() {
                out.push(Driver {
                    output: name.clone(),
                    parameter: path.clone(),
                    estimate: self.means.grid.estimate(p, q),
                });
            }
        }
        out
    }

    /// Trials per parameter draw.
    pub fn per_draw(&self) -> u64 {
        self.per_draw
    }

    /// Per outcome, its spread across the judgements (nested runs only).
    pub fn spread(&self) -> Option<Vec<Spread>> {
        if self.per_draw < 2 {
            return None;
        }
        let k = self.per_draw as f64;
        Some(self.shares.iter().map(|sh| spread(sh, k)).collect())
    }
}

/// Output `o` of trial `r` with metric row `row`.
#[inline]
fn output_value(o: Output, r: &TrialResult, row: &[f64]) -> f64 {
    match o {
        Output::Outcome(k) => f64::from(u8::from(r.outcome == k)),
        Output::EndStep => f64::from(r.end_step),
        Output::Column(c) => row[c],
    }
}

/// Feeds a [`Grid`] one row per parameter draw: the draw's parameters
/// and the mean of each output over its `K` trials (finite values only;
/// NaN when none). With `K = 1`, every trial is a row, as it came.
#[derive(Debug, Clone)]
pub struct DrawMeans {
    grid: Grid,
    per_draw: u64,
    in_draw: u64,
    x: Vec<f64>,
    sum: Vec<f64>,
    count: Vec<u32>,
    mean: Vec<f64>,
}

impl DrawMeans {
    /// Rows of `params` parameters into `grid`, `per_draw` trials a draw.
    pub fn new(grid: Grid, params: usize, per_draw: u64) -> DrawMeans {
        let q = grid.outputs();
        DrawMeans {
            grid,
            per_draw: per_draw.max(1),
            in_draw: 0,
            x: vec![0.0; params],
            sum: vec![0.0; q],
            count: vec![0; q],
            mean: vec![0.0; q],
        }
    }

    /// One trial, in trial order: its parameters `x` (the draw's) and
    /// outputs `y`.
    #[inline]
    pub fn push(&mut self, x: &[f64], y: &[f64]) {
        if self.per_draw == 1 {
            self.grid.push(x, y);
            return;
        }
        if self.in_draw == 0 {
            self.x.copy_from_slice(x);
        }
        for ((s, c), &v) in self.sum.iter_mut().zip(&mut self.count).zip(y) {
            if v.is_finite() {
                *s += v;
                *c += 1;
            }
        }
        self.in_draw += 1;
        if self.in_draw == self.per_draw {
            for ((m, s), c) in self.mean.iter_mut().zip(&mut self.sum).zip(&mut self.count) {
                *m = if *c > 0 { *s / f64::from(*c) } else { f64::NAN };
                *s = 0.0;
                *c = 0;
            }
            self.grid.push(&self.x, &self.mean);
            self.in_draw = 0;
        }
    }

    /// The grid fed so far.
    pub fn grid(&self) -> &Grid {
        &self.grid
    }
}

fn spread(sh: &[f64], k: f64) -> Spread {
    let n = sh.len();
    if n < 2 {
        let m = sh.first().copied().unwrap_or(f64::NAN);
        return Spread {
            draws: n,
            mean: m,
            p5: f64::NAN,
            p95: f64::NAN,
            signal: f64::NAN,
        };
    }
    let nf = n as f64;
    let mean = sh.iter().sum::<f64>() / nf;
    let v = sh.iter().map(|p| (p - mean) * (p - mean)).sum::<f64>() / (nf - 1.0);
    let noise = sh.iter().map(|p| p * (1.0 - p)).sum::<f64>() / nf / (k - 1.0);
    let signal = if v > 0.0 { ((v - noise) / v).max(0.0) } else { 0.0 };
    let c = signal.sqrt();
    let mut t: Vec<f64> = sh.iter().map(|p| mean + c * (p - mean)).collect();
    t.sort_by(f64::total_cmp);
    let q = |a: f64| t[((a * (nf - 1.0)).round() as usize).min(n - 1)];
    Spread {
        draws: n,
        mean,
        p5: q(0.05),
        p95: q(0.95),
        signal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pure_binomial_noise_has_no_spread() {
        // Every draw has p = 0.3; K = 50: the shares vary by noise alone.
        let mut rng = crate::rng::trial_rng(1, 0);
        let sh: Vec<f64> = (0..400)
            .map(|_| (0..50).filter(|_| crate::rng::uniform(&mut rng) < 0.3).count() as f64 / 50.0)
            .collect();
        let s = spread(&sh, 50.0);
        // The noise estimate matches V up to sampling error: the signal
        // share is small (its sd for 400 draws is about 0.07; z = 4).
        assert!(s.signal < 0.3, "{s:?}");
        assert!((s.p95 - s.p5) < 0.1, "{s:?}");
    }

    #[test]
    fn real_spread_survives_the_noise() {
        // Half the draws have p = 0.1, half p = 0.9; K = 200.
        let mut rng = crate::rng::trial_rng(2, 0);
        let sh: Vec<f64> = (0..400)
            .map(|d| {
                let p = if d % 2 == 0 { 0.1 } else { 0.9 };
                (0..200).filter(|_| crate::rng::uniform(&mut rng) < p).count() as f64 / 200.0
            })
            .collect();
        let s = spread(&sh, 200.0);
        assert!(s.signal > 0.98, "{s:?}");
        assert!(s.p5 < 0.13 && s.p95 > 0.87, "{s:?}");
    }

    #[test]
    fn draw_means_match_the_closed_form() {
        // p(θ) = 0.2 + 0.4 x1 + 0.2 x2, x ~ U(0,1) independent; K = 20
        // Bernoulli trials per draw, D = 4000 draws. The draw mean's
        // variance is Var(p) + E[p(1-p)]/K, with Var(p) = (0.16 + 0.04)/12
        // and E[p(1-p)] = E[p] - E[p]² - Var(p), E[p] = 0.5. So the index
        // of x1 is (0.16/12) / (0.2/12 + (0.25 - 0.2/12)/20), of x2
        // (0.04/12) / (same). Each estimate must be within z = 4 of its
        // standard error of the closed form.
        let u = Dist::uniform(0.0, 1.0).expect("uniform");
        let dists = [u.clone(), u];
        let (k, d) = (20u64, 4000u64);
        let grid = Grid::new(&dists, default_classes(d as usize), 1);
        let mut m = DrawMeans::new(grid, 2, k);
        let mut rng = crate::rng::trial_rng(3, 0);
        for _ in 0..d {
            let x = [crate::rng::uniform(&mut rng), crate::rng::uniform(&mut rng)];
            let p = 0.2 + 0.4 * x[0] + 0.2 * x[1];
            for _ in 0..k {
                let y = f64::from(u8::from(crate::rng::uniform(&mut rng) < p));
                m.push(&x, &[y]);
            }
        }
        let var_p = 0.2 / 12.0;
        let total = var_p + (0.25 - var_p) / k as f64;
        for (p, want) in [(0, 0.16 / 12.0 / total), (1, 0.04 / 12.0 / total)] {
            let e = m.grid().estimate(p, 0);
            assert_eq!(e.n, d);
            assert!((e.index - want).abs() < 4.0 * e.se, "x{}: {e:?}, want {want}", p + 1);
        }
    }
}

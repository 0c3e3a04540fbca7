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
    grid: Grid,
    y: Vec<f64>,
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
            grid: Grid::new(&dists, default_classes(draws.max(1) as usize), outputs.len()),
            y: vec![0.0; outputs.len()],
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
            *y = match *o {
                Output::Outcome(k) => f64::from(u8::from(r.outcome == k)),
                Output::EndStep => f64::from(r.end_step),
                Output::Column(c) => row[c],
            };
        }
        self.grid.push(&row[self.param_cols.clone()], &self.y);
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
    /// `rows[j * width..]`. The same as [`Analysis::push`] on each trial,
    /// with the parameters' binning spread over the rayon pool.
    pub fn push_block(&mut self, results: &[TrialResult], rows: &[f64], width: usize) {
        let (outputs, cols) = (&self.outputs, self.param_cols.start);
        self.grid.push_rows(
            results.len(),
            |j, p| rows[j * width + cols + p],
            |j, q| match outputs[q] {
                Output::Outcome(k) => f64::from(u8::from(results[j].outcome == k)),
                Output::EndStep => f64::from(results[j].end_step),
                Output::Column(c) => rows[j * width + c],
            },
        );
        if self.per_draw > 1 {
            for r in results {
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
    }

    /// Every (output, parameter) index, outputs in order.
    pub fn drivers(&self) -> Vec<Driver> {
        let mut out = Vec::new();
        for (q, name) in self.names.iter().enumerate() {
            for (p, path) in self.params.iter().enumerate() {
                out.push(Driver {
                    output: name.clone(),
                    parameter: path.clone(),
                    estimate: self.grid.estimate(p, q),
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
}

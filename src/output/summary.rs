//! `summary.csv`: per outcome the count, probability and Wilson 95 %
//! interval; per talks status the same; per metric (and `end_step`) the
//! number of trials where it is defined, mean, standard deviation, min,
//! quantiles 5/25/50/75/95 and max. See [`crate::stats`] for the methods.
//!
//! A declared windowed quantity (`[metrics]`) of counts also gets a
//! `window` row: `count` and `probability` are the trials where it is
//! above 0 (P(>0); for `first_event`/`first_death`, P(true)) with its
//! Wilson interval, then its mean and quantiles (p5-p95 the central 90 %
//! interval).
//!
//! **Nested runs** (`K` trials per parameter draw, [`Summary::nested`]):
//! trials of one draw are not independent, so an outcome's interval is
//! the Wilson interval at the effective sample size `n / deff`, with the
//! design effect `deff = max(1, V_c / (p̂(1-p̂)/n))` and `V_c` the
//! cluster-robust (sandwich) variance of `p̂` over the `D` draws:
//!
//! ```text
//! V_c = D/(D-1) · Σ_d (k_d - n_d p̂)² / n²
//! ```
//!
//! (`k_d` of the draw's `n_d` trials had the outcome; Kish 1965 for the
//! design effect, Korn and Graubard 1998 for Wilson at the effective
//! size; Liang and Zeger 1986 for the sandwich). Under a beta-binomial
//! draw, `E[V_c] = p(1-p)(1 + (K-1)ρ)/n`, `ρ = 1/(α+β+1)`
//! (tested). The other shares of a nested run are clustered the same
//! way, each from its own indicator per trial: a `status` row's category,
//! a `window` row's P(>0) (when every trial defines it) and a milestone's
//! "reached" ([`Summary::milestone_share`], printed under the outcomes).
//!
//! Columns: `kind,name,category,count,probability,ci_low,ci_high,mean,sd,
//! min,p5,p25,p50,p75,p95,max`. `kind` is `outcome`, `status`, `metric` or
//! `window`;
//! `category` is the status for `status` rows. Cells that do not apply
//! are empty.

use super::{CsvFile, OutputError, fmt_real};
use crate::engine::{MetricKind, MetricLayout, TrialResult};
use crate::model::TalkStatus;
use crate::stats::{ExactQuantiles, Moments, P2, QUANTILES, Z95, wilson};

/// The header of `summary.csv` (after any prefix columns).
pub const COLUMNS: [&str; 16] = [
    "kind",
    "name",
    "category",
    "count",
    "probability",
    "ci_low",
    "ci_high",
    "mean",
    "sd",
    "min",
    "p5",
    "p25",
    "p50",
    "p75",
    "p95",
    "max",
];

#[derive(Debug, Clone)]
enum Acc {
    Exact(Moments, ExactQuantiles),
    Real(Moments, Vec<P2>),
    Status([u64; 5]),
}

impl Acc {
    fn new(kind: MetricKind) -> Acc {
        match kind {
            MetricKind::Count | MetricKind::Step => Acc::Exact(Moments::default(), ExactQuantiles::default()),
            MetricKind::Real => Acc::Real(Moments::default(), QUANTILES.iter().map(|&p| P2::new(p)).collect()),
            MetricKind::Status => Acc::Status([0; 5]),
        }
    }

    fn push(&mut self, x: f64) {
        if x.is_nan() {
            return;
        }
        match self {
            Acc::Exact(m, q) => {
                m.push(x);
                q.push(x as i64);
            }
            Acc::Real(m, q) => {
                m.push(x);
                q.iter_mut().for_each(|e| e.push(x));
            }
            Acc::Status(c) => c[x as usize] += 1,
        }
    }
}

/// Per-draw counts of a nested run's indicators (the outcomes, then
/// [`Shares`]), for the cluster-robust variance: trials arrive in order
/// from trial 0, `per_draw` to a draw.
#[derive(Debug, Clone, PartialEq)]
pub struct Clusters {
    per_draw: u64,
    /// Indicator counts of the draw in progress.
    current: Vec<u64>,
    in_draw: u64,
    /// Per indicator Σ_d k_d² and Σ_d k_d n_d over closed draws.
    kk: Vec<f64>,
    kn: Vec<f64>,
    /// Σ_d n_d² and the number of closed draws.
    nn: f64,
    draws: u64,
}

impl Clusters {
    /// Counts for `indicators` indicators (outcomes first), `per_draw`
    /// trials to a draw.
    pub fn new(indicators: usize, per_draw: u64) -> Clusters {
        Clusters {
            per_draw: per_draw.max(1),
            current: vec![0; indicators],
            in_draw: 0,
            kk: vec![0.0; indicators],
            kn: vec![0.0; indicators],
            nn: 0.0,
            draws: 0,
        }
    }

    /// The next trial (in trial order) had outcome `o` (and no other
    /// indicator).
    pub fn push(&mut self, o: usize) {
        self.push_hits([o]);
    }

    /// The next trial (in trial order) had the indicators `hits`.
    pub fn push_hits(&mut self, hits: impl IntoIterator<Item = usize>) {
        for h in hits {
            self.current[h] += 1;
        }
        self.in_draw += 1;
        if self.in_draw == self.per_draw {
            self.close();
        }
    }

    fn close(&mut self) {
        let n = self.in_draw as f64;
        for ((c, kk), kn) in self.current.iter_mut().zip(&mut self.kk).zip(&mut self.kn) {
            let k = *c as f64;
            *kk += k * k;
            *kn += k * n;
            *c = 0;
        }
        self.nn += n * n;
        self.draws += 1;
        self.in_draw = 0;
    }

    /// The cluster-robust variance of indicator `o`'s share `p` over `n`
    /// trials (a last, partial draw counts as a draw); NaN below 2 draws.
    pub fn variance(&self, o: usize, p: f64, n: u64) -> f64 {
        let mut c = self.clone();
        if c.in_draw > 0 {
            c.close();
        }
        let d = c.draws as f64;
        if c.draws < 2 || n == 0 {
            return f64::NAN;
        }
        let ss = (c.kk[o] - 2.0 * p * c.kn[o] + p * p * c.nn).max(0.0);
        let n = n as f64;
        d / (d - 1.0) * ss / (n * n)
    }

    /// Trials per draw.
    pub fn per_draw(&self) -> u64 {
        self.per_draw
    }
}

/// The Wilson interval for `k` of `n` when the trials are clustered: at
/// the effective size `n / deff` (see the module docs); the plain Wilson
/// interval when `var` is NaN or `p̂` is 0 or 1.
pub fn clustered_wilson(k: u64, n: u64, var: f64, z: f64) -> (f64, f64) {
    if n == 0 || k == 0 || k == n || !var.is_finite() {
        return wilson(k, n, z);
    }
    let nf = n as f64;
    let p = k as f64 / nf;
    let deff = (var / (p * (1.0 - p) / nf)).max(1.0);
    let m = nf / deff;
    let z2 = z * z;
    let denom = 1.0 + z2 / m;
    let center = (p + z2 / (2.0 * m)) / denom;
    let half = z / denom * (p * (1.0 - p) / m + z2 / (4.0 * m * m)).sqrt();
    ((center - half).max(0.0), (center + half).min(1.0))
}

/// Where the indicators of a nested run's other shares sit in
/// [`Clusters`], after the outcomes': per `status` column (its column, the
/// first of its five categories), per window of counts (column,
/// indicator: the value is above 0) and per milestone (column,
/// indicator: the step is defined, i.e. reached).
#[derive(Debug, Clone, Default)]
struct Shares {
    status: Vec<(usize, usize)>,
    windows: Vec<(usize, usize)>,
    milestones: Vec<(usize, usize)>,
    /// Indicators in all, the outcomes' included.
    total: usize,
}

impl Shares {
    fn new(outcomes: usize, layout: &MetricLayout, windows: &[usize]) -> Shares {
        let mut next = outcomes;
        let mut take = |n: usize| {
            next += n;
            next - n
        };
        let status = (layout.kinds.iter().enumerate())
            .filter(|(_, k)| **k == MetricKind::Status)
            .map(|(c, _)| (c, take(TalkStatus::ALL.len())))
            .collect();
        let windows = windows.iter().map(|&c| (c, take(1))).collect();
        let milestones = (layout.metrics().iter().enumerate())
            .filter(|(_, m)| matches!(m, crate::engine::Metric::MilestoneStep(_)))
            .map(|(c, _)| (c, take(1)))
            .collect();
        Shares {
            status,
            windows,
            milestones,
            total: next,
        }
    }

    /// The indicators a trial with outcome `o` and metric row `row` has.
    fn hits<'a>(&'a self, o: usize, row: &'a [f64]) -> impl Iterator<Item = usize> + 'a {
        // A status is stored as its index (as `Acc::Status` counts it).
        let status = self.status.iter().map(move |&(c, first)| first + row[c] as usize);
        let windows = (self.windows.iter())
            .filter(move |&&(c, _)| row[c] > 0.0)
            .map(|&(_, i)| i);
        let reached = (self.milestones.iter())
            .filter(move |&&(c, _)| !row[c].is_nan())
            .map(|&(_, i)| i);
        std::iter::once(o).chain(status).chain(windows).chain(reached)
    }
}

/// Streaming summary of one set of trials.
#[derive(Debug, Clone)]
pub struct Summary {
    clusters: Option<Clusters>,
    shares: Shares,
    outcomes: Vec<String>,
    counts: Vec<u64>,
    n: u64,
    end_step: Acc,
    names: Vec<String>,
    accs: Vec<Acc>,
    /// Columns that are declared windowed counts (`window` rows).
    windows: Vec<usize>,
}

impl Summary {
    /// An empty summary for these outcomes and metrics.
    pub fn new(outcomes: Vec<String>, layout: &MetricLayout) -> Summary {
        let windows = window_columns(layout);
        Summary {
            clusters: None,
            shares: Shares::new(outcomes.len(), layout, &windows),
            counts: vec![0; outcomes.len()],
            outcomes,
            n: 0,
            end_step: Acc::new(MetricKind::Count),
            names: layout.names.clone(),
            accs: layout.kinds.iter().map(|&k| Acc::new(k)).collect(),
            windows,
        }
    }

    /// A nested run: `per_draw` trials (in trial order, from trial 0)
    /// share each parameter draw, so outcome intervals are cluster-robust.
    /// 1 (or less) changes nothing.
    pub fn nested(mut self, per_draw: u64) -> Summary {
        self.clusters = (per_draw > 1).then(|| Clusters::new(self.shares.total, per_draw));
        self
    }

    /// The outcome interval of `k` trials of outcome `o`.
    fn outcome_interval(&self, o: usize, k: u64) -> (f64, f64) {
        self.share_interval(o, k, self.n)
    }

    /// The interval of `k` of `n` trials with indicator `i`: cluster-robust
    /// in a nested run when every trial counts (`n` is all of them), else
    /// Wilson's.
    fn share_interval(&self, i: usize, k: u64, n: u64) -> (f64, f64) {
        match &self.clusters {
            Some(c) if n == self.n => {
                let p = k as f64 / n.max(1) as f64;
                clustered_wilson(k, n, c.variance(i, p, n), Z95)
            }
            _ => wilson(k, n, Z95),
        }
    }

    /// The share of trials that reached milestone column `name`
    /// (`milestone_<id>_step` defined): (trials, low, high), the interval
    /// cluster-robust in a nested run as the outcomes'.
    pub fn milestone_share(&self, name: &str) -> Option<(u64, f64, f64)> {
        let c = self.names.iter().position(|n| n == name)?;
        let &(_, i) = self.shares.milestones.iter().find(|&&(col, _)| col == c)?;
        let k = match &self.accs[c] {
            Acc::Exact(m, _) | Acc::Real(m, _) => m.n(),
            Acc::Status(_) => return None,
        };
        let (lo, hi) = self.share_interval(i, k, self.n);
        Some((k, lo, hi))
    }

    /// Adds one trial.
    pub fn push(&mut self, r: &TrialResult, row: &[f64]) {
        self.n += 1;
        self.counts[r.outcome as usize] += 1;
        if let Some(c) = &mut self.clusters {
            c.push_hits(self.shares.hits(r.outcome as usize, row));
        }
        self.end_step.push(f64::from(r.end_step));
        for (a, &x) in self.accs.iter_mut().zip(row) {
            a.push(x);
        }
    }

    /// Adds a block of trials in order: `results[j]` with its metric row
    /// `rows[j * width..j * width + len]`. The same as [`Summary::push`]
    /// on each trial (every accumulator sees the trials in order, so the
    /// bytes of `summary.csv` are unchanged), with the columns'
    /// accumulators updated in parallel on the current rayon pool.
    pub fn push_block(&mut self, results: &[TrialResult], rows: &[f64], width: usize) {
        use rayon::prelude::*;
        let Summary {
            counts,
            n,
            end_step,
            accs,
            clusters,
            shares,
            ..
        } = self;
        rayon::join(
            || {
                for (j, r) in results.iter().enumerate() {
                    *n += 1;
                    counts[r.outcome as usize] += 1;
                    if let Some(c) = clusters {
                        c.push_hits(shares.hits(r.outcome as usize, &rows[j * width..(j + 1) * width]));
                    }
                    end_step.push(f64::from(r.end_step));
                }
            },
            || {
                accs.par_iter_mut().enumerate().for_each(|(c, a)| {
                    for j in 0..results.len() {
                        a.push(rows[j * width + c]);
                    }
                })
            },
        );
    }

    /// Trials seen.
    pub fn trials(&self) -> u64 {
        self.n
    }

    /// Per outcome: (name, count, probability, Wilson low, high; the
    /// cluster-robust Wilson interval in a nested run).
    pub fn outcome_table(&self) -> Vec<(String, u64, f64, f64, f64)> {
        self.outcomes
            .iter()
            .zip(&self.counts)
            .enumerate()
            .map(|(o, (name, &k))| {
                let (lo, hi) = self.outcome_interval(o, k);
                (name.clone(), k, k as f64 / self.n.max(1) as f64, lo, hi)
            })
            .collect()
    }

    /// Mean and quantiles (p5, p50, p95) of a metric, if it is numeric.
    pub fn metric(&self, name: &str) -> Option<(u64, f64, f64, f64, f64)> {
        let acc = if name == "end_step" {
            &self.end_step
        } else {
            &self.accs[self.names.iter().position(|n| n == name)?]
        };
        match acc {
            Acc::Exact(m, q) => Some((m.n(), m.mean(), q.quantile(0.05), q.quantile(0.5), q.quantile(0.95))),
            Acc::Real(m, q) => Some((m.n(), m.mean(), q[0].estimate(), q[2].estimate(), q[4].estimate())),
            Acc::Status(_) => None,
        }
    }

    /// Writes the header (prefix columns first).
    pub fn write_header(out: &mut CsvFile, prefix: &[String]) -> Result<(), OutputError> {
        out.record(prefix.iter().map(String::as_str).chain(COLUMNS))
    }

    /// Writes this summary's rows, each starting with `prefix` cells.
    pub fn write_rows(&self, out: &mut CsvFile, prefix: &[String]) -> Result<(), OutputError> {
        self.for_each_row(|cells| {
            for p in prefix {
                out.field(p)?;
            }
            for c in cells {
                out.field(c)?;
            }
            out.end()
        })
    }

    /// Calls `f` with each row's cells ([`COLUMNS`], formatted exactly as
    /// `summary.csv` writes them; empty where a cell does not apply), in
    /// file order. The Python bindings build their tables from these.
    pub fn for_each_row<E>(&self, mut f: impl FnMut(&[String]) -> Result<(), E>) -> Result<(), E> {
        let mut cells: Vec<String> = vec![String::new(); COLUMNS.len()];
        let mut emit = |cells: &mut Vec<String>| -> Result<(), E> {
            f(cells)?;
            cells.iter_mut().for_each(String::clear);
            Ok(())
        };
        // `k` of `n` trials, and the share's interval.
        let share = |cells: &mut Vec<String>, k: u64, n: u64, (lo, hi): (f64, f64)| {
            cells[3] = k.to_string();
            fmt_real(k as f64 / n.max(1) as f64, &mut cells[4]);
            fmt_real(lo, &mut cells[5]);
            fmt_real(hi, &mut cells[6]);
        };
        for (o, (name, &k)) in self.outcomes.iter().zip(&self.counts).enumerate() {
            cells[0] = "outcome".into();
            cells[1] = name.clone();
            share(&mut cells, k, self.n, self.outcome_interval(o, k));
            emit(&mut cells)?;
        }
        for (col, (name, acc)) in self.names.iter().zip(&self.accs).enumerate() {
            if let Acc::Status(c) = acc {
                let n: u64 = c.iter().sum();
                let first = self.shares.status.iter().find(|s| s.0 == col).map_or(0, |s| s.1);
                for (i, &k) in c.iter().enumerate() {
                    cells[0] = "status".into();
                    cells[1] = name.clone();
                    cells[2] = TalkStatus::ALL[i].as_str().into();
                    share(&mut cells, k, n, self.share_interval(first + i, k, n));
                    emit(&mut cells)?;
                }
            }
        }
        let names = std::iter::once("end_step").chain(self.names.iter().map(String::as_str));
        for (name, acc) in names.zip(std::iter::once(&self.end_step).chain(&self.accs)) {
            let (m, qs): (&Moments, [f64; 5]) = match acc {
                Acc::Exact(m, q) => (m, QUANTILES.map(|p| q.quantile(p))),
                Acc::Real(m, q) => (
                    m,
                    [
                        q[0].estimate(),
                        q[1].estimate(),
                        q[2].estimate(),
                        q[3].estimate(),
                        q[4].estimate(),
                    ],
                ),
                Acc::Status(_) => continue,
            };
            cells[0] = "metric".into();
            cells[1] = name.to_string();
            cells[3] = m.n().to_string();
            fmt_real(m.mean(), &mut cells[7]);
            fmt_real(m.sd(), &mut cells[8]);
            fmt_real(m.min(), &mut cells[9]);
            for (i, q) in qs.iter().enumerate() {
                fmt_real(*q, &mut cells[10 + i]);
            }
            fmt_real(m.max(), &mut cells[15]);
            emit(&mut cells)?;
        }
        self.window_rows(&mut cells, &mut emit)
    }

    /// The `window` rows: per declared windowed count, P(>0) with its
    /// interval (cluster-robust in a nested run when every trial defines
    /// it), then mean and quantiles.
    fn window_rows<E>(
        &self,
        cells: &mut Vec<String>,
        emit: &mut impl FnMut(&mut Vec<String>) -> Result<(), E>,
    ) -> Result<(), E> {
        for (&i, &(_, ind)) in self.windows.iter().zip(&self.shares.windows) {
            let Acc::Exact(m, q) = &self.accs[i] else { continue };
            let n = m.n();
            let k = n - q.count_of(0);
            let (lo, hi) = self.share_interval(ind, k, n);
            cells[0] = "window".into();
            cells[1] = self.names[i].clone();
            cells[3] = k.to_string();
            fmt_real(k as f64 / n.max(1) as f64, &mut cells[4]);
            fmt_real(lo, &mut cells[5]);
            fmt_real(hi, &mut cells[6]);
            fmt_real(m.mean(), &mut cells[7]);
            fmt_real(m.sd(), &mut cells[8]);
            fmt_real(m.min(), &mut cells[9]);
            for (j, p) in QUANTILES.iter().enumerate() {
                fmt_real(q.quantile(*p), &mut cells[10 + j]);
            }
            fmt_real(m.max(), &mut cells[15]);
            emit(cells)?;
        }
        Ok(())
    }
}

/// The columns of `layout` that are declared windowed quantities of counts
/// or true/false (not track statuses, which have `status` rows).
fn window_columns(layout: &MetricLayout) -> Vec<usize> {
    layout
        .metrics()
        .iter()
        .zip(&layout.kinds)
        .enumerate()
        .filter(|(_, (m, k))| matches!(m, crate::engine::Metric::Window(_)) && **k == MetricKind::Count)
        .map(|(i, _)| i)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The flagship, its metric layout and its outcome names.
    fn flagship() -> (crate::model::Scenario, MetricLayout, Vec<String>) {
        let s = crate::scenario::parse_builtin("us_iraq_2024", &[])
            .expect("flagship")
            .scenario;
        let layout = MetricLayout::new(&s);
        let outcomes = s.outcome_names().iter().map(|o| o.to_string()).collect();
        (s, layout, outcomes)
    }

    /// A block folded at once gives the same bytes as the trials pushed
    /// one by one (each accumulator sees the same values in the same
    /// order), on the flagship's count, real and status columns.
    #[test]
    fn push_block_is_push_per_trial() {
        let (s, layout, outcomes) = flagship();
        let width = layout.len() + 3;
        let (mut results, mut rows) = (Vec::new(), Vec::new());
        for i in 0..40 {
            let (r, row) = crate::runner::one(&s, &layout, 7, i);
            results.push(r);
            rows.extend_from_slice(&row);
            rows.extend_from_slice(&[f64::NAN; 3]);
        }
        let mut one = Summary::new(outcomes.clone(), &layout);
        for (j, r) in results.iter().enumerate() {
            one.push(r, &rows[j * width..j * width + layout.len()]);
        }
        let mut block = Summary::new(outcomes.clone(), &layout);
        block.push_block(&results[..25], &rows[..25 * width], width);
        block.push_block(&results[25..], &rows[25 * width..], width);
        let text = |x: &Summary| {
            let mut out = Vec::new();
            x.for_each_row(|cells| {
                out.push(cells.join(","));
                Ok::<(), ()>(())
            })
            .expect("rows");
            out
        };
        assert_eq!(text(&one), text(&block));
        assert_eq!(one.trials(), 40);
        // Nested (4 trials per draw): the clusters see the same trials.
        let mut one = Summary::new(outcomes.clone(), &layout).nested(4);
        for (j, r) in results.iter().enumerate() {
            one.push(r, &rows[j * width..j * width + layout.len()]);
        }
        let mut block = Summary::new(outcomes, &layout).nested(4);
        block.push_block(&results[..25], &rows[..25 * width], width);
        block.push_block(&results[25..], &rows[25 * width..], width);
        assert_eq!(one.outcome_table(), block.outcome_table());
        assert_eq!(text(&one), text(&block));
    }

    /// In a nested run a status category and a milestone get the
    /// cluster-robust interval of their own indicator: built so that
    /// status `agreement` and the milestone hold exactly in the trials of
    /// outcome 1, both intervals are outcome 1's, and wider than the
    /// binomial one (the draws are clustered: p_d uniform on 0.1..0.9).
    #[test]
    fn nested_shares_use_their_own_indicators() {
        let (_, layout, outcomes) = flagship();
        let status = layout
            .kinds
            .iter()
            .position(|k| *k == MetricKind::Status)
            .expect("a track");
        let mile = (layout.metrics().iter())
            .position(|m| matches!(m, crate::engine::Metric::MilestoneStep(_)))
            .expect("a milestone");
        let agreement = TalkStatus::ALL
            .iter()
            .position(|t| t.as_str() == "agreement")
            .expect("agreement");
        let mut rng = trial_rng(21, 0);
        let mut sum = Summary::new(outcomes, &layout).nested(10);
        for _ in 0..40 {
            let p = 0.1 + 0.8 * uniform(&mut rng);
            for _ in 0..10 {
                let hit = uniform(&mut rng) < p;
                let mut row = vec![0.0; layout.len()];
                row[status] = if hit { agreement as f64 } else { 1.0 };
                row[mile] = if hit { 5.0 } else { f64::NAN };
                let r = TrialResult {
                    outcome: u16::from(hit),
                    end_step: 9,
                };
                sum.push(&r, &row);
            }
        }
        let (_, k, _, lo, hi) = sum.outcome_table()[1].clone();
        assert_eq!(sum.milestone_share(&layout.names[mile]), Some((k, lo, hi)));
        let mut found = None;
        sum.for_each_row(|c| {
            if c[0] == "status" && c[1] == layout.names[status] && c[2] == "agreement" {
                found = Some((c[3].clone(), c[5].clone(), c[6].clone()));
            }
            Ok::<(), ()>(())
        })
        .expect("rows");
        let (mut l, mut h) = (String::new(), String::new());
        fmt_real(lo, &mut l);
        fmt_real(hi, &mut h);
        assert_eq!(found, Some((k.to_string(), l, h)));
        let (wl, wh) = wilson(k, 400, Z95);
        assert!(
            hi - lo > 1.5 * (wh - wl),
            "clustered [{lo}, {hi}], binomial [{wl}, {wh}]"
        );
    }

    use crate::dist::sample_beta;
    use crate::rng::{trial_rng, uniform};

    /// Beta-binomial closed form: draws `p_d ~ Beta(2, 6)` (mean 0.25,
    /// intra-draw correlation ρ = 1/(α+β+1) = 1/9), `K = 50` Bernoulli
    /// trials each, `D = 200` draws. `Var(p̂) = μ(1-μ)(1+(K-1)ρ)/n`. Over
    /// R = 400 replications: the mean cluster-robust variance matches it
    /// (z = 4 standard errors of that mean, plus the D/(D-1) factor's
    /// O(1/D) slack), and the interval covers μ in 95 % of replications
    /// (z = 4 binomial standard errors of the coverage), where the plain
    /// Wilson interval, blind to the draws, covers far less.
    #[test]
    fn cluster_robust_interval_matches_the_beta_binomial() {
        let (a, b, k, d, reps) = (2.0, 6.0, 50u64, 200u64, 400u32);
        let mu = a / (a + b);
        let rho = 1.0 / (a + b + 1.0);
        let n = k * d;
        let truth = mu * (1.0 - mu) * (1.0 + (k as f64 - 1.0) * rho) / n as f64;
        let mut rng = trial_rng(14, 0);
        let (mut sum_v, mut sum_v2) = (0.0, 0.0);
        let (mut covered, mut covered_plain) = (0u32, 0u32);
        for _ in 0..reps {
            let mut c = Clusters::new(2, k);
            let mut hits = 0u64;
            for _ in 0..d {
                let p = sample_beta(a, b, &mut rng);
                for _ in 0..k {
                    let o = usize::from(uniform(&mut rng) < p);
                    hits += o as u64;
                    c.push(o);
                }
            }
            let p_hat = hits as f64 / n as f64;
            let v = c.variance(1, p_hat, n);
            sum_v += v;
            sum_v2 += v * v;
            let (lo, hi) = clustered_wilson(hits, n, v, Z95);
            covered += u32::from(lo <= mu && mu <= hi);
            let (lo, hi) = wilson(hits, n, Z95);
            covered_plain += u32::from(lo <= mu && mu <= hi);
        }
        let r = f64::from(reps);
        let mean_v = sum_v / r;
        let se = ((sum_v2 / r - mean_v * mean_v) / (r - 1.0)).sqrt();
        assert!(
            (mean_v - truth).abs() < 4.0 * se + truth / d as f64,
            "mean V_c {mean_v:e}, closed form {truth:e}, se {se:e}"
        );
        let cover = f64::from(covered) / r;
        let sd = (0.95 * 0.05 / r).sqrt();
        assert!((cover - 0.95).abs() < 4.0 * sd, "coverage {cover}");
        let plain = f64::from(covered_plain) / r;
        assert!(plain < 0.8, "the binomial interval should under-cover here: {plain}");
    }

    #[test]
    fn one_trial_per_draw_is_the_binomial_interval() {
        assert_eq!(clustered_wilson(30, 100, f64::NAN, Z95), wilson(30, 100, Z95));
        // A variance below the binomial one is not allowed to narrow it.
        assert_eq!(clustered_wilson(30, 100, 1e-9, Z95), wilson(30, 100, Z95));
        let mut c = Clusters::new(2, 1);
        (0..100).for_each(|i| c.push(usize::from(i % 10 < 3)));
        let v = c.variance(1, 0.3, 100);
        // With K = 1 the sandwich is the binomial variance times n/(n-1).
        assert!((v - 0.3 * 0.7 / 100.0 * 100.0 / 99.0).abs() < 1e-12, "{v}");
    }
}

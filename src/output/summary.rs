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

/// Streaming summary of one set of trials.
#[derive(Debug, Clone)]
pub struct Summary {
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
        Summary {
            counts: vec![0; outcomes.len()],
            outcomes,
            n: 0,
            end_step: Acc::new(MetricKind::Count),
            names: layout.names.clone(),
            accs: layout.kinds.iter().map(|&k| Acc::new(k)).collect(),
            windows: window_columns(layout),
        }
    }

    /// Adds one trial.
    pub fn push(&mut self, r: &TrialResult, row: &[f64]) {
        self.n += 1;
        self.counts[r.outcome as usize] += 1;
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
            ..
        } = self;
        rayon::join(
            || {
                for r in results {
                    *n += 1;
                    counts[r.outcome as usize] += 1;
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

    /// Per outcome: (name, count, probability, Wilson low, high).
    pub fn outcome_table(&self) -> Vec<(String, u64, f64, f64, f64)> {
        self.outcomes
            .iter()
            .zip(&self.counts)
            .map(|(name, &k)| {
                let (lo, hi) = wilson(k, self.n, Z95);
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
        let share = |cells: &mut Vec<String>, k: u64, n: u64| {
            let (lo, hi) = wilson(k, n, Z95);
            cells[3] = k.to_string();
            fmt_real(k as f64 / n.max(1) as f64, &mut cells[4]);
            fmt_real(lo, &mut cells[5]);
            fmt_real(hi, &mut cells[6]);
        };
        for (name, &k) in self.outcomes.iter().zip(&self.counts) {
            cells[0] = "outcome".into();
            cells[1] = name.clone();
            share(&mut cells, k, self.n);
            emit(&mut cells)?;
        }
        for (name, acc) in self.names.iter().zip(&self.accs) {
            if let Acc::Status(c) = acc {
                let n: u64 = c.iter().sum();
                for (i, &k) in c.iter().enumerate() {
                    cells[0] = "status".into();
                    cells[1] = name.clone();
                    cells[2] = TalkStatus::ALL[i].as_str().into();
                    share(&mut cells, k, n);
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
    /// Wilson interval, then mean and quantiles.
    fn window_rows<E>(
        &self,
        cells: &mut Vec<String>,
        emit: &mut impl FnMut(&mut Vec<String>) -> Result<(), E>,
    ) -> Result<(), E> {
        for &i in &self.windows {
            let Acc::Exact(m, q) = &self.accs[i] else { continue };
            let n = m.n();
            let k = n - q.count_of(0);
            let (lo, hi) = wilson(k, n, Z95);
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

    /// A block folded at once gives the same bytes as the trials pushed
    /// one by one (each accumulator sees the same values in the same
    /// order), on the flagship's count, real and status columns.
    #[test]
    fn push_block_is_push_per_trial() {
        let s = crate::scenario::parse_builtin("us_iraq_2024", &[])
            .expect("flagship")
            .scenario;
        let layout = MetricLayout::new(&s);
        let outcomes: Vec<String> = s.outcome_names().iter().map(|o| o.to_string()).collect();
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
        let mut block = Summary::new(outcomes, &layout);
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
    }
}

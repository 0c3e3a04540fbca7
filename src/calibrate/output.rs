//! A calibration's outputs as data: `posterior.csv` (particles and
//! weights) and the `calibration.json` record (settings, tolerance
//! schedule, acceptance rates, ESS per generation, seed, hashes). Writers
//! take any `io::Write`; the reader takes text and a file name, so the
//! caller owns the files.
//!
//! `posterior.csv` has the header `particle,weight,<name>…` (parameter
//! names, typically dotted scenario paths) and one row per particle;
//! numbers are written in Rust's shortest round-trip form, so reading the
//! file back gives the same bits.

use std::collections::BTreeMap;
use std::io::Write;

use serde::{Deserialize, Serialize};

use super::prior::ParamPrior;
use super::{Calibration, GenerationRecord, Population, Settings, StopReason};

/// A `posterior.csv` that cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PosteriorError {
    /// The header is not `particle,weight,` then the expected names.
    #[error("{file}:1: expected the header `{expected}`, found `{found}`")]
    Header {
        /// File name.
        file: String,
        /// Expected header.
        expected: String,
        /// Header found.
        found: String,
    },
    /// A cell that is not a number, or a row of the wrong length.
    #[error("{file}:{line}:{column}: `{column_name}`: expected {expected}, found `{found}`")]
    Cell {
        /// File name.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column (field number).
        column: usize,
        /// The column's name.
        column_name: String,
        /// What was expected.
        expected: &'static str,
        /// What was found.
        found: String,
    },
    /// A particle where the prior has zero density.
    #[error("{file}:{line}: particle outside the prior's support: `{name}` = {value}")]
    OutsideSupport {
        /// File name.
        file: String,
        /// 1-based line.
        line: usize,
        /// Parameter name.
        name: String,
        /// Its value.
        value: f64,
    },
    /// Weights that do not sum to a positive finite number, or no rows.
    #[error("{file}: the weights sum to {sum}, expected a positive number")]
    Weights {
        /// File name.
        file: String,
        /// Their sum.
        sum: f64,
    },
    /// A CSV syntax error.
    #[error("{file}: {message}")]
    Csv {
        /// File name.
        file: String,
        /// The CSV reader's message.
        message: String,
    },
}

/// Writes `posterior.csv`: one row per particle.
pub fn write_posterior<W: Write>(out: W, names: &[&str], pop: &Population) -> csv::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let mut header = vec!["particle", "weight"];
    header.extend_from_slice(names);
    w.write_record(&header)?;
    let mut row: Vec<String> = Vec::with_capacity(names.len() + 2);
    for i in 0..pop.len() {
        row.clear();
        row.push(i.to_string());
        row.push(pop.weights[i].to_string());
        row.extend(pop.particle(i).iter().map(f64::to_string));
        w.write_record(&row)?;
    }
    w.flush()?;
    Ok(())
}

/// Reads `posterior.csv` text (named `file` in errors), checking the header
/// against `names`, every particle against the prior's support, and that
/// the weights are finite, non-negative and sum to a positive number. The
/// weights come back normalised.
pub fn read_posterior<P: ParamPrior>(
    text: &str,
    file: &str,
    names: &[&str],
    prior: &[P],
) -> Result<Population, PosteriorError> {
    let mut r = csv::ReaderBuilder::new().has_headers(true).from_reader(text.as_bytes());
    let mut want = vec!["particle", "weight"];
    want.extend_from_slice(names);
    let header = r.headers().map_err(|e| PosteriorError::Csv {
        file: file.into(),
        message: e.to_string(),
    })?;
    if header.iter().collect::<Vec<_>>() != want {
        return Err(PosteriorError::Header {
            file: file.into(),
            expected: want.join(","),
            found: header.iter().collect::<Vec<_>>().join(","),
        });
    }
    let dim = names.len();
    let mut pop = Population {
        dim,
        particles: Vec::new(),
        weights: Vec::new(),
        distances: Vec::new(),
    };
    for rec in r.records() {
        let rec = rec.map_err(|e| PosteriorError::Csv {
            file: file.into(),
            message: e.to_string(),
        })?;
        let line = rec.position().map_or(0, |p| p.line() as usize);
        let cell = |k: usize, expected: &'static str| PosteriorError::Cell {
            file: file.into(),
            line,
            column: k + 1,
            column_name: want[k].to_string(),
            expected,
            found: rec.get(k).unwrap_or("").to_string(),
        };
        let w: f64 = rec
            .get(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| cell(1, "a number"))?;
        if !(w >= 0.0 && w.is_finite()) {
            return Err(cell(1, "a finite weight >= 0"));
        }
        pop.weights.push(w);
        for k in 0..dim {
            let v: f64 = rec
                .get(k + 2)
                .and_then(|s| s.parse().ok())
                .filter(|v: &f64| v.is_finite())
                .ok_or_else(|| cell(k + 2, "a finite number"))?;
            if !prior[k].ln_density(v).is_finite() {
                return Err(PosteriorError::OutsideSupport {
                    file: file.into(),
                    line,
                    name: names[k].to_string(),
                    value: v,
                });
            }
            pop.particles.push(v);
        }
        pop.distances.push(Vec::new());
    }
    let sum: f64 = pop.weights.iter().sum();
    // Finite too: weights summing past f64::MAX would normalise to zeros.
    if !(sum.is_finite() && sum > 0.0) {
        return Err(PosteriorError::Weights { file: file.into(), sum });
    }
    for w in &mut pop.weights {
        *w /= sum;
    }
    Ok(pop)
}

/// The record written to `calibration.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalibrationRecord {
    /// brink's version.
    pub version: String,
    /// The settings (seed included).
    pub settings: Settings,
    /// Parameter names, in `posterior.csv`'s order.
    pub parameters: Vec<String>,
    /// Observed summaries.
    pub observed: Vec<f64>,
    /// The MAD scale of each summary in the distance.
    pub scales: Vec<f64>,
    /// One record per generation: tolerance, acceptance rate, ESS.
    pub generations: Vec<GenerationRecord>,
    /// Simulations run in total.
    pub simulations: u64,
    /// Why it stopped.
    pub stop: StopReason,
    /// Hashes of the inputs (e.g. `scenario`, `observed`), as the caller
    /// computed them.
    pub hashes: BTreeMap<String, String>,
    /// Each parameter's prior (family, parameters, summary) and weighted
    /// posterior summary, in `parameters`' order; filled by the caller
    /// that knows the priors (`brink calibrate`), so a report can overlay
    /// prior and posterior.
    #[serde(default)]
    pub priors: Vec<PriorRecord>,
    /// A label per observed summary (`<quantity>@<date or step>`).
    #[serde(default)]
    pub summaries: Vec<String>,
}

/// One parameter's prior and posterior, as `calibration.json` records them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PriorRecord {
    /// The dotted path.
    pub path: String,
    /// The prior's family (`gamma`, `beta`, ...).
    pub family: String,
    /// The prior as written (the `--set` spelling).
    pub distribution: String,
    /// The family's parameters by name.
    pub parameters: BTreeMap<String, f64>,
    /// Prior mean, median, 5 % and 95 % quantiles.
    pub prior: Moments,
    /// Weighted posterior mean, median, 5 % and 95 % quantiles.
    pub posterior: Moments,
}

/// Mean, median and the 5-95 % range of a distribution or a sample.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Moments {
    /// Mean.
    pub mean: f64,
    /// Median.
    pub median: f64,
    /// 5 % quantile.
    pub p5: f64,
    /// 95 % quantile.
    pub p95: f64,
}

/// The weighted mean and type-1 quantiles (5, 50, 95 %) of column `k` of
/// a population.
pub fn weighted_moments(pop: &Population, k: usize) -> Moments {
    let mut pairs: Vec<(f64, f64)> = (0..pop.len()).map(|i| (pop.particle(i)[k], pop.weights[i])).collect();
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = pairs.iter().map(|p| p.1).sum();
    let q = |p: f64| {
        let mut acc = 0.0;
        for &(x, w) in &pairs {
            acc += w;
            if acc >= p * total {
                return x;
            }
        }
        pairs.last().map_or(f64::NAN, |p| p.0)
    };
    Moments {
        mean: pop.mean(k),
        median: q(0.5),
        p5: q(0.05),
        p95: q(0.95),
    }
}

impl CalibrationRecord {
    /// The record of a finished calibration.
    pub fn new(
        cal: &Calibration,
        settings: &Settings,
        parameters: &[&str],
        observed: &[f64],
        hashes: BTreeMap<String, String>,
    ) -> CalibrationRecord {
        CalibrationRecord {
            version: crate::VERSION.to_string(),
            settings: settings.clone(),
            parameters: parameters.iter().map(|s| s.to_string()).collect(),
            observed: observed.to_vec(),
            scales: cal.scales.clone(),
            generations: cal.records.clone(),
            simulations: cal.simulations,
            stop: cal.stop,
            hashes,
            priors: Vec::new(),
            summaries: Vec::new(),
        }
    }

    /// Pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a record always serialises")
    }
}

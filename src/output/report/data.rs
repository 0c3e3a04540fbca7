//! Reading a run directory's files for the report: `summary.csv`,
//! `trials.csv` (only `outcome` and `end_step`, streamed), `timeline.csv`,
//! `run.json`, and any other CSV (`sensitivity.csv`, `score.csv`,
//! `posterior.csv`) generically from its header. A run written with
//! `--format parquet` has `trials.parquet` and `timeline.parquet` instead:
//! [`read_endings_parquet`] and [`read_timeline_parquet`] give the same
//! results from them, one row group in memory at a time.
//!
//! Every parse error names the file, line and column (1-based; the column
//! counts bytes from the start of the line, as an editor shows it), what
//! was expected and what was found.

use super::ReportError;
use crate::output::parquet::{Chunk, ParquetFile, ParquetReadError};
use crate::stats::{QUANTILES, wilson};
use std::collections::HashMap;
use std::path::Path;

/// The columns of `summary.csv` after a sweep's prefix, in order: the
/// writer's own header ([`crate::output::summary::COLUMNS`]).
pub const SUMMARY_COLUMNS: [&str; 16] = crate::output::summary::COLUMNS;

/// One row of `summary.csv`, numbers as read (missing cells are `None`),
/// with the raw text of each number kept for display checks.
#[derive(Debug, Clone)]
pub struct SummaryRow {
    /// The prefix cells (a sweep's `point` and parameter values).
    pub prefix: Vec<String>,
    /// `outcome`, `status` or `metric`.
    pub kind: String,
    /// The outcome, status column or metric name.
    pub name: String,
    /// A status's category.
    pub category: String,
    /// `count` .. `max`, in [`SUMMARY_COLUMNS`] order from `count`.
    pub values: [Option<f64>; 13],
}

impl SummaryRow {
    /// The value of column `col` (one of [`SUMMARY_COLUMNS`] from `count`).
    pub fn get(&self, col: &str) -> Option<f64> {
        let i = SUMMARY_COLUMNS.iter().position(|c| *c == col)?;
        i.checked_sub(3).and_then(|i| self.values[i])
    }
}

/// `summary.csv`.
#[derive(Debug, Clone, Default)]
pub struct SummaryFile {
    /// Prefix column names (empty for a run; `point` and the swept paths
    /// for a sweep).
    pub prefix: Vec<String>,
    /// Every row, in file order.
    pub rows: Vec<SummaryRow>,
}

impl SummaryFile {
    /// Rows of one kind.
    pub fn kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a SummaryRow> + 'a {
        self.rows.iter().filter(move |r| r.kind == kind)
    }

    /// Outcome names in file order (declared order, horizon outcome last).
    pub fn outcome_names(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for r in self.kind("outcome") {
            if !names.contains(&r.name) {
                names.push(r.name.clone());
            }
        }
        names
    }
}

/// A CSV file read whole: header and cells as text.
#[derive(Debug, Clone)]
pub struct Table {
    /// The file name (for messages).
    pub file: String,
    /// Column names.
    pub header: Vec<String>,
    /// Rows (at most the limit given to [`read_table`]).
    pub rows: Vec<Vec<String>>,
    /// Rows in the file beyond those kept.
    pub more: u64,
}

impl Table {
    /// Whether every non-empty cell of column `c` is a number (and at
    /// least one is).
    pub fn numeric(&self, c: usize) -> bool {
        let mut any = false;
        for r in &self.rows {
            let v = r[c].trim();
            if v.is_empty() {
                continue;
            }
            if v.parse::<f64>().is_err() {
                return false;
            }
            any = true;
        }
        any
    }

    /// Column `c` as numbers (`NaN` for empty cells).
    pub fn column(&self, c: usize) -> Vec<f64> {
        self.rows
            .iter()
            .map(|r| r[c].trim().parse::<f64>().unwrap_or(f64::NAN))
            .collect()
    }

    /// The index of column `name`.
    pub fn index(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }
}

/// 1-based byte column of field `field` in `rec` (as written, unquoted).
fn column_of(rec: &csv::ByteRecord, field: usize) -> u64 {
    1 + (0..field).map(|i| rec[i].len() as u64 + 1).sum::<u64>()
}

fn csv_error(path: &Path, e: csv::Error) -> ReportError {
    let file = path.display().to_string();
    let line = e.position().map_or(0, |p| p.line());
    match e.into_kind() {
        csv::ErrorKind::Io(source) => ReportError::Io { path: file, source },
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => ReportError::Csv {
            path: file,
            line,
            col: 1,
            expected: format!("{expected_len} fields, as in the header"),
            found: format!("{len} fields"),
        },
        csv::ErrorKind::Utf8 { err, .. } => ReportError::Csv {
            path: file,
            line,
            col: 1,
            expected: "UTF-8 text".into(),
            found: format!("invalid UTF-8 in field {}", err.field() + 1),
        },
        other => ReportError::Csv {
            path: file,
            line,
            col: 1,
            expected: "CSV".into(),
            found: format!("{other:?}"),
        },
    }
}

fn reader(path: &Path) -> Result<csv::Reader<std::fs::File>, ReportError> {
    let f = std::fs::File::open(path).map_err(|e| ReportError::io(path, e))?;
    Ok(csv::ReaderBuilder::new().has_headers(true).from_reader(f))
}

fn header(path: &Path, r: &mut csv::Reader<std::fs::File>) -> Result<Vec<String>, ReportError> {
    let h = r.headers().map_err(|e| csv_error(path, e))?;
    if h.is_empty() || (h.len() == 1 && h[0].is_empty()) {
        return Err(ReportError::Csv {
            path: path.display().to_string(),
            line: 1,
            col: 1,
            expected: "a header row".into(),
            found: "an empty file".into(),
        });
    }
    Ok(h.iter().map(str::to_string).collect())
}

fn number(path: &Path, rec: &csv::ByteRecord, i: usize, col: &str) -> Result<Option<f64>, ReportError> {
    let raw = &rec[i];
    if raw.is_empty() {
        return Ok(None);
    }
    let text = String::from_utf8_lossy(raw);
    match text.trim().parse::<f64>() {
        Ok(x) => Ok(Some(x)),
        Err(_) => Err(ReportError::Csv {
            path: path.display().to_string(),
            line: rec.position().map_or(0, |p| p.line()),
            col: column_of(rec, i),
            expected: format!("a number in column `{col}`"),
            found: format!("`{text}`"),
        }),
    }
}

/// Reads `summary.csv`: checks its columns and that every number parses.
pub fn read_summary(path: &Path) -> Result<SummaryFile, ReportError> {
    let mut r = reader(path)?;
    let h = header(path, &mut r)?;
    let Some(k) = h.iter().position(|c| c == "kind") else {
        return Err(ReportError::Csv {
            path: path.display().to_string(),
            line: 1,
            col: 1,
            expected: format!("the columns {}", SUMMARY_COLUMNS.join(",")),
            found: format!("`{}`", h.join(",")),
        });
    };
    if h.len() != k + SUMMARY_COLUMNS.len() || h[k..].iter().zip(SUMMARY_COLUMNS).any(|(a, b)| a != b) {
        let bad = h[k..]
            .iter()
            .zip(SUMMARY_COLUMNS)
            .position(|(a, b)| a != b)
            .unwrap_or(h.len() - k);
        let col = if k + bad >= h.len() {
            h.join(",").len() as u64 + 1
        } else {
            1 + h[..k + bad].iter().map(|c| c.len() as u64 + 1).sum::<u64>()
        };
        return Err(ReportError::Csv {
            path: path.display().to_string(),
            line: 1,
            col,
            expected: format!("the columns {} after `kind`", SUMMARY_COLUMNS[1..].join(",")),
            found: format!("`{}`", h[k + 1..].join(",")),
        });
    }
    let mut out = SummaryFile {
        prefix: h[..k].to_vec(),
        rows: Vec::new(),
    };
    let mut rec = csv::ByteRecord::new();
    while r.read_byte_record(&mut rec).map_err(|e| csv_error(path, e))? {
        let text = |i: usize| String::from_utf8_lossy(&rec[i]).into_owned();
        let kind = text(k);
        if !matches!(kind.as_str(), "outcome" | "status" | "metric") {
            return Err(ReportError::Csv {
                path: path.display().to_string(),
                line: rec.position().map_or(0, |p| p.line()),
                col: column_of(&rec, k),
                expected: "`outcome`, `status` or `metric` in column `kind`".into(),
                found: format!("`{kind}`"),
            });
        }
        let mut values = [None; 13];
        for (j, v) in values.iter_mut().enumerate() {
            *v = number(path, &rec, k + 3 + j, SUMMARY_COLUMNS[3 + j])?;
        }
        out.rows.push(SummaryRow {
            prefix: (0..k).map(text).collect(),
            kind,
            name: text(k + 1),
            category: text(k + 2),
            values,
        });
    }
    Ok(out)
}

/// Reads a whole CSV file as text, keeping at most `limit` rows.
pub fn read_table(path: &Path, limit: usize) -> Result<Table, ReportError> {
    let mut r = reader(path)?;
    let header = header(path, &mut r)?;
    let mut rows = Vec::new();
    let mut more = 0u64;
    let mut rec = csv::StringRecord::new();
    while r.read_record(&mut rec).map_err(|e| csv_error(path, e))? {
        if rows.len() < limit {
            rows.push(rec.iter().map(str::to_string).collect());
        } else {
            more += 1;
        }
    }
    Ok(Table {
        file: path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
        header,
        rows,
        more,
    })
}

/// How trials ended: per outcome, how many ended at each step.
#[derive(Debug, Clone)]
pub struct Endings {
    /// Outcome names, in summary order.
    pub outcomes: Vec<String>,
    /// `by_step[o][t]`: trials ending in outcome `o` at step `t`.
    pub by_step: Vec<Vec<u64>>,
    /// Trials read.
    pub trials: u64,
    /// The file read (`trials.csv` or `trials.parquet`).
    pub source: &'static str,
}

impl Endings {
    /// Cumulative incidence of outcome `o`: the share of all trials that
    /// ended in `o` by the end of step `t`, for `t = 0..=last`, with 95 %
    /// Wilson intervals. Every trial ends in exactly one outcome, so no
    /// trial is censored and this is a plain binomial proportion per step.
    pub fn incidence(&self, o: usize) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        let n = self.trials;
        let mut k = 0u64;
        let mut p = Vec::with_capacity(self.by_step[o].len());
        let mut lo = Vec::with_capacity(p.capacity());
        let mut hi = Vec::with_capacity(p.capacity());
        for &c in &self.by_step[o] {
            k += c;
            let (l, h) = wilson(k, n, crate::stats::Z95);
            p.push(if n == 0 { 0.0 } else { k as f64 / n as f64 });
            lo.push(l);
            hi.push(h);
        }
        (p, lo, hi)
    }

    /// Trials that ended in outcome `o`.
    pub fn count(&self, o: usize) -> u64 {
        self.by_step[o].iter().sum()
    }
}

/// Streams `trials.csv` for its `outcome` and `end_step` columns (memory
/// does not grow with trials). `outcomes` are the names `summary.csv`
/// declared; a trial naming another is an error.
pub fn read_endings(path: &Path, outcomes: &[String]) -> Result<Endings, ReportError> {
    let mut r = reader(path)?;
    let h = header(path, &mut r)?;
    let find = |name: &str| {
        h.iter().position(|c| c == name).ok_or_else(|| ReportError::Csv {
            path: path.display().to_string(),
            line: 1,
            col: 1,
            expected: format!("a column `{name}`"),
            found: format!("`{}`", h.join(",")),
        })
    };
    let (oc, ec) = (find("outcome")?, find("end_step")?);
    let index: HashMap<&[u8], usize> = outcomes.iter().enumerate().map(|(i, o)| (o.as_bytes(), i)).collect();
    let mut out = Endings {
        outcomes: outcomes.to_vec(),
        by_step: vec![Vec::new(); outcomes.len()],
        trials: 0,
        source: "trials.csv",
    };
    let mut rec = csv::ByteRecord::new();
    while r.read_byte_record(&mut rec).map_err(|e| csv_error(path, e))? {
        let line = rec.position().map_or(0, |p| p.line());
        let Some(&o) = index.get(&rec[oc]) else {
            return Err(ReportError::Csv {
                path: path.display().to_string(),
                line,
                col: column_of(&rec, oc),
                expected: format!("an outcome of summary.csv ({})", outcomes.join(", ")),
                found: format!("`{}`", String::from_utf8_lossy(&rec[oc])),
            });
        };
        let step = std::str::from_utf8(&rec[ec])
            .ok()
            .and_then(|s| s.parse::<usize>().ok())
            .filter(|&s| s <= 1 << 24)
            .ok_or_else(|| ReportError::Csv {
                path: path.display().to_string(),
                line,
                col: column_of(&rec, ec),
                expected: "a step (a whole number from 0) in column `end_step`".into(),
                found: format!("`{}`", String::from_utf8_lossy(&rec[ec])),
            })?;
        let v = &mut out.by_step[o];
        if v.len() <= step {
            v.resize(step + 1, 0);
        }
        v[step] += 1;
        out.trials += 1;
    }
    let last = out.by_step.iter().map(Vec::len).max().unwrap_or(0);
    for v in &mut out.by_step {
        v.resize(last, 0);
    }
    Ok(out)
}

/// Quantiles across trials, per step, of one timeline column.
#[derive(Debug, Clone)]
pub struct Fan {
    /// The column.
    pub column: String,
    /// `q[j][t]`: quantile [`QUANTILES`]`[j]` at step `t`.
    pub q: Vec<Vec<f64>>,
}

/// What the report plots from `timeline.csv`.
#[derive(Debug, Clone)]
pub struct Timeline {
    /// Trials read (the first `limit` of the file).
    pub trials: usize,
    /// Trials in the file beyond those read.
    pub skipped: bool,
    /// One fan per plotted column.
    pub fans: Vec<Fan>,
    /// The file read (`timeline.csv` or `timeline.parquet`).
    pub source: &'static str,
}

/// Whether the report draws a fan chart of timeline column `c`: running
/// totals, pressure and risk stocks, actions taken so far and talks
/// progress.
pub fn fan_column(c: &str) -> bool {
    c.starts_with("cum_events_")
        || c.starts_with("cum_killed_")
        || c.starts_with("pressure_")
        || c.starts_with("risk_")
        || c.starts_with("cum_actions_")
        || (c.starts_with("talks_") && c.ends_with("_progress"))
}

/// Reads the first `limit` trials of `timeline.csv` and computes, per
/// step, the quantiles [`QUANTILES`] across trials of each
/// [`fan_column`]. A trial's rows stop at its end step; its last value is
/// carried to the last step of the longest trial (nothing more happened
/// in the model), so each step's quantiles are over all trials read.
/// Quantiles are exact order statistics (the smallest x with F(x) >= p).
pub fn read_timeline(path: &Path, limit: usize) -> Result<Timeline, ReportError> {
    let mut r = reader(path)?;
    let h = header(path, &mut r)?;
    let need = |name: &str| {
        h.iter().position(|c| c == name).ok_or_else(|| ReportError::Csv {
            path: path.display().to_string(),
            line: 1,
            col: 1,
            expected: format!("a column `{name}`"),
            found: format!("`{}`", h.join(",")),
        })
    };
    let (tc, sc) = (need("trial")?, need("step")?);
    let cols: Vec<usize> = (0..h.len()).filter(|&i| fan_column(&h[i])).collect();
    // values[c][trial] = per-step values of that trial.
    let mut values: Vec<Vec<Vec<f64>>> = vec![Vec::new(); cols.len()];
    let mut trial_ids: Vec<Vec<u8>> = Vec::new();
    let mut skipped = false;
    let mut rec = csv::ByteRecord::new();
    while r.read_byte_record(&mut rec).map_err(|e| csv_error(path, e))? {
        let line = rec.position().map_or(0, |p| p.line());
        if trial_ids.last().is_none_or(|t| t.as_slice() != &rec[tc]) {
            if trial_ids.len() == limit {
                skipped = true;
                break;
            }
            trial_ids.push(rec[tc].to_vec());
            for v in &mut values {
                v.push(Vec::new());
            }
        }
        let step = std::str::from_utf8(&rec[sc]).ok().and_then(|s| s.parse::<usize>().ok());
        let t = trial_ids.len() - 1;
        if step != Some(values.first().map_or(0, |v| v[t].len())) && !cols.is_empty() {
            return Err(ReportError::Csv {
                path: path.display().to_string(),
                line,
                col: column_of(&rec, sc),
                expected: format!("step {} (rows of a trial in step order from 0)", values[0][t].len()),
                found: format!("`{}`", String::from_utf8_lossy(&rec[sc])),
            });
        }
        for (j, &c) in cols.iter().enumerate() {
            let x = number(path, &rec, c, &h[c])?.unwrap_or(f64::NAN);
            values[j][t].push(x);
        }
    }
    let names: Vec<String> = cols.iter().map(|&c| h[c].clone()).collect();
    Ok(fans(&names, &values, trial_ids.len(), skipped, "timeline.csv"))
}

/// The fans of `names[j]` from `values[j][trial][step]`.
fn fans(names: &[String], values: &[Vec<Vec<f64>>], n: usize, skipped: bool, source: &'static str) -> Timeline {
    let steps = values.first().map_or(0, |v| v.iter().map(Vec::len).max().unwrap_or(0));
    let mut fans = Vec::with_capacity(names.len());
    let mut buf = Vec::with_capacity(n);
    for (j, name) in names.iter().enumerate() {
        let mut q = vec![vec![f64::NAN; steps]; QUANTILES.len()];
        #[allow(clippy::needless_range_loop)] // t indexes every quantile's row
        for t in 0..steps {
            buf.clear();
            buf.extend(
                values[j]
                    .iter()
                    .filter_map(|v| v.get(t).or(v.last()).copied())
                    .filter(|x| !x.is_nan()),
            );
            buf.sort_by(f64::total_cmp);
            for (qi, &p) in QUANTILES.iter().enumerate() {
                q[qi][t] = order_statistic(&buf, p);
            }
        }
        fans.push(Fan {
            column: name.clone(),
            q,
        });
    }
    Timeline {
        trials: n,
        skipped,
        fans,
        source,
    }
}

fn pq_err(e: ParquetReadError) -> ReportError {
    ReportError::Parquet(e)
}

/// The index of column `name` in `f`, or an error naming the columns.
fn pq_column(f: &ParquetFile, path: &Path, name: &str) -> Result<usize, ReportError> {
    f.column(name).ok_or_else(|| {
        pq_err(ParquetReadError {
            path: path.display().to_string(),
            what: format!(
                "expected a column `{name}`, found {}",
                f.specs()
                    .iter()
                    .map(|c| format!("`{}`", c.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })
    })
}

/// Row `r` of a chunk as a whole number from 0 (a step), or an error.
fn pq_step(ch: &Chunk, path: &Path, col: &str, g: usize, r: usize) -> Result<usize, ReportError> {
    ch.number(r)
        .filter(|x| x.fract() == 0.0 && (0.0..=f64::from(1u32 << 24)).contains(x))
        .map(|x| x as usize)
        .ok_or_else(|| {
            pq_err(ParquetReadError {
                path: path.display().to_string(),
                what: format!(
                    "row group {g}, row {r}: expected a step (a whole number from 0) in column `{col}`, found {:?}",
                    ch.number(r)
                ),
            })
        })
}

/// [`read_endings`] from `trials.parquet`.
pub fn read_endings_parquet(path: &Path, outcomes: &[String]) -> Result<Endings, ReportError> {
    let f = ParquetFile::open(path).map_err(pq_err)?;
    let (oc, ec) = (pq_column(&f, path, "outcome")?, pq_column(&f, path, "end_step")?);
    let index: HashMap<&[u8], usize> = outcomes.iter().enumerate().map(|(i, o)| (o.as_bytes(), i)).collect();
    let mut out = Endings {
        outcomes: outcomes.to_vec(),
        by_step: vec![Vec::new(); outcomes.len()],
        trials: 0,
        source: "trials.parquet",
    };
    for g in 0..f.row_groups() {
        let ch = f.read_group(g, &[oc, ec]).map_err(pq_err)?;
        let n = match &ch[1].values {
            crate::output::parquet::Values::Int(v) => v.len(),
            _ => 0,
        };
        for r in 0..n {
            let name = ch[0].bytes(r).unwrap_or(b"");
            let Some(&o) = index.get(name) else {
                return Err(pq_err(ParquetReadError {
                    path: path.display().to_string(),
                    what: format!(
                        "row group {g}, row {r}: expected an outcome of summary.csv ({}) in column `outcome`, found `{}`",
                        outcomes.join(", "),
                        String::from_utf8_lossy(name)
                    ),
                }));
            };
            let step = pq_step(&ch[1], path, "end_step", g, r)?;
            let v = &mut out.by_step[o];
            if v.len() <= step {
                v.resize(step + 1, 0);
            }
            v[step] += 1;
            out.trials += 1;
        }
    }
    let last = out.by_step.iter().map(Vec::len).max().unwrap_or(0);
    for v in &mut out.by_step {
        v.resize(last, 0);
    }
    Ok(out)
}

/// [`read_timeline`] from `timeline.parquet`.
pub fn read_timeline_parquet(path: &Path, limit: usize) -> Result<Timeline, ReportError> {
    let f = ParquetFile::open(path).map_err(pq_err)?;
    let (tc, sc) = (pq_column(&f, path, "trial")?, pq_column(&f, path, "step")?);
    let cols: Vec<usize> = (0..f.specs().len())
        .filter(|&i| fan_column(&f.specs()[i].name))
        .collect();
    let mut want = vec![tc, sc];
    want.extend(&cols);
    let mut values: Vec<Vec<Vec<f64>>> = vec![Vec::new(); cols.len()];
    let mut last_trial: Option<i64> = None;
    let mut trials = 0usize;
    let mut skipped = false;
    'groups: for g in 0..f.row_groups() {
        let ch = f.read_group(g, &want).map_err(pq_err)?;
        let n = match &ch[0].values {
            crate::output::parquet::Values::Int(v) => v.len(),
            _ => 0,
        };
        for r in 0..n {
            let trial = ch[0].number(r).map(|x| x as i64);
            if trial != last_trial || trials == 0 {
                if trials == limit {
                    skipped = true;
                    break 'groups;
                }
                last_trial = trial;
                trials += 1;
                for v in &mut values {
                    v.push(Vec::new());
                }
            }
            let t = trials - 1;
            let step = pq_step(&ch[1], path, "step", g, r)?;
            let expect = values.first().map_or(0, |v| v[t].len());
            if step != expect && !cols.is_empty() {
                return Err(pq_err(ParquetReadError {
                    path: path.display().to_string(),
                    what: format!(
                        "row group {g}, row {r}: expected step {expect} (rows of a trial in step order from 0), found {step}"
                    ),
                }));
            }
            for (j, c) in ch[2..].iter().enumerate() {
                values[j][t].push(c.number(r).unwrap_or(f64::NAN));
            }
        }
    }
    let names: Vec<String> = cols.iter().map(|&c| f.specs()[c].name.clone()).collect();
    Ok(fans(&names, &values, trials, skipped, "timeline.parquet"))
}

/// The smallest x of sorted `xs` with F(x) >= p (`NaN` if empty).
pub fn order_statistic(xs: &[f64], p: f64) -> f64 {
    if xs.is_empty() {
        return f64::NAN;
    }
    let k = ((p * xs.len() as f64).ceil() as usize).clamp(1, xs.len());
    xs[k - 1]
}

/// Reads `run.json` (or another JSON file); a syntax error gives its line
/// and column.
pub fn read_json(path: &Path) -> Result<serde_json::Value, ReportError> {
    let text = std::fs::read_to_string(path).map_err(|e| ReportError::io(path, e))?;
    serde_json::from_str(&text).map_err(|e| ReportError::Csv {
        path: path.display().to_string(),
        line: e.line() as u64,
        col: e.column() as u64,
        expected: "JSON".into(),
        found: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_statistic_is_the_smallest_x_with_f_at_least_p() {
        let xs = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(order_statistic(&xs, 0.25), 1.0);
        assert_eq!(order_statistic(&xs, 0.26), 2.0);
        assert_eq!(order_statistic(&xs, 0.5), 2.0);
        assert_eq!(order_statistic(&xs, 0.95), 4.0);
        assert!(order_statistic(&[], 0.5).is_nan());
    }

    #[test]
    fn incidence_ends_at_each_outcomes_share() {
        let e = Endings {
            outcomes: vec!["a".into(), "b".into()],
            by_step: vec![vec![1, 0, 2], vec![0, 3, 4]],
            trials: 10,
            source: "trials.csv",
        };
        let (p, lo, hi) = e.incidence(0);
        assert_eq!(p, vec![0.1, 0.1, 0.3]);
        assert_eq!((lo[2], hi[2]), wilson(3, 10, crate::stats::Z95));
        assert_eq!(e.incidence(1).0, vec![0.0, 0.3, 0.7]);
        assert_eq!(e.count(1), 7);
    }
}

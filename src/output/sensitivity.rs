//! `sensitivity.csv`: what drives each answer, one row per (output,
//! uncertain parameter), written by `brink run` (one block) and by `brink
//! sweep` (one block per point, each row led by the point's cells).
//!
//! Each row holds the first-order index `S = Var(E[Y|X]) / Var(Y)` of
//! parameter `X` on output `Y`, estimated from the run's own rows by the
//! given-data binning estimator of Plischke, Borgonovo and Smith (2013)
//! [Plischke2013] ([`crate::sensitivity`]), with its analytic standard
//! error. Columns: the prefix (none for a run; `point` and the swept
//! paths for a sweep), then [`COLUMNS`]. Reals are written with six
//! decimals, an undefined value (an output that never varies) as an empty
//! cell. This module only formats: the estimates come from the job layer
//! (`job::uncert::Analysis`).

use super::{CsvFile, OutputError};
use crate::sensitivity::Estimate;
use std::path::{Path, PathBuf};

/// The file's name in a run or sweep directory.
pub const FILE: &str = "sensitivity.csv";

/// The columns after the prefix.
pub const COLUMNS: [&str; 7] = ["output", "parameter", "index", "se", "raw", "classes", "n"];

/// One row: the output's name (`outcome:<id>`, `end_step` or a metric
/// column), the parameter's dotted path and its estimate.
pub type Row<'a> = (&'a str, &'a str, &'a Estimate);

/// A real as the file writes it: six decimals; NaN or infinite as empty.
pub fn fmt6(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.6}")
    } else {
        String::new()
    }
}

/// The cells of one row after the prefix, as written ([`COLUMNS`]).
pub fn cells(output: &str, parameter: &str, e: &Estimate) -> [String; 7] {
    [
        output.to_string(),
        parameter.to_string(),
        fmt6(e.index),
        fmt6(e.se),
        fmt6(e.raw),
        e.classes.to_string(),
        e.n.to_string(),
    ]
}

/// Writes the header: `prefix` names, then [`COLUMNS`].
pub fn write_header(f: &mut CsvFile, prefix: &[String]) -> Result<(), OutputError> {
    f.record(prefix.iter().map(String::as_str).chain(COLUMNS))
}

/// Writes `rows`, each led by the `prefix` cells.
pub fn write_rows<'a>(
    f: &mut CsvFile,
    prefix: &[String],
    rows: impl IntoIterator<Item = Row<'a>>,
) -> Result<(), OutputError> {
    for (output, parameter, e) in rows {
        for p in prefix {
            f.field(p)?;
        }
        for c in cells(output, parameter, e) {
            f.field(&c)?;
        }
        f.end()?;
    }
    Ok(())
}

/// A run's `dir/sensitivity.csv`, written atomically; returns its path.
pub fn write<'a>(dir: &Path, rows: impl IntoIterator<Item = Row<'a>>) -> Result<PathBuf, OutputError> {
    let mut f = CsvFile::create(&dir.join(FILE))?;
    write_header(&mut f, &[])?;
    write_rows(&mut f, &[], rows)?;
    f.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_have_six_decimals_and_empty_nan() {
        let e = Estimate {
            index: 0.25,
            se: f64::NAN,
            raw: -0.0000004,
            classes: 12,
            n: 144,
        };
        assert_eq!(
            cells("outcome:a", "x.y", &e),
            ["outcome:a", "x.y", "0.250000", "", "-0.000000", "12", "144"].map(String::from)
        );
    }
}

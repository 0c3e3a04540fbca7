//! Limits checked before a run starts: the bytes a run will write against
//! the free space of its output directory, estimated from a few real
//! trials, so a run that cannot finish fails in a second with the estimate
//! in its message instead of after hours with a full disk.
//!
//! Memory needs no such check: a run holds one block of trial results
//! ([`crate::runner::BLOCK`] rows) and per-value counts whatever its trial
//! count, a sweep one point's summary on top.

use crate::engine::MetricLayout;
use crate::model::Scenario;
use crate::runner::RunError;
use std::path::Path;

/// Trials sampled to estimate the bytes of one `trials.csv` row.
pub const SAMPLE_TRIALS: u64 = 16;

/// Free bytes for an unprivileged writer on the file system holding `dir`
/// (`statvfs`: available blocks times fragment size); `None` where it
/// cannot be read.
pub fn free_bytes(dir: &Path) -> Option<u64> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let c = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
        let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
        // SAFETY: `c` is a valid NUL-terminated path, `st` a writable struct.
        let rc = unsafe { libc::statvfs(c.as_ptr(), &mut st) };
        if rc != 0 {
            return None;
        }
        #[allow(clippy::unnecessary_cast)] // the field types differ by platform
        Some((st.f_bavail as u64).saturating_mul(st.f_frsize as u64))
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        None
    }
}

/// Mean bytes of one `trials.csv` row (without a sweep's prefix), measured
/// by formatting the first [`SAMPLE_TRIALS`] trials of `seed`, with the
/// trial column as wide as the last trial index.
pub fn trial_row_bytes(s: &Scenario, layout: &MetricLayout, seed: u64, trials: u64) -> f64 {
    let outcomes = s.outcome_names();
    let n = SAMPLE_TRIALS.min(trials.max(1));
    let mut total = 0usize;
    let mut cell = String::new();
    for i in 0..n {
        let (r, row) = crate::runner::one(s, layout, seed, i);
        let mut bytes = outcomes[r.outcome as usize].len() + digits(u64::from(r.end_step)) + 2;
        for (kind, x) in layout.kinds.iter().zip(&row) {
            super::fmt_value(*kind, *x, &mut cell);
            bytes += cell.len() + 1;
        }
        total += bytes + 1;
    }
    total as f64 / n as f64 + digits(trials.saturating_sub(1)) as f64
}

/// Bytes of one `timeline.csv` row, at least: every cell holds one
/// character and a separator.
pub fn timeline_row_bytes_min(s: &Scenario) -> u64 {
    let date = if s.start_date.is_some() { 11 } else { 0 };
    2 * (super::timeline::column_count(s) as u64 + 2) + date
}

/// Decimal digits of `x`.
pub fn digits(x: u64) -> usize {
    x.checked_ilog10().map_or(1, |d| d as usize + 1)
}

/// Bytes in words: `1.3 GB`.
pub fn human(bytes: f64) -> String {
    const UNITS: [&str; 6] = ["bytes", "kB", "MB", "GB", "TB", "PB"];
    let mut x = bytes;
    let mut u = 0;
    while x >= 1000.0 && u + 1 < UNITS.len() {
        x /= 1000.0;
        u += 1;
    }
    if u == 0 {
        format!("{x:.0} bytes")
    } else {
        format!("{x:.1} {}", UNITS[u])
    }
}

/// Fails with [`RunError::Limit`] when writing `bytes` (an estimate, see
/// `how`) to `dir` would not fit in its free space.
pub fn check_space(dir: &Path, what: &str, bytes: f64, how: &str) -> Result<(), RunError> {
    let Some(free) = free_bytes(dir) else {
        return Ok(());
    };
    if bytes > free as f64 {
        return Err(RunError::Limit {
            what: format!(
                "{what} would need about {} ({how}), but `{}` has {} free",
                human(bytes),
                dir.display(),
                human(free as f64)
            ),
            help: "ask for fewer trials (or points, or --timeline trials), or choose a directory with more space with --out"
                .into(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_and_human() {
        assert_eq!(digits(0), 1);
        assert_eq!(digits(9), 1);
        assert_eq!(digits(10), 2);
        assert_eq!(digits(u64::MAX), 20);
        assert_eq!(human(999.0), "999 bytes");
        assert_eq!(human(1500.0), "1.5 kB");
        assert_eq!(human(2.5e12), "2.5 TB");
    }

    #[test]
    fn free_bytes_of_the_temp_dir() {
        assert!(free_bytes(&std::env::temp_dir()).is_some_and(|b| b > 0));
        assert!(free_bytes(Path::new("/no/such/dir/anywhere")).is_none());
    }
}

//! Planning before a job starts: the bytes it will write against the free
//! space of its output directory, and the memory it will hold against the
//! memory available, so a job that cannot finish fails in a second with
//! the estimate in its message instead of after hours (or with an abort).
//!
//! A row of `trials.csv` is sized by running and formatting the first
//! [`SAMPLE_TRIALS`] trials of the very seed the job will use (the sizes
//! of counts vary a lot between scenarios); the rest of a run holds one
//! block of trial results ([`crate::runner::BLOCK`] rows) whatever its
//! trial count, so only the tournament, which keeps one score per
//! strategy and trial, needs a memory check.

use super::JobError;
use crate::engine::MetricLayout;
use crate::model::Scenario;
use crate::output::limits::{digits, free_bytes, human};
use std::path::Path;

/// Trials sampled to estimate the bytes of one `trials.csv` row.
pub const SAMPLE_TRIALS: u64 = 16;

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
            crate::output::fmt_value(*kind, *x, &mut cell);
            bytes += cell.len() + 1;
        }
        total += bytes + 1;
    }
    total as f64 / n as f64 + digits(trials.saturating_sub(1)) as f64
}

/// Fails with [`JobError::Limit`] when writing `bytes` (an estimate, see
/// `how`) to `dir` would not fit in its free space.
pub fn check_space(dir: &Path, what: &str, bytes: f64, how: &str) -> Result<(), JobError> {
    let Some(free) = free_bytes(dir) else {
        return Ok(());
    };
    if bytes > free as f64 {
        return Err(JobError::Limit {
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

/// Memory the system can give this process without swapping (Linux:
/// `MemAvailable` of `/proc/meminfo`); `None` where it cannot be read.
pub fn available_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb.saturating_mul(1024))
}

/// Fails with [`JobError::Limit`] when holding `bytes` (an estimate, see
/// `how`) would exceed the memory available; `help` says what to ask for
/// instead.
pub fn check_memory(what: &str, bytes: f64, how: &str, help: &str) -> Result<(), JobError> {
    let limit = available_memory().map_or(f64::INFINITY, |b| b as f64);
    // Beyond the address space whatever the machine.
    if bytes > limit || bytes >= isize::MAX as f64 {
        let have = if limit.is_finite() {
            format!("{} available", human(limit))
        } else {
            "not that much".to_string()
        };
        return Err(JobError::Limit {
            what: format!(
                "{what} would need about {} of memory ({how}), but this machine has {have}",
                human(bytes)
            ),
            help: help.to_string(),
        });
    }
    Ok(())
}

/// A zeroed vector of `n` values, or [`JobError::Limit`] if the allocator
/// refuses it (the last guard after [`check_memory`]).
pub fn zeroed(n: usize, what: &str, help: &str) -> Result<Vec<f64>, JobError> {
    let mut v = Vec::new();
    v.try_reserve_exact(n).map_err(|_| JobError::Limit {
        what: format!(
            "{what} would need {} of memory, which the system refused",
            human(n as f64 * 8.0)
        ),
        help: help.to_string(),
    })?;
    v.resize(n, 0.0);
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_beyond_the_address_space_is_refused() {
        let e = check_memory("this", 1e30, "how", "less").expect_err("too much");
        assert!(e.to_string().contains("this would need about"), "{e}");
        assert_eq!(e.exit_code(), 2);
        assert!(check_memory("this", 1000.0, "how", "less").is_ok());
    }

    #[test]
    fn available_memory_is_read_on_linux() {
        if cfg!(target_os = "linux") {
            assert!(available_memory().is_some_and(|b| b > 0));
        }
    }
}

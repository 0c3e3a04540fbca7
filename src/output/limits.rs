//! Sizes of output: free bytes of a directory, the least bytes of a
//! timeline row, numbers of digits, bytes in words. The job layer
//! (`job::plan`) uses them to check a job against the disk before it
//! starts; nothing here runs trials.

use crate::model::Scenario;
use std::path::Path;

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

pub use crate::text::human;

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

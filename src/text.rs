//! Numbers as text, shared by every layer that writes them: reals in
//! shortest round-trip form (what `trials.csv` and `design.csv` hold) and
//! byte counts in words (what limit messages say). Kept below `design`
//! and `output` so neither imports the other for formatting.

/// Shortest round-trip form of a real, with `-0` written as `0`; NaN
/// writes nothing (an empty cell).
pub fn fmt_real(x: f64, buf: &mut String) {
    use std::fmt::Write as _;
    if x.is_nan() {
        return;
    }
    let x = if x == 0.0 { 0.0 } else { x };
    let _ = write!(buf, "{x}");
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

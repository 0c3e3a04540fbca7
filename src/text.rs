//! Numbers as text, shared by every layer that writes them: reals in
//! shortest round-trip form (what `trials.csv` and `design.csv` hold) and
//! byte counts in words (what limit messages say), and the edit distance
//! behind every "did you mean". Kept below `design`
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

/// Levenshtein distance (insertions, deletions, substitutions), by chars:
/// the measure behind every "did you mean" (scenario keys, ids,
/// distribution families).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for j in 0..b.len() {
            let cost = usize::from(ca != b[j]);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

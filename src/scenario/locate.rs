//! Finding where a dotted key was written, for error messages.

use toml::de::{DeTable, DeValue};

/// The deepest prefix of `path` written in `text`: how many segments
/// matched and the byte range to point at (the value for a whole match of
/// a plain value, the key otherwise). `None` if the text does not parse.
pub fn find(text: &str, path: &[&str]) -> Option<(usize, std::ops::Range<usize>)> {
    let root = DeTable::parse(text).ok()?;
    let mut table: &DeTable<'_> = root.get_ref();
    let mut best: (usize, std::ops::Range<usize>) = (0, 0..0);
    for (depth, seg) in path.iter().enumerate() {
        let Some((k, v)) = table.get_key_value(*seg) else { break };
        let whole = depth + 1 == path.len();
        let span = match v.get_ref() {
            DeValue::Table(_) => k.span(),
            _ if whole => v.span(),
            _ => k.span(),
        };
        best = (depth + 1, span);
        match v.get_ref() {
            DeValue::Table(t) => table = t,
            _ => break,
        }
    }
    if best.0 == 0 && !path.is_empty() {
        return None;
    }
    Some(best)
}

/// 1-based (line, column) of byte offset `at` in `text`, column counted in
/// characters.
pub fn line_col(text: &str, at: usize) -> (usize, usize) {
    let at = at.min(text.len());
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, text[start..at].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_values_and_tables() {
        let text = "[dyads.kh_us]\nfrom = \"kh\"\n[dyads.kh_us.initiative]\nrate = -1.0\n";
        let (d, span) = find(text, &["dyads", "kh_us", "initiative", "rate"]).unwrap();
        assert_eq!(d, 4);
        assert_eq!(&text[span.clone()], "-1.0");
        assert_eq!(line_col(text, span.start), (4, 8));
        let (d, _) = find(text, &["dyads", "kh_us", "response", "delay"]).unwrap();
        assert_eq!(d, 2);
        assert!(find(text, &["actors"]).is_none());
    }
}

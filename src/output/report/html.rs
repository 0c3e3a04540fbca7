//! The page around the figures: escaping, the style sheet, tables and
//! figure blocks. The page has no script and loads nothing: every figure
//! is inline SVG and the style sheet is inline, so it opens offline and
//! when attached to an email.

use super::charts::{self, Chart, NARROW, WIDE};
use std::fmt::Write as _;

/// Escapes text for HTML element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The style sheet: system fonts, one readable column, figures that
/// scale with it; at phone width the narrow drawing of each figure
/// replaces the wide one; printing keeps the wide drawings and avoids
/// breaking a figure across pages.
pub const CSS: &str = r#"
:root { color-scheme: light; --ink: #222; --muted: #555; --rule: #ddd; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
       color: var(--ink); background: #fff; }
main { max-width: 980px; margin: 0 auto; padding: 1rem 1.25rem 3rem; }
h1 { font-size: 1.6rem; margin: .5rem 0 .25rem; line-height: 1.25; }
h2 { font-size: 1.25rem; margin: 2.2rem 0 .5rem; border-bottom: 1px solid var(--rule); padding-bottom: .2rem; }
h3 { font-size: 1.05rem; margin: 1.4rem 0 .3rem; }
p.lede, p.note, figcaption { color: var(--muted); }
p.note { font-size: .92rem; }
nav ul { padding-left: 1.1rem; margin: .3rem 0; columns: 2; }
figure { margin: 1rem 0 1.6rem; break-inside: avoid; page-break-inside: avoid; }
figure svg { display: block; width: 100%; height: auto; max-width: 100%; }
figure svg.narrow { display: none; }
figcaption { font-size: .92rem; margin-top: .3rem; }
figcaption strong { color: var(--ink); }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(380px, 1fr)); gap: 0 1.5rem; }
.legend { list-style: none; padding: 0; margin: .2rem 0 0; display: flex; flex-wrap: wrap; gap: .2rem 1rem; font-size: .92rem; }
.legend li { display: inline-flex; align-items: center; gap: .35rem; }
.sw { display: inline-block; width: 1.4em; height: .7em; border-radius: 2px; }
.table-wrap { overflow-x: auto; margin: .5rem 0 1rem; }
table { border-collapse: collapse; font-size: .92rem; font-variant-numeric: tabular-nums; }
th, td { padding: .25rem .6rem; border-bottom: 1px solid var(--rule); text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; white-space: nowrap; }
thead th { border-bottom: 2px solid #999; }
code, .mono { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .88em; overflow-wrap: anywhere; }
details { margin: .6rem 0; }
summary { cursor: pointer; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; font-size: .8rem; background: #f6f6f6; padding: .6rem; }
@media (max-width: 600px) {
  main { padding: .6rem .7rem 2rem; }
  h1 { font-size: 1.3rem; }
  nav ul { columns: 1; }
  .grid { display: block; }
  figure svg.wide { display: none; }
  figure svg.narrow { display: block; }
  table { font-size: .85rem; }
  th, td { padding: .2rem .35rem; }
}
@media print {
  body { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  nav { display: none; }
  figure svg.wide { display: block; }
  figure svg.narrow { display: none; }
  h2 { break-after: avoid; }
}
"#;

/// A legend entry: colour index and name.
pub type Key = (usize, String);

/// A figure block: the chart at desktop and phone size, a caption with a
/// bold title, and an HTML legend (which wraps at phone width).
pub struct FigureHtml<'a> {
    /// Unique id (`fig-N`).
    pub id: String,
    /// Short title.
    pub title: &'a str,
    /// Caption: what is drawn, units, intervals.
    pub caption: &'a str,
    /// Text alternative: the numbers the figure shows, in words.
    pub desc: &'a str,
    /// Legend entries (empty: none).
    pub keys: &'a [Key],
    /// A figure in a two-column grid: drawn at phone size only, which
    /// suits a half-width column on a desktop too.
    pub compact: bool,
}

/// Renders a figure block into `out`.
pub fn figure(out: &mut String, f: &FigureHtml<'_>, chart: &Chart) -> Result<(), String> {
    let narrow = charts::svg(chart, &format!("{}n", f.id), f.title, f.desc, NARROW)?;
    if f.compact {
        let _ = write!(
            out,
            "<figure id=\"{}\" aria-label=\"{}\">\n{}\n",
            f.id,
            esc(f.title),
            narrow.replacen("<svg ", "<svg class=\"compact\" ", 1)
        );
    } else {
        let wide = charts::svg(chart, &format!("{}w", f.id), f.title, f.desc, WIDE)?;
        let _ = write!(
            out,
            "<figure id=\"{}\" aria-label=\"{}\">\n{}\n{}\n",
            f.id,
            esc(f.title),
            wide.replacen("<svg ", "<svg class=\"wide\" ", 1),
            narrow.replacen("<svg ", "<svg class=\"narrow\" ", 1)
        );
    }
    if !f.keys.is_empty() {
        out.push_str("<ul class=\"legend\" aria-hidden=\"true\">");
        for (c, name) in f.keys {
            let _ = write!(
                out,
                "<li><span class=\"sw\" style=\"background:{}\"></span>{}</li>",
                charts::css(*c),
                esc(name)
            );
        }
        out.push_str("</ul>");
    }
    let _ = writeln!(
        out,
        "<figcaption><strong>{}.</strong> {}</figcaption></figure>",
        esc(f.title),
        esc(f.caption)
    );
    Ok(())
}

/// A cell of a table: text, with an optional exact value for machines
/// (`data-value`) and right alignment for numbers.
pub enum Cell {
    /// Plain text.
    Text(String),
    /// A number as shown, and its exact value as read.
    Num(String, String),
}

/// Renders a table with a caption; `row_attrs[i]` adds attributes to row i.
pub fn table(out: &mut String, caption: &str, header: &[&str], rows: &[(String, Vec<Cell>)]) {
    let _ = write!(
        out,
        "<div class=\"table-wrap\"><table><caption class=\"note\">{}</caption><thead><tr>",
        esc(caption)
    );
    for (i, h) in header.iter().enumerate() {
        let class = if i > 0 && rows.first().is_some_and(|r| matches!(r.1.get(i), Some(Cell::Num(..)))) {
            " class=\"num\""
        } else {
            ""
        };
        let _ = write!(out, "<th scope=\"col\"{class}>{}</th>", esc(h));
    }
    out.push_str("</tr></thead><tbody>\n");
    for (attrs, cells) in rows {
        let _ = write!(out, "<tr{attrs}>");
        for (i, c) in cells.iter().enumerate() {
            let tag = if i == 0 { "th scope=\"row\"" } else { "td" };
            let end = if i == 0 { "th" } else { "td" };
            match c {
                Cell::Text(t) => {
                    let _ = write!(out, "<{tag}>{}</{end}>", esc(t));
                }
                Cell::Num(shown, exact) => {
                    let _ = write!(
                        out,
                        "<{tag} class=\"num\" data-value=\"{}\">{}</{end}>",
                        esc(exact),
                        esc(shown)
                    );
                }
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(esc("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
    }
}

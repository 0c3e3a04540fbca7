//! The report's figures as static SVG, drawn with the `plotters` crate's
//! SVG backend (pure Rust, no fonts or scripts to load, prints sharply).
//!
//! Three kinds: lines with shaded bands (cumulative incidence with
//! Wilson intervals, fan charts of quantiles across trials, a sweep's
//! response), horizontal intervals (outcome probabilities, quantile
//! strips of metrics, generic estimates with intervals) and histograms.
//! Colours are the Okabe–Ito palette (Okabe and Ito 2008, "Color
//! Universal Design"), distinguishable with the common colour-vision
//! deficiencies and in greyscale by lightness. Each figure is rendered at
//! two sizes (desktop and phone) with a `viewBox`, so it scales to its
//! container; each carries `<title>` and `<desc>` and `role="img"`.

use crate::date::Date;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// The Okabe–Ito palette without yellow (too light on white), in the
/// order series take it.
pub const PALETTE: [(u8, u8, u8); 7] = [
    (0x00, 0x72, 0xB2), // blue
    (0xD5, 0x5E, 0x00), // vermillion
    (0x00, 0x9E, 0x73), // bluish green
    (0xCC, 0x79, 0xA7), // reddish purple
    (0xE6, 0x9F, 0x00), // orange
    (0x56, 0xB4, 0xE9), // sky blue
    (0x00, 0x00, 0x00), // black
];

/// Series colour `i` (cycling through [`PALETTE`]) as CSS hex.
pub fn css(i: usize) -> String {
    let (r, g, b) = PALETTE[i % PALETTE.len()];
    format!("#{r:02x}{g:02x}{b:02x}")
}

fn rgb(i: usize) -> RGBColor {
    let (r, g, b) = PALETTE[i % PALETTE.len()];
    RGBColor(r, g, b)
}

const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
const GRID: RGBColor = RGBColor(0xe2, 0xe2, 0xe2);

/// How an axis shows its numbers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scale {
    /// A share 0..1 shown as a percentage.
    Percent,
    /// A plain number.
    Number,
}

impl Scale {
    /// `v` as an axis label.
    pub fn label(self, v: f64) -> String {
        match self {
            Scale::Percent => format!("{:.0}%", 100.0 * v),
            Scale::Number => fmt_num(v),
        }
    }
}

/// A number in at most four significant digits, with thousands separated
/// by a thin space (`12 345`); whole numbers without a decimal point.
pub fn fmt_num(v: f64) -> String {
    if !v.is_finite() {
        return String::from("–");
    }
    let a = v.abs();
    if a >= 1000.0 || (v.fract() == 0.0 && a < 1e15) {
        let r = v.round() as i64;
        let digits = r.unsigned_abs().to_string();
        let mut out = String::new();
        for (i, ch) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push('\u{2009}');
            }
            out.push(ch);
        }
        if r < 0 { format!("−{out}") } else { out }
    } else if a == 0.0 {
        "0".into()
    } else {
        let decimals = (3 - a.log10().floor() as i32).clamp(0, 6) as usize;
        let t = format!("{v:.decimals$}");
        let t = if t.contains('.') {
            t.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            t
        };
        t.replace('-', "−")
    }
}

/// One line, with optional shaded bands (drawn lightest first).
#[derive(Debug, Clone)]
pub struct Line {
    /// Colour index into [`PALETTE`].
    pub color: usize,
    /// x values.
    pub x: Vec<f64>,
    /// y values.
    pub y: Vec<f64>,
    /// (low, high) pairs, outermost first.
    pub bands: Vec<(Vec<f64>, Vec<f64>)>,
    /// Draw a marker at each point (few points: a sweep).
    pub markers: bool,
}

/// Lines over a numeric or calendar x axis.
#[derive(Debug, Clone)]
pub struct LineChart {
    /// x axis description, with unit.
    pub x_desc: String,
    /// y axis description, with unit.
    pub y_desc: String,
    /// How y is shown.
    pub y: Scale,
    /// x is a step: label ticks with `start + step·days` when given.
    pub dates: Option<(Date, i64)>,
    /// The lines.
    pub lines: Vec<Line>,
    /// Fixed y range (default: from the data, from 0).
    pub y_range: Option<(f64, f64)>,
}

/// One row of an interval chart.
#[derive(Debug, Clone)]
pub struct Interval {
    /// Row label.
    pub label: String,
    /// Colour index.
    pub color: usize,
    /// The point estimate (a dot).
    pub mid: f64,
    /// The outer interval.
    pub lo: f64,
    /// The outer interval.
    pub hi: f64,
    /// An inner interval drawn as a box (quartiles).
    pub inner: Option<(f64, f64)>,
    /// A second point drawn as a tick (the median beside a mean).
    pub tick: Option<f64>,
}

/// Horizontal intervals, one row per category.
#[derive(Debug, Clone)]
pub struct IntervalChart {
    /// x axis description, with unit.
    pub x_desc: String,
    /// How x is shown.
    pub x: Scale,
    /// Rows, top to bottom.
    pub rows: Vec<Interval>,
    /// Fixed x range (default: from the data).
    pub x_range: Option<(f64, f64)>,
}

/// A histogram of (possibly weighted) values.
#[derive(Debug, Clone)]
pub struct Histogram {
    /// x axis description, with unit.
    pub x_desc: String,
    /// y axis description.
    pub y_desc: String,
    /// Bin edges (one more than heights).
    pub edges: Vec<f64>,
    /// Bar heights.
    pub heights: Vec<f64>,
    /// Colour index.
    pub color: usize,
}

/// A figure's drawing.
#[derive(Debug, Clone)]
pub enum Chart {
    /// Lines and bands.
    Line(LineChart),
    /// Horizontal intervals.
    Interval(IntervalChart),
    /// A histogram.
    Histogram(Histogram),
}

/// Sizes a figure is drawn at: (width, height, font size, tick count).
/// plotters' SVG backend writes text at `font / 1.24` px.
#[derive(Debug, Clone, Copy)]
pub struct Size {
    /// Width in px (the viewBox).
    pub w: u32,
    /// Height in px.
    pub h: u32,
    /// Font size in px.
    pub font: u32,
    /// Ticks on the x axis.
    pub ticks: usize,
}

/// Desktop and print.
pub const WIDE: Size = Size {
    w: 760,
    h: 380,
    font: 18,
    ticks: 8,
};
/// Phone width (shown at 100 % of a ~360 px column).
pub const NARROW: Size = Size {
    w: 380,
    h: 320,
    font: 17,
    ticks: 4,
};

type DrawErr = String;

fn e<E: std::fmt::Debug>(err: E) -> DrawErr {
    format!("{err:?}")
}

fn span(lo: f64, hi: f64) -> (f64, f64) {
    if !lo.is_finite() || !hi.is_finite() {
        return (0.0, 1.0);
    }
    if hi > lo {
        let pad = (hi - lo) * 0.04;
        (lo - if lo == 0.0 { 0.0 } else { pad }, hi + pad)
    } else {
        (lo - 0.5, hi + 0.5)
    }
}

/// Draws `chart` as an SVG element `<svg viewBox=...>` with a `<title>`
/// and `<desc>` (ids `{id}-t`, `{id}-d`) and `role="img"`.
pub fn svg(chart: &Chart, id: &str, title: &str, desc: &str, size: Size) -> Result<String, DrawErr> {
    let h = match chart {
        Chart::Interval(c) => 64 + 30 * c.rows.len() as u32,
        _ => size.h,
    };
    let mut s = String::new();
    {
        let root = SVGBackend::with_string(&mut s, (size.w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(e)?;
        match chart {
            Chart::Line(c) => draw_lines(&root, c, size)?,
            Chart::Interval(c) => draw_intervals(&root, c, size)?,
            Chart::Histogram(c) => draw_histogram(&root, c, size)?,
        }
        root.present().map_err(e)?;
    }
    Ok(accessible(&s, id, title, desc))
}

/// Replaces plotters' opening `<svg ...>` tag with one that scales (a
/// viewBox, no fixed size) and names the figure for screen readers.
fn accessible(s: &str, id: &str, title: &str, desc: &str) -> String {
    let start = s.find("<svg").unwrap_or(0);
    let end = s[start..].find('>').map_or(0, |i| start + i + 1);
    let tag = &s[start..end];
    let vb = tag
        .split("viewBox=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or("0 0 100 100");
    format!(
        "<svg viewBox=\"{vb}\" role=\"img\" aria-labelledby=\"{id}-t {id}-d\" \
         preserveAspectRatio=\"xMidYMid meet\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc>{}",
        super::html::esc(title),
        super::html::esc(desc),
        s[end..].trim_start()
    )
}

fn text_style(size: Size) -> TextStyle<'static> {
    TextStyle::from(("sans-serif", size.font).into_font()).color(&INK)
}

fn x_label(dates: Option<(Date, i64)>, v: f64) -> String {
    match dates {
        Some((d, days)) => d.add_days(v.round() as i64 * days).to_string(),
        None => fmt_num(v),
    }
}

fn draw_lines<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    c: &LineChart,
    size: Size,
) -> Result<(), DrawErr> {
    let xs = c
        .lines
        .iter()
        .flat_map(|l| l.x.iter().copied())
        .filter(|v| v.is_finite());
    let (x0, x1) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
    let (x0, x1) = if x1 > x0 { (x0, x1) } else { span(x0, x1) };
    let (y0, y1) = c.y_range.unwrap_or_else(|| {
        let all = c.lines.iter().flat_map(|l| {
            l.y.iter()
                .chain(l.bands.iter().flat_map(|(lo, hi)| lo.iter().chain(hi.iter())))
                .copied()
        });
        let (lo, hi) = all
            .filter(|v| v.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
        span(lo.min(0.0), hi)
    });
    let font = size.font as f64;
    let ytick_w = [y0, (y0 + y1) / 2.0, y1]
        .iter()
        .map(|&v| c.y.label(v).chars().count())
        .max()
        .unwrap_or(3) as f64;
    let dated = c.dates.is_some();
    let ticks = if dated { size.ticks.clamp(3, 5) } else { size.ticks };
    let mut chart = ChartBuilder::on(root)
        .margin_top(12)
        .margin_right(if dated { 44 } else { 18 })
        .margin_left(6)
        .x_label_area_size((2.6 * font) as u32 + if dated { 4 } else { 0 })
        .y_label_area_size((ytick_w * 0.62 * font + 2.0 * font) as u32)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(e)?;
    let (ds, ys) = (c.dates, c.y);
    chart
        .configure_mesh()
        .x_desc(c.x_desc.as_str())
        .y_desc(c.y_desc.as_str())
        .x_labels(ticks)
        .y_labels(6)
        .x_label_formatter(&move |v| x_label(ds, *v))
        .y_label_formatter(&move |v| ys.label(*v))
        .label_style(text_style(size))
        .axis_desc_style(text_style(size))
        .bold_line_style(GRID)
        .light_line_style(TRANSPARENT)
        .axis_style(INK)
        .draw()
        .map_err(e)?;
    for l in &c.lines {
        let col = rgb(l.color);
        let nb = l.bands.len();
        for (bi, (lo, hi)) in l.bands.iter().enumerate() {
            let alpha = if nb > 1 { 0.16 + 0.2 * bi as f64 } else { 0.22 };
            let mut pts: Vec<(f64, f64)> = Vec::with_capacity(2 * l.x.len());
            pts.extend(l.x.iter().zip(hi).filter(|p| p.1.is_finite()).map(|(&x, &y)| (x, y)));
            pts.extend(
                l.x.iter()
                    .zip(lo)
                    .rev()
                    .filter(|p| p.1.is_finite())
                    .map(|(&x, &y)| (x, y)),
            );
            chart
                .draw_series(std::iter::once(Polygon::new(pts, col.mix(alpha).filled())))
                .map_err(e)?;
        }
        let pts: Vec<(f64, f64)> =
            l.x.iter()
                .zip(&l.y)
                .filter(|p| p.1.is_finite())
                .map(|(&x, &y)| (x, y))
                .collect();
        chart
            .draw_series(LineSeries::new(pts.iter().copied(), col.stroke_width(2)))
            .map_err(e)?;
        if l.markers {
            chart
                .draw_series(pts.iter().map(|&p| Circle::new(p, 3, col.filled())))
                .map_err(e)?;
        }
    }
    Ok(())
}

fn draw_intervals<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    c: &IntervalChart,
    size: Size,
) -> Result<(), DrawErr> {
    let n = c.rows.len().max(1);
    let (x0, x1) = c.x_range.unwrap_or_else(|| {
        let (lo, hi) = c
            .rows
            .iter()
            .flat_map(|r| [r.lo, r.hi, r.mid])
            .filter(|v| v.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
        span(lo.min(0.0), hi)
    });
    let font = size.font as f64;
    let max_label = c.rows.iter().map(|r| r.label.chars().count()).max().unwrap_or(4) as f64;
    // plotters writes text at font / 1.24 px; a sans-serif glyph averages
    // about 0.55 em.
    let glyph = 0.55 * font / 1.24;
    let label_w = (max_label * glyph + 14.0).min(size.w as f64 * 0.5);
    let keep = ((label_w - 14.0) / glyph).floor() as usize;
    let mut chart = ChartBuilder::on(root)
        .margin_top(8)
        .margin_right(22)
        .margin_left(4)
        .x_label_area_size((2.6 * font) as u32)
        .y_label_area_size(label_w as u32)
        .build_cartesian_2d(x0..x1, -0.5..(n as f64 - 0.5))
        .map_err(e)?;
    let xs = c.x;
    chart
        .configure_mesh()
        .x_desc(c.x_desc.as_str())
        .x_labels(size.ticks.min(6))
        .x_label_formatter(&move |v| xs.label(*v))
        .y_labels(0)
        .disable_y_mesh()
        .label_style(text_style(size))
        .axis_desc_style(text_style(size))
        .bold_line_style(GRID)
        .light_line_style(TRANSPARENT)
        .axis_style(INK)
        .draw()
        .map_err(e)?;
    let y_of = |i: usize| (n - 1 - i) as f64;
    for (i, r) in c.rows.iter().enumerate() {
        let col = rgb(r.color);
        let y = y_of(i);
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(r.lo, y), (r.hi, y)],
                col.stroke_width(2),
            )))
            .map_err(e)?;
        for end in [r.lo, r.hi] {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(end, y - 0.18), (end, y + 0.18)],
                    col.stroke_width(2),
                )))
                .map_err(e)?;
        }
        if let Some((a, b)) = r.inner {
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(a, y - 0.26), (b, y + 0.26)],
                    col.mix(0.35).filled(),
                )))
                .map_err(e)?;
        }
        if let Some(t) = r.tick {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(t, y - 0.3), (t, y + 0.3)],
                    INK.stroke_width(3),
                )))
                .map_err(e)?;
        }
        chart
            .draw_series(std::iter::once(Circle::new((r.mid, y), 5, col.filled())))
            .map_err(e)?;
        chart
            .draw_series(std::iter::once(Circle::new((r.mid, y), 5, WHITE.stroke_width(1))))
            .map_err(e)?;
        let (px, py) = chart.plotting_area().map_coordinate(&(x0, y));
        let label: String = if r.label.chars().count() > keep {
            let mut t: String = r.label.chars().take(keep.saturating_sub(1)).collect();
            t.push('…');
            t
        } else {
            r.label.clone()
        };
        root.draw(&Text::new(
            label,
            (px - 8, py),
            text_style(size).pos(Pos::new(HPos::Right, VPos::Center)),
        ))
        .map_err(e)?;
    }
    Ok(())
}

fn draw_histogram<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    c: &Histogram,
    size: Size,
) -> Result<(), DrawErr> {
    let x0 = c.edges.first().copied().unwrap_or(0.0);
    let x1 = c.edges.last().copied().unwrap_or(1.0);
    let (x0, x1) = if x1 > x0 { (x0, x1) } else { span(x0, x1) };
    let top = c.heights.iter().copied().fold(0.0, f64::max);
    let font = size.font as f64;
    let mut chart = ChartBuilder::on(root)
        .margin_top(12)
        .margin_right(18)
        .margin_left(6)
        .x_label_area_size((2.6 * font) as u32)
        .y_label_area_size((6.0 * 0.62 * font + 2.0 * font) as u32)
        .build_cartesian_2d(x0..x1, 0.0..(top * 1.05).max(1e-12))
        .map_err(e)?;
    chart
        .configure_mesh()
        .x_desc(c.x_desc.as_str())
        .y_desc(c.y_desc.as_str())
        .x_labels(size.ticks)
        .y_labels(5)
        .x_label_formatter(&|v| fmt_num(*v))
        .y_label_formatter(&|v| Scale::Percent.label(*v))
        .label_style(text_style(size))
        .axis_desc_style(text_style(size))
        .bold_line_style(GRID)
        .light_line_style(TRANSPARENT)
        .axis_style(INK)
        .draw()
        .map_err(e)?;
    let col = rgb(c.color);
    chart
        .draw_series(
            c.heights
                .iter()
                .enumerate()
                .map(|(i, &h)| Rectangle::new([(c.edges[i], 0.0), (c.edges[i + 1], h)], col.mix(0.75).filled())),
        )
        .map_err(e)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(fmt_num(0.0), "0");
        assert_eq!(fmt_num(12.0), "12");
        assert_eq!(fmt_num(12345.4), "12\u{2009}345");
        assert_eq!(fmt_num(0.12345), "0.1235");
        assert_eq!(fmt_num(3.5), "3.5");
        assert_eq!(fmt_num(-2.25), "−2.25");
        assert_eq!(Scale::Percent.label(0.25), "25%");
    }

    #[test]
    fn a_figure_has_a_viewbox_title_and_desc_and_no_fixed_size() {
        let c = Chart::Line(LineChart {
            x_desc: "step".into(),
            y_desc: "share".into(),
            y: Scale::Percent,
            dates: None,
            lines: vec![Line {
                color: 0,
                x: vec![0.0, 1.0, 2.0],
                y: vec![0.1, 0.2, 0.4],
                bands: vec![(vec![0.0, 0.1, 0.3], vec![0.2, 0.3, 0.5])],
                markers: false,
            }],
            y_range: Some((0.0, 1.0)),
        });
        let s = svg(&c, "f1", "A <title>", "desc & more", WIDE).unwrap();
        assert!(
            s.starts_with("<svg viewBox=\"0 0 760 380\" role=\"img\""),
            "{}",
            &s[..200]
        );
        assert!(s.contains("<title id=\"f1-t\">A &lt;title&gt;</title>"));
        assert!(s.contains("<desc id=\"f1-d\">desc &amp; more</desc>"));
        let tag = &s[..s.find('>').unwrap()];
        assert!(!tag.contains("width=") && !tag.contains("height="), "{tag}");
        assert!(s.trim_end().ends_with("</svg>"));
    }
}

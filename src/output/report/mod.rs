//! `brink report RUN_DIR`: one self-contained `report.html` from the files
//! of a run, a sweep or a calibration.
//!
//! The page holds what an analyst would otherwise open the notebook for:
//! outcome probabilities with 95 % Wilson (1927) intervals; time to each
//! outcome as a cumulative incidence curve `F_k(t) = #{trials ending in k
//! by step t} / N` (every trial ends in exactly one outcome, so nothing is
//! censored and each point is a binomial share with a Wilson interval);
//! fan charts of running totals across trials when `timeline.csv` exists
//! (5–95 % and 25–75 % bands, median); quantile strips of every metric in
//! `summary.csv`; for a sweep, each outcome's probability against each
//! swept parameter; any further CSV (`sensitivity.csv`, `score.csv`,
//! `posterior.csv`) rendered generically from its header; and the run's
//! provenance from `run.json` and any other JSON.
//!
//! The page loads nothing: no script, inline CSS, inline SVG drawn by
//! [`charts`] (the `plotters` crate). It holds no clock time, so the same
//! files give the same page byte for byte.

pub mod charts;
pub mod data;
pub mod html;

use crate::date::Date;
use crate::output::{OutputError, write_atomic};
use charts::{Chart, Interval, IntervalChart, Line, LineChart, Scale};
use data::{SummaryFile, SummaryRow, Table};
use html::{Cell, FigureHtml, Key, esc};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Timeline trials the fan charts use at most (the first ones in the file).
pub const TIMELINE_TRIALS: usize = 2000;
/// Rows of a generic CSV shown in its table at most.
pub const TABLE_ROWS: usize = 200;
/// Rows a generic CSV's figure shows at most.
pub const FIGURE_ROWS: usize = 40;

/// Files the report reads; other `.csv` and `.json` files in the
/// directory are rendered generically.
const KNOWN: [&str; 8] = [
    "summary.csv",
    "trials.csv",
    "trials.parquet",
    "timeline.csv",
    "timeline.parquet",
    "design.csv",
    "run.json",
    "report.html",
];

/// Why a report could not be written.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ReportError {
    /// The path is not a directory.
    #[error("`{path}` is not a directory")]
    #[diagnostic(
        code(brink::report::not_a_directory),
        help("give the directory a run wrote (its --out), e.g. `brink report out/us_iraq_2024`")
    )]
    NotADirectory {
        /// The path given.
        path: String,
    },
    /// The directory holds nothing to report on.
    #[error("`{path}` holds no run files: expected summary.csv, trials.csv, run.json or another .csv/.json")]
    #[diagnostic(
        code(brink::report::empty),
        help("give the directory a run, sweep or calibration wrote (its --out)")
    )]
    Empty {
        /// The directory.
        path: String,
    },
    /// A file could not be read.
    #[error("cannot read `{path}`")]
    #[diagnostic(code(brink::report::io))]
    Io {
        /// The file.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A file is not what brink writes.
    #[error("{path}:{line}:{col}: expected {expected}, found {found}")]
    #[diagnostic(
        code(brink::report::bad_file),
        help("the report reads the files brink writes; was this file edited or cut short?")
    )]
    Csv {
        /// The file.
        path: String,
        /// 1-based line.
        line: u64,
        /// 1-based column (bytes from the line's start).
        col: u64,
        /// What the report expected.
        expected: String,
        /// What it found.
        found: String,
    },
    /// A figure could not be drawn (a bug: report it).
    #[error("cannot draw figure `{figure}`: {message}")]
    #[diagnostic(code(brink::report::chart))]
    Chart {
        /// The figure's title.
        figure: String,
        /// plotters' message.
        message: String,
    },
    /// `report.html` could not be written.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Output(#[from] OutputError),
    /// `trials.parquet` or `timeline.parquet` cannot be read.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Parquet(#[from] crate::output::parquet::ParquetReadError),
}

impl ReportError {
    /// Wraps an I/O error with its path.
    pub fn io(path: &Path, source: std::io::Error) -> ReportError {
        ReportError::Io {
            path: path.display().to_string(),
            source,
        }
    }
}

/// What [`write`] wrote.
#[derive(Debug, Clone)]
pub struct ReportSummary {
    /// `RUN_DIR/report.html`.
    pub path: PathBuf,
    /// Figures in the page.
    pub figures: usize,
    /// Section titles, in page order.
    pub sections: Vec<String>,
    /// Size of the page in bytes.
    pub bytes: usize,
}

/// A rendered page.
#[derive(Debug, Clone)]
pub struct Page {
    /// The HTML.
    pub html: String,
    /// Figures in it.
    pub figures: usize,
    /// Section titles, in order.
    pub sections: Vec<String>,
}

/// Renders `run_dir`'s files and writes `run_dir/report.html` (under a
/// temporary name, renamed when complete).
pub fn write(run_dir: &Path) -> Result<ReportSummary, ReportError> {
    let page = render(run_dir)?;
    let path = write_atomic(&run_dir.join("report.html"), page.html.as_bytes())?;
    Ok(ReportSummary {
        path,
        figures: page.figures,
        sections: page.sections,
        bytes: page.html.len(),
    })
}

/// The run's calendar, from `run.json`: start date and days per step.
#[derive(Debug, Clone, Copy)]
struct Calendar {
    start: Option<Date>,
    days: i64,
}

impl Calendar {
    fn unit(&self) -> &'static str {
        if self.days == 7 { "week" } else { "day" }
    }

    fn x_desc(&self) -> String {
        match self.start {
            Some(d) => format!("date (step 0 = {d}; one step = one {})", self.unit()),
            None => format!("step ({}s)", self.unit()),
        }
    }

    /// A step as a short column header: its date, else `step N`.
    fn short(&self, step: usize) -> String {
        match self.start {
            Some(d) => format!("by {}", d.add_days(step as i64 * self.days)),
            None => format!("by step {step}"),
        }
    }

    fn when(&self, step: usize) -> String {
        match self.start {
            Some(d) => format!("{} (step {step})", d.add_days(step as i64 * self.days)),
            None => format!("step {step}"),
        }
    }
}

struct Builder {
    body: String,
    nav: Vec<(String, String)>,
    figures: usize,
}

impl Builder {
    fn section(&mut self, id: &str, title: &str, intro: &str) {
        self.nav.push((id.to_string(), title.to_string()));
        let _ = writeln!(self.body, "<section id=\"{id}\" aria-labelledby=\"{id}-h\">");
        let _ = writeln!(self.body, "<h2 id=\"{id}-h\">{}</h2>", esc(title));
        if !intro.is_empty() {
            let _ = writeln!(self.body, "<p class=\"note\">{}</p>", esc(intro));
        }
    }

    fn end(&mut self) {
        self.body.push_str("</section>\n");
    }

    fn figure(
        &mut self,
        title: &str,
        caption: &str,
        desc: &str,
        keys: &[Key],
        chart: &Chart,
    ) -> Result<(), ReportError> {
        self.figure_in(false, title, caption, desc, keys, chart)
    }

    fn figure_in(
        &mut self,
        compact: bool,
        title: &str,
        caption: &str,
        desc: &str,
        keys: &[Key],
        chart: &Chart,
    ) -> Result<(), ReportError> {
        self.figures += 1;
        let f = FigureHtml {
            id: format!("fig-{}", self.figures),
            title,
            caption,
            desc,
            keys,
            compact,
        };
        html::figure(&mut self.body, &f, chart).map_err(|message| ReportError::Chart {
            figure: title.to_string(),
            message,
        })
    }

    fn note(&mut self, text: &str) {
        let _ = writeln!(self.body, "<p class=\"note\">{}</p>", esc(text));
    }
}

fn pct(p: f64) -> String {
    format!("{:.1}%", 100.0 * p)
}

fn exact(x: Option<f64>) -> String {
    x.map_or_else(String::new, |v| format!("{v}"))
}

fn num_cell(x: Option<f64>, shown: impl Fn(f64) -> String) -> Cell {
    Cell::Num(x.map_or_else(|| "–".to_string(), shown), exact(x))
}

/// Renders the page for `run_dir` without writing it.
pub fn render(run_dir: &Path) -> Result<Page, ReportError> {
    if !run_dir.is_dir() {
        return Err(ReportError::NotADirectory {
            path: run_dir.display().to_string(),
        });
    }
    let has = |f: &str| run_dir.join(f).is_file();
    let (extra_csv, extra_json) = extra_files(run_dir)?;
    if !has("summary.csv")
        && !has("trials.csv")
        && !has("trials.parquet")
        && !has("run.json")
        && extra_csv.is_empty()
        && extra_json.is_empty()
    {
        return Err(ReportError::Empty {
            path: run_dir.display().to_string(),
        });
    }

    let meta = if has("run.json") {
        Some(data::read_json(&run_dir.join("run.json"))?)
    } else {
        None
    };
    let cal = calendar(meta.as_ref());
    let summary = if has("summary.csv") {
        Some(data::read_summary(&run_dir.join("summary.csv"))?)
    } else {
        None
    };
    let sweep = summary.as_ref().is_some_and(|s| !s.prefix.is_empty());

    let mut b = Builder {
        body: String::new(),
        nav: Vec::new(),
        figures: 0,
    };
    if let Some(s) = &summary {
        if sweep {
            sweep_section(&mut b, s)?;
        } else {
            outcomes_section(&mut b, s)?;
            // The CSV when there is one (it is the default); else Parquet.
            let endings = if has("trials.csv") {
                Some(data::read_endings(&run_dir.join("trials.csv"), &s.outcome_names())?)
            } else if has("trials.parquet") {
                Some(data::read_endings_parquet(
                    &run_dir.join("trials.parquet"),
                    &s.outcome_names(),
                )?)
            } else {
                None
            };
            if let Some(endings) = endings {
                time_section(&mut b, &endings, cal)?;
            }
        }
    }
    if has("timeline.csv") && !sweep {
        let tl = data::read_timeline(&run_dir.join("timeline.csv"), TIMELINE_TRIALS)?;
        fan_section(&mut b, &tl, cal)?;
    } else if has("timeline.parquet") && !sweep {
        let tl = data::read_timeline_parquet(&run_dir.join("timeline.parquet"), TIMELINE_TRIALS)?;
        fan_section(&mut b, &tl, cal)?;
    }
    if let Some(s) = &summary {
        metrics_section(&mut b, s, sweep)?;
    }
    for name in &extra_csv {
        let mut t = data::read_table(&run_dir.join(name), TABLE_ROWS.max(FIGURE_ROWS))?;
        let ranked = if name == "sensitivity.csv" {
            rank_rows(&mut t)
        } else {
            None
        };
        generic_section(&mut b, &t, ranked.as_deref())?;
    }
    let mut jsons = Vec::new();
    for name in &extra_json {
        jsons.push((name.clone(), data::read_json(&run_dir.join(name))?));
    }
    provenance_section(&mut b, meta.as_ref(), &jsons);

    let dir_name = run_dir
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| run_dir.display().to_string());
    let scenario = meta
        .as_ref()
        .and_then(|m| m["scenario"]["name"].as_str().or(m["scenario"].as_str()))
        .unwrap_or(&dir_name)
        .to_string();
    let kind = if sweep {
        "sweep"
    } else if summary.is_some() {
        "run"
    } else {
        "results"
    };
    let lede = lede(kind, &dir_name, meta.as_ref());
    Ok(assemble(&scenario, &lede, b))
}

/// The CSV and JSON files of `run_dir` that no section reads by name
/// (hidden files skipped): known analyses first in a fixed order, the rest
/// by name; the JSON files by name.
fn extra_files(run_dir: &Path) -> Result<(Vec<String>, Vec<String>), ReportError> {
    let mut extra_csv = Vec::new();
    let mut extra_json = Vec::new();
    let rd = std::fs::read_dir(run_dir).map_err(|e| ReportError::io(run_dir, e))?;
    for entry in rd.filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || KNOWN.contains(&name.as_str()) || !entry.path().is_file() {
            continue;
        }
        if name.ends_with(".csv") {
            extra_csv.push(name);
        } else if name.ends_with(".json") {
            extra_json.push(name);
        }
    }
    // Known analyses first, in a fixed order; the rest by name.
    let rank = |n: &str| match n {
        "sensitivity.csv" => 0,
        "score.csv" => 1,
        "posterior.csv" => 2,
        _ => 3,
    };
    extra_csv.sort_by(|a, b| (rank(a), a).cmp(&(rank(b), b)));
    extra_json.sort();
    Ok((extra_csv, extra_json))
}

/// The calendar of a run from its `run.json` (`start_date`, `step_unit`).
fn calendar(meta: Option<&serde_json::Value>) -> Calendar {
    Calendar {
        start: meta.and_then(|m| m["start_date"].as_str()).and_then(Date::parse),
        days: match meta.and_then(|m| m["step_unit"].as_str()) {
            Some("week") => 7,
            _ => 1,
        },
    }
}

/// The line under the title: what the directory holds, and the trials,
/// points, seed and brink version from `run.json` when known.
fn lede(kind: &str, dir_name: &str, meta: Option<&serde_json::Value>) -> String {
    let mut lede = format!("Report on the {kind} in <code>{}</code>", esc(dir_name));
    if let Some(m) = meta {
        if let Some(t) = m["trials"].as_u64() {
            let _ = write!(lede, ": {} trials", charts::fmt_num(t as f64));
            if let Some(p) = m["points"].as_u64() {
                let _ = write!(lede, " at each of {p} points");
            }
        }
        if let Some(seed) = m["seed"].as_u64() {
            let _ = write!(lede, ", seed {seed}");
        }
        if let Some(v) = m["brink_version"].as_str() {
            let _ = write!(lede, ", brink {}", esc(v));
        }
    }
    lede.push('.');
    lede
}

/// The whole page: head with inline CSS, title, lede, the section links
/// and the body the sections wrote.
fn assemble(scenario: &str, lede: &str, b: Builder) -> Page {
    let mut page = String::with_capacity(b.body.len() + 4096);
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n\
         <title>{} — brink report</title>\n<style>{}</style>\n</head>\n<body>\n<main>\n\
         <header><h1>{}</h1><p class=\"lede\">{lede}</p></header>\n<nav aria-label=\"Sections\"><ul>",
        esc(scenario),
        html::CSS,
        esc(scenario)
    );
    for (id, title) in &b.nav {
        let _ = write!(page, "<li><a href=\"#{id}\">{}</a></li>", esc(title));
    }
    page.push_str("</ul></nav>\n");
    page.push_str(&b.body);
    page.push_str("</main>\n</body>\n</html>\n");
    Page {
        html: page,
        figures: b.figures,
        sections: b.nav.into_iter().map(|(_, t)| t).collect(),
    }
}

fn outcome_rows(s: &SummaryFile) -> Vec<&SummaryRow> {
    s.kind("outcome").collect()
}

fn interval_desc(rows: &[(String, f64, f64, f64)]) -> String {
    rows.iter()
        .map(|(n, p, lo, hi)| format!("{n}: {} (95% interval {} to {})", pct(*p), pct(*lo), pct(*hi)))
        .collect::<Vec<_>>()
        .join("; ")
}

fn outcomes_section(b: &mut Builder, s: &SummaryFile) -> Result<(), ReportError> {
    let rows = outcome_rows(s);
    if rows.is_empty() {
        return Ok(());
    }
    let n: f64 = rows.iter().filter_map(|r| r.get("count")).sum();
    b.section(
        "outcomes",
        "Outcome probabilities",
        &format!(
            "How the {} trials ended. Each trial ends in exactly one outcome; the interval is the 95% Wilson score interval (Monte Carlo uncertainty only).",
            charts::fmt_num(n)
        ),
    );
    let items: Vec<(String, f64, f64, f64)> = rows
        .iter()
        .map(|r| {
            (
                r.name.clone(),
                r.get("probability").unwrap_or(f64::NAN),
                r.get("ci_low").unwrap_or(f64::NAN),
                r.get("ci_high").unwrap_or(f64::NAN),
            )
        })
        .collect();
    let chart = Chart::Interval(IntervalChart {
        x_desc: "share of trials (dot: estimate; bar: 95% Wilson interval)".into(),
        x: Scale::Percent,
        rows: items
            .iter()
            .enumerate()
            .map(|(i, (name, p, lo, hi))| Interval {
                label: name.clone(),
                color: i,
                mid: *p,
                lo: *lo,
                hi: *hi,
                inner: None,
                tick: None,
            })
            .collect(),
        x_range: Some((0.0, 1.0)),
    });
    b.figure(
        "How the trials ended",
        "Share of trials ending in each outcome, with its 95% Wilson interval.",
        &interval_desc(&items),
        &[],
        &chart,
    )?;
    let table_rows: Vec<(String, Vec<Cell>)> = rows
        .iter()
        .map(|r| {
            (
                format!(" data-kind=\"outcome\" data-name=\"{}\"", esc(&r.name)),
                vec![
                    Cell::Text(r.name.clone()),
                    num_cell(r.get("count"), charts::fmt_num),
                    num_cell(r.get("probability"), pct),
                    num_cell(r.get("ci_low"), pct),
                    num_cell(r.get("ci_high"), pct),
                ],
            )
        })
        .collect();
    html::table(
        &mut b.body,
        "Outcomes, from summary.csv",
        &["outcome", "trials", "share", "95% low", "95% high"],
        &table_rows,
    );
    status_table(b, s);
    b.end();
    Ok(())
}

/// The table of talks status when each trial ended, per track, if
/// `summary.csv` has `status` rows.
fn status_table(b: &mut Builder, s: &SummaryFile) {
    // Talks status at the end, per track.
    let status: Vec<&SummaryRow> = s.kind("status").collect();
    if !status.is_empty() {
        let one = status.iter().all(|r| r.name == status[0].name);
        let rows: Vec<(String, Vec<Cell>)> = status
            .iter()
            .map(|r| {
                (
                    format!(
                        " data-kind=\"status\" data-name=\"{}\" data-category=\"{}\"",
                        esc(&r.name),
                        esc(&r.category)
                    ),
                    vec![
                        Cell::Text(if one {
                            r.category.clone()
                        } else {
                            format!("{} = {}", r.name, r.category)
                        }),
                        num_cell(r.get("count"), charts::fmt_num),
                        num_cell(r.get("probability"), pct),
                        num_cell(r.get("ci_low"), pct),
                        num_cell(r.get("ci_high"), pct),
                    ],
                )
            })
            .collect();
        html::table(
            &mut b.body,
            "Talks status when each trial ended, from summary.csv",
            &[
                if one { status[0].name.as_str() } else { "status" },
                "trials",
                "share",
                "95% low",
                "95% high",
            ],
            &rows,
        );
    }
}

fn time_section(b: &mut Builder, e: &data::Endings, cal: Calendar) -> Result<(), ReportError> {
    let steps = e.by_step.first().map_or(0, Vec::len);
    if steps == 0 || e.trials == 0 {
        return Ok(());
    }
    let last = steps - 1;
    // The horizon outcome (last) happens only at the horizon: drawn as the
    // share still running instead.
    let k = e.outcomes.len().saturating_sub(1).max(1).min(e.outcomes.len());
    b.section(
        "time",
        "Time to each outcome",
        &format!(
            "Share of all {} trials that had ended in each outcome by each {}, read from {} (outcome, end_step). Every trial ends in exactly one outcome, so these are plain shares (cumulative incidence) with pointwise 95% Wilson bands; the black line is the share still running.",
            charts::fmt_num(e.trials as f64),
            cal.unit(),
            e.source
        ),
    );
    let x: Vec<f64> = (0..steps).map(|t| t as f64).collect();
    let mut lines = Vec::new();
    let mut keys = Vec::new();
    let mut running = vec![1.0; steps];
    let mut desc = Vec::new();
    for o in 0..k {
        let (p, lo, hi) = e.incidence(o);
        for (r, v) in running.iter_mut().zip(&p) {
            *r -= v;
        }
        let median = p.iter().position(|&v| v >= 0.5 * p[last]).filter(|_| p[last] > 0.0);
        desc.push(format!(
            "{}: {} by {}{}",
            e.outcomes[o],
            pct(p[last]),
            cal.when(last),
            median.map_or(String::new(), |m| format!(", half of them by {}", cal.when(m)))
        ));
        lines.push(Line {
            color: o,
            x: x.clone(),
            y: p,
            bands: vec![(lo, hi)],
            markers: false,
        });
        keys.push((o, e.outcomes[o].clone()));
    }
    for r in &mut running {
        *r = r.max(0.0);
    }
    lines.push(Line {
        color: 6,
        x: x.clone(),
        y: running,
        bands: vec![],
        markers: false,
    });
    keys.push((6, "still running".into()));
    let chart = Chart::Line(LineChart {
        x_desc: cal.x_desc(),
        y_desc: "share of trials".into(),
        y: Scale::Percent,
        dates: cal.start.map(|d| (d, cal.days)),
        lines,
        y_range: Some((0.0, 1.0)),
    });
    b.figure(
        "Cumulative probability of each outcome over time",
        "Share of trials that ended in each outcome by each step, with pointwise 95% Wilson bands. The horizon outcome is the share still running at the last step.",
        &desc.join("; "),
        &keys,
        &chart,
    )?;
    // A table at milestones; its last column equals summary.csv's share.
    let mut marks: Vec<usize> = [30usize, 90, 180, 365].into_iter().filter(|&m| m < last).collect();
    marks.push(last);
    let mut header: Vec<String> = vec!["outcome".into()];
    header.extend(marks.iter().map(|&m| cal.short(m)));
    let rows: Vec<(String, Vec<Cell>)> = (0..e.outcomes.len())
        .map(|o| {
            let (p, _, _) = e.incidence(o);
            let mut cells = vec![Cell::Text(e.outcomes[o].clone())];
            cells.extend(marks.iter().map(|&m| Cell::Num(pct(p[m]), format!("{}", p[m]))));
            (
                format!(" data-kind=\"incidence\" data-name=\"{}\"", esc(&e.outcomes[o])),
                cells,
            )
        })
        .collect();
    let hdr: Vec<&str> = header.iter().map(String::as_str).collect();
    html::table(
        &mut b.body,
        &format!(
            "Share of trials ended in each outcome by steps {}, from {}",
            marks.iter().map(|m| m.to_string()).collect::<Vec<_>>().join(", "),
            e.source
        ),
        &hdr,
        &rows,
    );
    b.end();
    Ok(())
}

/// A readable title for a timeline or metric column.
fn pretty(col: &str) -> String {
    let arrow = |rest: &str| -> String {
        let parts: Vec<&str> = rest.splitn(2, '_').collect();
        if parts.len() == 2 {
            format!("{} → {}", parts[0], parts[1].replace('_', " "))
        } else {
            rest.to_string()
        }
    };
    if let Some(r) = col.strip_prefix("cum_events_") {
        format!("Events {}, running total", arrow(r))
    } else if let Some(r) = col.strip_prefix("cum_killed_") {
        format!("People of {r} killed, running total")
    } else if let Some(r) = col.strip_prefix("pressure_") {
        format!("Pressure on {r}")
    } else if let Some(r) = col.strip_prefix("talks_").and_then(|r| r.strip_suffix("_progress")) {
        format!("Progress of talks {r}")
    } else {
        col.to_string()
    }
}

fn fan_section(b: &mut Builder, tl: &data::Timeline, cal: Calendar) -> Result<(), ReportError> {
    if tl.trials == 0 || tl.fans.is_empty() {
        return Ok(());
    }
    b.section(
        "fans",
        "Trajectories over time",
        &format!(
            "Quantiles across the {} trials recorded in {}{}, per {}: the median (line), the 25–75% band (dark) and the 5–95% band (light). A trial's rows stop when it ends; its last value is carried forward, so every step counts all these trials.",
            tl.trials,
            tl.source,
            if tl.skipped {
                format!(" (the first {TIMELINE_TRIALS})")
            } else {
                String::new()
            },
            cal.unit()
        ),
    );
    b.body.push_str("<div class=\"grid\">\n");
    let mut flat = Vec::new();
    for (i, f) in tl.fans.iter().enumerate() {
        let steps = f.q[0].len();
        if steps == 0 || f.q.iter().flatten().all(|&v| v == 0.0 || v.is_nan()) {
            flat.push(f.column.clone());
            continue;
        }
        let x: Vec<f64> = (0..steps).map(|t| t as f64).collect();
        let progress = f.column.ends_with("_progress");
        let scale = if progress { Scale::Percent } else { Scale::Number };
        let last = steps - 1;
        let desc = format!(
            "{}: at {} the median is {}, 50% of trials lie between {} and {}, 90% between {} and {}.",
            pretty(&f.column),
            cal.when(last),
            scale.label(f.q[2][last]),
            scale.label(f.q[1][last]),
            scale.label(f.q[3][last]),
            scale.label(f.q[0][last]),
            scale.label(f.q[4][last])
        );
        let chart = Chart::Line(LineChart {
            x_desc: cal.x_desc(),
            y_desc: if progress {
                "progress (share of the way to agreement)".into()
            } else if f.column.starts_with("pressure_") {
                "pressure (scenario units)".into()
            } else if f.column.starts_with("cum_killed_") {
                "people killed so far".into()
            } else {
                "events so far".into()
            },
            y: scale,
            dates: cal.start.map(|d| (d, cal.days)),
            lines: vec![Line {
                color: i % 6,
                x,
                y: f.q[2].clone(),
                bands: vec![(f.q[0].clone(), f.q[4].clone()), (f.q[1].clone(), f.q[3].clone())],
                markers: false,
            }],
            y_range: if progress { Some((0.0, 1.0)) } else { None },
        });
        b.figure_in(
            true,
            &pretty(&f.column),
            &format!(
                "Column {} of {}: median, 25–75% and 5–95% across trials.",
                f.column, tl.source
            ),
            &desc,
            &[],
            &chart,
        )?;
    }
    b.body.push_str("</div>\n");
    if !flat.is_empty() {
        b.note(&format!("Always zero in these trials, not drawn: {}.", flat.join(", ")));
    }
    b.end();
    Ok(())
}

/// The group a metric belongs to in the distributions section, with the
/// unit of its axis.
fn metric_group(name: &str) -> (&'static str, &'static str) {
    if name == "end_step" || name.ends_with("_step") || name.starts_with("first_death_step_") {
        ("When things happened", "step")
    } else if name.starts_with("events_") {
        ("Events", "events per trial")
    } else if name.starts_with("severity_") {
        ("Severity", "summed ladder severity per trial")
    } else if name.starts_with("responses_") {
        ("Responses", "responses per trial")
    } else if name.starts_with("killed_") || name.starts_with("wounded_") {
        ("Casualties", "people per trial")
    } else if name.starts_with("pressure_") {
        ("Pressure at the end", "pressure (scenario units)")
    } else if name.starts_with("payoff_") {
        ("Payoffs", "mean payoff per round")
    } else if name.starts_with("coop_") || name.ends_with("_progress") {
        ("Shares", "share (0 to 1)")
    } else if name.ends_with("_pause_steps") {
        ("Time spent paused", "steps")
    } else {
        ("Other metrics", "count per trial")
    }
}

fn metrics_section(b: &mut Builder, s: &SummaryFile, sweep: bool) -> Result<(), ReportError> {
    let metrics: Vec<&SummaryRow> = s.kind("metric").collect();
    if metrics.is_empty() {
        return Ok(());
    }
    b.section(
        "metrics",
        "Distributions of the metrics",
        if sweep {
            "Per sweep point, from summary.csv: the table lists every metric of every point."
        } else {
            "From summary.csv, per trial: dot = mean, black tick = median, box = 25–75%, bar = 5–95%. Quantiles of whole-number metrics are exact; those of real-valued metrics are P² estimates (about 1% of the range). Metrics that are zero in every trial are listed below the figures, not drawn."
        },
    );
    if !sweep {
        metric_figures(b, &metrics)?;
    }
    metrics_table(b, s, &metrics);
    b.end();
    Ok(())
}

/// One figure per group of metrics (see [`metric_group`]) of a single
/// run, and a note naming the metrics that are zero in every trial.
fn metric_figures(b: &mut Builder, metrics: &[&SummaryRow]) -> Result<(), ReportError> {
    let mut groups: Vec<(&str, &str, Vec<&SummaryRow>)> = Vec::new();
    let mut zero = Vec::new();
    for r in metrics {
        if r.get("count").unwrap_or(0.0) == 0.0 || (r.get("min") == Some(0.0) && r.get("max") == Some(0.0)) {
            zero.push(r.name.clone());
            continue;
        }
        let (g, unit) = metric_group(&r.name);
        match groups.iter_mut().find(|x| x.0 == g) {
            Some(x) => x.2.push(r),
            None => groups.push((g, unit, vec![r])),
        }
    }
    for (g, unit, rows) in &groups {
        let scale = if *unit == "share (0 to 1)" {
            Scale::Percent
        } else {
            Scale::Number
        };
        let chart = Chart::Interval(IntervalChart {
            x_desc: unit.to_string(),
            x: scale,
            rows: rows
                .iter()
                .enumerate()
                .map(|(i, r)| Interval {
                    label: r.name.clone(),
                    color: i % 6,
                    mid: r.get("mean").unwrap_or(f64::NAN),
                    lo: r.get("p5").unwrap_or(f64::NAN),
                    hi: r.get("p95").unwrap_or(f64::NAN),
                    inner: r.get("p25").zip(r.get("p75")),
                    tick: r.get("p50"),
                })
                .collect(),
            x_range: None,
        });
        let desc = rows
            .iter()
            .map(|r| {
                format!(
                    "{}: mean {}, median {}, 5–95% {} to {}",
                    r.name,
                    scale.label(r.get("mean").unwrap_or(f64::NAN)),
                    scale.label(r.get("p50").unwrap_or(f64::NAN)),
                    scale.label(r.get("p5").unwrap_or(f64::NAN)),
                    scale.label(r.get("p95").unwrap_or(f64::NAN))
                )
            })
            .collect::<Vec<_>>()
            .join("; ");
        b.figure(
            g,
            &format!("Distribution across trials ({unit}): dot mean, tick median, box 25–75%, bar 5–95%."),
            &desc,
            &[],
            &chart,
        )?;
    }
    if !zero.is_empty() {
        b.note(&format!("Zero in every trial: {}.", zero.join(", ")));
    }
    Ok(())
}

/// The table of every metric as in `summary.csv` (for a sweep, the point
/// first), folded in a `<details>`.
fn metrics_table(b: &mut Builder, s: &SummaryFile, metrics: &[&SummaryRow]) {
    let mut header: Vec<&str> = s.prefix.iter().map(String::as_str).collect();
    header.extend([
        "metric", "trials", "mean", "sd", "min", "p5", "p25", "p50", "p75", "p95", "max",
    ]);
    // The first cell is the row's header: for a sweep, the point.
    let rows: Vec<(String, Vec<Cell>)> = metrics
        .iter()
        .map(|r| {
            let mut cells: Vec<Cell> = r.prefix.iter().map(|p| Cell::Text(p.clone())).collect();
            cells.push(Cell::Text(r.name.clone()));
            for c in ["count", "mean", "sd", "min", "p5", "p25", "p50", "p75", "p95", "max"] {
                cells.push(num_cell(r.get(c), charts::fmt_num));
            }
            (format!(" data-kind=\"metric\" data-name=\"{}\"", esc(&r.name)), cells)
        })
        .collect();
    b.body
        .push_str("<details><summary>Every metric, as in summary.csv</summary>\n");
    html::table(&mut b.body, "Metrics, from summary.csv", &header, &rows);
    b.body.push_str("</details>\n");
}

fn sweep_section(b: &mut Builder, s: &SummaryFile) -> Result<(), ReportError> {
    let outcomes = s.outcome_names();
    let paths: Vec<String> = s.prefix.iter().skip(1).cloned().collect();
    let rows: Vec<&SummaryRow> = s.kind("outcome").collect();
    let mut points: Vec<String> = Vec::new();
    for r in &rows {
        if !points.contains(&r.prefix[0]) {
            points.push(r.prefix[0].clone());
        }
    }
    b.section(
        "sweep",
        "How the outcomes respond to the swept parameters",
        &format!(
            "{} points over {}. Each point ran the same trial streams (common random numbers), so differences between points are not sampling noise between streams.",
            points.len(),
            paths.join(", ")
        ),
    );
    let keys: Vec<Key> = outcomes.iter().enumerate().map(|(i, o)| (i, o.clone())).collect();
    for (pi, path) in paths.iter().enumerate() {
        // (x, outcome) -> probabilities at that x (over the other parameters).
        let mut xs: Vec<f64> = rows
            .iter()
            .filter_map(|r| r.prefix[pi + 1].parse::<f64>().ok())
            .collect();
        if xs.len() != rows.len() {
            b.note(&format!("{path}: values are not numbers; see the table."));
            continue;
        }
        xs.sort_by(f64::total_cmp);
        xs.dedup();
        let per_x = points.len() / xs.len().max(1);
        let scatter = per_x <= 1 && paths.len() > 1;
        let mut lines = Vec::new();
        let mut desc = Vec::new();
        for (oi, o) in outcomes.iter().enumerate() {
            let mine: Vec<&&SummaryRow> = rows.iter().filter(|r| &r.name == o).collect();
            let (xv, y, lo, hi) = outcome_points(&mine, pi + 1, &xs, scatter, paths.len() == 1);
            if let (Some(f), Some(l)) = (y.first(), y.last()) {
                desc.push(format!(
                    "{o}: {} at {} = {}, {} at {} = {}",
                    pct(*f),
                    path,
                    charts::fmt_num(xv[0]),
                    pct(*l),
                    path,
                    charts::fmt_num(*xv.last().unwrap_or(&f64::NAN))
                ));
            }
            lines.push(Line {
                color: oi,
                x: xv,
                y,
                bands: if lo.is_empty() { vec![] } else { vec![(lo, hi)] },
                markers: true,
            });
        }
        if scatter {
            sort_by_x(&mut lines);
        }
        let caption = sweep_caption(paths.len() == 1, scatter);
        let chart = Chart::Line(LineChart {
            x_desc: path.clone(),
            y_desc: "share of trials".into(),
            y: Scale::Percent,
            dates: None,
            lines,
            y_range: Some((0.0, 1.0)),
        });
        b.figure(
            &format!("Outcomes against {path}"),
            &caption,
            &desc.join("; "),
            &keys,
            &chart,
        )?;
    }
    sweep_table(b, s, &rows, &points, &outcomes);
    b.end();
    Ok(())
}

/// The points of outcome `o`'s line against the parameter in prefix column
/// `col`, from its rows `mine`: `(x, probability, band low, band high)`.
/// A scatter has one point per row and no band; otherwise one point per
/// value in `xs`, the mean over the other parameters, banded by the Wilson
/// interval when `single` parameter is swept, else by the lowest and
/// highest point.
fn outcome_points(
    mine: &[&&SummaryRow],
    col: usize,
    xs: &[f64],
    scatter: bool,
    single: bool,
) -> (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>) {
    let mut y = Vec::new();
    let mut lo = Vec::new();
    let mut hi = Vec::new();
    let mut xv = Vec::new();
    if scatter {
        for r in mine {
            xv.push(r.prefix[col].parse::<f64>().unwrap_or(f64::NAN));
            y.push(r.get("probability").unwrap_or(f64::NAN));
        }
    } else {
        for &x in xs {
            let at: Vec<&&&SummaryRow> = mine
                .iter()
                .filter(|r| r.prefix[col].parse::<f64>().ok() == Some(x))
                .collect();
            let ps: Vec<f64> = at.iter().filter_map(|r| r.get("probability")).collect();
            if ps.is_empty() {
                continue;
            }
            xv.push(x);
            y.push(ps.iter().sum::<f64>() / ps.len() as f64);
            if single {
                lo.push(at[0].get("ci_low").unwrap_or(f64::NAN));
                hi.push(at[0].get("ci_high").unwrap_or(f64::NAN));
            } else {
                lo.push(ps.iter().copied().fold(f64::INFINITY, f64::min));
                hi.push(ps.iter().copied().fold(f64::NEG_INFINITY, f64::max));
            }
        }
    }
    (xv, y, lo, hi)
}

/// Sorts the points of each line by x (a scatter comes in row order).
fn sort_by_x(lines: &mut [Line]) {
    for l in lines {
        let mut idx: Vec<usize> = (0..l.x.len()).collect();
        idx.sort_by(|&a, &b| l.x[a].total_cmp(&l.x[b]));
        l.x = idx.iter().map(|&i| l.x[i]).collect();
        l.y = idx.iter().map(|&i| l.y[i]).collect();
    }
}

/// The caption of a sweep figure: one swept parameter, a scatter over a
/// design, or means over the other parameters.
fn sweep_caption(single: bool, scatter: bool) -> String {
    if single {
        "Probability of each outcome at each value, with its 95% Wilson band.".to_string()
    } else if scatter {
        "Probability of each outcome at each design point against this parameter (the other parameters vary too)."
            .to_string()
    } else {
        "Probability of each outcome at each value, averaged over the other swept parameters; the band spans their lowest to highest point.".to_string()
    }
}

/// The table of a sweep: one row per point (the first [`TABLE_ROWS`]),
/// one column per outcome with its 95% interval.
fn sweep_table(b: &mut Builder, s: &SummaryFile, rows: &[&SummaryRow], points: &[String], outcomes: &[String]) {
    // The table: one row per point, one column per outcome.
    let mut header: Vec<String> = s.prefix.clone();
    header.extend(outcomes.iter().map(|o| format!("{o} (95% interval)")));
    let hdr: Vec<&str> = header.iter().map(String::as_str).collect();
    let table_rows: Vec<(String, Vec<Cell>)> = points
        .iter()
        .take(TABLE_ROWS)
        .map(|pt| {
            let at: Vec<&&SummaryRow> = rows.iter().filter(|r| &r.prefix[0] == pt).collect();
            let mut cells: Vec<Cell> = at[0].prefix.iter().map(|p| Cell::Text(p.clone())).collect();
            for o in outcomes {
                let r = at.iter().find(|r| &r.name == o);
                let p = r.and_then(|r| r.get("probability"));
                let shown = r.map_or("–".to_string(), |r| {
                    format!(
                        "{} [{}, {}]",
                        pct(p.unwrap_or(f64::NAN)),
                        pct(r.get("ci_low").unwrap_or(f64::NAN)),
                        pct(r.get("ci_high").unwrap_or(f64::NAN))
                    )
                });
                cells.push(Cell::Num(shown, exact(p)));
            }
            (format!(" data-kind=\"point\" data-point=\"{}\"", esc(pt)), cells)
        })
        .collect();
    html::table(
        &mut b.body,
        "Outcome probabilities per point, from summary.csv",
        &hdr,
        &table_rows,
    );
    if points.len() > TABLE_ROWS {
        b.note(&format!(
            "The first {TABLE_ROWS} of {} points are listed.",
            points.len()
        ));
    }
}

/// A column that holds an interval bound or half-width of another.
fn interval_column(h: &str) -> bool {
    ["_conf", "_low", "_high", "_lo", "_hi"].iter().any(|s| h.ends_with(s))
        || matches!(h, "ci_low" | "ci_high" | "conf" | "low" | "high")
}

fn section_title(file: &str) -> String {
    match file {
        "sensitivity.csv" => "Sensitivity: what drives each answer".into(),
        "score.csv" => "Calibration scores against baselines".into(),
        "posterior.csv" => "Posterior of the calibrated parameters".into(),
        other => format!("Table {other}"),
    }
}

fn slug(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

/// Columns of a generic CSV that are bookkeeping, not values to plot.
fn bookkeeping(h: &str) -> bool {
    matches!(
        h,
        "weight" | "particle" | "trial" | "point" | "generation" | "n" | "count"
    )
}

/// Ranks the rows of `sensitivity.csv`, whatever its columns: by the
/// absolute value of its first value column (not an interval bound),
/// largest first, within each group of its first text column naming the
/// answer (`target`, `output`, `outcome`, `metric`, `quantity` or `y`;
/// groups keep the file's order). Returns the sentence saying so, or
/// `None` when there is no value column.
fn rank_rows(t: &mut Table) -> Option<String> {
    let cols = t.header.len();
    // A sweep's file leads with the point's values: rank by `index` when
    // there is one.
    let v = (0..cols)
        .find(|&c| t.header[c] == "index" && t.numeric(c))
        .or_else(|| {
            (0..cols).find(|&c| t.numeric(c) && !interval_column(&t.header[c]) && !bookkeeping(&t.header[c]))
        })?;
    let g = (0..cols).find(|&c| {
        !t.numeric(c)
            && matches!(
                t.header[c].as_str(),
                "target" | "output" | "outcome" | "metric" | "quantity" | "y"
            )
    });
    let mut groups: Vec<&str> = Vec::new();
    let keys: Vec<(usize, f64)> = t
        .rows
        .iter()
        .map(|r| {
            let gi = match g {
                Some(g) => match groups.iter().position(|x| *x == r[g]) {
                    Some(i) => i,
                    None => {
                        groups.push(&r[g]);
                        groups.len() - 1
                    }
                },
                None => 0,
            };
            let x = r[v].trim().parse::<f64>().map(f64::abs).unwrap_or(f64::NAN);
            (gi, x)
        })
        .collect();
    let mut order: Vec<usize> = (0..t.rows.len()).collect();
    // Largest |value| first; a missing value last.
    order.sort_by(|&a, &b| {
        let (ga, xa) = keys[a];
        let (gb, xb) = keys[b];
        ga.cmp(&gb).then_with(|| match (xa.is_nan(), xb.is_nan()) {
            (false, false) => xb.total_cmp(&xa),
            (na, nb) => na.cmp(&nb),
        })
    });
    let rows = std::mem::take(&mut t.rows);
    let mut slots: Vec<Option<Vec<String>>> = rows.into_iter().map(Some).collect();
    t.rows = order.iter().map(|&i| slots[i].take().expect("each row once")).collect();
    Some(match g {
        Some(g) => format!(
            "Rows are ranked by |{}| within each {}, largest first.",
            t.header[v], t.header[g]
        ),
        None => format!("Rows are ranked by |{}|, largest first.", t.header[v]),
    })
}

/// Any other CSV: a table, and a figure per numeric column (estimates
/// with intervals by row label when the file has text columns, else
/// histograms, weighted by a `weight` column if there is one).
fn generic_section(b: &mut Builder, t: &Table, ranked: Option<&str>) -> Result<(), ReportError> {
    let title = section_title(&t.file);
    b.section(
        &slug(&t.file),
        &title,
        &format!(
            "From {} ({} rows), drawn generically from its header.{}",
            t.file,
            t.rows.len() as u64 + t.more,
            ranked.map(|r| format!(" {r}")).unwrap_or_default()
        ),
    );
    let cols = t.header.len();
    let numeric: Vec<bool> = (0..cols).map(|c| t.numeric(c)).collect();
    let text_cols: Vec<usize> = (0..cols).filter(|&c| !numeric[c]).collect();
    let value_cols: Vec<usize> = (0..cols)
        .filter(|&c| numeric[c] && !interval_column(&t.header[c]) && !bookkeeping(&t.header[c]))
        .take(8)
        .collect();
    if !text_cols.is_empty() && !value_cols.is_empty() {
        labelled_figures(b, t, &text_cols, &value_cols)?;
    } else if !value_cols.is_empty() {
        histogram_figures(b, t, &value_cols)?;
    }
    generic_table(b, t, &numeric);
    b.end();
    Ok(())
}

/// The figures of a generic CSV with text columns: per value column, the
/// estimate of each row (labelled by its text columns) with the interval
/// its `_low`/`_high`/`_conf` columns give, if any.
fn labelled_figures(b: &mut Builder, t: &Table, text_cols: &[usize], value_cols: &[usize]) -> Result<(), ReportError> {
    let shown_rows = t.rows.len().min(FIGURE_ROWS);
    for (vi, &c) in value_cols.iter().enumerate() {
        let h = &t.header[c];
        let bound = |suffix: &str| t.index(&format!("{h}{suffix}"));
        let (lo_c, hi_c, conf_c) = (
            bound("_low")
                .or(bound("_lo"))
                .or(if vi == 0 { t.index("ci_low") } else { None }),
            bound("_high")
                .or(bound("_hi"))
                .or(if vi == 0 { t.index("ci_high") } else { None }),
            bound("_conf").or(if vi == 0 { t.index("conf") } else { None }),
        );
        let get = |r: &Vec<String>, c: Option<usize>| c.and_then(|c| r[c].trim().parse::<f64>().ok());
        let rows: Vec<Interval> = t.rows[..shown_rows]
            .iter()
            .map(|r| {
                let mid = r[c].trim().parse::<f64>().unwrap_or(f64::NAN);
                let (lo, hi) = match (get(r, lo_c), get(r, hi_c), get(r, conf_c)) {
                    (Some(l), Some(u), _) => (l, u),
                    (_, _, Some(w)) => (mid - w, mid + w),
                    _ => (mid, mid),
                };
                Interval {
                    label: text_cols.iter().map(|&j| r[j].as_str()).collect::<Vec<_>>().join(" · "),
                    color: vi % 6,
                    mid,
                    lo,
                    hi,
                    inner: None,
                    tick: None,
                }
            })
            .collect();
        let has_iv = lo_c.is_some() || conf_c.is_some();
        let desc = rows
            .iter()
            .map(|r| {
                if has_iv {
                    format!(
                        "{}: {} ({} to {})",
                        r.label,
                        charts::fmt_num(r.mid),
                        charts::fmt_num(r.lo),
                        charts::fmt_num(r.hi)
                    )
                } else {
                    format!("{}: {}", r.label, charts::fmt_num(r.mid))
                }
            })
            .collect::<Vec<_>>()
            .join("; ");
        let chart = Chart::Interval(IntervalChart {
            x_desc: h.clone(),
            x: Scale::Number,
            rows,
            x_range: None,
        });
        let caption = format!(
            "Column {h} of {} by {}{}{}.",
            t.file,
            text_cols
                .iter()
                .map(|&j| t.header[j].as_str())
                .collect::<Vec<_>>()
                .join(" · "),
            if has_iv { ", with its interval" } else { "" },
            if t.rows.len() > shown_rows {
                format!(" (first {shown_rows} rows)")
            } else {
                String::new()
            }
        );
        b.figure(&format!("{h} ({})", t.file), &caption, &desc, &[], &chart)?;
    }
    Ok(())
}

/// The figures of a generic CSV without text columns: a histogram per
/// value column, weighted by a `weight` column if there is one.
fn histogram_figures(b: &mut Builder, t: &Table, value_cols: &[usize]) -> Result<(), ReportError> {
    let w = t.index("weight").map(|c| t.column(c));
    for (vi, &c) in value_cols.iter().enumerate() {
        let h = &t.header[c];
        let xs = t.column(c);
        let Some((edges, heights)) = histogram(&xs, w.as_deref(), 30) else {
            continue;
        };
        let chart = Chart::Histogram(charts::Histogram {
            x_desc: h.clone(),
            y_desc: if w.is_some() {
                "share of weight".into()
            } else {
                "share of rows".into()
            },
            edges: edges.clone(),
            heights: heights.clone(),
            color: vi % 6,
        });
        let mode = heights
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map_or(0, |m| m.0);
        let desc = format!(
            "Histogram of {h} over {} to {} in {} bins; the tallest bin, {} to {}, holds {}.",
            charts::fmt_num(edges[0]),
            charts::fmt_num(edges[edges.len() - 1]),
            heights.len(),
            charts::fmt_num(edges[mode]),
            charts::fmt_num(edges[mode + 1]),
            pct(heights[mode])
        );
        b.figure(
            &format!("{h} ({})", t.file),
            &format!(
                "Histogram of column {h} of {}{}.",
                t.file,
                if w.is_some() {
                    ", weighted by its weight column"
                } else {
                    ""
                }
            ),
            &desc,
            &[],
            &chart,
        )?;
    }
    Ok(())
}

/// The table of a generic CSV, as written (numbers after the first column
/// formatted, the exact value kept), with a note when rows were left out.
fn generic_table(b: &mut Builder, t: &Table, numeric: &[bool]) {
    let header: Vec<&str> = t.header.iter().map(String::as_str).collect();
    let rows: Vec<(String, Vec<Cell>)> = t
        .rows
        .iter()
        .take(TABLE_ROWS)
        .map(|r| {
            let cells = r
                .iter()
                .enumerate()
                .map(|(c, v)| {
                    if numeric[c] && c > 0 {
                        let shown = v.trim().parse::<f64>().map_or_else(|_| v.clone(), charts::fmt_num);
                        Cell::Num(shown, v.clone())
                    } else {
                        Cell::Text(v.clone())
                    }
                })
                .collect();
            (String::new(), cells)
        })
        .collect();
    html::table(&mut b.body, &format!("{}, as written", t.file), &header, &rows);
    let total = t.rows.len() as u64 + t.more;
    if total > TABLE_ROWS as u64 {
        b.note(&format!("The first {TABLE_ROWS} of {total} rows are listed."));
    }
}

/// A histogram of the finite `xs` (weights `w`, normalised to sum 1) in
/// `bins` equal bins; `None` when nothing is finite.
pub fn histogram(xs: &[f64], w: Option<&[f64]>, bins: usize) -> Option<(Vec<f64>, Vec<f64>)> {
    let finite = |i: usize| xs[i].is_finite() && w.is_none_or(|w| w[i].is_finite() && w[i] >= 0.0);
    let (lo, hi) = (0..xs.len())
        .filter(|&i| finite(i))
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), i| {
            (a.min(xs[i]), b.max(xs[i]))
        });
    if !lo.is_finite() {
        return None;
    }
    let (lo, hi) = if hi > lo { (lo, hi) } else { (lo - 0.5, hi + 0.5) };
    let width = (hi - lo) / bins as f64;
    let edges: Vec<f64> = (0..=bins).map(|i| lo + width * i as f64).collect();
    let mut h = vec![0.0; bins];
    let mut total = 0.0;
    for i in (0..xs.len()).filter(|&i| finite(i)) {
        let k = (((xs[i] - lo) / width) as usize).min(bins - 1);
        let wi = w.map_or(1.0, |w| w[i]);
        h[k] += wi;
        total += wi;
    }
    if total > 0.0 {
        for v in &mut h {
            *v /= total;
        }
    }
    Some((edges, h))
}

/// Flattens a JSON value into (dotted key, text) rows, arrays of scalars
/// joined by spaces.
fn flatten(prefix: &str, v: &serde_json::Value, out: &mut Vec<(String, String)>) {
    use serde_json::Value;
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, x, out);
            }
        }
        Value::Array(a) if a.iter().all(|x| !x.is_object() && !x.is_array()) => {
            let parts: Vec<String> = a
                .iter()
                .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_string))
                .collect();
            out.push((
                prefix.to_string(),
                if parts.is_empty() {
                    "(none)".into()
                } else {
                    parts.join(" ")
                },
            ));
        }
        Value::Array(a) => out.push((prefix.to_string(), format!("({} entries; see the full file)", a.len()))),
        Value::String(s) => out.push((prefix.to_string(), s.clone())),
        Value::Null => out.push((prefix.to_string(), "–".into())),
        other => out.push((prefix.to_string(), other.to_string())),
    }
}

fn provenance_section(b: &mut Builder, meta: Option<&serde_json::Value>, others: &[(String, serde_json::Value)]) {
    if meta.is_none() && others.is_empty() {
        return;
    }
    b.section(
        "provenance",
        "Provenance",
        "Enough to reproduce the run exactly: rerunning the command with the same brink version gives byte-identical CSV files.",
    );
    let mut files: Vec<(&str, &serde_json::Value)> = Vec::new();
    if let Some(m) = meta {
        files.push(("run.json", m));
    }
    files.extend(others.iter().map(|(n, v)| (n.as_str(), v)));
    for (name, v) in files {
        let mut rows = Vec::new();
        flatten("", v, &mut rows);
        // Paths of files and their hashes can be long: keep the table
        // short and the whole file below it.
        let table_rows: Vec<(String, Vec<Cell>)> = rows
            .iter()
            .filter(|(k, _)| !k.starts_with("files") && !k.starts_with("y."))
            .map(|(k, v)| {
                (
                    format!(" data-key=\"{}\"", esc(k)),
                    vec![Cell::Text(k.clone()), Cell::Text(v.clone())],
                )
            })
            .collect();
        let _ = writeln!(b.body, "<h3>{}</h3>", esc(name));
        html::table(
            &mut b.body,
            &format!("{name}, key by key"),
            &["key", "value"],
            &table_rows,
        );
        let pretty = serde_json::to_string_pretty(v).unwrap_or_default();
        let _ = writeln!(
            b.body,
            "<details><summary>{} as written</summary><pre>{}</pre></details>",
            esc(name),
            esc(&pretty)
        );
    }
    b.end();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_weights_sum_to_one() {
        let (e, h) = histogram(&[0.0, 1.0, 2.0, 3.0], Some(&[1.0, 1.0, 1.0, 5.0]), 2).unwrap();
        assert_eq!(e, vec![0.0, 1.5, 3.0]);
        assert_eq!(h, vec![0.25, 0.75]);
        assert!(histogram(&[f64::NAN], None, 3).is_none());
    }

    #[test]
    fn pretty_names_read_as_words() {
        assert_eq!(pretty("cum_events_kh_us"), "Events kh → us, running total");
        assert_eq!(pretty("talks_hmc_progress"), "Progress of talks hmc");
    }
}

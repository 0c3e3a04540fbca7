//! The observed record: dated observations of quantities brink computes,
//! against which a run is scored (`score`) and a scenario calibrated
//! (`calibrate`). Parsing is pure: text and a file name in, a validated
//! [`Record`] out, checked against the scenario it observes; every error
//! carries file:line:col (from TOML spans), what was expected and what was
//! found.
//!
//! ```toml
//! [record]                        # optional header
//! scenario = "us_iraq_2023_backtest"   # must match the scenario's name
//! description = "Pentagon counts, public by 24 Jan 2024"
//! source = "CALIBRATION.md"
//!
//! [quantities.attacks]            # one table per quantity; the key is its id
//! metric = "events"               # see below
//! dyads = ["kh_us", "nujaba_us"]  # summed over the group
//! observations = [
//!   { date = 2023-10-24, value = 13 },   # cumulative from the scenario start
//!   { step = 20, value = 38 },           # or by step
//! ]
//! ```
//!
//! Metrics, all cumulative from step 0 through the observation's step:
//!
//! | `metric` | selects | `value` |
//! |---|---|---|
//! | `events` | `dyads` | count of hostile events (whole number) |
//! | `responses` | `dyads` | count of responses |
//! | `killed`, `wounded` | `actors` | casualties suffered |
//! | `first_event` | `dyads` | whether any event had happened (`true`/`false`) |
//! | `first_death` | `actors` | whether any of them had been killed |
//! | `track_status` | `track` | the track's status that day (`"active"`, …) |
//!
//! An observation at step `t` (date `start + t` steps) covers steps
//! `0..=t`, so `t` must lie in `0..horizon`; a date needs the scenario's
//! `start_date` and must fall on a step. Observations of a quantity come in
//! strictly increasing order; counts never fall and a first event, once
//! `true`, stays `true` (both are cumulative).

use indexmap::IndexMap;
use miette::{NamedSource, SourceSpan};
use serde::Deserialize;
use toml::Spanned;

use crate::date::Date;
use crate::model::window::Selects;
use crate::model::{Scenario, TalkStatus};
use crate::scenario::locate::line_col;
use crate::scenario::paths::closest;

/// What a quantity measures: the same type as a scenario's declared
/// windowed metrics ([`crate::model::Measure`]), so an observation at step
/// `t` is the quantity over the window `0..=t` ([`Quantity::window`]).
pub type Metric = crate::model::Measure;

/// The metric names a file may use (those of [`crate::model::window::MEASURES`]).
pub const METRICS: [&str; 7] = crate::model::window::MEASURES;

/// One observed value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value {
    /// A cumulative count.
    Count(u64),
    /// Whether a first event had happened.
    Happened(bool),
    /// A track's status.
    Status(TalkStatus),
}

/// One dated observation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Observation {
    /// The step it covers through (0-based, `< horizon`).
    pub step: u32,
    /// Its calendar date, when the scenario has a start date.
    pub date: Option<Date>,
    /// The value.
    pub value: Value,
}

/// One observed quantity and its observations, in step order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quantity {
    /// Its id (the key under `[quantities]`).
    pub id: String,
    /// What it measures.
    pub metric: Metric,
    /// Free text.
    pub description: Option<String>,
    /// Observations, strictly increasing in step.
    pub observations: Vec<Observation>,
}

impl Quantity {
    /// The windowed quantity observation `o` observes: this quantity over
    /// steps `0..=o.step`, named `<id>` (the column a run's `trials.csv`
    /// would hold if the scenario declared it).
    pub fn window(&self, o: &Observation) -> crate::model::Windowed {
        crate::model::Windowed {
            id: self.id.clone(),
            measure: self.metric.clone(),
            from: 0,
            to: o.step,
        }
    }

    /// A count quantity's `(step, count)` series, as the baselines of
    /// `score::baseline` take it; `None` for booleans and statuses.
    pub fn count_series(&self) -> Option<Vec<(i64, u64)>> {
        self.observations
            .iter()
            .map(|o| match o.value {
                Value::Count(c) => Some((i64::from(o.step), c)),
                _ => None,
            })
            .collect()
    }
}

/// A validated observed record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The scenario it names, if it names one.
    pub scenario: Option<String>,
    /// Free text.
    pub description: Option<String>,
    /// Where the numbers come from.
    pub source: Option<String>,
    /// Quantities, in file order.
    pub quantities: Vec<Quantity>,
}

/// An observed record that cannot be used. `Display` gives one line,
/// `file:line:col: message`; as a [`miette::Diagnostic`] it also shows the
/// source line and a hint.
#[derive(Debug, Clone, thiserror::Error, miette::Diagnostic)]
#[error("{headline}")]
#[diagnostic(code(brink::observed))]
pub struct ObservedError {
    headline: String,
    /// What is wrong, without the location.
    pub message: String,
    /// The file.
    pub file: String,
    /// 1-based line, if known.
    pub line: Option<usize>,
    /// 1-based column, if known.
    pub column: Option<usize>,
    #[source_code]
    src: NamedSource<String>,
    #[label("here")]
    span: Option<SourceSpan>,
    /// What to do about it.
    #[help]
    pub help: Option<String>,
}

impl ObservedError {
    fn new(
        text: &str,
        file: &str,
        span: Option<std::ops::Range<usize>>,
        message: String,
        help: Option<String>,
    ) -> Self {
        let (line, column) = match &span {
            Some(r) => {
                let (l, c) = line_col(text, r.start);
                (Some(l), Some(c))
            }
            None => (None, None),
        };
        let headline = match (line, column) {
            (Some(l), Some(c)) => format!("{file}:{l}:{c}: {message}"),
            _ => format!("{file}: {message}"),
        };
        ObservedError {
            headline,
            message,
            file: file.to_string(),
            line,
            column,
            src: NamedSource::new(file, text.to_string()),
            span: span.map(|r| SourceSpan::from(r.start..r.end.max(r.start))),
            help,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    record: Option<RawHeader>,
    #[serde(default)]
    quantities: IndexMap<Spanned<String>, Spanned<RawQuantity>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHeader {
    scenario: Option<Spanned<String>>,
    description: Option<String>,
    source: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuantity {
    metric: Spanned<String>,
    dyads: Option<Spanned<Vec<Spanned<String>>>>,
    actors: Option<Spanned<Vec<Spanned<String>>>>,
    track: Option<Spanned<String>>,
    description: Option<String>,
    observations: Spanned<Vec<Spanned<RawObs>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawObs {
    date: Option<Spanned<toml::value::Datetime>>,
    step: Option<Spanned<i64>>,
    value: Spanned<toml::Value>,
}

/// What parsing a record needs at hand: the text and file name errors
/// point into, and the scenario the record observes.
struct Ctx<'a> {
    text: &'a str,
    file: &'a str,
    scenario: &'a Scenario,
}

impl Ctx<'_> {
    /// An error at `span` in the record.
    fn err(&self, span: std::ops::Range<usize>, message: String, help: Option<String>) -> ObservedError {
        ObservedError::new(self.text, self.file, Some(span), message, help)
    }
}

/// Parses and validates an observed record named `file` against the
/// scenario it observes.
pub fn parse(text: &str, file: &str, scenario: &Scenario) -> Result<Record, ObservedError> {
    let cx = Ctx { text, file, scenario };
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        ObservedError::new(
            text,
            file,
            e.span(),
            format!("invalid observed record: {}", e.message().trim_end()),
            None,
        )
    })?;
    let (rec_scenario, description, source) = parse_header(&cx, raw.record)?;
    if raw.quantities.is_empty() {
        return Err(ObservedError::new(
            text,
            file,
            None,
            "the record observes nothing: expected at least one [quantities.ID] table".into(),
            None,
        ));
    }
    let mut quantities = Vec::with_capacity(raw.quantities.len());
    for (key, q) in raw.quantities {
        quantities.push(parse_quantity(&cx, key, q)?);
    }
    Ok(Record {
        scenario: rec_scenario,
        description,
        source,
        quantities,
    })
}

/// The `[record]` header's scenario, description and source, checking
/// that the scenario it names (if any) is the one given.
#[allow(clippy::type_complexity)]
fn parse_header(
    cx: &Ctx,
    header: Option<RawHeader>,
) -> Result<(Option<String>, Option<String>, Option<String>), ObservedError> {
    let (mut rec_scenario, mut description, mut source) = (None, None, None);
    if let Some(h) = header {
        if let Some(name) = h.scenario {
            if name.get_ref() != &cx.scenario.name {
                return Err(cx.err(
                    name.span(),
                    format!(
                        "the record is for scenario `{}`, but the scenario given is `{}`",
                        name.get_ref(),
                        cx.scenario.name
                    ),
                    Some("score or calibrate the scenario the record was written for, or fix `record.scenario`".into()),
                ));
            }
            rec_scenario = Some(name.into_inner());
        }
        description = h.description;
        source = h.source;
    }
    Ok((rec_scenario, description, source))
}

/// One `[quantities.ID]` table: its id, metric and observations.
fn parse_quantity(cx: &Ctx, key: Spanned<String>, q: Spanned<RawQuantity>) -> Result<Quantity, ObservedError> {
    let id = key.get_ref().clone();
    if !is_snake_case(&id) {
        return Err(cx.err(
            key.span(),
            format!("expected a quantity id in snake_case (a-z, 0-9, _; starting with a letter), found `{id}`"),
            Some("ids become column names, so they are short lowercase words".into()),
        ));
    }
    let q_span = q.span();
    let mut q = q.into_inner();
    let metric = parse_metric(cx, &id, q_span, &mut q)?;
    let m = q.metric.get_ref().as_str();
    let observations = parse_observations(cx, &id, m, &metric, q.observations)?;
    Ok(Quantity {
        id,
        metric,
        description: q.description,
        observations,
    })
}

/// Which ids the metric named `m` selects, or an error at `span` for an
/// unknown metric.
fn metric_selects(cx: &Ctx, m: &str, span: std::ops::Range<usize>) -> Result<Selects, ObservedError> {
    match Metric::selects(m) {
        Some(s) => Ok(s),
        None => {
            let help = match closest(m, METRICS.iter().copied()) {
                Some(c) => format!("did you mean `{c}`? metrics: {}", METRICS.join(", ")),
                None => format!("metrics: {}", METRICS.join(", ")),
            };
            Err(cx.err(span, format!("unknown metric `{m}`"), Some(help)))
        }
    }
}

/// The quantity's metric with its ids resolved against the scenario,
/// taking its `dyads`, `actors` or `track` out of `q`.
fn parse_metric(
    cx: &Ctx,
    id: &str,
    q_span: std::ops::Range<usize>,
    q: &mut RawQuantity,
) -> Result<Metric, ObservedError> {
    let (text, file, scenario) = (cx.text, cx.file, cx.scenario);
    let m = q.metric.get_ref().as_str();
    let selects = metric_selects(cx, m, q.metric.span())?;
    // Keys that do not apply to this metric.
    for (present, key_name, needed) in [
        (q.dyads.as_ref().map(Spanned::span), "dyads", Selects::Dyads),
        (q.actors.as_ref().map(Spanned::span), "actors", Selects::Actors),
        (q.track.as_ref().map(Spanned::span), "track", Selects::Track),
    ] {
        if let Some(span) = present
            && needed != selects
        {
            return Err(cx.err(
                span,
                format!("metric `{m}` takes no `{key_name}`"),
                Some(selects_help(selects)),
            ));
        }
    }
    let missing = |what: &str| {
        cx.err(
            q_span.clone(),
            format!("quantity `{id}` (metric `{m}`) needs `{what}`"),
            Some(selects_help(selects)),
        )
    };
    let metric = match selects {
        Selects::Dyads => {
            let list = q.dyads.take().ok_or_else(|| missing("dyads"))?;
            let ids = resolve(text, file, list, "dyad", scenario.dyads.iter().map(|d| d.id.as_str()))?;
            Metric::over_dyads(m, ids).expect("a dyad metric")
        }
        Selects::Actors => {
            let list = q.actors.take().ok_or_else(|| missing("actors"))?;
            let ids = resolve(text, file, list, "actor", scenario.actors.iter().map(|a| a.id.as_str()))?;
            Metric::over_actors(m, ids).expect("an actor metric")
        }
        Selects::Track => {
            let t = q.track.take().ok_or_else(|| missing("track"))?;
            let known: Vec<&str> = scenario.tracks.iter().map(|t| t.id.as_str()).collect();
            match known.iter().position(|k| *k == t.get_ref()) {
                Some(i) => Metric::TrackStatus(i as u16),
                None => return Err(unknown_id(text, file, "track", t.get_ref(), t.span(), &known)),
            }
        }
    };
    Ok(metric)
}

/// The observations of quantity `id` (metric `m`), checked to be non-empty,
/// in time order, within the horizon, and of the metric's kind.
fn parse_observations(
    cx: &Ctx,
    id: &str,
    m: &str,
    metric: &Metric,
    raw: Spanned<Vec<Spanned<RawObs>>>,
) -> Result<Vec<Observation>, ObservedError> {
    let obs_span = raw.span();
    let raw_obs = raw.into_inner();
    if raw_obs.is_empty() {
        return Err(cx.err(
            obs_span,
            format!("quantity `{id}` has no observations"),
            Some("write observations = [{ date = YYYY-MM-DD, value = ... }, ...]".into()),
        ));
    }
    let mut observations: Vec<Observation> = Vec::with_capacity(raw_obs.len());
    for o in raw_obs {
        let o_span = o.span();
        let o = o.into_inner();
        let (step, date, at_span) = observation_at(cx, o.date, o.step, o_span)?;
        if let Some(prev) = observations.last()
            && step <= prev.step
        {
            return Err(cx.err(
                at_span,
                format!(
                    "observations must come in time order: step {step} does not follow step {}",
                    prev.step
                ),
                None,
            ));
        }
        let v_span = o.value.span();
        let value = observation_value(cx, m, metric, o.value.get_ref(), v_span.clone())?;
        if let Some(prev) = observations.last() {
            check_progress(cx, m, prev, step, value, v_span)?;
        }
        observations.push(Observation { step, date, value });
    }
    Ok(observations)
}

/// The step an observation covers, its date, and the span to point at,
/// from its `date` or `step` (exactly one given), checked against the
/// scenario's horizon.
fn observation_at(
    cx: &Ctx,
    date: Option<Spanned<toml::value::Datetime>>,
    step: Option<Spanned<i64>>,
    o_span: std::ops::Range<usize>,
) -> Result<(u32, Option<Date>, std::ops::Range<usize>), ObservedError> {
    let scenario = cx.scenario;
    let (step, date, at_span) = match (date, step) {
        (Some(_), Some(s)) => {
            return Err(cx.err(
                s.span(),
                "an observation has both `date` and `step`: give one".into(),
                None,
            ));
        }
        (None, None) => {
            return Err(cx.err(
                o_span,
                "an observation needs a `date` (YYYY-MM-DD) or a `step`".into(),
                None,
            ));
        }
        (Some(d), None) => date_step(cx, d)?,
        (None, Some(s)) => {
            let span = s.span();
            let step = *s.get_ref();
            if step < 0 {
                return Err(cx.err(span, format!("expected a step >= 0, found {step}"), None));
            }
            let date = scenario
                .start_date
                .map(|d| d.add_days(step * scenario.step_unit.days()));
            (step, date, span)
        }
    };
    if step >= i64::from(scenario.horizon) {
        let last = match scenario.start_date {
            Some(d) => format!(
                "step {} ({})",
                scenario.horizon - 1,
                d.add_days(i64::from(scenario.horizon - 1) * scenario.step_unit.days())
            ),
            None => format!("step {}", scenario.horizon - 1),
        };
        return Err(cx.err(
            at_span,
            format!("step {step} is past the scenario's horizon: its last step is {last}"),
            None,
        ));
    }
    Ok((step as u32, date, at_span))
}

/// The step (not yet checked against the horizon), date and span of an
/// observation given by `date`: a plain date, on a step boundary, not
/// before the scenario's start.
fn date_step(
    cx: &Ctx,
    d: Spanned<toml::value::Datetime>,
) -> Result<(i64, Option<Date>, std::ops::Range<usize>), ObservedError> {
    let scenario = cx.scenario;
    let span = d.span();
    let dt = d.into_inner();
    let date = match (dt.date, dt.time, dt.offset) {
        (Some(x), None, None) => Date::from_ymd(i64::from(x.year), u32::from(x.month), u32::from(x.day)),
        _ => None,
    }
    .ok_or_else(|| {
        cx.err(
            span.clone(),
            format!("expected a date (YYYY-MM-DD), found `{dt}`"),
            None,
        )
    })?;
    let start = scenario.start_date.ok_or_else(|| {
        cx.err(
            span.clone(),
            "a date needs the scenario's `scenario.start_date`, which this scenario does not set".into(),
            Some("give the observation's `step` instead".into()),
        )
    })?;
    let days = date.days_since(start);
    let unit = scenario.step_unit.days();
    if days < 0 {
        return Err(cx.err(
            span,
            format!("date {date} is before the scenario's start, {start}"),
            None,
        ));
    }
    if days % unit != 0 {
        return Err(cx.err(
            span,
            format!("date {date} falls between steps (a step is {unit} days from {start})"),
            None,
        ));
    }
    Ok((days / unit, Some(date), span))
}

/// An observation's value `v`, checked to be of the kind metric `m`
/// observes (a count, true/false, or a track status).
fn observation_value(
    cx: &Ctx,
    m: &str,
    metric: &Metric,
    v: &toml::Value,
    v_span: std::ops::Range<usize>,
) -> Result<Value, ObservedError> {
    let value = match (metric, v) {
        (Metric::FirstEvent(_) | Metric::FirstDeath(_), toml::Value::Boolean(b)) => Value::Happened(*b),
        (Metric::FirstEvent(_) | Metric::FirstDeath(_), v) => {
            return Err(cx.err(v_span, format!("metric `{m}` observes true or false, found {v}"), None));
        }
        (Metric::TrackStatus(_), toml::Value::String(s)) => match TalkStatus::parse(s) {
            Some(t) => Value::Status(t),
            None => {
                let names: Vec<&str> = TalkStatus::ALL.iter().map(|t| t.as_str()).collect();
                return Err(cx.err(
                    v_span,
                    format!("unknown track status `{s}`"),
                    Some(format!("statuses: {}", names.join(", "))),
                ));
            }
        },
        (Metric::TrackStatus(_), v) => {
            return Err(cx.err(v_span, format!("metric `{m}` observes a status name, found {v}"), None));
        }
        (_, toml::Value::Integer(n)) if *n >= 0 => Value::Count(*n as u64),
        (_, v) => {
            return Err(cx.err(
                v_span,
                format!("metric `{m}` observes a whole number >= 0, found {v}"),
                None,
            ));
        }
    };
    Ok(value)
}

/// Checks that `value` at `step` can follow the previous observation:
/// cumulative counts never fall, and a first event that happened stays
/// happened.
fn check_progress(
    cx: &Ctx,
    m: &str,
    prev: &Observation,
    step: u32,
    value: Value,
    v_span: std::ops::Range<usize>,
) -> Result<(), ObservedError> {
    match (prev.value, value) {
        (Value::Count(a), Value::Count(b)) if b < a => Err(cx.err(
            v_span,
            format!(
                "cumulative count falls from {a} (step {}) to {b} (step {step})",
                prev.step
            ),
            Some("counts are cumulative from the scenario's start, so they never fall".into()),
        )),
        (Value::Happened(true), Value::Happened(false)) => Err(cx.err(
            v_span,
            format!("`{m}` was true at step {} but false at step {step}", prev.step),
            Some("once a first event has happened it stays happened".into()),
        )),
        _ => Ok(()),
    }
}

fn selects_help(s: Selects) -> String {
    match s {
        Selects::Dyads => "this metric selects dyads: dyads = [\"from_to\", ...]".into(),
        Selects::Actors => "this metric selects actors: actors = [\"id\", ...]".into(),
        Selects::Track => "this metric selects a track: track = \"id\"".into(),
    }
}

fn unknown_id(
    text: &str,
    file: &str,
    what: &str,
    id: &str,
    span: std::ops::Range<usize>,
    known: &[&str],
) -> ObservedError {
    let help = match closest(id, known.iter().copied()) {
        Some(c) => format!("did you mean `{c}`? {what}s: {}", known.join(", ")),
        None => format!("{what}s: {}", known.join(", ")),
    };
    ObservedError::new(
        text,
        file,
        Some(span),
        format!("unknown {what} `{id}` (not in the scenario)"),
        Some(help),
    )
}

fn resolve<'a>(
    text: &str,
    file: &str,
    list: Spanned<Vec<Spanned<String>>>,
    what: &str,
    known: impl Iterator<Item = &'a str>,
) -> Result<Vec<u16>, ObservedError> {
    let known: Vec<&str> = known.collect();
    let span = list.span();
    let list = list.into_inner();
    if list.is_empty() {
        return Err(ObservedError::new(
            text,
            file,
            Some(span),
            format!("expected at least one {what} id, found an empty list"),
            None,
        ));
    }
    let mut out: Vec<u16> = Vec::with_capacity(list.len());
    for s in list {
        match known.iter().position(|k| *k == s.get_ref()) {
            Some(i) if out.contains(&(i as u16)) => {
                return Err(ObservedError::new(
                    text,
                    file,
                    Some(s.span()),
                    format!("{what} `{}` is listed twice", s.get_ref()),
                    None,
                ));
            }
            Some(i) => out.push(i as u16),
            None => return Err(unknown_id(text, file, what, s.get_ref(), s.span(), &known)),
        }
    }
    Ok(out)
}

fn is_snake_case(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

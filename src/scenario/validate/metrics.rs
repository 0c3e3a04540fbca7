//! `[metrics]`: windowed quantities a scenario declares, each a column of
//! `trials.csv` named by its id and a `window` row of `summary.csv`
//! (`model::window` gives the equation). A window is `[from, to]`, both
//! inclusive, as steps or as dates (which need `scenario.start_date` and
//! must fall on a step); `to` must lie before the horizon.

use super::common::*;
use crate::date::Date;
use crate::model::window::{MEASURES, Measure, Selects};
use crate::model::{ActorId, DyadId, StepUnit, Windowed};
use crate::scenario::ErrorKind;
use crate::scenario::kinds::one_of;
use crate::scenario::raw::RawMetric;

/// Column names of `trials.csv` a metric id may not take.
const RESERVED: &[&str] = &["trial", "outcome", "end_step", "point"];

/// Whether `id` could be (or begin) a built-in column of this scenario:
/// a family's prefix followed by one of the family's ids (`events_kh_us`,
/// `killed_us_90` for an actor `us`), or any `talks_` name. Conservative:
/// a clash is reported before any column is written twice.
fn clashes(cx: &Cx, id: &str) -> bool {
    let raw = cx.raw;
    if RESERVED.contains(&id) || id.starts_with("talks_") {
        return true;
    }
    let pair = |d: &crate::scenario::raw::RawDyad| {
        format!("{}_{}", d.from.as_deref().unwrap_or(""), d.to.as_deref().unwrap_or(""))
    };
    let dyads: Vec<String> = raw.dyads.values().map(pair).collect();
    let actors: Vec<String> = raw.actors.keys().cloned().collect();
    let families: [(&[&str], Vec<String>); 5] = [
        (&["events_", "severity_", "responses_"], dyads),
        (
            &[
                "killed_",
                "wounded_",
                "first_death_step_",
                "pressure_",
                "payoff_",
                "coop_",
            ],
            actors,
        ),
        (&["driver_"], raw.drivers.keys().cloned().collect()),
        (&["trigger_"], raw.triggers.keys().cloned().collect()),
        (
            &["milestone_", "phase_"],
            raw.outcomes.keys().chain(raw.phases.keys()).cloned().collect(),
        ),
    ];
    families.iter().any(|(prefixes, ids)| {
        prefixes.iter().any(|p| {
            id.strip_prefix(p)
                .is_some_and(|rest| ids.iter().any(|i| rest == i || rest.starts_with(&format!("{i}_"))))
        })
    })
}

/// The declared metrics, in file order.
pub(super) fn metrics(cx: &Cx, start: Option<Date>, unit: StepUnit, horizon: u32) -> R<Vec<Windowed>> {
    let mut out = Vec::new();
    for (id, m) in &cx.raw.metrics {
        let k = format!("metrics.{id}");
        id_ok(&k, id)?;
        if clashes(cx, id) {
            return Err(inconsistent(
                k,
                format!("metric id `{id}` would clash with a built-in trials.csv column"),
            )
            .help(
                "choose another id: not trial, outcome, end_step or point, not talks_..., \
                 and not a column family's prefix followed by one of its ids (events_<from>_<to>, killed_<actor>, ...)",
            ));
        }
        let measure = measure(cx, &k, m)?;
        let (from, to) = window(&k, m, start, unit, horizon)?;
        out.push(Windowed {
            id: id.clone(),
            measure,
            from,
            to,
        });
    }
    Ok(out)
}

fn measure(cx: &Cx, k: &str, m: &RawMetric) -> R<Measure> {
    let raw = cx.raw;
    let km = format!("{k}.metric");
    let name = required(&km, &m.metric, &format!("what is counted, {}", one_of(&MEASURES)))?;
    let Some(selects) = Measure::selects(name) else {
        return Err(Problem::new(
            ErrorKind::UnknownName,
            km,
            format!("expected {}, found \"{name}\"", one_of(&MEASURES)),
        ));
    };
    let list = |key: &str, v: &Option<Vec<String>>, what: &str| -> R<Vec<String>> {
        let kk = format!("{k}.{key}");
        let v = v.as_ref().ok_or_else(|| {
            missing(
                &kk,
                format!("missing key `{key}`: the {what}s metric `{name}` sums over"),
            )
        })?;
        if v.is_empty() {
            return Err(inconsistent(
                &kk,
                format!("expected at least one {what} id, found an empty list"),
            ));
        }
        for (i, x) in v.iter().enumerate() {
            if v[..i].contains(x) {
                return Err(inconsistent(&kk, format!("{what} `{x}` is listed twice")));
            }
        }
        Ok(v.clone())
    };
    Ok(match selects {
        Selects::Dyads => {
            let ids = list("dyads", &m.dyads, "dyad")?
                .iter()
                .map(|d| Ok(lookup(&format!("{k}.dyads"), "dyad", d, &raw.dyads)? as DyadId))
                .collect::<R<Vec<_>>>()?;
            Measure::over_dyads(name, ids).expect("a dyad measure")
        }
        Selects::Actors => {
            let ids = list("actors", &m.actors, "actor")?
                .iter()
                .map(|a| Ok(lookup(&format!("{k}.actors"), "actor", a, &raw.actors)? as ActorId))
                .collect::<R<Vec<_>>>()?;
            Measure::over_actors(name, ids).expect("an actor measure")
        }
        Selects::Track => {
            let kt = format!("{k}.track");
            let t = required(&kt, &m.track, "the track whose status is read")?;
            Measure::TrackStatus(lookup(&kt, "track", t, &raw.tracks)? as u16)
        }
    })
}

/// `[from, to]` as steps, checked: `0 <= from <= to < horizon`.
fn window(k: &str, m: &RawMetric, start: Option<Date>, unit: StepUnit, horizon: u32) -> R<(u32, u32)> {
    let kw = format!("{k}.window");
    let w = required(&kw, &m.window, "[from, to], the steps or dates the quantity covers")?;
    if w.len() != 2 {
        return Err(inconsistent(
            &kw,
            format!("expected [from, to] (two steps or two dates), found {} values", w.len()),
        ));
    }
    let at = |v: &toml::Value| -> R<i64> {
        let text = match v {
            toml::Value::Integer(n) => return Ok(*n),
            toml::Value::String(s) => s.clone(),
            toml::Value::Datetime(d) => d.to_string(),
            other => {
                return Err(Problem::new(
                    ErrorKind::InvalidValue,
                    &kw,
                    format!("expected a step (whole number) or a date (YYYY-MM-DD), found {other}"),
                ));
            }
        };
        let date = Date::parse(&text).ok_or_else(|| {
            Problem::new(
                ErrorKind::InvalidValue,
                &kw,
                format!("expected a step (whole number) or a date (YYYY-MM-DD), found `{text}`"),
            )
        })?;
        let s = start.ok_or_else(|| {
            inconsistent(
                &kw,
                "a date needs `scenario.start_date`, which this scenario does not set",
            )
            .help("give the window in steps instead: window = [0, 90]")
        })?;
        let days = date.days_since(s);
        if days % unit.days() != 0 {
            return Err(inconsistent(
                &kw,
                format!(
                    "date {date} falls between steps (a step is {} days from {s})",
                    unit.days()
                ),
            ));
        }
        Ok(days / unit.days())
    };
    let (from, to) = (at(&w[0])?, at(&w[1])?);
    let last = i64::from(horizon) - 1;
    if from < 0 || to > last || from > to {
        return Err(Problem::new(
            ErrorKind::OutOfRange,
            &kw,
            format!("expected 0 <= from <= to <= {last} (the last step), found [{from}, {to}] in steps"),
        ));
    }
    Ok((from as u32, to as u32))
}

//! `[scenario]`, `[places]` and `[ladder]`: what every other section refers
//! to. The ladder is the ordered list of levels, level 0 = no hostile act
//! with severity 0, severities non-decreasing up the ladder.

use super::common::*;
use crate::date::Date;
use crate::model::{Ladder, StepUnit};
use crate::scenario::ErrorKind;
use crate::scenario::raw::RawScenario;

/// The header fields that both a crisis and a game read.
pub(super) struct Header {
    pub start_date: Option<Date>,
    pub step_unit: StepUnit,
}

/// The run's size and seed (a crisis's; a game takes its length from
/// `[game]`).
pub(super) struct Run {
    pub horizon: u32,
    pub trials: u64,
    pub seed: u64,
}

pub(super) fn header(raw: &RawScenario) -> R<Header> {
    let h = &raw.scenario;
    let start_date = match &h.start_date {
        None => None,
        Some(d) => Some(Date::parse(d).ok_or_else(|| {
            Problem::new(
                ErrorKind::InvalidValue,
                "scenario.start_date",
                format!("expected a date like 2024-01-24, found {d}"),
            )
        })?),
    };
    Ok(Header {
        start_date,
        step_unit: kind("scenario.step_unit", &h.step_unit)?,
    })
}

pub(super) fn run(raw: &RawScenario) -> R<Run> {
    let h = &raw.scenario;
    let run = Run {
        horizon: steps("scenario.horizon", h.horizon, 1, MAX_HORIZON)?,
        trials: positive_count("scenario.trials", h.trials)?,
        seed: seed_of("scenario.seed", h.seed)?,
    };
    id_ok("scenario.horizon_outcome", &h.horizon_outcome)?;
    Ok(run)
}

pub(super) fn places(raw: &RawScenario) -> R<Vec<String>> {
    at_most("places", "places", raw.places.len(), MAX_PLACES)?;
    for id in raw.places.keys() {
        id_ok(&format!("places.{id}"), id)?;
    }
    Ok(raw.places.keys().cloned().collect())
}

pub(super) fn ladder(raw: &RawScenario) -> R<Ladder> {
    if raw.ladder.len() < 2 {
        return Err(inconsistent(
            "ladder",
            format!(
                "expected at least 2 levels (level 0 = no hostile act, then hostile levels), found {}",
                raw.ladder.len()
            ),
        )
        .help("add [ladder.none] with severity = 0, then one table per hostile level"));
    }
    at_most("ladder", "levels", raw.ladder.len(), MAX_LEVELS)?;
    let mut ladder = Ladder {
        ids: Vec::new(),
        names: Vec::new(),
        severity: Vec::new(),
        wound: Vec::new(),
        wounded: Vec::new(),
        kill: Vec::new(),
        killed: Vec::new(),
    };
    for (i, (id, l)) in raw.ladder.iter().enumerate() {
        let k = format!("ladder.{id}");
        id_ok(&k, id)?;
        let sev = nonneg(&format!("{k}.severity"), l.severity)?;
        if i == 0 && sev != 0.0 {
            return Err(Problem::new(
                ErrorKind::OutOfRange,
                format!("{k}.severity"),
                format!("level 0 is \"no hostile act\" and must have severity 0, found {sev}"),
            )
            .help("the first [ladder.*] table is level 0"));
        }
        if i > 0 && sev < ladder.severity[i - 1] {
            return Err(Problem::new(
                ErrorKind::OutOfRange,
                format!("{k}.severity"),
                format!(
                    "expected severities that do not decrease up the ladder, found {sev} after {}",
                    ladder.severity[i - 1]
                ),
            ));
        }
        ladder.ids.push(id.clone());
        ladder
            .names
            .push(if l.name.is_empty() { id.clone() } else { l.name.clone() });
        ladder.severity.push(sev);
        ladder.wound.push(prob(&format!("{k}.wound"), l.wound)?);
        ladder.kill.push(prob(&format!("{k}.kill"), l.kill)?);
        for (name, x, v) in [
            ("wounded", l.wounded, &mut ladder.wounded),
            ("killed", l.killed, &mut ladder.killed),
        ] {
            if !(1.0..=1e6).contains(&x) {
                return Err(Problem::new(
                    ErrorKind::OutOfRange,
                    format!("{k}.{name}"),
                    format!("expected a mean count in [1, 1e6] (given at least one), found {x}"),
                ));
            }
            v.push(x);
        }
    }
    Ok(ladder)
}

//! `[actors]` with their pressure stocks, and `[drivers]`.
//!
//! Pressure is a decaying stock `P(t+1) = δ·P(t) + Σ inputs − relief`,
//! fed by weighted consequences of matching events and relieved by talks
//! (DESIGN.md, "Pressure"). Drivers are exogenous conditions with a window
//! `[start, end)` and a per-step ending hazard.

use super::common::*;
use crate::model::{Actor, ActorId, Driver, PerEvent, Pressure, PressureInput, Relief};
use crate::scenario::raw::{RawPressure, RawScenario};

pub(super) fn actors(cx: &Cx) -> R<Vec<Actor>> {
    let raw = cx.raw;
    if raw.actors.is_empty() {
        return Err(missing("actors", "expected at least one actor, found none"));
    }
    at_most("actors", "actors", raw.actors.len(), MAX_ACTORS)?;
    let mut actors = Vec::new();
    for (id, a) in &raw.actors {
        let k = format!("actors.{id}");
        id_ok(&k, id)?;
        if a.strategy.is_some() {
            return Err(inconsistent(
                format!("{k}.strategy"),
                "`strategy` is for games; this scenario has no [game] table",
            )
            .help("add a [game] table, or give the actor's policy as [dyads.*] tables"));
        }
        for (key, given) in [
            ("generosity", a.generosity.is_some()),
            ("p", a.p.is_some()),
            ("four_vector", a.four_vector.is_some()),
            ("first", a.first.is_some()),
        ] {
            if given {
                return Err(Problem::new(
                    crate::scenario::ErrorKind::KeyNotForKind,
                    format!("{k}.{key}"),
                    format!("`{key}` is a game strategy's parameter; this scenario has no [game] table"),
                )
                .help("in a crisis, give reciprocity in [dyads.<id>.response]"));
            }
        }
        let patron = match &a.patron {
            None => None,
            Some(p) => {
                let pi = lookup(&format!("{k}.patron"), "actor", p, &raw.actors)?;
                if pi == actors.len() {
                    return Err(inconsistent(format!("{k}.patron"), "an actor cannot be its own patron"));
                }
                Some(pi as ActorId)
            }
        };
        let obey = prob(&format!("{k}.obey"), a.obey)?;
        let pressure = match &a.pressure {
            None => None,
            Some(p) => Some(pressure(cx, &k, p)?),
        };
        actors.push(Actor {
            id: id.clone(),
            name: if a.name.is_empty() { id.clone() } else { a.name.clone() },
            patron,
            obey,
            pressure,
            strategy: None,
        });
    }
    Ok(actors)
}

fn pressure(cx: &Cx, k: &str, p: &RawPressure) -> R<Pressure> {
    let k = format!("{k}.pressure");
    let mut inputs = Vec::new();
    for (iid, inp) in &p.inputs {
        let ik = format!("{k}.inputs.{iid}");
        id_ok(&ik, iid)?;
        inputs.push(PressureInput {
            from: actor_or_any(&format!("{ik}.from"), &inp.from, cx.raw)?,
            to: actor_or_any(&format!("{ik}.to"), &inp.to, cx.raw)?,
            place: inp
                .place
                .as_ref()
                .map(|p| cx.place(&format!("{ik}.place"), p))
                .transpose()?,
            min_level: cx.hostile_level_or(&format!("{ik}.min_level"), inp.min_level.as_ref(), 1)?,
            per: kind::<PerEvent>(&format!("{ik}.per"), &inp.per)?,
            weight: finite(&format!("{ik}.weight"), inp.weight)?,
        });
    }
    Ok(Pressure {
        initial: nonneg(&format!("{k}.initial"), p.initial)?,
        decay: unit_open(&format!("{k}.decay"), p.decay)?,
        inputs,
        relief: Vec::new(),
    })
}

/// Relief refers to tracks, so it is read once the tracks are known.
pub(super) fn relief(raw: &RawScenario, actors: &mut [Actor]) -> R<()> {
    for (a, (id, ra)) in raw.actors.iter().enumerate() {
        let Some(p) = &ra.pressure else { continue };
        let mut relief = Vec::new();
        for (tid, r) in &p.relief {
            let k = format!("actors.{id}.pressure.relief.{tid}");
            relief.push(Relief {
                track: lookup(&k, "track", tid, &raw.tracks)? as u16,
                progress: nonneg(&format!("{k}.progress"), r.progress)?,
                active: nonneg(&format!("{k}.active"), r.active)?,
                agreement: nonneg(&format!("{k}.agreement"), r.agreement)?,
            });
        }
        actors[a].pressure.as_mut().expect("pressure checked above").relief = relief;
    }
    Ok(())
}

pub(super) fn drivers(raw: &RawScenario) -> R<Vec<Driver>> {
    let mut drivers = Vec::new();
    for (id, d) in &raw.drivers {
        let k = format!("drivers.{id}");
        id_ok(&k, id)?;
        let start = steps(&format!("{k}.start"), d.start, 0, MAX_HORIZON)?;
        let end = match d.end {
            None => u32::MAX,
            Some(e) => {
                let e = steps(&format!("{k}.end"), e, 0, MAX_HORIZON)?;
                if e < start {
                    return Err(inconsistent(
                        format!("{k}.end"),
                        format!("expected an end step >= start ({start}), found {e}"),
                    ));
                }
                e
            }
        };
        drivers.push(Driver {
            id: id.clone(),
            start,
            end,
            end_hazard: prob(&format!("{k}.end_hazard"), d.end_hazard)?,
        });
    }
    Ok(drivers)
}

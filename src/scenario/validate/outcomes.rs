//! `[outcomes]`: named conditions checked every step in declared order —
//! agreement or collapse of a track, pressure over a threshold (a coerced
//! exit), an escalation spiral (severity summed over a rolling window above
//! a threshold), deaths, an actor's chosen action taken — and the horizon outcome when no terminal one
//! fires (DESIGN.md, "Outcomes"). `terminal = false` makes an outcome a
//! milestone: recorded with the first step it holds, the trial going on.

use super::common::*;
use crate::model::{ActorId, Outcome, OutcomeKind};
use crate::scenario::kinds::{Named, OutcomeName, one_of};
use crate::scenario::raw::RawOutcome;

/// The terminal outcomes and the milestones, each in declared order.
pub(super) fn outcomes(cx: &Cx) -> R<(Vec<Outcome>, Vec<Outcome>)> {
    let h = &cx.raw.scenario;
    let mut out = Vec::new();
    let mut milestones = Vec::new();
    for (id, o) in &cx.raw.outcomes {
        let k = format!("outcomes.{id}");
        id_ok(&k, id)?;
        if *id == h.horizon_outcome {
            return Err(inconsistent(
                k,
                format!("`{id}` is also the horizon outcome (scenario.horizon_outcome)"),
            ));
        }
        let o = Outcome {
            id: id.clone(),
            kind: outcome(cx, &k, o)?,
        };
        if cx.raw.outcomes[id].terminal.unwrap_or(true) {
            out.push(o);
        } else {
            milestones.push(o);
        }
    }
    Ok((out, milestones))
}

fn outcome(cx: &Cx, k: &str, o: &RawOutcome) -> R<OutcomeKind> {
    let raw = cx.raw;
    let track = || -> R<u16> {
        let t = o
            .track
            .as_ref()
            .ok_or_else(|| missing(format!("{k}.track"), "missing key `track`"))?;
        Ok(lookup(&format!("{k}.track"), "track", t, &raw.tracks)? as u16)
    };
    let threshold = || -> R<f64> {
        let x = o
            .threshold
            .ok_or_else(|| missing(format!("{k}.threshold"), "missing key `threshold`"))?;
        finite(&format!("{k}.threshold"), x)
    };
    let actor = || -> R<ActorId> {
        let a = o
            .actor
            .as_ref()
            .ok_or_else(|| missing(format!("{k}.actor"), "missing key `actor`"))?;
        Ok(lookup(&format!("{k}.actor"), "actor", a, &raw.actors)? as ActorId)
    };
    let phase = || -> R<u16> {
        let p = o
            .phase
            .as_ref()
            .ok_or_else(|| missing(format!("{k}.phase"), "missing key `phase`: the implementation phase"))?;
        Ok(lookup(&format!("{k}.phase"), "phase", p, &raw.phases)? as u16)
    };
    let kk = format!("{k}.kind");
    let name = required(
        &kk,
        &o.kind,
        &format!("what ends the trial, {}", one_of(OutcomeName::NAMES)),
    )?;
    Ok(match kind::<OutcomeName>(&kk, name)? {
        OutcomeName::Agreement => OutcomeKind::Agreement(track()?),
        OutcomeName::Collapse => OutcomeKind::Collapse(track()?),
        OutcomeName::Pressure => {
            let a = actor()?;
            if raw.actors[a as usize].pressure.is_none() {
                return Err(inconsistent(format!("{k}.actor"), "this actor has no pressure stock"));
            }
            OutcomeKind::Pressure {
                actor: a,
                threshold: threshold()?,
            }
        }
        OutcomeName::Spiral => {
            let w = o.window.ok_or_else(|| {
                missing(
                    format!("{k}.window"),
                    "missing key `window`: steps the severity is summed over",
                )
            })?;
            OutcomeKind::Spiral {
                window: steps(&format!("{k}.window"), w, 1, 10_000)?,
                threshold: nonneg(&format!("{k}.threshold"), threshold()?)?,
                min_step: steps(&format!("{k}.min_step"), o.min_step.unwrap_or(0), 0, MAX_HORIZON)?,
            }
        }
        OutcomeName::Deaths => OutcomeKind::Deaths {
            actor: actor()?,
            threshold: nonneg(&format!("{k}.threshold"), o.threshold.unwrap_or(1.0))?,
        },
        OutcomeName::Implemented => OutcomeKind::Implemented(phase()?),
        OutcomeName::Broken => OutcomeKind::Broken(phase()?),
        OutcomeName::Action => {
            let a = o
                .actor
                .as_ref()
                .ok_or_else(|| missing(format!("{k}.actor"), "missing key `actor`: whose action"))?;
            let act = o.action.as_ref().ok_or_else(|| {
                missing(
                    format!("{k}.action"),
                    "missing key `action`: the id of the actor's action",
                )
            })?;
            OutcomeKind::Action(super::triggers::choice_index(
                raw,
                &format!("{k}.actor"),
                a,
                &format!("{k}.action"),
                act,
            )?)
        }
    })
}

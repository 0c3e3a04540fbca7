//! `[phases]`: implementation phases that follow a track's agreement
//! (`model::implementation` gives the rule and its sources). Its agreement
//! must be a milestone (`terminal = false`) somewhere, or the trial would
//! end before the phase could start; an outcome of kind `implemented` or
//! `broken` names the phase.

use super::common::*;
use crate::model::{Dyad, DyadId, Implementation, OutcomeKind};
use crate::scenario::ErrorKind;

pub(super) fn phases(cx: &Cx, dyads: &[Dyad]) -> R<Vec<Implementation>> {
    let raw = cx.raw;
    let mut out = Vec::new();
    for (id, p) in &raw.phases {
        let k = format!("phases.{id}");
        id_ok(&k, id)?;
        let kt = format!("{k}.track");
        let t = required(&kt, &p.track, "the track whose agreement starts the phase")?;
        let track = lookup(&kt, "track", t, &raw.tracks)? as u16;
        let mut spoilers = Vec::new();
        for (d, r) in &p.spoilers {
            let kd = format!("{k}.spoilers.{d}");
            let dyad = lookup(&kd, "dyad", d, &raw.dyads)?;
            let dy = &dyads[dyad];
            let regime = dy.regimes.iter().position(|x| &x.id == r).ok_or_else(|| {
                let known: Vec<&str> = dy.regimes.iter().map(|x| x.id.as_str()).collect();
                Problem::new(ErrorKind::UnknownId, &kd, format!("dyad `{d}` has no regime `{r}`"))
                    .help(format!("its regimes: {}", known.join(", ")))
            })?;
            spoilers.push((dyad as DyadId, regime as u8));
        }
        out.push(Implementation {
            id: id.clone(),
            track,
            duration: steps(&format!("{k}.duration"), p.duration, 1, MAX_HORIZON)?,
            slip: prob(&format!("{k}.slip"), p.slip)?,
            setback: steps(&format!("{k}.setback"), p.setback, 0, MAX_HORIZON)?,
            break_hazard: prob(&format!("{k}.break"), p.break_hazard)?,
            spoilers,
        });
    }
    Ok(out)
}

/// A phase's agreement must be a milestone: a terminal agreement of its
/// track would end every trial before the phase starts.
pub(super) fn check_reachable(phases: &[Implementation], outcomes: &[crate::model::Outcome], cx: &Cx) -> R<()> {
    for p in phases {
        if let Some(o) = outcomes
            .iter()
            .find(|o| matches!(o.kind, OutcomeKind::Agreement(k) if k == p.track))
        {
            let track = cx
                .raw
                .tracks
                .get_index(p.track as usize)
                .map_or("", |(t, _)| t.as_str());
            return Err(inconsistent(
                format!("outcomes.{}.terminal", o.id),
                format!(
                    "phase `{}` follows track `{track}`'s agreement, but outcome `{}` ends the trial at that agreement",
                    p.id, o.id
                ),
            )
            .help(format!("make it a milestone: [outcomes.{}] terminal = false", o.id)));
        }
    }
    Ok(())
}

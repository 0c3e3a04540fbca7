//! `[tracks]`: negotiation between two actors. Status runs not started →
//! active ⇄ paused → agreement or collapsed; progress per active step is
//! `rate · w_g / (1 + κ·V)`, V the recent severity from the watched actors,
//! a collapse hazard `h + c·V`, and signing once progress is complete and a
//! calm window has passed (DESIGN.md, "Negotiation tracks"). With
//! `[tracks.<id>.bargaining]` the pace also answers to the parties' hurt
//! (ripeness) and the drivers, and a concession hazard may complete the
//! deal (docs/model.md, "Talks that bargain").

use super::common::*;
use crate::model::{ActorId, Bargaining, Concession, DyadId, TalkStatus, Track, TrackEffect};
use crate::scenario::ErrorKind;
use crate::scenario::kinds::Do;
use crate::scenario::raw::{RawBargaining, RawOnKill, RawTrack, RawTrackEffect};

pub(super) fn tracks(cx: &Cx) -> R<Vec<Track>> {
    cx.raw.tracks.iter().map(|(id, t)| track(cx, id, t)).collect()
}

fn track(cx: &Cx, id: &str, t: &RawTrack) -> R<Track> {
    let k = format!("tracks.{id}");
    id_ok(&k, id)?;
    let raw = cx.raw;
    let between = required(&format!("{k}.between"), &t.between, "the two parties, [actor, actor]")?;
    if between.len() != 2 {
        return Err(Problem::new(
            ErrorKind::InvalidValue,
            format!("{k}.between"),
            format!("expected two actor ids, found {}", between.len()),
        ));
    }
    let a = lookup(&format!("{k}.between.0"), "actor", &between[0], &raw.actors)? as ActorId;
    let b = lookup(&format!("{k}.between.1"), "actor", &between[1], &raw.actors)? as ActorId;
    let initial = match TalkStatus::parse(&t.status) {
        Some(s @ (TalkStatus::NotStarted | TalkStatus::Active)) => s,
        _ => {
            return Err(Problem::new(
                ErrorKind::UnknownName,
                format!("{k}.status"),
                format!(
                    "expected \"not_started\" or \"active\" at step 0, found \"{}\"",
                    t.status
                ),
            ));
        }
    };
    let watch = actor_flags(cx, &format!("{k}.watch"), &t.watch, true)?;
    let pc = &t.precondition;
    let precondition_calm = if pc.enabled {
        steps(&format!("{k}.precondition.calm"), pc.calm, 1, MAX_HORIZON)?
    } else {
        0
    };
    let precondition_actors = if pc.enabled {
        actor_flags(cx, &format!("{k}.precondition.actors"), &pc.actors, true)?
    } else {
        vec![false; raw.actors.len()]
    };
    let open_step = t
        .open_step
        .map(|s| steps(&format!("{k}.open_step"), s, 0, MAX_HORIZON))
        .transpose()?;
    if initial == TalkStatus::NotStarted && open_step.is_none() && !pc.enabled {
        never_opens(cx, &k, id)?;
    }
    let (groups, group_ids) = working_groups(&k, t)?;
    let mut effects = Vec::new();
    for (did, e) in &t.effects {
        effects.push(effect(cx, &format!("{k}.effects.{did}"), did, e)?);
    }
    let pause_level = t
        .pause
        .level
        .as_ref()
        .map(|l| cx.hostile_level(&format!("{k}.pause.level"), l))
        .transpose()?;
    let pause_steps = steps(&format!("{k}.pause.steps"), t.pause.steps, 0, MAX_HORIZON)?;
    let pause_on_kill = on_kill(cx, &format!("{k}.pause.on_kill"), &t.pause.on_kill)?;
    if pause_steps == 0 && (pause_level.is_some() || pause_on_kill.contains(&true)) {
        return Err(Problem::new(
            ErrorKind::OutOfRange,
            format!("{k}.pause.steps"),
            "expected a pause of 1 or more steps, found 0: this track would never pause",
        )
        .help("give [tracks.<id>.pause] steps = <steps>, or remove its level and on_kill"));
    }
    let bargaining = t
        .bargaining
        .as_ref()
        .map(|rb| bargaining(cx, &format!("{k}.bargaining"), [a, b], rb))
        .transpose()?;
    let p = &t.progress;
    Ok(Track {
        id: id.to_string(),
        between: [a, b],
        initial,
        open_step,
        watch,
        precondition_calm,
        precondition_actors,
        rate: nonneg(&format!("{k}.progress.rate"), p.rate)?,
        violence: nonneg(&format!("{k}.progress.violence"), p.violence)?,
        memory: unit_open(&format!("{k}.progress.memory"), p.memory)?,
        groups,
        group_ids,
        pause_level,
        pause_on_kill,
        pause_steps,
        collapse_hazard: prob(&format!("{k}.collapse.hazard"), t.collapse.hazard)?,
        collapse_violence: nonneg(&format!("{k}.collapse.violence"), t.collapse.violence)?,
        signing_calm: steps(&format!("{k}.signing.calm"), t.signing.calm, 0, MAX_HORIZON)?,
        signing_level: cx.hostile_level_or(&format!("{k}.signing.level"), t.signing.level.as_ref(), 1)?,
        effects,
        bargaining,
    })
}

fn bargaining(cx: &Cx, k: &str, parties: [ActorId; 2], b: &RawBargaining) -> R<Bargaining> {
    let mut hurt = Vec::new();
    for (id, &w) in &b.hurt {
        let hk = format!("{k}.hurt.{id}");
        let x = lookup(&hk, "actor", id, &cx.raw.actors)? as ActorId;
        if !parties.contains(&x) {
            return Err(inconsistent(hk, format!("`{id}` is not a party to these talks"))
                .help("ripeness is the hurt of the two actors in `between`"));
        }
        hurt.push((x, nonneg(&hk, w)?));
    }
    let mut drivers = Vec::new();
    for (id, e) in &b.drivers {
        let dk = format!("{k}.drivers.{id}");
        let d = lookup(&dk, "driver", id, &cx.raw.drivers)? as u16;
        drivers.push((
            d,
            nonneg(&format!("{dk}.active"), e.active)?,
            nonneg(&format!("{dk}.inactive"), e.inactive)?,
        ));
    }
    let concession = b
        .concession
        .as_ref()
        .map(|c| -> R<Concession> {
            Ok(Concession {
                intercept: finite(&format!("{k}.concession.intercept"), c.intercept)?,
                ripeness: finite(&format!("{k}.concession.ripeness"), c.ripeness)?,
                learning: finite(&format!("{k}.concession.learning"), c.learning)?,
                jump: prob(&format!("{k}.concession.jump"), c.jump)?,
            })
        })
        .transpose()?;
    Ok(Bargaining {
        hurt,
        ripeness: nonneg(&format!("{k}.ripeness"), b.ripeness)?,
        drivers,
        concession,
    })
}

/// `pause.on_kill`: whose deaths pause the talks, one flag per actor.
fn on_kill(cx: &Cx, key: &str, v: &RawOnKill) -> R<Vec<bool>> {
    match v {
        RawOnKill::All(b) => Ok(vec![*b; cx.raw.actors.len()]),
        RawOnKill::Actors(ids) if ids.is_empty() => Err(Problem::new(
            ErrorKind::InvalidValue,
            key,
            "expected true, false or a non-empty list of actor ids, found []",
        )
        .help("on_kill = false pauses on no deaths; on_kill = [\"us\"] on US deaths only")),
        RawOnKill::Actors(ids) => actor_flags(cx, key, ids, false),
    }
}

/// One flag per actor: those listed, or every actor (`all`) when none is.
fn actor_flags(cx: &Cx, key: &str, ids: &[String], all: bool) -> R<Vec<bool>> {
    let n = cx.raw.actors.len();
    if ids.is_empty() {
        return Ok(vec![all; n]);
    }
    let mut v = vec![false; n];
    for (i, x) in ids.iter().enumerate() {
        v[lookup(&format!("{key}.{i}"), "actor", x, &cx.raw.actors)?] = true;
    }
    Ok(v)
}

/// A track with no way to open is opened only by a trigger: fine, but only
/// if some trigger does.
fn never_opens(cx: &Cx, k: &str, id: &str) -> R<()> {
    let opened = cx
        .raw
        .triggers
        .values()
        .any(|tr| tr.action.as_deref().map(str::parse) == Some(Ok(Do::Track)) && tr.track.as_deref() == Some(id));
    if opened {
        return Ok(());
    }
    Err(inconsistent(
        format!("{k}.status"),
        "this track never opens: not started, no open_step, no precondition, no trigger opens it",
    )
    .help("set status = \"active\", or open_step = <step>, or [tracks.<id>.precondition] enabled = true"))
}

fn working_groups(k: &str, t: &RawTrack) -> R<(Vec<f64>, Vec<String>)> {
    if t.working_groups.is_empty() {
        return Ok((vec![1.0], vec!["all".to_string()]));
    }
    let mut g = Vec::new();
    let mut ids = Vec::new();
    for (gid, w) in &t.working_groups {
        let gk = format!("{k}.working_groups.{gid}");
        id_ok(&gk, gid)?;
        g.push(nonneg(&format!("{gk}.rate"), w.rate)?);
        ids.push(gid.clone());
    }
    Ok((g, ids))
}

fn effect(cx: &Cx, ek: &str, did: &str, e: &RawTrackEffect) -> R<TrackEffect> {
    let d = lookup(ek, "dyad", did, &cx.raw.dyads)? as DyadId;
    let mut by_status = [0.0; 5];
    for (i, (name, x)) in [
        ("not_started", e.not_started),
        ("active", e.active),
        ("paused", e.paused),
        ("agreement", e.agreement),
        ("collapsed", e.collapsed),
    ]
    .into_iter()
    .enumerate()
    {
        by_status[i] = nonneg(&format!("{ek}.{name}"), x)?;
    }
    let progress = finite(&format!("{ek}.progress"), e.progress)?;
    if progress < -1.0 {
        return Err(Problem::new(
            ErrorKind::OutOfRange,
            format!("{ek}.progress"),
            format!("expected a slope >= -1 (the multiplier 1 + slope·progress stays >= 0), found {progress}"),
        ));
    }
    Ok(TrackEffect {
        dyad: d,
        by_status,
        progress,
    })
}

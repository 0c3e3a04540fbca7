//! `[triggers]`: a condition (`when`) and an action (`do`), fired in file
//! order each step, with a probability and at most once unless `once =
//! false` (DESIGN.md, "Regimes and red lines"): red lines that schedule a
//! response, restraint orders, talks opened on a date, forced events.

use super::common::*;
use crate::model::{Action, Actor, ActorId, Condition, Dyad, DyadId, NO_PLACE, TalkStatus, Trigger};
use crate::scenario::ErrorKind;
use crate::scenario::kinds::{Do, Named, When, one_of};
use crate::scenario::raw::RawTrigger;

pub(super) fn triggers(cx: &Cx, dyads: &[Dyad], actors: &[Actor]) -> R<Vec<Trigger>> {
    let mut out = Vec::new();
    for (id, t) in &cx.raw.triggers {
        let k = format!("triggers.{id}");
        id_ok(&k, id)?;
        let f = Fields { k: &k, t };
        out.push(Trigger {
            id: id.to_string(),
            when: condition(cx, &f, actors)?,
            action: action(cx, &f, dyads, actors)?,
            once: t.once,
            probability: prob(&format!("{k}.probability"), t.probability)?,
        });
    }
    Ok(out)
}

/// One trigger's keys, under its dotted prefix.
struct Fields<'a> {
    k: &'a str,
    t: &'a RawTrigger,
}

impl Fields<'_> {
    fn key(&self, field: &str) -> String {
        format!("{}.{field}", self.k)
    }

    /// A key the trigger's `when` or `do` needs.
    fn need(&self, field: &str, v: &Option<String>) -> R<String> {
        v.clone().ok_or_else(|| {
            missing(
                self.key(field),
                format!(
                    "missing key `{field}` (needed by when = \"{}\", do = \"{}\")",
                    self.t.when.as_deref().unwrap_or(""),
                    self.t.action.as_deref().unwrap_or("")
                ),
            )
        })
    }

    fn dyad(&self, cx: &Cx) -> R<DyadId> {
        let d = self.need("dyad", &self.t.dyad)?;
        Ok(lookup(&self.key("dyad"), "dyad", &d, &cx.raw.dyads)? as DyadId)
    }

    fn track(&self, cx: &Cx) -> R<(u16, String)> {
        let tr = self.need("track", &self.t.track)?;
        let st = self.need("status", &self.t.status)?;
        let track = lookup(&self.key("track"), "track", &tr, &cx.raw.tracks)? as u16;
        Ok((track, st))
    }
}

fn condition(cx: &Cx, f: &Fields, actors: &[Actor]) -> R<Condition> {
    let (t, raw) = (f.t, cx.raw);
    let meaning = format!("the condition, {}", one_of(When::NAMES));
    let when = required(&f.key("when"), &t.when, &meaning)?;
    Ok(match kind::<When>(&f.key("when"), when)? {
        When::Event => Condition::Event {
            from: actor_or_any(&f.key("from"), &t.from, raw)?,
            to: actor_or_any(&f.key("to"), &t.to, raw)?,
            min_level: cx.hostile_level_or(&f.key("min_level"), t.min_level.as_ref(), 1)?,
            killed: t.killed,
            wounded: t.wounded,
        },
        When::Step => {
            let Some(at) = t.at else {
                return Err(missing(
                    f.key("at"),
                    "missing key `at`: the step at which the trigger fires",
                ));
            };
            Condition::Step(steps(&f.key("at"), at, 0, MAX_HORIZON)?)
        }
        When::Pressure => {
            let a = f.need("actor", &t.actor)?;
            let ai = lookup(&f.key("actor"), "actor", &a, &raw.actors)?;
            if actors[ai].pressure.is_none() {
                return Err(inconsistent(f.key("actor"), format!("`{a}` has no pressure stock")));
            }
            let Some(above) = t.above else {
                return Err(missing(
                    f.key("above"),
                    "missing key `above`: the pressure at which the trigger fires",
                ));
            };
            Condition::Pressure {
                actor: ai as ActorId,
                above: finite(&f.key("above"), above)?,
            }
        }
        When::Track => {
            let (track, st) = f.track(cx)?;
            let status = TalkStatus::parse(&st).ok_or_else(|| {
                Problem::new(
                    ErrorKind::UnknownName,
                    f.key("status"),
                    format!(
                        "unknown status \"{st}\"; expected one of not_started, active, paused, agreement, collapsed"
                    ),
                )
            })?;
            Condition::Track { track, status }
        }
    })
}

fn action(cx: &Cx, f: &Fields, dyads: &[Dyad], actors: &[Actor]) -> R<Action> {
    let (t, raw) = (f.t, cx.raw);
    let duration = steps(&f.key("duration"), t.duration, 0, MAX_HORIZON)?;
    let meaning = format!("the action, {}", one_of(Do::NAMES));
    let what = required(&f.key("do"), &t.action, &meaning)?;
    Ok(match kind::<Do>(&f.key("do"), what)? {
        Do::Act => act(cx, f)?,
        Do::Regime => {
            let dyad = f.dyad(cx)?;
            let r = f.need("regime", &t.regime)?;
            let dy = &dyads[dyad as usize];
            let regime = dy.regimes.iter().position(|x| x.id == r).ok_or_else(|| {
                Problem::new(
                    ErrorKind::UnknownId,
                    f.key("regime"),
                    format!("dyad `{}` has no regime `{r}`", dy.id),
                )
            })?;
            Action::Regime {
                dyad,
                regime: regime as u8,
                duration,
            }
        }
        Do::Restrain => restrain(cx, f, dyads, actors, duration)?,
        Do::Driver => {
            let d = f.need("driver", &t.driver)?;
            Action::Driver {
                driver: lookup(&f.key("driver"), "driver", &d, &raw.drivers)? as u16,
                active: t.active.unwrap_or(false),
            }
        }
        Do::Track => {
            let tr = f.need("track", &t.track)?;
            let st = f.need("status", &t.status)?;
            let status = match TalkStatus::parse(&st) {
                Some(s @ (TalkStatus::Active | TalkStatus::Paused | TalkStatus::Collapsed)) => s,
                _ => {
                    return Err(Problem::new(
                        ErrorKind::UnknownName,
                        f.key("status"),
                        format!("expected \"active\", \"paused\" or \"collapsed\", found \"{st}\""),
                    ));
                }
            };
            if status == TalkStatus::Paused && duration == 0 {
                return Err(Problem::new(
                    ErrorKind::OutOfRange,
                    f.key("duration"),
                    "expected a pause of 1 or more steps (`duration`), found 0",
                )
                .help("give duration = <steps>; talks broken off for good are status = \"collapsed\""));
            }
            Action::Track {
                track: lookup(&f.key("track"), "track", &tr, &raw.tracks)? as u16,
                status,
                duration,
            }
        }
        Do::Mark => Action::Mark,
    })
}

fn act(cx: &Cx, f: &Fields) -> R<Action> {
    let t = f.t;
    let dyad = f.dyad(cx)?;
    let level = cx.hostile_level(&f.key("level"), &f.need("level", &t.level)?)?;
    let count = |field: &str, v: Option<i64>| -> R<Option<u32>> {
        v.map(|x| {
            if (0..=1_000_000).contains(&x) {
                Ok(x as u32)
            } else {
                Err(Problem::new(
                    ErrorKind::OutOfRange,
                    f.key(field),
                    format!("expected a count in 0..=1000000, found {x}"),
                ))
            }
        })
        .transpose()
    };
    Ok(Action::Act {
        dyad,
        level,
        delay: steps(&f.key("delay"), t.delay, 0, MAX_HORIZON)?,
        place: t
            .place
            .as_ref()
            .map(|p| cx.place(&f.key("place"), p))
            .transpose()?
            .unwrap_or(NO_PLACE),
        killed: count("force_killed", t.force_killed)?,
        wounded: count("force_wounded", t.force_wounded)?,
    })
}

/// A patron orders its clients' dyads into a regime; at least one client
/// dyad must have it.
fn restrain(cx: &Cx, f: &Fields, dyads: &[Dyad], actors: &[Actor], duration: u32) -> R<Action> {
    let t = f.t;
    let p = f.need("patron", &t.patron)?;
    let patron = lookup(&f.key("patron"), "actor", &p, &cx.raw.actors)? as ActorId;
    let r = f.need("regime", &t.regime)?;
    let regime_by_dyad: Vec<Option<u8>> = dyads
        .iter()
        .map(|d| d.regimes.iter().position(|x| x.id == r).map(|i| i as u8))
        .collect();
    let clients: Vec<usize> = (0..actors.len())
        .filter(|&a| actors[a].patron == Some(patron))
        .collect();
    if clients.is_empty() {
        return Err(inconsistent(
            f.key("patron"),
            format!("no actor has `{p}` as its patron"),
        ));
    }
    if !dyads
        .iter()
        .enumerate()
        .any(|(d, dy)| clients.contains(&(dy.from as usize)) && regime_by_dyad[d].is_some())
    {
        return Err(inconsistent(
            f.key("regime"),
            format!("no dyad of `{p}`'s clients has a regime `{r}`"),
        ));
    }
    Ok(Action::Restrain {
        patron,
        regime: r,
        regime_by_dyad,
        duration,
    })
}

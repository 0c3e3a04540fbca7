//! `[triggers]`: a condition (`when`, and the tables `all` and `any`) and
//! an action (`do`), fired in file order each step, with a probability, at
//! most once unless `once = false`, and then no more often than its
//! `refractory` period allows (DESIGN.md, "Regimes and red lines"): red
//! lines that schedule a response, restraint orders, talks opened on a
//! date, forced events.

use super::common::*;
use crate::model::{Action, Actor, ActorId, Condition, Conditions, Dyad, DyadId, NO_PLACE, TalkStatus, Trigger};
use crate::scenario::ErrorKind;
use crate::scenario::kinds::{Do, Named, When, one_of};
use crate::scenario::raw::{RawCondition, RawTrigger, Table};

/// Most conditions one trigger may combine.
pub const MAX_CONDITIONS: usize = 64;

pub(super) fn triggers(cx: &Cx, dyads: &[Dyad], actors: &[Actor]) -> R<Vec<Trigger>> {
    let mut out = Vec::new();
    let mut slots = 0u16;
    for (id, t) in &cx.raw.triggers {
        let k = format!("triggers.{id}");
        id_ok(&k, id)?;
        let f = Fields { k: &k, t };
        let when = conditions(cx, &f, dyads, actors, &mut slots)?;
        let refractory = steps(&format!("{k}.refractory"), t.refractory, 0, MAX_HORIZON)?;
        if t.once && refractory > 0 {
            return Err(inconsistent(
                format!("{k}.refractory"),
                "a refractory period means nothing for a trigger that fires once",
            )
            .help("set once = false to make the trigger repeatable, or remove refractory"));
        }
        out.push(Trigger {
            id: id.to_string(),
            when,
            action: action(cx, &f, dyads, actors)?,
            once: t.once,
            refractory,
            probability: prob(&format!("{k}.probability"), t.probability)?,
        });
    }
    Ok(out)
}

/// The top-level condition (if `when` is given), then `all`, then `any`.
fn conditions(cx: &Cx, f: &Fields, dyads: &[Dyad], actors: &[Actor], slots: &mut u16) -> R<Conditions> {
    let t = f.t;
    let mut c = Conditions::default();
    if t.when.is_none() {
        stray_condition_keys(f)?;
    }
    if let Some(top) = t.top_condition() {
        shared_with_action(f)?;
        c.all.push(condition(cx, f.k, &top, dyads, actors, slots)?);
    }
    for (name, tab, into) in [("all", &t.all, &mut c.all), ("any", &t.any, &mut c.any)] {
        combined(cx, &f.key(name), tab, dyads, actors, slots, into)?;
    }
    if c.all.is_empty() && c.any.is_empty() {
        let meaning = format!("the condition, {}", one_of(When::NAMES));
        return Err(
            missing(f.key("when"), format!("missing key `when`: {meaning}")).help(format!(
                "give when = \"...\" or one or more [{}.all.<id>] / [{}.any.<id>] tables",
                f.k, f.k
            )),
        );
    }
    if c.all.len() + c.any.len() > MAX_CONDITIONS {
        return Err(inconsistent(
            f.key("all"),
            format!(
                "expected at most {MAX_CONDITIONS} conditions, found {}",
                c.all.len() + c.any.len()
            ),
        ));
    }
    Ok(c)
}

/// The conditions of one `all` or `any` table.
fn combined(
    cx: &Cx,
    k: &str,
    tab: &Table<RawCondition>,
    dyads: &[Dyad],
    actors: &[Actor],
    slots: &mut u16,
    into: &mut Vec<Condition>,
) -> R<()> {
    for (cid, rc) in tab {
        let ck = format!("{k}.{cid}");
        id_ok(&ck, cid)?;
        into.push(condition(cx, &ck, rc, dyads, actors, slots)?);
    }
    Ok(())
}

/// Without a top-level `when`, the keys only a condition reads mean
/// nothing at the trigger's top level.
fn stray_condition_keys(f: &Fields) -> R<()> {
    let t = f.t;
    let given = [
        ("from", t.from != "*"),
        ("to", t.to != "*"),
        ("min_level", t.min_level.is_some()),
        ("killed", t.killed),
        ("wounded", t.wounded),
        ("within", t.within != 1),
        ("at", t.at.is_some()),
        ("until", t.until.is_some()),
        ("actor", t.actor.is_some()),
        ("above", t.above.is_some()),
        ("action", t.taken.is_some()),
    ];
    match given.iter().find(|(_, g)| *g) {
        Some((key, _)) => Err(inconsistent(
            f.key(key),
            format!("`{key}` is a condition key, and this trigger has no top-level `when`"),
        )
        .help(format!(
            "give when = \"...\" here, or move `{key}` into a [{}.all.<id>] table",
            f.k
        ))),
        None => Ok(()),
    }
}

/// A top-level `when` and `do` that read one key (`dyad` for when =
/// "regime", do = "act") would make it mean two things.
fn shared_with_action(f: &Fields) -> R<()> {
    let (Some(w), Some(d)) = (f.t.when.as_deref(), f.t.action.as_deref()) else {
        return Ok(());
    };
    if let Some(key) = crate::scenario::schema::shared_trigger_key(w, d) {
        return Err(inconsistent(
            f.key(key),
            format!("`{key}` would be read by both when = \"{w}\" and do = \"{d}\""),
        )
        .help(format!(
            "move the condition to a table of its own: [{}.all.<id>] with when = \"{w}\"",
            f.k
        )));
    }
    Ok(())
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
        let (w, d) = (self.t.when.as_deref(), self.t.action.as_deref());
        need_at(self.k, field, v, || {
            format!("when = \"{}\", do = \"{}\"", w.unwrap_or(""), d.unwrap_or(""))
        })
    }

    fn dyad(&self, cx: &Cx) -> R<DyadId> {
        let d = self.need("dyad", &self.t.dyad)?;
        Ok(lookup(&self.key("dyad"), "dyad", &d, &cx.raw.dyads)? as DyadId)
    }
}

/// One condition at key prefix `k` (a trigger, or one of its `all` /
/// `any` tables): its kind, then the keys that kind reads.
fn condition(cx: &Cx, k: &str, c: &RawCondition, dyads: &[Dyad], actors: &[Actor], slots: &mut u16) -> R<Condition> {
    let f = CondFields { k, c };
    let meaning = format!("the condition, {}", one_of(When::NAMES));
    let when = required(&f.key("when"), &c.when, &meaning)?;
    Ok(match kind::<When>(&f.key("when"), when)? {
        When::Event => event_condition(cx, &f, slots)?,
        When::Step => step_condition(&f)?,
        When::Pressure => pressure_condition(cx, &f, actors)?,
        When::Track => track_condition(cx, &f)?,
        When::Driver => {
            let d = f.need("driver", &c.driver)?;
            Condition::Driver {
                driver: lookup(&f.key("driver"), "driver", &d, &cx.raw.drivers)? as u16,
                active: c.active.unwrap_or(true),
            }
        }
        When::Regime => regime_condition(cx, &f, dyads)?,
        When::Action => {
            let a = f.need("actor", &c.actor)?;
            let act = f.need("action", &c.taken)?;
            Condition::Action {
                choice: choice_index(cx.raw, &f.key("actor"), &a, &f.key("action"), &act)?,
                within: steps(&f.key("within"), c.within, 1, MAX_HORIZON)?,
            }
        }
    })
}

/// One condition's keys, under its dotted prefix.
struct CondFields<'a> {
    k: &'a str,
    c: &'a RawCondition,
}

impl CondFields<'_> {
    fn key(&self, field: &str) -> String {
        format!("{}.{field}", self.k)
    }

    /// A key the condition's `when` needs.
    fn need(&self, field: &str, v: &Option<String>) -> R<String> {
        need_at(self.k, field, v, || {
            format!("when = \"{}\"", self.c.when.as_deref().unwrap_or(""))
        })
    }
}

/// `v`, or the error "missing key `field` (needed by BY)" at `k.field`,
/// BY naming the kinds that read it.
fn need_at(k: &str, field: &str, v: &Option<String>, by: impl FnOnce() -> String) -> R<String> {
    v.clone().ok_or_else(|| {
        missing(
            format!("{k}.{field}"),
            format!("missing key `{field}` (needed by {})", by()),
        )
    })
}

/// `when = "event"`: an event from -> to at or above `min_level` (that
/// killed or wounded, if asked) within the last `within` steps; each
/// takes the next slot of the engine's per-condition window.
fn event_condition(cx: &Cx, f: &CondFields, slots: &mut u16) -> R<Condition> {
    let (c, raw) = (f.c, cx.raw);
    let slot = *slots;
    *slots = slots
        .checked_add(1)
        .ok_or_else(|| inconsistent(f.key("when"), "expected at most 65535 event conditions in a scenario"))?;
    Ok(Condition::Event {
        from: actor_or_any(&f.key("from"), &c.from, raw)?,
        to: actor_or_any(&f.key("to"), &c.to, raw)?,
        min_level: cx.hostile_level_or(&f.key("min_level"), c.min_level.as_ref(), 1)?,
        killed: c.killed,
        wounded: c.wounded,
        within: steps(&f.key("within"), c.within, 1, MAX_HORIZON)?,
        slot,
    })
}

/// `when = "step"`: the window `at <= t < until` (`until` = `at + 1`
/// when absent), which must not be empty.
fn step_condition(f: &CondFields) -> R<Condition> {
    let Some(at) = f.c.at else {
        return Err(missing(
            f.key("at"),
            "missing key `at`: the step at which the trigger fires",
        ));
    };
    let at = steps(&f.key("at"), at, 0, MAX_HORIZON)?;
    let until = match f.c.until {
        None => at + 1,
        Some(u) => {
            let u = steps(&f.key("until"), u, 0, MAX_HORIZON + 1)?;
            if u <= at {
                return Err(inconsistent(
                    f.key("until"),
                    format!("expected a step after at = {at}, found {u}: the window would be empty"),
                ));
            }
            u
        }
    };
    Ok(Condition::Step { at, until })
}

/// `when = "pressure"`: an actor with a pressure stock, above a level.
fn pressure_condition(cx: &Cx, f: &CondFields, actors: &[Actor]) -> R<Condition> {
    let a = f.need("actor", &f.c.actor)?;
    let ai = lookup(&f.key("actor"), "actor", &a, &cx.raw.actors)?;
    if actors[ai].pressure.is_none() {
        return Err(inconsistent(f.key("actor"), format!("`{a}` has no pressure stock")));
    }
    let Some(above) = f.c.above else {
        return Err(missing(
            f.key("above"),
            "missing key `above`: the pressure at which the trigger fires",
        ));
    };
    Ok(Condition::Pressure {
        actor: ai as ActorId,
        above: finite(&f.key("above"), above)?,
    })
}

/// `when = "track"`: a track in a status.
fn track_condition(cx: &Cx, f: &CondFields) -> R<Condition> {
    let tr = f.need("track", &f.c.track)?;
    let st = f.need("status", &f.c.status)?;
    let track = lookup(&f.key("track"), "track", &tr, &cx.raw.tracks)? as u16;
    let status = TalkStatus::parse(&st).ok_or_else(|| {
        Problem::new(
            ErrorKind::UnknownName,
            f.key("status"),
            format!("unknown status \"{st}\"; expected one of not_started, active, paused, agreement, collapsed"),
        )
    })?;
    Ok(Condition::Track { track, status })
}

/// `when = "regime"`: a dyad in one of its regimes.
fn regime_condition(cx: &Cx, f: &CondFields, dyads: &[Dyad]) -> R<Condition> {
    let did = f.need("dyad", &f.c.dyad)?;
    let dyad = lookup(&f.key("dyad"), "dyad", &did, &cx.raw.dyads)?;
    let r = f.need("regime", &f.c.regime)?;
    let dy = &dyads[dyad];
    let regime = dy.regimes.iter().position(|x| x.id == r).ok_or_else(|| {
        Problem::new(
            ErrorKind::UnknownId,
            f.key("regime"),
            format!("dyad `{}` has no regime `{r}`", dy.id),
        )
        .help(format!(
            "regimes of `{}`: {}",
            dy.id,
            dy.regimes.iter().map(|x| x.id.as_str()).collect::<Vec<_>>().join(", ")
        ))
    })?;
    Ok(Condition::Regime {
        dyad: dyad as DyadId,
        regime: regime as u8,
    })
}

/// The flat index (actor-major, in file order) of `actor`'s action
/// `action`: the index the engine keeps its counts under.
pub(super) fn choice_index(
    raw: &crate::scenario::raw::RawScenario,
    actor_key: &str,
    actor: &str,
    action_key: &str,
    action: &str,
) -> R<u16> {
    let ai = lookup(actor_key, "actor", actor, &raw.actors)?;
    let acts = &raw.actors[ai].actions;
    let k = acts.get_index_of(action).ok_or_else(|| {
        let known: Vec<&str> = acts.keys().map(String::as_str).collect();
        let p = Problem::new(
            ErrorKind::UnknownId,
            action_key,
            format!("actor `{actor}` has no action `{action}`"),
        );
        if known.is_empty() {
            p.help(format!("declare it as [actors.{actor}.actions.{action}]"))
        } else {
            p.help(format!("actions of `{actor}`: {}", known.join(", ")))
        }
    })?;
    let before: usize = raw.actors.values().take(ai).map(|x| x.actions.len()).sum();
    u16::try_from(before + k).map_err(|_| inconsistent(action_key, "expected at most 65535 actions in a scenario"))
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

//! `[actors]` with their pressure and risk stocks and the actions they
//! may choose, and `[drivers]`.
//!
//! Pressure is a decaying stock `P(t+1) = δ·P(t) + Σ inputs − relief`,
//! fed by weighted consequences of matching events and relieved by talks
//! (DESIGN.md, "Pressure"); a risk stock is the same without relief.
//! An action (`[actors.<id>.actions.<id>]`) pairs what it does with the
//! policy that chooses it: a logistic hazard in a stock, or a threshold
//! with normal noise (docs/model.md, "Actors that choose"). Drivers are
//! exogenous conditions with a window `[start, end)` and a per-step ending
//! hazard.

use super::common::*;
use crate::model::{
    Actor, ActorId, Choice, ChoiceAct, ChoicePolicy, ChoiceStock, Driver, Dyad, PerEvent, Pressure, PressureInput,
    Relief, Risk,
};
use crate::scenario::ErrorKind;
use crate::scenario::kinds::{ChoiceName, ChoicePolicyName, ChoiceStockName, Named};
use crate::scenario::raw::Table;
use crate::scenario::raw::{RawAction, RawPressure, RawPressureInput, RawRisk, RawScenario};

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
            risk: a.risk.as_ref().map(|r| risk(cx, &k, r)).transpose()?,
            choices: Vec::new(),
        });
    }
    Ok(actors)
}

fn pressure(cx: &Cx, k: &str, p: &RawPressure) -> R<Pressure> {
    let (initial, decay, inputs) = stock(cx, &format!("{k}.pressure"), p.initial, p.decay, &p.inputs)?;
    Ok(Pressure {
        initial,
        decay,
        inputs,
        relief: Vec::new(),
    })
}

fn risk(cx: &Cx, k: &str, r: &RawRisk) -> R<Risk> {
    let (initial, decay, inputs) = stock(cx, &format!("{k}.risk"), r.initial, r.decay, &r.inputs)?;
    Ok(Risk { initial, decay, inputs })
}

/// The keys every stock has (`<k>.initial`, `<k>.decay`, `<k>.inputs`).
fn stock(
    cx: &Cx,
    k: &str,
    initial: f64,
    decay: f64,
    inputs: &Table<RawPressureInput>,
) -> R<(f64, f64, Vec<PressureInput>)> {
    Ok((
        nonneg(&format!("{k}.initial"), initial)?,
        unit_open(&format!("{k}.decay"), decay)?,
        self::inputs(cx, k, inputs)?,
    ))
}

/// The event filters feeding a stock at `k` (`<k>.inputs.<id>`).
fn inputs(cx: &Cx, k: &str, raw: &Table<RawPressureInput>) -> R<Vec<PressureInput>> {
    let mut inputs = Vec::new();
    for (iid, inp) in raw {
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
    Ok(inputs)
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

/// Actions refer to tracks, dyads' regimes and other actors, so they are
/// read once those are known.
pub(super) fn choices(cx: &Cx, actors: &mut [Actor], dyads: &[Dyad]) -> R<()> {
    for (a, (id, ra)) in cx.raw.actors.iter().enumerate() {
        let mut v = Vec::new();
        for (cid, c) in &ra.actions {
            let k = format!("actors.{id}.actions.{cid}");
            id_ok(&k, cid)?;
            v.push(choice(cx, actors, dyads, a, &k, cid, c)?);
        }
        actors[a].choices = v;
    }
    Ok(())
}

fn choice(cx: &Cx, actors: &[Actor], dyads: &[Dyad], a: usize, k: &str, cid: &str, c: &RawAction) -> R<Choice> {
    let key = |x: &str| format!("{k}.{x}");
    let name = required(&key("do"), &c.act, "the action, e.g. \"restrain\" or \"hurry\"")?;
    let what = kind::<ChoiceName>(&key("do"), name)?;
    let stock = choice_stock(&actors[a], k, c)?;
    let policy = choice_policy(k, c)?;
    let act = choice_act(cx, actors, dyads, a, k, what, c)?;
    Ok(Choice {
        id: cid.to_string(),
        kind: what.name(),
        act,
        stock,
        policy,
        refractory: steps(&key("refractory"), c.refractory, 0, MAX_HORIZON)?,
        max: steps(&key("max"), c.max, 0, MAX_HORIZON)?,
        relief: nonneg(&key("relief"), c.relief)?,
    })
}

/// The stock an action reads (`<k>.stock`): the actor must have it.
fn choice_stock(actor: &Actor, k: &str, c: &RawAction) -> R<ChoiceStock> {
    let key = format!("{k}.stock");
    let (stock, name, has, help) = match kind::<ChoiceStockName>(&key, &c.stock)? {
        ChoiceStockName::Pressure => (
            ChoiceStock::Pressure,
            "pressure",
            actor.pressure.is_some(),
            "add [actors.<id>.pressure], or read stock = \"risk\"",
        ),
        ChoiceStockName::Risk => (
            ChoiceStock::Risk,
            "risk",
            actor.risk.is_some(),
            "add [actors.<id>.risk] with its inputs",
        ),
    };
    if !has {
        return Err(inconsistent(
            key,
            format!("stock = \"{name}\" but actor `{}` has no {name} stock", actor.id),
        )
        .help(help));
    }
    Ok(stock)
}

/// How the stock becomes a decision (`<k>.policy`): a logistic hazard or a
/// noisy threshold.
fn choice_policy(k: &str, c: &RawAction) -> R<ChoicePolicy> {
    let key = |x: &str| format!("{k}.{x}");
    Ok(match kind::<ChoicePolicyName>(&key("policy"), &c.policy)? {
        ChoicePolicyName::Hazard => ChoicePolicy::Hazard {
            intercept: finite(&key("intercept"), c.intercept)?,
            slope: finite(&key("slope"), c.slope)?,
        },
        ChoicePolicyName::Threshold => ChoicePolicy::Threshold {
            threshold: finite(&key("threshold"), c.threshold)?,
            noise: nonneg(&key("noise_sd"), c.noise_sd)?,
        },
    })
}

/// What the action does (`<k>.do` and the keys that kind reads).
fn choice_act(
    cx: &Cx,
    actors: &[Actor],
    dyads: &[Dyad],
    a: usize,
    k: &str,
    what: ChoiceName,
    c: &RawAction,
) -> R<ChoiceAct> {
    let key = |x: &str| format!("{k}.{x}");
    let track = || -> R<u16> {
        let t = required(&key("track"), &c.track, "the track the action addresses")?;
        let tk = lookup(&key("track"), "track", t, &cx.raw.tracks)?;
        let parties = cx.raw.tracks[tk].between.as_deref().unwrap_or(&[]);
        if !parties.iter().any(|p| p == &actors[a].id) {
            return Err(inconsistent(
                key("track"),
                format!(
                    "`{}` is not a party to track `{t}` (between {:?})",
                    actors[a].id, parties
                ),
            )
            .help("only a party to the talks can pause, hurry, harden or walk out of them"));
        }
        Ok(tk as u16)
    };
    let duration = |lo: i64| steps(&key("duration"), c.duration, lo, MAX_HORIZON);
    Ok(match what {
        ChoiceName::Restrain => restrain(cx, actors, dyads, a, k, c, duration(0)?)?,
        ChoiceName::Pause => ChoiceAct::Pause {
            track: track()?,
            duration: duration(1)?,
        },
        ChoiceName::Hurry | ChoiceName::Harden => ChoiceAct::Pace {
            factor: pace_factor(k, what, c)?,
            track: track()?,
            duration: duration(1)?,
        },
        ChoiceName::WalkOut => ChoiceAct::WalkOut { track: track()? },
        ChoiceName::DemandWithdrawal | ChoiceName::Protest => signal(cx, actors, a, k, c)?,
    })
}

/// A hurry's factor is >= 1, a hardening's in 0..=1 (`<k>.factor`).
fn pace_factor(k: &str, what: ChoiceName, c: &RawAction) -> R<f64> {
    let key = format!("{k}.factor");
    let f = required(&key, &c.factor, "the multiplier on the talks' pace")?;
    let f = nonneg(&key, *f)?;
    let ok = if what == ChoiceName::Hurry { f >= 1.0 } else { f <= 1.0 };
    if !ok {
        let want = if what == ChoiceName::Hurry {
            "a factor >= 1 (hurrying speeds the talks; to slow them use do = \"harden\")"
        } else {
            "a factor in 0..=1 (hardening slows the talks; to speed them use do = \"hurry\")"
        };
        return Err(Problem::new(
            ErrorKind::OutOfRange,
            key,
            format!("expected {want}, found {f}"),
        ));
    }
    Ok(f)
}

/// A demand or protest addressed to another actor (`<k>.target`), adding
/// `weight` to its pressure.
fn signal(cx: &Cx, actors: &[Actor], a: usize, k: &str, c: &RawAction) -> R<ChoiceAct> {
    let key = |x: &str| format!("{k}.{x}");
    let t = required(&key("target"), &c.target, "the actor addressed")?;
    let ti = lookup(&key("target"), "actor", t, &cx.raw.actors)?;
    if ti == a {
        return Err(inconsistent(
            key("target"),
            "an actor cannot address a demand or protest to itself",
        ));
    }
    let weight = nonneg(&key("weight"), c.weight)?;
    if weight > 0.0 && actors[ti].pressure.is_none() {
        return Err(inconsistent(
            key("weight"),
            format!("the target `{}` has no pressure stock to add to", actors[ti].id),
        )
        .help("give the target [actors.<id>.pressure], or set weight = 0"));
    }
    Ok(ChoiceAct::Signal {
        target: ti as ActorId,
        weight,
    })
}

/// An actor orders factions into a regime: those in `comply` with their
/// own compliance, else its clients with their `obey`; at least one of
/// their dyads must have the regime.
fn restrain(
    cx: &Cx,
    actors: &[Actor],
    dyads: &[Dyad],
    a: usize,
    k: &str,
    c: &RawAction,
    duration: u32,
) -> R<ChoiceAct> {
    let key = |x: &str| format!("{k}.{x}");
    let r = required(&key("regime"), &c.regime, "the regime the factions switch to")?;
    let mut factions = Vec::new();
    if c.comply.is_empty() {
        factions.extend(
            (0..actors.len())
                .filter(|&f| actors[f].patron == Some(a as ActorId))
                .map(|f| (f as ActorId, actors[f].obey)),
        );
        if factions.is_empty() {
            return Err(inconsistent(
                key("comply"),
                format!(
                    "`{}` names no factions to restrain and is no actor's patron",
                    actors[a].id
                ),
            )
            .help("list them: comply = { <actor> = <probability> }"));
        }
    }
    for (fid, &p) in &c.comply {
        let fk = format!("{k}.comply.{fid}");
        let f = lookup(&fk, "actor", fid, &cx.raw.actors)?;
        if f == a {
            return Err(inconsistent(fk, "an actor cannot restrain itself"));
        }
        factions.push((f as ActorId, prob(&fk, p)?));
    }
    let regime_by_dyad: Vec<Option<u8>> = dyads
        .iter()
        .map(|d| d.regimes.iter().position(|x| &x.id == r).map(|i| i as u8))
        .collect();
    let has = dyads
        .iter()
        .enumerate()
        .any(|(d, dy)| factions.iter().any(|&(f, _)| f == dy.from) && regime_by_dyad[d].is_some());
    if !has {
        return Err(inconsistent(
            key("regime"),
            format!(
                "no dyad of the factions `{}` restrains has a regime `{r}`",
                actors[a].id
            ),
        ));
    }
    Ok(ChoiceAct::Restrain {
        factions,
        regime_by_dyad,
        duration,
    })
}

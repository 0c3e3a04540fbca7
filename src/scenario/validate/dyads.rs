//! `[dyads]`: a directed relationship `from → to` and the policy `from`
//! follows toward `to` — regimes, initiative, response ([`super::response`]),
//! hazard and noise.
//!
//! Initiative is a Poisson count per step with rate
//! `λ = min(λ_max, μ · M · e^{−β·S} · (1 + α·E) · (1 + ρ·P))` (see
//! [`crate::policy::initiative`]); a hazard response acts with probability
//! `logistic(a + b·stock)` ([`crate::policy::hazard`]).

use super::common::*;
use crate::model::{ActorId, Dyad, DyadId, Inherits, Misattribution, Regime};
use crate::policy::{Hazard, HazardStock, Initiative};
use crate::scenario::kinds::StockName;
use crate::scenario::raw::{RawDyad, RawHazard, RawInitiative, RawRegimeResponse};

pub(super) fn dyads(cx: &Cx) -> R<Vec<Dyad>> {
    let raw = cx.raw;
    let mut dyads: Vec<Dyad> = Vec::new();
    for (id, d) in &raw.dyads {
        let k = format!("dyads.{id}");
        id_ok(&k, id)?;
        let (fk, tk) = (format!("{k}.from"), format!("{k}.to"));
        let from_id = required(&fk, &d.from, "the actor that acts")?;
        let to_id = required(&tk, &d.to, "the actor acted upon")?;
        let from = lookup(&fk, "actor", from_id, &raw.actors)? as ActorId;
        let to = lookup(&tk, "actor", to_id, &raw.actors)? as ActorId;
        if from == to {
            return Err(inconsistent(format!("{k}.to"), "a dyad joins two different actors"));
        }
        if let Some(other) = dyads.iter().find(|x| x.from == from && x.to == to) {
            return Err(inconsistent(
                format!("{k}.to"),
                format!(
                    "dyad `{}` already goes from `{}` to `{}`; one dyad per direction",
                    other.id, from_id, to_id
                ),
            ));
        }
        dyads.push(dyad(cx, &k, id, d, from, to)?);
    }
    for i in 0..dyads.len() {
        let (f, t) = (dyads[i].from, dyads[i].to);
        dyads[i].reverse = dyads.iter().position(|x| x.from == t && x.to == f).map(|r| r as DyadId);
    }
    for (i, (id, d)) in raw.dyads.iter().enumerate() {
        if let Some(m) = &d.misattribution {
            let m = misattribution(cx, &format!("dyads.{id}.misattribution"), m, &dyads, i)?;
            dyads[i].misattribution = Some(m);
        }
    }
    Ok(dyads)
}

/// `[dyads.<id>.misattribution]`: each actor in `to` must be the target
/// of another dyad of the same acting actor, which carries the answer.
fn misattribution(
    cx: &Cx,
    k: &str,
    m: &crate::scenario::raw::RawMisattribution,
    dyads: &[Dyad],
    d: usize,
) -> R<Misattribution> {
    let p = prob(&format!("{k}.p"), m.p)?;
    if m.to.is_empty() {
        return Err(missing(
            format!("{k}.to"),
            "missing key `to`: the actors a misattributed answer may land on",
        )
        .help(format!("give [{k}.to] <actor> = <weight>")));
    }
    let (from, own) = (dyads[d].from, dyads[d].to);
    let mut targets = Vec::new();
    let mut w = Vec::new();
    for (aid, &x) in &m.to {
        let ak = format!("{k}.to.{aid}");
        let a = lookup(&ak, "actor", aid, &cx.raw.actors)? as ActorId;
        if a == own {
            return Err(inconsistent(
                ak,
                format!("`{aid}` is the dyad's own target; misattribution lands an answer on another actor"),
            ));
        }
        let Some(alt) = dyads.iter().position(|x| x.from == from && x.to == a) else {
            let fid = &dyads[d].id;
            let from_id = cx.raw.actors.get_index(from as usize).expect("index").0;
            return Err(inconsistent(
                ak,
                format!("no dyad goes from `{from_id}` to `{aid}`, so a misattributed answer of `{fid}` has nothing to land on"),
            )
            .help(format!("add a dyad with from = \"{from_id}\", to = \"{aid}\"")));
        };
        targets.push(alt as DyadId);
        w.push(nonneg(&ak, x)?);
    }
    Ok(Misattribution {
        p,
        dyads: targets,
        weights: cumulative(&format!("{k}.to"), w)?,
    })
}

fn dyad(cx: &Cx, k: &str, id: &str, d: &RawDyad, from: ActorId, to: ActorId) -> R<Dyad> {
    let initiative = d
        .initiative
        .as_ref()
        .map(|i| initiative(cx, &format!("{k}.initiative"), i))
        .transpose()?;
    let response = d
        .response
        .as_ref()
        .map(|r| super::response::response(cx, &format!("{k}.response"), r))
        .transpose()?;
    let regimes = regimes(cx, k, d)?;
    let hazard = d
        .hazard
        .as_ref()
        .map(|h| hazard(cx, &format!("{k}.hazard"), h, from))
        .transpose()?;
    let noise = &d.noise;
    Ok(Dyad {
        id: id.to_string(),
        from,
        to,
        reverse: None,
        regimes,
        initiative,
        response,
        hazard,
        repertoire: Vec::new(),
        misattribution: None,
        execution_noise: prob(&format!("{k}.noise.execution"), noise.execution)?,
        perception_noise: prob(&format!("{k}.noise.perception"), noise.perception)?,
    })
}

/// The dyad's regimes, the one it starts in first. A regime's response is
/// the dyad's response keys with the regime's on top.
fn regimes(cx: &Cx, k: &str, d: &RawDyad) -> R<Vec<Regime>> {
    let mut regimes = Vec::new();
    for (rid, r) in &d.regimes {
        let rk = format!("{k}.regimes.{rid}");
        id_ok(&rk, rid)?;
        let response = r
            .response
            .as_ref()
            .map(|rr| super::response::response(cx, &format!("{rk}.response"), &rr.over(d.response.as_ref())))
            .transpose()?;
        let inherits = match &r.response {
            Some(rr) => inherits(cx, &format!("{rk}.response"), rr)?,
            None => Inherits::default(),
        };
        regimes.push(Regime {
            id: rid.clone(),
            rate: nonneg(&format!("{rk}.rate"), r.rate)?,
            respond: r.respond,
            response,
            inherits,
        });
    }
    match &d.regime {
        Some(initial) => {
            let i = lookup(&format!("{k}.regime"), "regime", initial, &d.regimes)?;
            let r = regimes.remove(i);
            regimes.insert(0, r);
        }
        None if regimes.is_empty() => regimes.push(Regime {
            id: "default".into(),
            rate: 1.0,
            respond: true,
            response: None,
            inherits: Inherits::default(),
        }),
        None => {
            return Err(missing(
                format!("{k}.regime"),
                "this dyad has regimes but does not say which one it starts in",
            )
            .help(format!(
                "add `regime = \"{}\"` to [{k}]",
                d.regimes.keys().next().expect("non-empty")
            )));
        }
    }
    if regimes.len() > 255 {
        return Err(inconsistent(format!("{k}.regimes"), "expected at most 255 regimes"));
    }
    Ok(regimes)
}

fn initiative(cx: &Cx, ik: &str, i: &RawInitiative) -> R<Initiative> {
    let mut w = vec![0.0; cx.levels - 1];
    for (lid, &x) in &i.levels {
        let lk = format!("{ik}.levels.{lid}");
        let l = cx.hostile_level(&lk, lid)?;
        w[l as usize - 1] = nonneg(&lk, x)?;
    }
    if i.levels.is_empty() {
        w[0] = 1.0;
    }
    let mut drv = Vec::new();
    for (did, e) in &i.drivers {
        let dk = format!("{ik}.drivers.{did}");
        let di = lookup(&dk, "driver", did, &cx.raw.drivers)? as u16;
        drv.push((
            di,
            nonneg(&format!("{dk}.active"), e.active)?,
            nonneg(&format!("{dk}.inactive"), e.inactive)?,
        ));
    }
    let max_rate = nonneg(&format!("{ik}.max_rate"), i.max_rate)?;
    if max_rate > 1e6 {
        return Err(Problem::new(
            crate::scenario::ErrorKind::OutOfRange,
            format!("{ik}.max_rate"),
            format!("expected at most 1e6 events per step, found {max_rate}"),
        ));
    }
    Ok(Initiative {
        rate: nonneg(&format!("{ik}.rate"), i.rate)?,
        levels: cumulative(&format!("{ik}.levels"), w)?,
        places: cx.places(&format!("{ik}.places"), &i.places)?,
        beta: finite(&format!("{ik}.beta"), i.beta)?,
        memory: unit_open(&format!("{ik}.memory"), i.memory)?,
        excitation: unit_open(&format!("{ik}.excitation"), i.excitation)?,
        kernel: unit_open(&format!("{ik}.kernel"), i.kernel)?,
        history: nonneg(&format!("{ik}.history"), i.history)?,
        pressure: finite(&format!("{ik}.pressure"), i.pressure)?,
        max_rate,
        drivers: drv,
    })
}

fn hazard(cx: &Cx, hk: &str, h: &RawHazard, from: ActorId) -> R<Hazard> {
    let stock = match kind::<StockName>(&format!("{hk}.stock"), &h.stock)? {
        StockName::Grievance => HazardStock::Grievance {
            decay: unit_open(&format!("{hk}.decay"), h.decay)?,
        },
        StockName::Pressure => {
            if cx.raw.actors[from as usize].pressure.is_none() {
                return Err(inconsistent(
                    format!("{hk}.stock"),
                    format!(
                        "`{}` has no pressure stock",
                        cx.raw.actors.get_index(from as usize).expect("index").0
                    ),
                )
                .help("add an [actors.<id>.pressure] table, or use stock = \"grievance\""));
            }
            HazardStock::Pressure
        }
    };
    let level = required(
        &format!("{hk}.level"),
        &h.level,
        "the level of the act the hazard triggers",
    )?;
    Ok(Hazard {
        stock,
        intercept: finite(&format!("{hk}.intercept"), h.intercept)?,
        slope: finite(&format!("{hk}.slope"), h.slope)?,
        level: cx.hostile_level(&format!("{hk}.level"), level)?,
        refractory: steps(&format!("{hk}.refractory"), h.refractory, 0, MAX_HORIZON)?,
        places: cx.places(&format!("{hk}.places"), &h.places)?,
    })
}

/// The response keys a regime's own table `rr` leaves out, so they are
/// the dyad's ([`RawRegimeResponse::over`]): a drawn dyad key must reach
/// them each trial ([`Inherits`]).
fn inherits(cx: &Cx, k: &str, rr: &RawRegimeResponse) -> R<Inherits> {
    let mut keys = 0;
    for (unset, bit) in [
        (rr.proportionality.is_none(), Inherits::PROPORTIONALITY),
        (rr.threshold.is_none(), Inherits::THRESHOLD),
        (rr.generosity_if_wounded.is_none(), Inherits::GENEROSITY_IF_WOUNDED),
        (rr.generosity_if_killed.is_none(), Inherits::GENEROSITY_IF_KILLED),
        (rr.severity_if_wounded.is_none(), Inherits::SEVERITY_IF_WOUNDED),
        (rr.severity_if_killed.is_none(), Inherits::SEVERITY_IF_KILLED),
        (rr.delay.is_none(), Inherits::DELAY),
        (rr.refractory.is_none(), Inherits::REFRACTORY),
        (rr.places.is_none(), Inherits::PLACES),
    ] {
        if unset {
            keys |= bit;
        }
    }
    let mut generosity = vec![true; cx.levels];
    for lid in rr.generosity.keys() {
        generosity[cx.hostile_level(&format!("{k}.generosity.{lid}"), lid)? as usize] = false;
    }
    Ok(Inherits { keys, generosity })
}

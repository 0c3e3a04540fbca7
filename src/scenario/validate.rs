//! Raw file -> validated [`Scenario`]: ids become indices, every number is
//! checked against its range, and every reference resolves. A [`Problem`]
//! names the dotted key at fault; the loader turns it into a located
//! [`super::ScenarioError`].

use super::raw::*;
use crate::date::Date;
use crate::model::*;
use crate::policy::{Contrite, Graded, Hazard, HazardStock, Initiative, MemoryOne, Rule};

/// Longest horizon accepted, in steps (about 270 years of days).
pub const MAX_HORIZON: i64 = 100_000;
/// Most levels a ladder may have.
pub const MAX_LEVELS: usize = 64;
/// Most actors a scenario may have.
pub const MAX_ACTORS: usize = 1024;
/// Most places a scenario may have.
pub const MAX_PLACES: usize = 64;

/// What is wrong, and where (a dotted key).
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// The dotted key.
    pub key: String,
    /// What was expected and what was found.
    pub message: String,
    /// What to do.
    pub help: Option<String>,
}

type R<T> = Result<T, Problem>;

fn problem(key: impl Into<String>, message: impl Into<String>) -> Problem {
    Problem {
        key: key.into(),
        message: message.into(),
        help: None,
    }
}

fn with_help(mut p: Problem, help: impl Into<String>) -> Problem {
    p.help = Some(help.into());
    p
}

fn finite(key: &str, x: f64) -> R<f64> {
    if x.is_finite() {
        Ok(x)
    } else {
        Err(problem(key, format!("expected a finite number, found {x}")))
    }
}

fn prob(key: &str, x: f64) -> R<f64> {
    if (0.0..=1.0).contains(&x) {
        Ok(x)
    } else {
        Err(problem(key, format!("expected a probability in [0, 1], found {x}")))
    }
}

fn nonneg(key: &str, x: f64) -> R<f64> {
    if x >= 0.0 && x.is_finite() {
        Ok(x)
    } else {
        Err(problem(key, format!("expected a finite number >= 0, found {x}")))
    }
}

fn unit_open(key: &str, x: f64) -> R<f64> {
    if (0.0..1.0).contains(&x) {
        Ok(x)
    } else {
        Err(problem(key, format!("expected a number in [0, 1), found {x}")))
    }
}

fn steps(key: &str, x: i64, lo: i64, hi: i64) -> R<u32> {
    if (lo..=hi).contains(&x) {
        Ok(x as u32)
    } else {
        Err(problem(
            key,
            format!("expected a whole number of steps in {lo}..={hi}, found {x}"),
        ))
    }
}

fn id_ok(key: &str, id: &str) -> R<()> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(with_help(
            problem(
                key,
                format!("expected an id in snake_case (a-z, 0-9, _; starting with a letter), found `{id}`"),
            ),
            "ids become column names, so they are short lowercase words",
        ))
    }
}

fn lookup<T>(key: &str, what: &str, id: &str, table: &Table<T>) -> R<usize> {
    table.get_index_of(id).ok_or_else(|| {
        let known: Vec<&str> = table.keys().map(String::as_str).collect();
        let mut p = problem(key, format!("unknown {what} `{id}`"));
        p.help = Some(match super::paths::closest(id, known.iter().copied()) {
            Some(c) => format!("did you mean `{c}`? {what}s: {}", known.join(", ")),
            None if known.is_empty() => format!("no {what}s are defined"),
            None => format!("{what}s: {}", known.join(", ")),
        });
        p
    })
}

/// `"*"` or an actor id.
fn actor_or_any(key: &str, id: &str, raw: &RawScenario) -> R<Option<ActorId>> {
    if id == "*" {
        Ok(None)
    } else {
        Ok(Some(lookup(key, "actor", id, &raw.actors)? as ActorId))
    }
}

struct Cx<'a> {
    raw: &'a RawScenario,
    levels: usize,
}

impl Cx<'_> {
    fn level(&self, key: &str, id: &str) -> R<Level> {
        Ok(lookup(key, "ladder level", id, &self.raw.ladder)? as Level)
    }

    fn hostile_level(&self, key: &str, id: &str) -> R<Level> {
        let l = self.level(key, id)?;
        if l == 0 {
            return Err(problem(
                key,
                format!("`{id}` is level 0 (no hostile act); expected a hostile level"),
            ));
        }
        Ok(l)
    }

    fn place(&self, key: &str, id: &str) -> R<PlaceId> {
        Ok(lookup(key, "place", id, &self.raw.places)? as PlaceId)
    }

    /// Cumulative weights over places from a `{place = weight}` table.
    fn places(&self, key: &str, t: &Table<f64>) -> R<Vec<f64>> {
        if t.is_empty() {
            return Ok(Vec::new());
        }
        let mut w = vec![0.0; self.raw.places.len()];
        for (id, &x) in t {
            let k = format!("{key}.{id}");
            let p = self.place(&k, id)?;
            w[p as usize] = nonneg(&k, x)?;
        }
        cumulative(key, w)
    }
}

fn cumulative(key: &str, w: Vec<f64>) -> R<Vec<f64>> {
    let mut acc = 0.0;
    let cum: Vec<f64> = w
        .iter()
        .map(|x| {
            acc += x;
            acc
        })
        .collect();
    if acc <= 0.0 {
        return Err(problem(key, "expected at least one positive weight, found none"));
    }
    Ok(cum)
}

/// Validates a merged raw scenario.
pub fn validate(raw: &RawScenario) -> R<Scenario> {
    let h = &raw.scenario;
    let start_date = match &h.start_date {
        None => None,
        Some(d) => Some(Date::parse(d).ok_or_else(|| {
            problem(
                "scenario.start_date",
                format!("expected a date like 2024-01-24, found {d}"),
            )
        })?),
    };
    let step_unit = match h.step_unit.as_str() {
        "day" => StepUnit::Day,
        "week" => StepUnit::Week,
        other => {
            return Err(problem(
                "scenario.step_unit",
                format!("expected \"day\" or \"week\", found \"{other}\""),
            ));
        }
    };
    if raw.game.is_some() {
        return validate_game(raw, start_date, step_unit);
    }
    let horizon = steps("scenario.horizon", h.horizon, 1, MAX_HORIZON)?;
    let trials = positive_count("scenario.trials", h.trials)?;
    let seed = seed_of("scenario.seed", h.seed)?;
    id_ok("scenario.horizon_outcome", &h.horizon_outcome)?;

    // places
    if raw.places.len() > MAX_PLACES {
        return Err(problem(
            "places",
            format!("expected at most {MAX_PLACES} places, found {}", raw.places.len()),
        ));
    }
    for id in raw.places.keys() {
        id_ok(&format!("places.{id}"), id)?;
    }
    // ladder
    if raw.ladder.len() < 2 {
        return Err(with_help(
            problem(
                "ladder",
                format!(
                    "expected at least 2 levels (level 0 = no hostile act, then hostile levels), found {}",
                    raw.ladder.len()
                ),
            ),
            "add [ladder.none] with severity = 0, then one table per hostile level",
        ));
    }
    if raw.ladder.len() > MAX_LEVELS {
        return Err(problem(
            "ladder",
            format!("expected at most {MAX_LEVELS} levels, found {}", raw.ladder.len()),
        ));
    }
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
            return Err(with_help(
                problem(
                    format!("{k}.severity"),
                    format!("level 0 is \"no hostile act\" and must have severity 0, found {sev}"),
                ),
                "the first [ladder.*] table is level 0",
            ));
        }
        if i > 0 && sev < ladder.severity[i - 1] {
            return Err(problem(
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
            let key = format!("{k}.{name}");
            if !(1.0..=1e6).contains(&x) {
                return Err(problem(
                    key,
                    format!("expected a mean count in [1, 1e6] (given at least one), found {x}"),
                ));
            }
            v.push(x);
        }
    }
    let cx = Cx {
        raw,
        levels: ladder.len(),
    };

    // actors
    if raw.actors.is_empty() {
        return Err(problem("actors", "expected at least one actor, found none"));
    }
    if raw.actors.len() > MAX_ACTORS {
        return Err(problem(
            "actors",
            format!("expected at most {MAX_ACTORS} actors, found {}", raw.actors.len()),
        ));
    }
    let mut actors = Vec::new();
    for (id, a) in &raw.actors {
        let k = format!("actors.{id}");
        id_ok(&k, id)?;
        if a.strategy.is_some() {
            return Err(with_help(
                problem(
                    format!("{k}.strategy"),
                    "`strategy` is for games; this scenario has no [game] table",
                ),
                "add a [game] table, or give the actor's policy as [dyads.*] tables",
            ));
        }
        let patron = match &a.patron {
            None => None,
            Some(p) => {
                let pi = lookup(&format!("{k}.patron"), "actor", p, &raw.actors)?;
                if pi == actors.len() {
                    return Err(problem(format!("{k}.patron"), "an actor cannot be its own patron"));
                }
                Some(pi as ActorId)
            }
        };
        let obey = prob(&format!("{k}.obey"), a.obey)?;
        let pressure = match &a.pressure {
            None => None,
            Some(p) => Some(pressure(&cx, &k, p)?),
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

    // drivers
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
                    return Err(problem(
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

    // dyads
    let mut dyads: Vec<Dyad> = Vec::new();
    for (id, d) in &raw.dyads {
        let k = format!("dyads.{id}");
        id_ok(&k, id)?;
        let from = lookup(&format!("{k}.from"), "actor", &d.from, &raw.actors)? as ActorId;
        let to = lookup(&format!("{k}.to"), "actor", &d.to, &raw.actors)? as ActorId;
        if from == to {
            return Err(problem(format!("{k}.to"), "a dyad joins two different actors"));
        }
        if let Some(other) = dyads.iter().find(|x| x.from == from && x.to == to) {
            return Err(problem(
                format!("{k}.to"),
                format!(
                    "dyad `{}` already goes from `{}` to `{}`; one dyad per direction",
                    other.id, d.from, d.to
                ),
            ));
        }
        dyads.push(dyad(&cx, &k, id, d, from, to, &raw.drivers)?);
    }
    for i in 0..dyads.len() {
        let (f, t) = (dyads[i].from, dyads[i].to);
        dyads[i].reverse = dyads.iter().position(|x| x.from == t && x.to == f).map(|r| r as DyadId);
    }

    // tracks
    let mut tracks = Vec::new();
    for (id, t) in &raw.tracks {
        tracks.push(track(&cx, id, t, &raw.dyads, horizon)?);
    }
    // relief refers to tracks
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

    // triggers
    let mut triggers = Vec::new();
    for (id, t) in &raw.triggers {
        triggers.push(trigger(&cx, id, t, &dyads, &actors)?);
    }

    // repertoires: every level each dyad can act at
    for (d, dy) in dyads.iter_mut().enumerate() {
        let mut levels: Vec<Level> = Vec::new();
        if let Some(i) = &dy.initiative {
            let mut prev = 0.0;
            for (j, &c) in i.levels.iter().enumerate() {
                if c > prev {
                    levels.push(j as Level + 1);
                }
                prev = c;
            }
        }
        if let Some(r) = &dy.response {
            match &r.rule {
                Rule::Graded(g) => levels.extend(g.min_level..=g.max_level),
                Rule::MemoryOne(m) => levels.push(m.level),
                Rule::Grim { level } | Rule::TitForTwoTats { level } => levels.push(*level),
                Rule::Contrite(c) => levels.push(c.level),
            }
        }
        if let Some(h) = &dy.hazard {
            levels.push(h.level);
        }
        for t in &triggers {
            if let Action::Act { dyad, level, .. } = t.action
                && dyad as usize == d
            {
                levels.push(level);
            }
        }
        levels.sort_unstable();
        levels.dedup();
        dy.repertoire = levels;
    }

    // outcomes
    let mut outcomes = Vec::new();
    for (id, o) in &raw.outcomes {
        let k = format!("outcomes.{id}");
        id_ok(&k, id)?;
        if *id == h.horizon_outcome {
            return Err(problem(
                k,
                format!("`{id}` is also the horizon outcome (scenario.horizon_outcome)"),
            ));
        }
        outcomes.push(Outcome {
            id: id.clone(),
            kind: outcome(&cx, &k, o)?,
        });
    }

    let s = Scenario {
        name: h.name.clone(),
        description: h.description.clone(),
        start_date,
        step_unit,
        horizon,
        trials,
        seed,
        places: raw.places.keys().cloned().collect(),
        ladder,
        actors,
        dyads,
        drivers,
        tracks,
        triggers,
        outcomes,
        horizon_outcome: h.horizon_outcome.clone(),
        game: None,
        compiled: Compiled::default(),
    };
    for d in 0..s.dyads.len() {
        let r = rate_bound(&s, d);
        if !r.lambda.is_finite() {
            return Err(with_help(
                problem(
                    format!("dyads.{}.initiative.rate", s.dyads[d].id),
                    format!("rates would overflow: {}", r.describe()),
                ),
                "lower the rate or the regime, driver and track multipliers of this dyad",
            ));
        }
    }
    Ok(s.compile())
}

/// The largest initiative rate a dyad's multipliers allow, before
/// deterrence, excitation and pressure: `μ · M_max`, with `M_max` the
/// largest regime rate times each driver's larger factor times each track
/// effect's largest factor (status factor times `1 + progress` at full
/// progress).
#[derive(Debug, Clone, PartialEq)]
pub struct RateBound {
    /// μ, events per step.
    pub rate: f64,
    /// Largest regime multiplier.
    pub regime: f64,
    /// Product of the drivers' larger factors.
    pub drivers: f64,
    /// Product of the track effects' largest factors.
    pub tracks: f64,
    /// μ times the three multipliers, events per step.
    pub lambda: f64,
    /// λ_max (`max_rate`), events per step.
    pub max_rate: f64,
}

impl RateBound {
    /// `rate 2 x largest regime multiplier 3 x drivers 1 x tracks 1 = 6 events per step`.
    pub fn describe(&self) -> String {
        format!(
            "rate {} x largest regime multiplier {} x drivers {} x tracks {} = {} events per step",
            self.rate, self.regime, self.drivers, self.tracks, self.lambda
        )
    }
}

/// [`RateBound`] of dyad `d` (zero everywhere for a dyad without
/// initiative).
pub fn rate_bound(s: &Scenario, d: usize) -> RateBound {
    let dy = &s.dyads[d];
    let Some(init) = &dy.initiative else {
        return RateBound {
            rate: 0.0,
            regime: 0.0,
            drivers: 0.0,
            tracks: 0.0,
            lambda: 0.0,
            max_rate: 0.0,
        };
    };
    let regime = dy.regimes.iter().map(|r| r.rate).fold(0.0, f64::max);
    let drivers: f64 = init.drivers.iter().map(|&(_, on, off)| on.max(off)).product();
    let mut tracks = 1.0;
    for t in &s.tracks {
        for e in t.effects.iter().filter(|e| e.dyad as usize == d) {
            let status = e.by_status.iter().copied().fold(0.0, f64::max);
            tracks *= status * (1.0 + e.progress.max(0.0));
        }
    }
    let m = regime * drivers * tracks;
    // 0 x inf is no rate at all.
    let lambda = if init.rate == 0.0 || m == 0.0 {
        0.0
    } else {
        init.rate * m
    };
    RateBound {
        rate: init.rate,
        regime,
        drivers,
        tracks,
        lambda,
        max_rate: init.max_rate,
    }
}

/// Warnings about a valid scenario: initiative rates whose multipliers
/// alone reach `max_rate`, so the cap, not the parameters, sets the rate.
pub fn warnings(s: &Scenario) -> Vec<String> {
    let mut out = Vec::new();
    for (d, dy) in s.dyads.iter().enumerate() {
        let r = rate_bound(s, d);
        if r.lambda > 0.0 && r.lambda >= r.max_rate {
            out.push(format!(
                "dyads.{}.initiative: {} reaches max_rate {}: while those multipliers are active the rate is pinned at the cap",
                dy.id,
                r.describe(),
                r.max_rate
            ));
        }
    }
    out
}

fn positive_count(key: &str, n: i64) -> R<u64> {
    if n >= 1 {
        Ok(n as u64)
    } else {
        Err(problem(key, format!("expected a whole number >= 1, found {n}")))
    }
}

fn seed_of(key: &str, n: i64) -> R<u64> {
    if n >= 0 {
        Ok(n as u64)
    } else {
        Err(problem(key, format!("expected a whole number >= 0, found {n}")))
    }
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
            min_level: match &inp.min_level {
                None => 1,
                Some(l) => cx.hostile_level(&format!("{ik}.min_level"), l)?,
            },
            per: match inp.per.as_str() {
                "event" => PerEvent::Event,
                "severity" => PerEvent::Severity,
                "killed" => PerEvent::Killed,
                "wounded" => PerEvent::Wounded,
                other => {
                    return Err(problem(
                        format!("{ik}.per"),
                        format!("expected one of \"event\", \"severity\", \"killed\", \"wounded\", found \"{other}\""),
                    ));
                }
            },
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

fn dyad(cx: &Cx, k: &str, id: &str, d: &RawDyad, from: ActorId, to: ActorId, drivers: &Table<RawDriver>) -> R<Dyad> {
    // regimes: the initial one first
    let mut regimes = Vec::new();
    for (rid, r) in &d.regimes {
        let rk = format!("{k}.regimes.{rid}");
        id_ok(&rk, rid)?;
        regimes.push(Regime {
            id: rid.clone(),
            rate: nonneg(&format!("{rk}.rate"), r.rate)?,
            respond: r.respond,
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
        }),
        None => {
            return Err(with_help(
                problem(
                    format!("{k}.regime"),
                    "this dyad has regimes but does not say which one it starts in",
                ),
                format!(
                    "add `regime = \"{}\"` to [{k}]",
                    d.regimes.keys().next().expect("non-empty")
                ),
            ));
        }
    }
    if regimes.len() > 255 {
        return Err(problem(format!("{k}.regimes"), "expected at most 255 regimes"));
    }
    let top = (cx.levels - 1) as Level;
    let initiative = match &d.initiative {
        None => None,
        Some(i) => {
            let ik = format!("{k}.initiative");
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
                let di = lookup(&dk, "driver", did, drivers)? as u16;
                drv.push((
                    di,
                    nonneg(&format!("{dk}.active"), e.active)?,
                    nonneg(&format!("{dk}.inactive"), e.inactive)?,
                ));
            }
            let max_rate = nonneg(&format!("{ik}.max_rate"), i.max_rate)?;
            if max_rate > 1e6 {
                return Err(problem(
                    format!("{ik}.max_rate"),
                    format!("expected at most 1e6 events per step, found {max_rate}"),
                ));
            }
            Some(Initiative {
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
    };
    let response = match &d.response {
        None => None,
        Some(r) => Some(response(cx, &format!("{k}.response"), r, top)?),
    };
    let hazard = match &d.hazard {
        None => None,
        Some(h) => {
            let hk = format!("{k}.hazard");
            let stock = match h.stock.as_str() {
                "grievance" => HazardStock::Grievance {
                    decay: unit_open(&format!("{hk}.decay"), h.decay)?,
                },
                "pressure" => {
                    if cx.raw.actors[from as usize].pressure.is_none() {
                        return Err(with_help(
                            problem(
                                format!("{hk}.stock"),
                                format!(
                                    "`{}` has no pressure stock",
                                    cx.raw.actors.get_index(from as usize).expect("index").0
                                ),
                            ),
                            "add an [actors.<id>.pressure] table, or use stock = \"grievance\"",
                        ));
                    }
                    HazardStock::Pressure
                }
                other => {
                    return Err(problem(
                        format!("{hk}.stock"),
                        format!("expected \"grievance\" or \"pressure\", found \"{other}\""),
                    ));
                }
            };
            if h.level.is_empty() {
                return Err(problem(
                    format!("{hk}.level"),
                    "missing key `level`: the level of the act the hazard triggers",
                ));
            }
            Some(Hazard {
                stock,
                intercept: finite(&format!("{hk}.intercept"), h.intercept)?,
                slope: finite(&format!("{hk}.slope"), h.slope)?,
                level: cx.hostile_level(&format!("{hk}.level"), &h.level)?,
                refractory: steps(&format!("{hk}.refractory"), h.refractory, 0, MAX_HORIZON)?,
                places: cx.places(&format!("{hk}.places"), &h.places)?,
            })
        }
    };
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
        execution_noise: prob(&format!("{k}.noise.execution"), noise.execution)?,
        perception_noise: prob(&format!("{k}.noise.perception"), noise.perception)?,
    })
}

/// Names accepted by `response.rule` (and, in games, `strategy`).
pub const RULES: &[&str] = &[
    "graded",
    "tft",
    "gtft",
    "ctft",
    "tf2t",
    "grim",
    "wsls",
    "allc",
    "alld",
    "random",
    "memory_one",
];

fn response(cx: &Cx, k: &str, r: &RawResponse, top: Level) -> R<Response> {
    let lo = match &r.min_level {
        None => 1,
        Some(l) => cx.hostile_level(&format!("{k}.min_level"), l)?,
    };
    let hi = match &r.max_level {
        None => top,
        Some(l) => cx.hostile_level(&format!("{k}.max_level"), l)?,
    };
    if hi < lo {
        return Err(problem(
            format!("{k}.max_level"),
            "expected max_level at or above min_level",
        ));
    }
    let act_level = match &r.level {
        None => hi,
        Some(l) => cx.hostile_level(&format!("{k}.level"), l)?,
    };
    let mut generosity = vec![0.0; cx.levels];
    for (lid, &q) in &r.generosity {
        let gk = format!("{k}.generosity.{lid}");
        let l = cx.hostile_level(&gk, lid)?;
        generosity[l as usize] = prob(&gk, q)?;
    }
    let graded = Graded {
        proportionality: nonneg(&format!("{k}.proportionality"), r.proportionality)?,
        threshold: nonneg(&format!("{k}.threshold"), r.threshold)?,
        generosity,
        generosity_if_wounded: prob(
            &format!("{k}.generosity_if_wounded"),
            r.generosity_if_wounded.unwrap_or(1.0),
        )?,
        generosity_if_killed: prob(
            &format!("{k}.generosity_if_killed"),
            r.generosity_if_killed.unwrap_or(1.0),
        )?,
        severity_if_wounded: nonneg(&format!("{k}.severity_if_wounded"), r.severity_if_wounded)?,
        severity_if_killed: nonneg(&format!("{k}.severity_if_killed"), r.severity_if_killed)?,
        min_level: lo,
        max_level: hi,
    };
    let rule = rule_named(
        &format!("{k}.rule"),
        &r.rule,
        act_level,
        graded,
        r.four_vector.as_deref(),
        None,
        None,
        &format!("{k}.four_vector"),
    )?;
    Ok(Response {
        rule,
        delay: steps(&format!("{k}.delay"), r.delay, 1, MAX_HORIZON).map_err(|p| {
            with_help(
                p,
                "responses are decided at the end of a step and carried out 1 or more steps later",
            )
        })?,
        refractory: steps(&format!("{k}.refractory"), r.refractory, 0, MAX_HORIZON)?,
        places: cx.places(&format!("{k}.places"), &r.places)?,
    })
}

/// Builds a rule by name. `graded` carries the ladder parameters (used by
/// `graded`; `tft`/`gtft` keep its level range and take their generosity
/// from the name).
#[allow(clippy::too_many_arguments)]
fn rule_named(
    key: &str,
    name: &str,
    level: Level,
    graded: Graded,
    four: Option<&[f64]>,
    q: Option<f64>,
    p: Option<f64>,
    four_key: &str,
) -> R<Rule> {
    let levels = graded.generosity.len();
    let mem = |v: [f64; 4], first: f64| Rule::MemoryOne(MemoryOne::new(v, first, level));
    Ok(match name {
        "graded" => Rule::Graded(graded),
        "tft" => Rule::Graded(Graded {
            generosity: vec![0.0; levels],
            ..graded
        }),
        "gtft" => Rule::Graded(Graded {
            generosity: vec![q.unwrap_or(1.0 / 3.0); levels],
            ..graded
        }),
        "ctft" => Rule::Contrite(Contrite { level }),
        "tf2t" => Rule::TitForTwoTats { level },
        "grim" => Rule::Grim { level },
        "wsls" => mem([1.0, 0.0, 0.0, 1.0], 1.0),
        "allc" => mem([1.0; 4], 1.0),
        "alld" => mem([0.0; 4], 0.0),
        "random" => {
            let p = p.unwrap_or(0.5);
            mem([p; 4], p)
        }
        "memory_one" => {
            let Some(v) = four else {
                return Err(with_help(
                    problem(four_key, "missing key `four_vector` for rule \"memory_one\""),
                    "give the cooperation probabilities after CC, CD, DC, DD, e.g. four_vector = [1, 0, 0, 1]",
                ));
            };
            if v.len() != 4 {
                return Err(problem(
                    four_key,
                    format!("expected 4 probabilities (after CC, CD, DC, DD), found {}", v.len()),
                ));
            }
            let mut a = [0.0; 4];
            for (i, x) in v.iter().enumerate() {
                a[i] = prob(&format!("{four_key}.{i}"), *x)?;
            }
            mem(a, 1.0)
        }
        other => {
            let mut pr = problem(key, format!("unknown rule \"{other}\""));
            pr.help = Some(match super::paths::closest(other, RULES.iter().copied()) {
                Some(c) => format!("did you mean \"{c}\"? rules: {}", RULES.join(", ")),
                None => format!("rules: {}", RULES.join(", ")),
            });
            return Err(pr);
        }
    })
}

fn track(cx: &Cx, id: &str, t: &RawTrack, dyads: &Table<RawDyad>, horizon: u32) -> R<Track> {
    let k = format!("tracks.{id}");
    id_ok(&k, id)?;
    let raw = cx.raw;
    if t.between.len() != 2 {
        return Err(problem(
            format!("{k}.between"),
            format!("expected two actor ids, found {}", t.between.len()),
        ));
    }
    let a = lookup(&format!("{k}.between.0"), "actor", &t.between[0], &raw.actors)? as ActorId;
    let b = lookup(&format!("{k}.between.1"), "actor", &t.between[1], &raw.actors)? as ActorId;
    let initial = match t.status.as_str() {
        "not_started" => TalkStatus::NotStarted,
        "active" => TalkStatus::Active,
        other => {
            return Err(problem(
                format!("{k}.status"),
                format!("expected \"not_started\" or \"active\" at step 0, found \"{other}\""),
            ));
        }
    };
    let n = raw.actors.len();
    let flags = |key: &str, ids: &[String], all: bool| -> R<Vec<bool>> {
        if ids.is_empty() {
            return Ok(vec![all; n]);
        }
        let mut v = vec![false; n];
        for (i, x) in ids.iter().enumerate() {
            v[lookup(&format!("{key}.{i}"), "actor", x, &raw.actors)?] = true;
        }
        Ok(v)
    };
    let watch = flags(&format!("{k}.watch"), &t.watch, true)?;
    let pc = &t.precondition;
    let precondition_calm = if pc.enabled {
        steps(&format!("{k}.precondition.calm"), pc.calm, 1, MAX_HORIZON)?
    } else {
        0
    };
    let precondition_actors = if pc.enabled {
        flags(&format!("{k}.precondition.actors"), &pc.actors, true)?
    } else {
        vec![false; n]
    };
    let open_step = t
        .open_step
        .map(|s| steps(&format!("{k}.open_step"), s, 0, MAX_HORIZON))
        .transpose()?;
    if initial == TalkStatus::NotStarted && open_step.is_none() && !pc.enabled {
        // Opened only by a trigger: fine, but only if some trigger does.
        let opened = raw
            .triggers
            .values()
            .any(|tr| tr.action == "track" && tr.track.as_deref() == Some(id));
        if !opened {
            return Err(with_help(
                problem(
                    format!("{k}.status"),
                    "this track never opens: not started, no open_step, no precondition, no trigger opens it",
                ),
                "set status = \"active\", or open_step = <step>, or [tracks.<id>.precondition] enabled = true",
            ));
        }
    }
    let _ = horizon;
    let p = &t.progress;
    let (groups, group_ids) = if t.working_groups.is_empty() {
        (vec![1.0], vec!["all".to_string()])
    } else {
        let mut g = Vec::new();
        let mut ids = Vec::new();
        for (gid, w) in &t.working_groups {
            let gk = format!("{k}.working_groups.{gid}");
            id_ok(&gk, gid)?;
            g.push(nonneg(&format!("{gk}.rate"), w.rate)?);
            ids.push(gid.clone());
        }
        (g, ids)
    };
    let mut effects = Vec::new();
    for (did, e) in &t.effects {
        let ek = format!("{k}.effects.{did}");
        let d = lookup(&ek, "dyad", did, dyads)? as DyadId;
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
            return Err(problem(
                format!("{ek}.progress"),
                format!("expected a slope >= -1 (the multiplier 1 + slope·progress stays >= 0), found {progress}"),
            ));
        }
        effects.push(TrackEffect {
            dyad: d,
            by_status,
            progress,
        });
    }
    let pause_level = t
        .pause
        .level
        .as_ref()
        .map(|l| cx.hostile_level(&format!("{k}.pause.level"), l))
        .transpose()?;
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
        pause_on_kill: t.pause.on_kill,
        pause_steps: steps(&format!("{k}.pause.steps"), t.pause.steps, 0, MAX_HORIZON)?,
        collapse_hazard: prob(&format!("{k}.collapse.hazard"), t.collapse.hazard)?,
        collapse_violence: nonneg(&format!("{k}.collapse.violence"), t.collapse.violence)?,
        signing_calm: steps(&format!("{k}.signing.calm"), t.signing.calm, 0, MAX_HORIZON)?,
        signing_level: match &t.signing.level {
            None => 1,
            Some(l) => cx.hostile_level(&format!("{k}.signing.level"), l)?,
        },
        effects,
    })
}

fn trigger(cx: &Cx, id: &str, t: &RawTrigger, dyads: &[Dyad], actors: &[Actor]) -> R<Trigger> {
    let k = format!("triggers.{id}");
    id_ok(&k, id)?;
    let raw = cx.raw;
    let need = |field: &str, v: &Option<String>| -> R<String> {
        v.clone().ok_or_else(|| {
            problem(
                format!("{k}.{field}"),
                format!(
                    "missing key `{field}` (needed by when = \"{}\", do = \"{}\")",
                    t.when, t.action
                ),
            )
        })
    };
    let when = match t.when.as_str() {
        "event" => Condition::Event {
            from: actor_or_any(&format!("{k}.from"), &t.from, raw)?,
            to: actor_or_any(&format!("{k}.to"), &t.to, raw)?,
            min_level: match &t.min_level {
                None => 1,
                Some(l) => cx.hostile_level(&format!("{k}.min_level"), l)?,
            },
            killed: t.killed,
            wounded: t.wounded,
        },
        "step" => {
            let Some(at) = t.at else {
                return Err(problem(
                    format!("{k}.at"),
                    "missing key `at`: the step at which the trigger fires",
                ));
            };
            Condition::Step(steps(&format!("{k}.at"), at, 0, MAX_HORIZON)?)
        }
        "pressure" => {
            let a = need("actor", &t.actor)?;
            let ai = lookup(&format!("{k}.actor"), "actor", &a, &raw.actors)?;
            if actors[ai].pressure.is_none() {
                return Err(problem(format!("{k}.actor"), format!("`{a}` has no pressure stock")));
            }
            let Some(above) = t.above else {
                return Err(problem(
                    format!("{k}.above"),
                    "missing key `above`: the pressure at which the trigger fires",
                ));
            };
            Condition::Pressure {
                actor: ai as ActorId,
                above: finite(&format!("{k}.above"), above)?,
            }
        }
        "track" => {
            let tr = need("track", &t.track)?;
            let st = need("status", &t.status)?;
            Condition::Track {
                track: lookup(&format!("{k}.track"), "track", &tr, &raw.tracks)? as u16,
                status: TalkStatus::parse(&st).ok_or_else(|| {
                    problem(
                        format!("{k}.status"),
                        format!(
                            "unknown status \"{st}\"; expected one of not_started, active, paused, agreement, collapsed"
                        ),
                    )
                })?,
            }
        }
        other => {
            return Err(problem(
                format!("{k}.when"),
                format!("expected one of \"event\", \"step\", \"pressure\", \"track\", found \"{other}\""),
            ));
        }
    };
    let duration = steps(&format!("{k}.duration"), t.duration, 0, MAX_HORIZON)?;
    let dyad_of = |field: &str| -> R<DyadId> {
        let d = need(field, &t.dyad)?;
        Ok(lookup(&format!("{k}.dyad"), "dyad", &d, &raw.dyads)? as DyadId)
    };
    let action = match t.action.as_str() {
        "act" => {
            let dyad = dyad_of("dyad")?;
            let level = cx.hostile_level(&format!("{k}.level"), &need("level", &t.level)?)?;
            let count = |f: &str, v: Option<i64>| -> R<Option<u32>> {
                v.map(|x| {
                    if (0..=1_000_000).contains(&x) {
                        Ok(x as u32)
                    } else {
                        Err(problem(
                            format!("{k}.{f}"),
                            format!("expected a count in 0..=1000000, found {x}"),
                        ))
                    }
                })
                .transpose()
            };
            Action::Act {
                dyad,
                level,
                delay: steps(&format!("{k}.delay"), t.delay, 0, MAX_HORIZON)?,
                place: t
                    .place
                    .as_ref()
                    .map(|p| cx.place(&format!("{k}.place"), p))
                    .transpose()?
                    .unwrap_or(NO_PLACE),
                killed: count("force_killed", t.force_killed)?,
                wounded: count("force_wounded", t.force_wounded)?,
            }
        }
        "regime" => {
            let dyad = dyad_of("dyad")?;
            let r = need("regime", &t.regime)?;
            let regime = dyads[dyad as usize]
                .regimes
                .iter()
                .position(|x| x.id == r)
                .ok_or_else(|| {
                    problem(
                        format!("{k}.regime"),
                        format!("dyad `{}` has no regime `{r}`", dyads[dyad as usize].id),
                    )
                })?;
            Action::Regime {
                dyad,
                regime: regime as u8,
                duration,
            }
        }
        "restrain" => {
            let p = need("patron", &t.patron)?;
            let patron = lookup(&format!("{k}.patron"), "actor", &p, &raw.actors)? as ActorId;
            let r = need("regime", &t.regime)?;
            let regime_by_dyad: Vec<Option<u8>> = dyads
                .iter()
                .map(|d| d.regimes.iter().position(|x| x.id == r).map(|i| i as u8))
                .collect();
            let clients: Vec<usize> = (0..actors.len())
                .filter(|&a| actors[a].patron == Some(patron))
                .collect();
            if clients.is_empty() {
                return Err(problem(
                    format!("{k}.patron"),
                    format!("no actor has `{p}` as its patron"),
                ));
            }
            if !dyads
                .iter()
                .enumerate()
                .any(|(d, dy)| clients.contains(&(dy.from as usize)) && regime_by_dyad[d].is_some())
            {
                return Err(problem(
                    format!("{k}.regime"),
                    format!("no dyad of `{p}`'s clients has a regime `{r}`"),
                ));
            }
            Action::Restrain {
                patron,
                regime: r,
                regime_by_dyad,
                duration,
            }
        }
        "driver" => {
            let d = need("driver", &t.driver)?;
            Action::Driver {
                driver: lookup(&format!("{k}.driver"), "driver", &d, &raw.drivers)? as u16,
                active: t.active.unwrap_or(false),
            }
        }
        "track" => {
            let tr = need("track", &t.track)?;
            let st = need("status", &t.status)?;
            let status = match st.as_str() {
                "active" => TalkStatus::Active,
                "paused" => TalkStatus::Paused,
                "collapsed" => TalkStatus::Collapsed,
                other => {
                    return Err(problem(
                        format!("{k}.status"),
                        format!("expected \"active\", \"paused\" or \"collapsed\", found \"{other}\""),
                    ));
                }
            };
            Action::Track {
                track: lookup(&format!("{k}.track"), "track", &tr, &raw.tracks)? as u16,
                status,
                duration,
            }
        }
        "mark" => Action::Mark,
        other => {
            return Err(problem(
                format!("{k}.do"),
                format!(
                    "expected one of \"act\", \"regime\", \"restrain\", \"driver\", \"track\", \"mark\", found \"{other}\""
                ),
            ));
        }
    };
    Ok(Trigger {
        id: id.to_string(),
        when,
        action,
        once: t.once,
        probability: prob(&format!("{k}.probability"), t.probability)?,
    })
}

fn outcome(cx: &Cx, k: &str, o: &RawOutcome) -> R<OutcomeKind> {
    let raw = cx.raw;
    let track = |o: &RawOutcome| -> R<u16> {
        let t = o
            .track
            .as_ref()
            .ok_or_else(|| problem(format!("{k}.track"), "missing key `track`"))?;
        Ok(lookup(&format!("{k}.track"), "track", t, &raw.tracks)? as u16)
    };
    let threshold = |o: &RawOutcome| -> R<f64> {
        let x = o
            .threshold
            .ok_or_else(|| problem(format!("{k}.threshold"), "missing key `threshold`"))?;
        finite(&format!("{k}.threshold"), x)
    };
    let actor = |o: &RawOutcome| -> R<ActorId> {
        let a = o
            .actor
            .as_ref()
            .ok_or_else(|| problem(format!("{k}.actor"), "missing key `actor`"))?;
        Ok(lookup(&format!("{k}.actor"), "actor", a, &raw.actors)? as ActorId)
    };
    Ok(match o.kind.as_str() {
        "agreement" => OutcomeKind::Agreement(track(o)?),
        "collapse" => OutcomeKind::Collapse(track(o)?),
        "pressure" => {
            let a = actor(o)?;
            if raw.actors[a as usize].pressure.is_none() {
                return Err(problem(format!("{k}.actor"), "this actor has no pressure stock"));
            }
            OutcomeKind::Pressure {
                actor: a,
                threshold: threshold(o)?,
            }
        }
        "spiral" => {
            let w = o.window.ok_or_else(|| {
                problem(
                    format!("{k}.window"),
                    "missing key `window`: steps the severity is summed over",
                )
            })?;
            OutcomeKind::Spiral {
                window: steps(&format!("{k}.window"), w, 1, 10_000)?,
                threshold: nonneg(&format!("{k}.threshold"), threshold(o)?)?,
                min_step: steps(&format!("{k}.min_step"), o.min_step.unwrap_or(0), 0, MAX_HORIZON)?,
            }
        }
        "deaths" => OutcomeKind::Deaths {
            actor: actor(o)?,
            threshold: nonneg(&format!("{k}.threshold"), o.threshold.unwrap_or(1.0))?,
        },
        other => {
            return Err(problem(
                format!("{k}.kind"),
                format!(
                    "expected one of \"agreement\", \"collapse\", \"pressure\", \"spiral\", \"deaths\", found \"{other}\""
                ),
            ));
        }
    })
}

fn validate_game(raw: &RawScenario, start_date: Option<Date>, step_unit: StepUnit) -> R<Scenario> {
    let g = raw.game.as_ref().expect("game present");
    let h = &raw.scenario;
    let rounds = steps("game.rounds", g.rounds, 1, MAX_HORIZON)?;
    let p = &g.payoffs;
    for (n, x) in [("R", p.R), ("S", p.S), ("T", p.T), ("P", p.P)] {
        finite(&format!("game.payoffs.{n}"), x)?;
    }
    let payoffs = Payoffs {
        r: p.R,
        s: p.S,
        t: p.T,
        p: p.P,
    };
    if raw.actors.len() != 2 {
        return Err(problem(
            "actors",
            format!("a game has exactly two actors, found {}", raw.actors.len()),
        ));
    }
    for key in ["dyads", "tracks", "triggers", "outcomes", "drivers"] {
        let n = match key {
            "dyads" => raw.dyads.len(),
            "tracks" => raw.tracks.len(),
            "triggers" => raw.triggers.len(),
            "outcomes" => raw.outcomes.len(),
            _ => raw.drivers.len(),
        };
        if n > 0 {
            return Err(problem(
                key,
                format!("a [game] scenario has no [{key}] tables: each actor plays its `strategy`"),
            ));
        }
    }
    let ladder = Ladder {
        ids: vec!["cooperate".into(), "defect".into()],
        names: vec!["Cooperate".into(), "Defect".into()],
        severity: vec![0.0, 1.0],
        wound: vec![0.0; 2],
        wounded: vec![1.0; 2],
        kill: vec![0.0; 2],
        killed: vec![1.0; 2],
    };
    let mut actors = Vec::new();
    for (id, a) in &raw.actors {
        let k = format!("actors.{id}");
        id_ok(&k, id)?;
        let name = a.strategy.as_deref().ok_or_else(|| {
            with_help(
                problem(format!("{k}.strategy"), "missing key `strategy`"),
                format!("strategies: {}", RULES[1..].join(", ")),
            )
        })?;
        // A strategy's own parameters only: a key meant for another
        // strategy is an error, not silently ignored.
        for (key, given, owners) in [
            ("generosity", a.generosity.is_some(), &["gtft"][..]),
            ("p", a.p.is_some(), &["random"][..]),
            ("four_vector", a.four_vector.is_some(), &["memory_one"][..]),
            ("first", a.first.is_some(), &["memory_one", "random"][..]),
        ] {
            if given && RULES.contains(&name) && !owners.contains(&name) {
                return Err(with_help(
                    problem(
                        format!("{k}.{key}"),
                        format!("`{key}` does not apply to strategy \"{name}\""),
                    ),
                    format!("`{key}` is read by: {}", owners.join(", ")),
                ));
            }
        }
        let q = match a.generosity {
            Some(q) => prob(&format!("{k}.generosity"), q)?,
            None => {
                let q = payoffs.gtft_generosity();
                if name == "gtft" && q.is_nan() {
                    return Err(with_help(
                        problem(
                            format!("{k}.generosity"),
                            "cannot derive gtft's generosity from these payoffs (0/0)",
                        ),
                        "give it, e.g. generosity = 0.3; the default min(1 - (T-R)/(R-S), (R-P)/(T-P)) needs R != S and T != P",
                    ));
                }
                q
            }
        };
        let q = Some(q);
        let pr = a.p.map(|x| prob(&format!("{k}.p"), x)).transpose()?;
        let mut rule = rule_named(
            &format!("{k}.strategy"),
            name,
            1,
            Graded::tit_for_tat(2),
            a.four_vector.as_deref(),
            q,
            pr,
            &format!("{k}.four_vector"),
        )?;
        if let (Some(f), Rule::MemoryOne(m)) = (a.first, &mut rule) {
            m.first = prob(&format!("{k}.first"), f)?;
        }
        actors.push(Actor {
            id: id.clone(),
            name: if a.name.is_empty() { id.clone() } else { a.name.clone() },
            patron: None,
            obey: 0.0,
            pressure: None,
            strategy: Some(rule),
        });
    }
    Ok(Scenario {
        name: h.name.clone(),
        description: h.description.clone(),
        start_date,
        step_unit,
        horizon: rounds,
        trials: positive_count("scenario.trials", h.trials)?,
        seed: seed_of("scenario.seed", h.seed)?,
        places: Vec::new(),
        ladder,
        actors,
        dyads: Vec::new(),
        drivers: Vec::new(),
        tracks: Vec::new(),
        triggers: Vec::new(),
        outcomes: Vec::new(),
        horizon_outcome: h.horizon_outcome.clone(),
        game: Some(Game {
            rounds,
            noise: prob("game.noise", g.noise)?,
            perception_noise: prob("game.perception_noise", g.perception_noise)?,
            payoffs,
        }),
        compiled: Compiled::default(),
    }
    .compile())
}

//! `[game]`: the iterated two-player prisoner's dilemma. Two actors, each
//! playing a named `strategy` from the rule registry, on a two-rung ladder
//! (cooperate, defect) with payoffs R, S, T, P [Axelrod1984].

use super::common::*;
use super::header::Header;
use super::response::{four_vector, rule_name, strategy};
use crate::model::{Actor, Compiled, Game, Ladder, Payoffs, Scenario};
use crate::policy::{Named, Rule, RuleName};
use crate::scenario::raw::{RawActor, RawScenario};

pub(super) fn game(raw: &RawScenario, h: Header) -> R<Scenario> {
    let g = raw.game.as_ref().expect("game present");
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
        return Err(inconsistent(
            "actors",
            format!("a game has exactly two actors, found {}", raw.actors.len()),
        ));
    }
    for (key, n) in [
        ("dyads", raw.dyads.len()),
        ("tracks", raw.tracks.len()),
        ("triggers", raw.triggers.len()),
        ("outcomes", raw.outcomes.len()),
        ("drivers", raw.drivers.len()),
    ] {
        if n > 0 {
            return Err(inconsistent(
                key,
                format!("a [game] scenario has no [{key}] tables: each actor plays its `strategy`"),
            ));
        }
    }
    let mut actors = Vec::new();
    for (id, a) in &raw.actors {
        actors.push(player(id, a, &payoffs)?);
    }
    let sc = &raw.scenario;
    Ok(Scenario {
        name: sc.name.clone(),
        description: sc.description.clone(),
        start_date: h.start_date,
        step_unit: h.step_unit,
        horizon: rounds,
        trials: positive_count("scenario.trials", sc.trials)?,
        seed: seed_of("scenario.seed", sc.seed)?,
        places: Vec::new(),
        ladder: Ladder {
            ids: vec!["cooperate".into(), "defect".into()],
            names: vec!["Cooperate".into(), "Defect".into()],
            severity: vec![0.0, 1.0],
            wound: vec![0.0; 2],
            wounded: vec![1.0; 2],
            kill: vec![0.0; 2],
            killed: vec![1.0; 2],
        },
        actors,
        dyads: Vec::new(),
        drivers: Vec::new(),
        tracks: Vec::new(),
        triggers: Vec::new(),
        outcomes: Vec::new(),
        horizon_outcome: sc.horizon_outcome.clone(),
        game: Some(Game {
            rounds,
            noise: prob("game.noise", g.noise)?,
            perception_noise: prob("game.perception_noise", g.perception_noise)?,
            payoffs,
        }),
        compiled: Compiled::default(),
        uncertainty: Default::default(),
    }
    .compile())
}

/// One player: its strategy and that strategy's own parameters. A key meant
/// for another strategy is an error, not silently ignored.
fn player(id: &str, a: &RawActor, payoffs: &Payoffs) -> R<Actor> {
    let k = format!("actors.{id}");
    id_ok(&k, id)?;
    let name = a.strategy.as_deref().ok_or_else(|| {
        missing(format!("{k}.strategy"), "missing key `strategy`")
            .help(format!("strategies: {}", RuleName::NAMES[1..].join(", ")))
    })?;
    let known = RuleName::parse(name).ok();
    for (key, given, owners) in [
        ("generosity", a.generosity.is_some(), &[RuleName::Gtft][..]),
        ("p", a.p.is_some(), &[RuleName::Random][..]),
        ("four_vector", a.four_vector.is_some(), &[RuleName::MemoryOne][..]),
        ("first", a.first.is_some(), &[RuleName::MemoryOne, RuleName::Random][..]),
    ] {
        if given && known.is_some_and(|r| !owners.contains(&r)) {
            let names: Vec<&str> = owners.iter().map(|r| r.name()).collect();
            return Err(Problem::new(
                crate::scenario::ErrorKind::KeyNotForKind,
                format!("{k}.{key}"),
                format!("`{key}` does not apply to strategy \"{name}\""),
            )
            .help(format!("`{key}` is read by: {}", names.join(", "))));
        }
    }
    let q = match a.generosity {
        Some(q) => prob(&format!("{k}.generosity"), q)?,
        None => {
            let q = payoffs.gtft_generosity();
            if name == RuleName::Gtft.name() && q.is_nan() {
                return Err(inconsistent(
                    format!("{k}.generosity"),
                    "cannot derive gtft's generosity from these payoffs (0/0)",
                )
                .help("give it, e.g. generosity = 0.3; the default min(1 - (T-R)/(R-S), (R-P)/(T-P)) needs R != S and T != P"));
            }
            q
        }
    };
    let pr = a.p.map(|x| prob(&format!("{k}.p"), x)).transpose()?;
    let rule_name = rule_name(&format!("{k}.strategy"), name)?;
    let four = four_vector(&format!("{k}.four_vector"), rule_name, a.four_vector.as_deref())?;
    let mut rule = strategy(rule_name, four, q, pr);
    if let (Some(f), Rule::MemoryOne(m)) = (a.first, &mut rule) {
        m.first = prob(&format!("{k}.first"), f)?;
    }
    Ok(Actor {
        id: id.to_string(),
        name: if a.name.is_empty() {
            id.to_string()
        } else {
            a.name.clone()
        },
        patron: None,
        obey: 0.0,
        pressure: None,
        strategy: Some(rule),
    })
}

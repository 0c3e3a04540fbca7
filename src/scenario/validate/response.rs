//! `[dyads.<id>.response]` and a game's `strategy`: the reciprocity rule,
//! named in the registry ([`RuleName`]) and built from the keys that rule
//! reads. The rules themselves, with their equations and sources, are in
//! [`crate::policy`].

use super::common::*;
use crate::model::{Level, Response};
use crate::policy::registry::GTFT_GENEROSITY;
use crate::policy::{Graded, Named, Rule, RuleName, RuleParams};
use crate::scenario::ErrorKind;
use crate::scenario::raw::RawResponse;

pub(super) fn response(cx: &Cx, k: &str, r: &RawResponse) -> R<Response> {
    let top = (cx.levels - 1) as Level;
    let lo = cx.hostile_level_or(&format!("{k}.min_level"), r.min_level.as_ref(), 1)?;
    let hi = cx.hostile_level_or(&format!("{k}.max_level"), r.max_level.as_ref(), top)?;
    if hi < lo {
        return Err(inconsistent(
            format!("{k}.max_level"),
            "expected max_level at or above min_level",
        ));
    }
    let act_level = cx.hostile_level_or(&format!("{k}.level"), r.level.as_ref(), hi)?;
    let name = rule_name(&format!("{k}.rule"), &r.rule)?;
    // gtft forgives with q = 1/3 at every level unless the file says
    // otherwise; graded forgives nothing unless it says so.
    let q0 = if name == RuleName::Gtft { GTFT_GENEROSITY } else { 0.0 };
    let mut generosity = vec![q0; cx.levels];
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
    let four_vector = four_vector(&format!("{k}.four_vector"), name, r.four_vector.as_deref())?;
    let rule = name.build(RuleParams {
        level: act_level,
        graded,
        four_vector,
        generosity: None,
        p: None,
    });
    Ok(Response {
        rule,
        delay: steps(&format!("{k}.delay"), r.delay, 1, MAX_HORIZON)
            .map_err(|p| p.help("responses are decided at the end of a step and carried out 1 or more steps later"))?,
        refractory: steps(&format!("{k}.refractory"), r.refractory, 0, MAX_HORIZON)?,
        places: cx.places(&format!("{k}.places"), &r.places)?,
    })
}

/// A rule's name in the registry.
pub(super) fn rule_name(key: &str, name: &str) -> R<RuleName> {
    RuleName::parse(name).map_err(|_| {
        let names = RuleName::NAMES;
        let help = match crate::scenario::paths::closest(name, names.iter().copied()) {
            Some(c) => format!("did you mean \"{c}\"? rules: {}", names.join(", ")),
            None => format!("rules: {}", names.join(", ")),
        };
        Problem::new(ErrorKind::UnknownName, key, format!("unknown rule \"{name}\"")).help(help)
    })
}

/// `memory_one`'s four-vector, which it needs; `None` for other rules.
pub(super) fn four_vector(key: &str, name: RuleName, v: Option<&[f64]>) -> R<Option<[f64; 4]>> {
    if name != RuleName::MemoryOne {
        return Ok(None);
    }
    let Some(v) = v else {
        return Err(missing(key, "missing key `four_vector` for rule \"memory_one\"")
            .help("give the cooperation probabilities after CC, CD, DC, DD, e.g. four_vector = [1, 0, 0, 1]"));
    };
    if v.len() != 4 {
        return Err(Problem::new(
            ErrorKind::InvalidValue,
            key,
            format!("expected 4 probabilities (after CC, CD, DC, DD), found {}", v.len()),
        ));
    }
    let mut a = [0.0; 4];
    for (i, x) in v.iter().enumerate() {
        a[i] = prob(&format!("{key}.{i}"), *x)?;
    }
    Ok(Some(a))
}

/// Builds a game strategy: a rule acting at level 1 (defect) on the
/// two-rung ladder.
pub(super) fn strategy(name: RuleName, four_vector: Option<[f64; 4]>, generosity: f64, p: Option<f64>) -> Rule {
    name.build(RuleParams {
        level: 1,
        graded: Graded::tit_for_tat(2),
        four_vector,
        generosity: Some(generosity),
        p,
    })
}

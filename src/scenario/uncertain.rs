//! Distributions in a scenario (issue 14), on the merged tree: after
//! includes and `--set`, before serde.
//!
//! 1. [`extract`] finds every leaf written as a distribution — a one-key
//!    table naming a family (`rate = { lognormal = { median = 1.5, p95 =
//!    3.0 } }`) at a documented key, or a `--set` string in the
//!    distribution syntax (`lognormal:median=1.5,p95=3`) — checks its
//!    support against the key's domain ([`super::domains`]), and replaces it
//!    by its median in the key's type (a float; a whole number for a count;
//!    the level id for a level). The raw structs and the validator then see
//!    plain values, so the scenario at the medians is built as before, and
//!    `--point` is that scenario with nothing drawn. A `point` family is
//!    just its value. A sweep point's `--set` replaces the leaf before
//!    extraction, so it overrides the distribution.
//! 2. [`compile`] resolves each extracted path, once, to the
//!    [`Slot`] of the compiled scenario it sets, and builds the
//!    [`Uncertainty`] the runner draws from.

use super::domains::{Drawable, drawable};
use super::paths::DOCS;
use super::raw::RawScenario;
use super::validate::Problem;
use super::{ErrorKind, Override, ScenarioError, Source};
use crate::dist::{Dist, DistError, Domain, ParamSet, str_is_dist, toml_is_dist};
use crate::model::{
    Action, Condition, DyadId, Level, OutcomeKind, Scenario, Slot, TalkStatus, Uncertainty, WeightTable, WeightTarget,
};
use crate::policy::{HazardStock, Rule};
use toml::{Table, Value};

/// One leaf written as a distribution.
#[derive(Debug, Clone)]
pub struct Extracted {
    /// Its dotted path.
    pub path: String,
    /// Its distribution (level ids resolved to level indices).
    pub dist: Dist,
}

/// The `DOCS` pattern a concrete path matches, if any (`+` and `*` match
/// any one segment).
fn pattern_of(segs: &[&str]) -> Option<&'static str> {
    // No allocation per pattern (issue 18: this runs per key per parse).
    DOCS.iter().map(|(p, _)| *p).find(|p| {
        let mut ps = p.split('.');
        segs.iter()
            .all(|b| ps.next().is_some_and(|a| a == "*" || a == "+" || a == *b))
            && ps.next().is_none()
    })
}

fn dist_problem(path: &str, e: &DistError) -> Problem {
    let kind = match e {
        DistError::UnknownFamily { .. } => ErrorKind::UnknownName,
        DistError::UnknownId { .. } => ErrorKind::UnknownId,
        DistError::OutOfDomain { .. } | DistError::NotDiscrete { .. } => ErrorKind::OutOfRange,
        _ => ErrorKind::InvalidValue,
    };
    let mut p = Problem::new(kind, path, format!("invalid distribution: {e}"));
    if let Some(h) = miette::Diagnostic::help(e) {
        p = p.help(h.to_string());
    }
    p
}

/// The ladder's level ids in file order (level 0 first), from the tree.
fn ladder_ids(tree: &Table) -> Vec<String> {
    match tree.get("ladder") {
        Some(Value::Table(t)) => t.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

/// Finds, checks and replaces every distribution in `tree` (see the module
/// docs). Errors name the key, where it was written (file:line:col, or the
/// `--set` argument), what was expected and what was found.
pub fn extract(tree: &mut Table, sources: &[Source], overrides: &[Override]) -> Result<Vec<Extracted>, ScenarioError> {
    let levels = ladder_ids(tree);
    let mut out = Vec::new();
    let mut segs = Vec::new();
    walk(tree, &mut segs, &levels, &mut out).map_err(|p| ScenarioError::from_problem(sources, overrides, p))?;
    Ok(out)
}

fn walk(t: &mut Table, segs: &mut Vec<String>, levels: &[String], out: &mut Vec<Extracted>) -> Result<(), Problem> {
    for (k, v) in t.iter_mut() {
        segs.push(k.clone());
        let refs: Vec<&str> = segs.iter().map(String::as_str).collect();
        let pattern = pattern_of(&refs);
        let path = segs.join(".");
        let parsed = match (pattern, &*v) {
            (Some(_), Value::Table(_)) if toml_is_dist(v) => Some(Dist::parse_toml(v)),
            (Some(p), Value::String(s)) if str_is_dist(s) && takes_dist_string(p, s) => Some(Dist::parse_str(s)),
            _ => None,
        };
        match parsed {
            Some(d) => {
                let d = d.map_err(|e| dist_problem(&path, &e))?;
                let pattern = pattern.expect("matched above");
                let (value, dist) = check(&path, pattern, d, levels)?;
                *v = value;
                if let Some(dist) = dist {
                    out.push(Extracted { path, dist });
                }
            }
            None => {
                if let Value::Table(sub) = v {
                    walk(sub, segs, levels, out)?;
                }
            }
        }
        segs.pop();
    }
    Ok(())
}

/// Whether a string at a key with this pattern is read as a distribution:
/// at a numeric or level key, any `family:...` text; at a fixed numeric
/// key, text naming a family exactly (to refuse it clearly); never at a
/// name, date or other id (a description may contain a colon).
fn takes_dist_string(pattern: &str, s: &str) -> bool {
    match drawable(pattern) {
        Some(Drawable::Number(_) | Drawable::Level) => true,
        Some(Drawable::Fixed(_)) => {
            let fam = s.split_once(':').map_or("", |x| x.0);
            crate::dist::Family::from_name(fam).is_some()
        }
        _ => false,
    }
}

/// Checks `d` against the domain of `pattern`; returns the value the leaf
/// takes (the median, in the key's type) and the distribution to draw
/// (`None` for a point).
fn check(path: &str, pattern: &str, d: Dist, levels: &[String]) -> Result<(Value, Option<Dist>), Problem> {
    let refuse = |why: String| {
        Problem::new(
            ErrorKind::InvalidValue,
            path,
            format!("`{path}` cannot be a distribution: {why}"),
        )
        .help("write a single value; to explore several, use `brink sweep --grid`")
    };
    let domain = match drawable(pattern) {
        None => {
            return Err(refuse(
                "no domain is declared for this key (add it to scenario/domains.rs)".into(),
            ));
        }
        Some(Drawable::NotNumber) => return Err(refuse("it is not a number".into())),
        Some(Drawable::Fixed(why)) => return Err(refuse(format!("it stays fixed for a run ({why})"))),
        Some(Drawable::Level) => Domain::Id {
            what: "level".into(),
            known: levels.iter().skip(1).cloned().collect(),
        },
        Some(Drawable::Number(dom)) => dom,
    };
    d.check_support(&domain).map_err(|e| dist_problem(path, &e))?;
    if let Domain::Id { .. } = domain {
        let known: Vec<&str> = levels.iter().map(String::as_str).collect();
        let d = d.resolve_ids("level", &known).map_err(|e| dist_problem(path, &e))?;
        let median = levels[d.median() as usize].clone();
        let keep = (!d.is_point()).then_some(d);
        return Ok((Value::String(median), keep));
    }
    let median = d.median();
    let value = match domain {
        Domain::Integer { .. } => Value::Integer(median as i64),
        _ => Value::Float(median),
    };
    Ok((value, (!d.is_point()).then_some(d)))
}

/// Resolves every extracted path to its slot in `s` (the scenario at the
/// medians) and compiles the [`Uncertainty`] the runner draws from.
pub fn compile(extracted: &[Extracted], s: &Scenario, raw: &RawScenario) -> Result<Uncertainty, Problem> {
    let mut u = Uncertainty {
        per_draw: 1,
        ..Uncertainty::default()
    };
    if extracted.is_empty() {
        return Ok(u);
    }
    for e in extracted {
        let slot = resolve(&e.path, s, raw, &mut u.tables)?;
        if let Some(dom) = kind_domain(s, slot) {
            e.dist.check_support(&dom).map_err(|err| dist_problem(&e.path, &err))?;
        }
        u.slots.push(slot);
    }
    let set = ParamSet::new(extracted.iter().map(|e| (e.path.clone(), e.dist.clone())).collect())
        .map_err(|e| dist_problem(&extracted[0].path, &e))?;
    u.set = Some(set);
    Ok(u)
}

fn index_of<T>(path: &str, what: &str, id: &str, t: &indexmap::IndexMap<String, T>) -> Result<usize, Problem> {
    t.get_index_of(id)
        .ok_or_else(|| Problem::new(ErrorKind::UnknownId, path, format!("no {what} `{id}`")))
}

fn not_for(path: &str, why: impl Into<String>) -> Problem {
    Problem::new(
        ErrorKind::KeyNotForKind,
        path,
        format!("`{path}` cannot be drawn here: {}", why.into()),
    )
}

fn table_slot(
    path: &str,
    tables: &mut Vec<WeightTable>,
    target: WeightTarget,
    base: Vec<f64>,
    index: usize,
) -> Result<Slot, Problem> {
    let table = match tables.iter().position(|t| t.target == target) {
        Some(i) => i,
        None => {
            if base.is_empty() {
                return Err(not_for(path, "the table of weights is empty"));
            }
            tables.push(WeightTable { target, base });
            tables.len() - 1
        }
    };
    Ok(Slot::Weight {
        table: table as u16,
        index: index as u16,
    })
}

/// The raw weights of a place table, indexed by place.
fn place_weights(raw: &RawScenario, t: &indexmap::IndexMap<String, f64>) -> Vec<f64> {
    let mut w = vec![0.0; raw.places.len()];
    for (id, x) in t {
        if let Some(i) = raw.places.get_index_of(id) {
            w[i] = *x;
        }
    }
    w
}

/// The slot of one path (its pattern has a numeric or level domain).
fn resolve(path: &str, s: &Scenario, raw: &RawScenario, tables: &mut Vec<WeightTable>) -> Result<Slot, Problem> {
    let segs: Vec<&str> = path.split('.').collect();
    let seg = |i: usize| segs.get(i).copied().unwrap_or("");
    let slot = match seg(0) {
        "ladder" => {
            let l = index_of(path, "level", seg(1), &raw.ladder)? as Level;
            match seg(2) {
                "wound" => Slot::Wound(l),
                "kill" => Slot::Kill(l),
                "wounded" => Slot::Wounded(l),
                "killed" => Slot::Killed(l),
                _ => return Err(not_for(path, "no slot")),
            }
        }
        "actors" => actor_slot(path, &segs, s, raw)?,
        "dyads" => dyad_slot(path, &segs, s, raw, tables)?,
        "drivers" => {
            let k = index_of(path, "driver", seg(1), &raw.drivers)? as u16;
            match seg(2) {
                "start" => Slot::DriverStart(k),
                "end" => Slot::DriverEnd(k),
                "end_hazard" => Slot::DriverEndHazard(k),
                _ => return Err(not_for(path, "no slot")),
            }
        }
        "tracks" => track_slot(path, &segs, s, raw)?,
        "phases" => {
            let p = index_of(path, "phase", seg(1), &raw.phases)? as u16;
            match seg(2) {
                "duration" => Slot::PhaseDuration(p),
                "slip" => Slot::PhaseSlip(p),
                "setback" => Slot::PhaseSetback(p),
                "break" => Slot::PhaseBreak(p),
                _ => return Err(not_for(path, "no slot")),
            }
        }
        "triggers" if matches!(seg(2), "refractory" | "within" | "all" | "any") => {
            trigger_agency_slot(path, &segs, s, raw)?
        }
        "triggers" => {
            let k = index_of(path, "trigger", seg(1), &raw.triggers)?;
            let t = &s.triggers[k];
            let k16 = k as u16;
            let act = matches!(t.action, Action::Act { .. });
            match seg(2) {
                "probability" => Slot::TriggerProbability(k16),
                "at" if matches!(t.when.all.first(), Some(Condition::Step { .. })) => Slot::TriggerAt(k16),
                "above" if matches!(t.when.all.first(), Some(Condition::Pressure { .. })) => Slot::TriggerAbove(k16),
                "level" if act => Slot::TriggerLevel(k16),
                "delay" if act => Slot::TriggerDelay(k16),
                "force_killed" if act => Slot::TriggerForceKilled(k16),
                "force_wounded" if act => Slot::TriggerForceWounded(k16),
                "duration"
                    if matches!(
                        t.action,
                        Action::Regime { .. } | Action::Restrain { .. } | Action::Track { .. }
                    ) =>
                {
                    Slot::TriggerDuration(k16)
                }
                _ => return Err(not_for(path, "this trigger's condition or action does not read it")),
            }
        }
        "outcomes" => {
            index_of(path, "outcome", seg(1), &raw.outcomes)?;
            // Milestones are kept apart from the terminal outcomes, so the
            // file's order is not `s.outcomes`' order.
            let k = s
                .outcomes
                .iter()
                .position(|o| o.id == seg(1))
                .ok_or_else(|| not_for(path, "a milestone's numbers are not drawn per trial; sweep them"))?;
            let kind = &s.outcomes[k].kind;
            let k16 = k as u16;
            let spiral = matches!(kind, OutcomeKind::Spiral { .. });
            match seg(2) {
                "threshold" if !matches!(kind, OutcomeKind::Agreement(_) | OutcomeKind::Collapse(_)) => {
                    Slot::OutcomeThreshold(k16)
                }
                "window" if spiral => Slot::OutcomeWindow(k16),
                "min_step" if spiral => Slot::OutcomeMinStep(k16),
                _ => return Err(not_for(path, "this outcome's kind does not read it")),
            }
        }
        "game" if s.game.is_some() => match seg(1) {
            "noise" => Slot::GameNoise,
            "perception_noise" => Slot::GamePerceptionNoise,
            _ => return Err(not_for(path, "no slot")),
        },
        _ => return Err(not_for(path, "no slot")),
    };
    Ok(slot)
}

/// [`resolve`] for a track's keys.
fn track_slot(path: &str, segs: &[&str], s: &Scenario, raw: &RawScenario) -> Result<Slot, Problem> {
    let seg = |i: usize| segs.get(i).copied().unwrap_or("");
    let status_index = |name: &str| TalkStatus::parse(name).map(|t| t as u8);
    let k = index_of(path, "track", seg(1), &raw.tracks)?;
    let t = &s.tracks[k];
    let k16 = k as u16;
    let slot = match (seg(2), seg(3)) {
        ("open_step", _) => Slot::TrackOpenStep(k16),
        ("precondition", "calm") => {
            if t.precondition_calm == 0 {
                return Err(not_for(path, "the precondition is not enabled"));
            }
            Slot::TrackPreconditionCalm(k16)
        }
        ("progress", "rate") => Slot::TrackRate(k16),
        ("progress", "violence") => Slot::TrackViolence(k16),
        ("progress", "memory") => Slot::TrackMemory(k16),
        ("working_groups", _) => {
            let g = t
                .group_ids
                .iter()
                .position(|g| g == seg(3))
                .ok_or_else(|| not_for(path, "no such working group"))?;
            Slot::GroupRate {
                track: k16,
                group: g as u16,
            }
        }
        ("pause", "level") => Slot::PauseLevel(k16),
        ("pause", "steps") => Slot::PauseSteps(k16),
        ("collapse", "hazard") => Slot::CollapseHazard(k16),
        ("collapse", "violence") => Slot::CollapseViolence(k16),
        ("signing", "calm") => Slot::SigningCalm(k16),
        ("signing", "level") => Slot::SigningLevel(k16),
        ("bargaining", _) => bargaining_slot(path, segs, s, raw, k)?,
        ("effects", d) => {
            let d = index_of(path, "dyad", d, &raw.dyads)? as DyadId;
            let effect = t
                .effects
                .iter()
                .position(|e| e.dyad == d)
                .ok_or_else(|| not_for(path, "no such effect"))? as u16;
            match seg(4) {
                "progress" => Slot::EffectProgress { track: k16, effect },
                name => Slot::Effect {
                    track: k16,
                    effect,
                    status: status_index(name).ok_or_else(|| not_for(path, "no such status"))?,
                },
            }
        }
        _ => return Err(not_for(path, "no slot")),
    };
    Ok(slot)
}

fn dyad_slot(
    path: &str,
    segs: &[&str],
    s: &Scenario,
    raw: &RawScenario,
    tables: &mut Vec<WeightTable>,
) -> Result<Slot, Problem> {
    let seg = |i: usize| segs.get(i).copied().unwrap_or("");
    let di = index_of(path, "dyad", seg(1), &raw.dyads)?;
    let d = di as DyadId;
    let dy = &s.dyads[di];
    let rd = &raw.dyads[di];
    let slot = match seg(2) {
        "regimes" => {
            let r = dy
                .regimes
                .iter()
                .position(|r| r.id == seg(3))
                .ok_or_else(|| not_for(path, "no such regime"))?;
            Slot::RegimeRate {
                dyad: d,
                regime: r as u8,
            }
        }
        "initiative" => initiative_slot(path, segs, s, raw, tables, di)?,
        "misattribution" => {
            let (Some(m), Some(rm)) = (&dy.misattribution, &rd.misattribution) else {
                return Err(not_for(path, "the dyad has no misattribution"));
            };
            if seg(3) == "p" {
                Slot::MisattributionP(d)
            } else {
                index_of(path, "actor", seg(4), &raw.actors)?;
                let k = rm
                    .to
                    .get_index_of(seg(4))
                    .ok_or_else(|| not_for(path, format!("`{}` is not in `to`", seg(4))))?;
                let base: Vec<f64> = rm.to.values().copied().collect();
                debug_assert_eq!(base.len(), m.dyads.len());
                table_slot(path, tables, WeightTarget::Misattribution(d), base, k)?
            }
        }
        "response" => {
            let (Some(r), Some(rr)) = (&dy.response, &rd.response) else {
                return Err(not_for(path, "the dyad has no response"));
            };
            let graded = matches!(r.rule, Rule::Graded(_));
            let need_graded = |slot: Slot| -> Result<Slot, Problem> {
                if graded {
                    Ok(slot)
                } else {
                    Err(not_for(path, format!("rule `{}` does not read it", rr.rule)))
                }
            };
            match seg(3) {
                "delay" => Slot::ResponseDelay(d),
                "refractory" => Slot::ResponseRefractory(d),
                "proportionality" => need_graded(Slot::Proportionality(d))?,
                "threshold" => need_graded(Slot::Threshold(d))?,
                "generosity" => {
                    let l = index_of(path, "level", seg(4), &raw.ladder)? as Level;
                    need_graded(Slot::Generosity { dyad: d, level: l })?
                }
                "generosity_if_wounded" => need_graded(Slot::GenerosityIfWounded(d))?,
                "generosity_if_killed" => need_graded(Slot::GenerosityIfKilled(d))?,
                "severity_if_wounded" => need_graded(Slot::SeverityIfWounded(d))?,
                "severity_if_killed" => need_graded(Slot::SeverityIfKilled(d))?,
                "places" => {
                    let p = index_of(path, "place", seg(4), &raw.places)?;
                    let w = place_weights(raw, &rr.places);
                    table_slot(path, tables, WeightTarget::ResponsePlaces(d), w, p)?
                }
                _ => return Err(not_for(path, "no slot")),
            }
        }
        "hazard" => {
            let (Some(h), Some(rh)) = (&dy.hazard, &rd.hazard) else {
                return Err(not_for(path, "the dyad has no hazard"));
            };
            match seg(3) {
                "intercept" => Slot::HazardIntercept(d),
                "slope" => Slot::HazardSlope(d),
                "decay" if matches!(h.stock, HazardStock::Grievance { .. }) => Slot::HazardDecay(d),
                "level" => Slot::HazardLevel(d),
                "refractory" => Slot::HazardRefractory(d),
                "places" => {
                    let p = index_of(path, "place", seg(4), &raw.places)?;
                    let w = place_weights(raw, &rh.places);
                    table_slot(path, tables, WeightTarget::HazardPlaces(d), w, p)?
                }
                _ => return Err(not_for(path, "this hazard does not read it")),
            }
        }
        "noise" if seg(3) == "execution" => Slot::ExecutionNoise(d),
        "noise" => Slot::PerceptionNoise(d),
        _ => return Err(not_for(path, "no slot")),
    };
    Ok(slot)
}

/// [`dyad_slot`] for a dyad's initiative.
fn initiative_slot(
    path: &str,
    segs: &[&str],
    s: &Scenario,
    raw: &RawScenario,
    tables: &mut Vec<WeightTable>,
    di: usize,
) -> Result<Slot, Problem> {
    let seg = |i: usize| segs.get(i).copied().unwrap_or("");
    let d = di as DyadId;
    let dy = &s.dyads[di];
    let rd = &raw.dyads[di];
    let (Some(_), Some(ri)) = (&dy.initiative, &rd.initiative) else {
        return Err(not_for(path, "the dyad has no initiative"));
    };
    let slot = match seg(3) {
        "rate" => Slot::InitRate(d),
        "beta" => Slot::InitBeta(d),
        "memory" => Slot::InitMemory(d),
        "excitation" => Slot::InitExcitation(d),
        "kernel" => Slot::InitKernel(d),
        "history" => Slot::InitHistory(d),
        "pressure" => Slot::InitPressure(d),
        "max_rate" => Slot::InitMaxRate(d),
        "drivers" => {
            let drv = index_of(path, "driver", seg(4), &raw.drivers)? as u16;
            let k = dy
                .initiative
                .as_ref()
                .expect("checked")
                .drivers
                .iter()
                .position(|x| x.0 == drv)
                .ok_or_else(|| not_for(path, "no such driver effect"))? as u16;
            if seg(5) == "active" {
                Slot::InitDriverActive { dyad: d, k }
            } else {
                Slot::InitDriverInactive { dyad: d, k }
            }
        }
        "levels" => {
            let l = index_of(path, "level", seg(4), &raw.ladder)?;
            if l == 0 {
                return Err(not_for(path, "level 0 is no act"));
            }
            let mut w = vec![0.0; raw.ladder.len() - 1];
            for (id, x) in &ri.levels {
                if let Some(i) = raw.ladder.get_index_of(id).filter(|i| *i > 0) {
                    w[i - 1] = *x;
                }
            }
            table_slot(path, tables, WeightTarget::InitiativeLevels(d), w, l - 1)?
        }
        "places" => {
            let p = index_of(path, "place", seg(4), &raw.places)?;
            let w = place_weights(raw, &ri.places);
            table_slot(path, tables, WeightTarget::InitiativePlaces(d), w, p)?
        }
        _ => return Err(not_for(path, "no slot")),
    };
    Ok(slot)
}

/// [`resolve`] for an actor's risk stock and actions (issue 15).
fn actor_agency_slot(path: &str, segs: &[&str], s: &Scenario, raw: &RawScenario, a: usize) -> Result<Slot, Problem> {
    use crate::model::{ChoiceAct, ChoiceField as F, ChoicePolicy};
    let seg = |i: usize| segs.get(i).copied().unwrap_or("");
    let actor = a as u16;
    let ra = &raw.actors[a];
    if seg(2) == "risk" {
        let Some(rr) = &ra.risk else {
            return Err(not_for(path, "the actor has no risk stock"));
        };
        return Ok(match (seg(3), seg(5)) {
            ("initial", _) => Slot::RiskInitial(actor),
            ("decay", _) => Slot::RiskDecay(actor),
            ("inputs", "weight") => {
                let k = index_of(path, "risk input", seg(4), &rr.inputs)?;
                let pressure_inputs: usize = s
                    .actors
                    .iter()
                    .map(|x| x.pressure.as_ref().map_or(0, |p| p.inputs.len()))
                    .sum();
                let before: usize = s.actors[..a]
                    .iter()
                    .map(|x| x.risk.as_ref().map_or(0, |r| r.inputs.len()))
                    .sum();
                Slot::RiskWeight {
                    actor,
                    input: k as u16,
                    flat: (pressure_inputs + before + k) as u32,
                }
            }
            _ => return Err(not_for(path, "no slot")),
        });
    }
    let c = index_of(path, "action", seg(3), &ra.actions)?;
    let ch = &s.actors[a].choices[c];
    let choice = c as u16;
    let hazard = matches!(ch.policy, ChoicePolicy::Hazard { .. });
    let field = match seg(4) {
        "intercept" if hazard => F::Intercept,
        "slope" if hazard => F::Slope,
        "threshold" if !hazard => F::Threshold,
        "noise_sd" if !hazard => F::NoiseSd,
        "refractory" => F::Refractory,
        "max" => F::Max,
        "relief" => F::Relief,
        "duration"
            if matches!(
                ch.act,
                ChoiceAct::Restrain { .. } | ChoiceAct::Pause { .. } | ChoiceAct::Pace { .. }
            ) =>
        {
            F::Duration
        }
        "factor" if matches!(ch.act, ChoiceAct::Pace { .. }) => F::Factor,
        "weight" if matches!(ch.act, ChoiceAct::Signal { .. }) => F::Weight,
        "comply" => {
            let ChoiceAct::Restrain { factions, .. } = &ch.act else {
                return Err(not_for(path, "only a restraint order reads `comply`"));
            };
            let f = index_of(path, "actor", seg(5), &raw.actors)? as u16;
            let k = factions
                .iter()
                .position(|x| x.0 == f)
                .ok_or_else(|| not_for(path, "no such faction in `comply`"))?;
            return Ok(Slot::Comply {
                actor,
                choice,
                k: k as u16,
            });
        }
        _ => return Err(not_for(path, "this action's kind or policy does not read it")),
    };
    Ok(Slot::Choice { actor, choice, field })
}

/// [`resolve`] for a repeatable trigger's refractory period and the
/// numbers of its conditions (issue 15): the top-level `when` is the
/// first of `all`.
fn trigger_agency_slot(path: &str, segs: &[&str], s: &Scenario, raw: &RawScenario) -> Result<Slot, Problem> {
    let seg = |i: usize| segs.get(i).copied().unwrap_or("");
    let k = index_of(path, "trigger", seg(1), &raw.triggers)?;
    let trigger = k as u16;
    let rt = &raw.triggers[k];
    let (any, index, field) = match seg(2) {
        "refractory" => return Ok(Slot::TriggerRefractory(trigger)),
        "within" => (false, 0, "within"),
        list => {
            let tab = if list == "any" { &rt.any } else { &rt.all };
            let i = index_of(path, "condition", seg(3), tab)?;
            // `all` follows the top-level condition, if there is one.
            let offset = usize::from(list == "all" && rt.when.is_some());
            (list == "any", i + offset, seg(4))
        }
    };
    let w = &s.triggers[k].when;
    let c = if any { w.any.get(index) } else { w.all.get(index) };
    let index = index as u16;
    let slot = match (field, c) {
        ("within", Some(Condition::Event { .. } | Condition::Action { .. })) => {
            Slot::CondWithin { trigger, any, index }
        }
        ("at", Some(Condition::Step { .. })) => Slot::CondAt { trigger, any, index },
        ("above", Some(Condition::Pressure { .. })) => Slot::CondAbove { trigger, any, index },
        _ => return Err(not_for(path, "this condition's kind does not read it")),
    };
    Ok(slot)
}

/// [`track_slot`] for a track's bargaining (issue 15).
fn bargaining_slot(path: &str, segs: &[&str], s: &Scenario, raw: &RawScenario, k: usize) -> Result<Slot, Problem> {
    use crate::model::ConcessionField as F;
    let seg = |i: usize| segs.get(i).copied().unwrap_or("");
    let track = k as u16;
    let Some(b) = &s.tracks[k].bargaining else {
        return Err(not_for(path, "the track does not bargain"));
    };
    let slot = match seg(3) {
        "ripeness" => Slot::Ripeness(track),
        "hurt" => {
            let a = index_of(path, "actor", seg(4), &raw.actors)? as u16;
            let i = b
                .hurt
                .iter()
                .position(|x| x.0 == a)
                .ok_or_else(|| not_for(path, "no such party in `hurt`"))?;
            Slot::Hurt { track, k: i as u16 }
        }
        "drivers" => {
            let d = index_of(path, "driver", seg(4), &raw.drivers)? as u16;
            let i = b
                .drivers
                .iter()
                .position(|x| x.0 == d)
                .ok_or_else(|| not_for(path, "no such driver"))? as u16;
            if seg(5) == "active" {
                Slot::BargainDriverActive { track, k: i }
            } else {
                Slot::BargainDriverInactive { track, k: i }
            }
        }
        "concession" if b.concession.is_some() => {
            let field = match seg(4) {
                "intercept" => F::Intercept,
                "ripeness" => F::Ripeness,
                "learning" => F::Learning,
                _ => F::Jump,
            };
            Slot::Concession { track, field }
        }
        _ => return Err(not_for(path, "no slot")),
    };
    Ok(slot)
}

/// A domain narrower than the key's that a slot's kind imposes (a hurry
/// factor is at least 1, a harden factor at most 1; a pause or a change
/// of pace lasts at least one step), as validation checks it.
fn kind_domain(s: &Scenario, slot: Slot) -> Option<Domain> {
    use crate::model::{ChoiceAct, ChoiceField};
    let Slot::Choice { actor, choice, field } = slot else {
        return None;
    };
    let ch = &s.actors[actor as usize].choices[choice as usize];
    match (field, &ch.act) {
        (ChoiceField::Factor, ChoiceAct::Pace { .. }) if ch.kind == "hurry" => Some(Domain::Interval {
            lo: 1.0,
            hi: f64::INFINITY,
        }),
        (ChoiceField::Factor, ChoiceAct::Pace { .. }) => Some(Domain::Interval { lo: 0.0, hi: 1.0 }),
        (ChoiceField::Duration, ChoiceAct::Pause { .. } | ChoiceAct::Pace { .. }) => {
            Some(Domain::Integer { min: 1, max: 100_000 })
        }
        _ => None,
    }
}

/// [`resolve`] for an actor's keys.
fn actor_slot(path: &str, segs: &[&str], s: &Scenario, raw: &RawScenario) -> Result<Slot, Problem> {
    let seg = |i: usize| segs.get(i).copied().unwrap_or("");
    let a = index_of(path, "actor", seg(1), &raw.actors)?;
    let actor = &s.actors[a];
    let aid = a as u16;
    let slot = if seg(2) == "obey" {
        Slot::Obey(aid)
    } else if matches!(seg(2), "risk" | "actions") {
        actor_agency_slot(path, segs, s, raw, a)?
    } else {
        let Some(p) = &actor.pressure else {
            return Err(not_for(path, "the actor has no pressure stock"));
        };
        let rp = raw.actors[a].pressure.as_ref().expect("validated: pressure present");
        match (seg(3), seg(5)) {
            ("initial", _) => Slot::PressureInitial(aid),
            ("decay", _) => Slot::PressureDecay(aid),
            ("inputs", "weight") => {
                let k = index_of(path, "pressure input", seg(4), &rp.inputs)?;
                let before: usize = s.actors[..a]
                    .iter()
                    .map(|x| x.pressure.as_ref().map_or(0, |p| p.inputs.len()))
                    .sum();
                Slot::InputWeight {
                    actor: aid,
                    input: k as u16,
                    flat: (before + k) as u32,
                }
            }
            ("relief", what) => {
                let track = index_of(path, "track", seg(4), &raw.tracks)? as u16;
                let relief = p
                    .relief
                    .iter()
                    .position(|r| r.track == track)
                    .ok_or_else(|| not_for(path, "no relief by that track"))? as u16;
                match what {
                    "progress" => Slot::ReliefProgress { actor: aid, relief },
                    "active" => Slot::ReliefActive { actor: aid, relief },
                    _ => Slot::ReliefAgreement { actor: aid, relief },
                }
            }
            _ => return Err(not_for(path, "no slot")),
        }
    };
    Ok(slot)
}

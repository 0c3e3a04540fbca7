//! What `brink params` lists: every parameter the engine reads, with the
//! value it reads — as written, or its default.
//!
//! The merged file is flattened ([`super::paths::flatten`]); keys that the
//! entry's kind does not read are dropped ([`super::schema::reads`]: a
//! step trigger has no `killed`), and keys that are absent but read are
//! added with the value validation chose (a response's `min_level` and
//! `max_level`, its generosity by level, an event trigger's `min_level`,
//! a spiral's `min_step`...). A key absent from the list and marked
//! "optional" in [`OPTIONAL`] means "none": no scheduled opening, no
//! patron, no end date.

use super::raw::RawScenario;
use super::schema::{KINDED, reads};
use crate::model::{Level, Scenario};
use crate::policy::Rule;
use toml::{Table, Value};

/// Keys whose absence means "none" and which therefore have no default to
/// list (each one's meaning in [`super::paths::DOCS`] says what absence
/// means).
pub const OPTIONAL: &[&str] = &[
    "include",
    "remove",
    "posterior",
    "scenario.start_date",
    "actors.*.patron",
    "actors.*.pressure",
    "actors.*.pressure.inputs.*.place",
    "dyads.*.regime",
    "dyads.*.initiative",
    "dyads.*.response",
    "dyads.*.hazard",
    "dyads.*.response.four_vector",
    "drivers.*.end",
    "tracks.*.open_step",
    "tracks.*.pause.level",
    "triggers.*.place",
    "triggers.*.force_killed",
    "triggers.*.force_wounded",
    "triggers.*.until",
    "dyads.*.misattribution",
    "dyads.*.regimes.*.response",
    "game",
    "tracks.*.bargaining",
    "tracks.*.bargaining.concession",
    "actors.*.risk",
    "actors.*.risk.inputs.*.place",
];

/// `(dotted path, value)` of every parameter the engine reads, in file
/// order, defaults included.
pub fn params(raw: &RawScenario, s: &Scenario) -> Vec<(String, Value)> {
    let tree = match Value::try_from(raw).expect("a RawScenario always serialises") {
        Value::Table(t) => t,
        _ => Table::new(),
    };
    let mut out: Vec<(String, Value)> = super::paths::flatten(raw)
        .into_iter()
        .filter(|(path, _)| is_read(&tree, path))
        .collect();
    if s.game.is_none() {
        for (path, value) in defaults(raw, s) {
            insert(&mut out, path, value);
        }
    }
    out
}

/// Whether the engine reads `path`, given the kind of the entry it is in.
fn is_read(tree: &Table, path: &str) -> bool {
    let segs: Vec<&str> = path.split('.').collect();
    for k in KINDED {
        let n = k.table.split('.').count();
        if segs.len() <= n {
            continue;
        }
        let Some(table) = table_at(tree, &segs[..n]) else {
            continue;
        };
        if let Some(read) = reads(&segs[..n], table, segs[n]) {
            return read;
        }
    }
    true
}

fn table_at<'a>(tree: &'a Table, segs: &[&str]) -> Option<&'a Table> {
    let mut t = tree;
    for s in segs {
        t = t.get(*s)?.as_table()?;
    }
    Some(t)
}

/// Inserts `path` after the last parameter of its table (or at the end).
fn insert(out: &mut Vec<(String, Value)>, path: String, value: Value) {
    if out.iter().any(|(p, _)| *p == path) {
        return;
    }
    let table = &path[..path.rfind('.').unwrap_or(0)];
    let prefix = format!("{table}.");
    let at = out
        .iter()
        .rposition(|(p, _)| p.starts_with(&prefix))
        .map_or(out.len(), |i| i + 1);
    out.insert(at, (path, value));
}

/// The values validation chose for keys the file left out.
fn defaults(raw: &RawScenario, s: &Scenario) -> Vec<(String, Value)> {
    let level = |l: Level| Value::String(s.ladder.ids[l as usize].clone());
    let mut out = Vec::new();
    for ((id, ra), a) in raw.actors.iter().zip(&s.actors) {
        let (Some(rp), Some(p)) = (&ra.pressure, &a.pressure) else {
            continue;
        };
        for (iid, inp) in rp.inputs.keys().zip(&p.inputs) {
            let k = format!("actors.{id}.pressure.inputs.{iid}.min_level");
            out.push((k, level(inp.min_level)));
        }
    }
    // A risk stock's inputs default their `min_level` as pressure inputs do.
    for ((id, ra), a) in raw.actors.iter().zip(&s.actors) {
        let (Some(rr), Some(r)) = (&ra.risk, &a.risk) else {
            continue;
        };
        for (iid, inp) in rr.inputs.keys().zip(&r.inputs) {
            let k = format!("actors.{id}.risk.inputs.{iid}.min_level");
            out.push((k, level(inp.min_level)));
        }
    }
    for d in &s.dyads {
        let Some(r) = &d.response else { continue };
        let k = format!("dyads.{}.response", d.id);
        match &r.rule {
            Rule::Graded(g) => {
                out.push((format!("{k}.min_level"), level(g.min_level)));
                out.push((format!("{k}.max_level"), level(g.max_level)));
                for l in 1..s.ladder.len() {
                    out.push((
                        format!("{k}.generosity.{}", s.ladder.ids[l]),
                        Value::Float(g.generosity[l]),
                    ));
                }
                out.push((
                    format!("{k}.generosity_if_wounded"),
                    Value::Float(g.generosity_if_wounded),
                ));
                out.push((
                    format!("{k}.generosity_if_killed"),
                    Value::Float(g.generosity_if_killed),
                ));
            }
            Rule::MemoryOne(m) => out.push((format!("{k}.level"), level(m.level))),
            Rule::Grim { level: l } | Rule::TitForTwoTats { level: l } => out.push((format!("{k}.level"), level(*l))),
            Rule::Contrite(c) => out.push((format!("{k}.level"), level(c.level))),
        }
    }
    for t in &s.triggers {
        let k = format!("triggers.{}", t.id);
        // the top-level condition is the first of `all`, when written
        let top = raw.triggers.get(&t.id).is_some_and(|r| r.when.is_some());
        if let Some(crate::model::Condition::Event { min_level, .. }) = t.when.all.first()
            && top
        {
            out.push((format!("{k}.min_level"), level(*min_level)));
        }
        if let Some(crate::model::Condition::Driver { active, .. }) = t.when.all.first()
            && top
        {
            out.push((format!("{k}.active"), Value::Boolean(*active)));
        }
        if let crate::model::Action::Driver { active, .. } = t.action {
            out.push((format!("{k}.active"), Value::Boolean(active)));
        }
    }
    for t in &s.tracks {
        out.push((format!("tracks.{}.signing.level", t.id), level(t.signing_level)));
    }
    for (i, o) in s.outcomes.iter().chain(&s.milestones).enumerate() {
        let k = format!("outcomes.{}", o.id);
        out.push((format!("{k}.terminal"), Value::Boolean(i < s.outcomes.len())));
        match o.kind {
            crate::model::OutcomeKind::Spiral { min_step, .. } => {
                out.push((format!("{k}.min_step"), Value::Integer(min_step.into())));
            }
            crate::model::OutcomeKind::Deaths { threshold, .. } => {
                out.push((format!("{k}.threshold"), Value::Float(threshold)));
            }
            _ => {}
        }
    }
    out
}

//! `check` and `params`: load a scenario and describe it, without running
//! it.

use super::{JobError, load};
use crate::scenario::{self, Loaded};

/// What `brink check` / `brink params` (or `brink.params`) was asked: a
/// scenario and its overrides.
#[derive(Debug, Clone, Default)]
pub struct ScenarioSpec {
    /// Scenario file or built-in name (`None`: the flagship).
    pub scenario: Option<String>,
    /// `--set PATH=VALUE` overrides.
    pub sets: Vec<String>,
}

/// What `check` found: the loaded scenario and its sizes.
pub struct CheckReport {
    /// The scenario (its warnings are in `loaded.warnings`).
    pub loaded: Loaded,
    /// Actors, dyads, ladder levels, tracks, triggers and outcomes
    /// (the implicit status quo included), and the horizon in steps.
    pub counts: [(&'static str, usize); 6],
}

/// One reachable parameter: its dotted path, value and meaning.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// Dotted path, as `--set` takes it.
    pub path: String,
    /// Its value, as TOML text.
    pub value: String,
    /// What it means (empty if undocumented).
    pub doc: String,
    /// Its distribution, if it is drawn per trial (then `value` is the
    /// median, what `--point` runs). For an inherited key, its source's.
    pub dist: Option<ParamDist>,
    /// For a regime's response key the regime leaves out: where it comes
    /// from (then `value` is the source's value, its median if drawn).
    pub inherited: Option<Inherited>,
}

/// Where a regime's response key comes from when the regime does not set
/// it ([`crate::scenario::raw::RawRegimeResponse::over`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Inherited {
    /// The dyad's path it comes from, `dyads.<d>.response.<key>`. A drawn
    /// source is drawn per trial in the regime too, whether the regime
    /// answers with the dyad's rule itself (no `response` table) or with
    /// its own table ([`crate::model::Inherits`]).
    pub from: String,
}

/// A parameter's distribution as `brink params` shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamDist {
    /// As written, in the `--set` spelling (`lognormal:median=1.5,p95=3`).
    pub text: String,
    /// Mean, median and the 5-95 % range (for a level: level indices;
    /// the mean is NaN).
    pub summary: crate::dist::Summary,
}

impl ScenarioSpec {
    /// Loads and validates the scenario.
    pub fn check(&self) -> Result<CheckReport, JobError> {
        let loaded = load(self.scenario.as_deref(), &self.sets)?;
        let s = &loaded.scenario;
        let counts = [
            ("actors", s.actors.len()),
            ("dyads", s.dyads.len()),
            ("levels", s.ladder.len()),
            ("tracks", s.tracks.len()),
            ("triggers", s.triggers.len()),
            ("outcomes", s.outcomes.len() + 1),
        ];
        Ok(CheckReport { loaded, counts })
    }

    /// Every parameter path with its value and meaning.
    pub fn params(&self) -> Result<Vec<Param>, JobError> {
        let loaded = load(self.scenario.as_deref(), &self.sets)?;
        let u = &loaded.scenario.uncertainty;
        let dist_of = |path: &str| {
            let set = u.set.as_ref()?;
            let k = set.paths().iter().position(|p| p == path)?;
            let d = &set.dists()[k];
            Some(ParamDist {
                text: d.to_string(),
                summary: d.summary(),
            })
        };
        let mut out: Vec<Param> = loaded
            .params()
            .into_iter()
            .map(|(path, value)| Param {
                doc: scenario::paths::doc_for(&path).unwrap_or("").to_string(),
                value: value.to_string(),
                dist: dist_of(&path),
                inherited: None,
                path,
            })
            .collect();
        add_inherited(&loaded.scenario, &mut out);
        Ok(out)
    }
}

/// Adds, after each regime's own keys, the response keys it inherits from
/// its dyad: every key of `dyads.<d>.response` (as listed, defaults
/// included) that the regime's `response` table does not set and that
/// the regime's rule reads. `generosity` merges level by level; `places`
/// is replaced whole, so a regime that sets one place inherits none.
fn add_inherited(s: &crate::model::Scenario, out: &mut Vec<Param>) {
    for d in &s.dyads {
        let base = format!("dyads.{}.response.", d.id);
        let from: Vec<Param> = out.iter().filter(|p| p.path.starts_with(&base)).cloned().collect();
        if from.is_empty() {
            continue; // no response to inherit (a regime's own table lists all it reads)
        }
        for r in &d.regimes {
            let own = format!("dyads.{}.regimes.{}.", d.id, r.id);
            let mine = format!("{own}response.");
            let set = |key: &str| out.iter().any(|p| p.path == format!("{mine}{key}"));
            let sets_places = out.iter().any(|p| p.path.starts_with(&format!("{mine}places.")));
            let rule = out
                .iter()
                .find(|p| p.path == format!("{mine}rule"))
                .or_else(|| from.iter().find(|p| p.path == format!("{base}rule")))
                .map_or("graded".to_string(), |p| p.value.trim_matches('"').to_string());
            let mut rule_table = toml::Table::new();
            rule_table.insert("rule".into(), toml::Value::String(rule));
            let kept: Vec<Param> = from
                .iter()
                .filter_map(|p| {
                    let key = &p.path[base.len()..];
                    let top = key.split('.').next().unwrap_or(key);
                    let read = scenario::schema::reads(&["dyads", &d.id, "response"], &rule_table, top);
                    if set(key) || (top == "places" && sets_places) || read == Some(false) {
                        return None;
                    }
                    let path = format!("{mine}{key}");
                    Some(Param {
                        doc: scenario::paths::doc_for(&path).unwrap_or("").to_string(),
                        value: p.value.clone(),
                        dist: p.dist.clone(),
                        inherited: Some(Inherited { from: p.path.clone() }),
                        path,
                    })
                })
                .collect();
            // After the regime's own keys; a dyad that declares no regime
            // has an implicit one, which lists nothing.
            if let Some(i) = out.iter().rposition(|p| p.path.starts_with(&own)) {
                out.splice(i + 1..i + 1, kept);
            }
        }
    }
}

/// The built-in scenarios: name, file and description.
pub fn builtins() -> Vec<(&'static str, &'static str, String)> {
    scenario::builtin::BUILTINS
        .iter()
        .map(|b| {
            let desc = scenario::parse_builtin(b.name, &[])
                .map(|l| l.scenario.description)
                .unwrap_or_default();
            (b.name, b.file, desc)
        })
        .collect()
}

/// `brink new NAME`: writes `NAME.toml`, a small commented scenario that
/// `brink check` accepts ([`scenario::template::render`]), refusing to
/// overwrite a file. Returns the path written.
pub fn new_scenario(name: &str) -> Result<String, JobError> {
    use std::io::Write;
    let text = scenario::template::render(name)?;
    let path = format!("{name}.toml");
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| scenario::ScenarioError::bad_flag(&path, &format!("cannot create it: {e}")))?;
    if let Err(e) = f.write_all(text.as_bytes()).and_then(|()| f.sync_all()) {
        // Never leave a half-written scenario that looks complete.
        let _ = std::fs::remove_file(&path);
        return Err(scenario::ScenarioError::io(&path, &e.to_string()).into());
    }
    Ok(path)
}

/// `brink report RUN_DIR` (and `brink run --report`): writes
/// `RUN_DIR/report.html`, one self-contained page of the run's, sweep's or
/// calibration's files ([`crate::output::report`]).
pub fn report(run_dir: &std::path::Path) -> Result<crate::output::report::ReportSummary, JobError> {
    Ok(crate::output::report::write(run_dir)?)
}

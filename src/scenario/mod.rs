//! Loading a scenario: TOML text -> merged tree (includes, `--set`) ->
//! [`raw::RawScenario`] -> validated [`Scenario`].
//!
//! This layer reads no files itself: includes go through a [`Resolver`]
//! (the CLI's reads the disk and knows the built-in scenarios). Every error
//! is a [`ScenarioError`] that names the file, line and column where there
//! is one, the dotted key, what was expected and what was found.
//!
//! Merging: an included file is loaded first; the entries the including
//! file lists in `remove = ["outcomes.spiral", ...]` are taken out of it;
//! the including file's tables are merged into it key by key (a value
//! replaces, a table merges), then each `--set PATH=VALUE` replaces one
//! value. Ids keep the order in which they first appear.

pub mod builtin;
pub mod domains;
mod error;
pub mod kinds;
pub mod locate;
pub mod params;
pub mod paths;
pub mod posterior;
pub mod raw;
pub mod schema;
pub mod template;
pub mod uncertain;
pub mod validate;

pub use error::{ErrorKind, ScenarioError};

use crate::model::Scenario;
use toml::{Table, Value};

/// Deepest include chain accepted (a file, its base, its base's base, ...).
pub const MAX_INCLUDE_DEPTH: usize = 16;

/// Finds the text of an included file.
pub trait Resolver {
    /// Resolves `include` written in the file named `from`; returns the
    /// included file's name (for messages and further includes) and text.
    fn resolve(&self, from: &str, include: &str) -> Result<(String, String), String>;
}

/// A resolver that knows only the built-in scenarios.
pub struct BuiltinResolver;

impl Resolver for BuiltinResolver {
    fn resolve(&self, _from: &str, include: &str) -> Result<(String, String), String> {
        builtin::find(include)
            .map(|b| (b.file.to_string(), b.text.to_string()))
            .ok_or_else(|| format!("no built-in scenario `{include}`"))
    }
}

/// One source text that contributed to a scenario.
#[derive(Debug, Clone)]
pub struct Source {
    /// File name as given (or `<builtin>/name.toml`).
    pub name: String,
    /// Its text.
    pub text: String,
}

/// One `--set PATH=VALUE`, as typed and as parsed.
#[derive(Debug, Clone)]
pub struct Override {
    /// The dotted path.
    pub path: String,
    /// The argument as typed (`PATH=VALUE`).
    pub arg: String,
    /// The value.
    pub value: Value,
}

/// A loaded scenario with what it was made from.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The scenario the engine runs.
    pub scenario: Scenario,
    /// The merged file with every default filled in (what `params` lists).
    pub raw: raw::RawScenario,
    /// Sources, the named file first, then its includes.
    pub sources: Vec<Source>,
    /// The overrides applied.
    pub overrides: Vec<Override>,
    /// Warnings about a valid scenario (rates pinned at `max_rate`), each
    /// naming its dotted path.
    pub warnings: Vec<String>,
}

impl Loaded {
    /// SHA-256 of the source texts (named file first) and the overrides:
    /// two runs with equal hashes ran the same scenario.
    pub fn hash(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        for s in &self.sources {
            h.update(s.name.as_bytes());
            h.update([0]);
            h.update(s.text.as_bytes());
            h.update([0]);
        }
        for o in &self.overrides {
            h.update(o.arg.as_bytes());
            h.update([0]);
        }
        if let Some(p) = &self.scenario.uncertainty.posterior {
            h.update(b"posterior\0");
            h.update(p.sha256.as_bytes());
        }
        let digest = h.finalize();
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Runs every distribution at its median: nothing is drawn and no
    /// parameter column is written (`--point`), so the output is that of
    /// the scenario written with the medians.
    pub fn point(&mut self) {
        self.scenario.uncertainty = crate::model::Uncertainty {
            per_draw: 1,
            ..Default::default()
        };
    }

    /// Nested sampling: `k` trials per parameter draw (trial `i` uses draw
    /// `i / k`); 1 (the default) draws afresh for every trial.
    pub fn per_draw(&mut self, k: u64) {
        self.scenario.uncertainty.per_draw = k.max(1);
    }

    /// Every parameter the engine reads, `(dotted path, value)` in file
    /// order, defaults included ([`params::params`]).
    /// A `[posterior]` (taken out of the tree before validation) is listed
    /// last, as the file it was read from.
    pub fn params(&self) -> Vec<(String, Value)> {
        let mut out = params::params(&self.raw, &self.scenario);
        if let Some(p) = &self.scenario.uncertainty.posterior {
            out.push((posterior::KEY.to_string(), Value::String(p.file.clone())));
        }
        out
    }
}

/// Parses and validates a scenario from its text. `name` is used in
/// messages; includes are found through `resolver`.
pub fn parse(text: &str, name: &str, sets: &[String], resolver: &dyn Resolver) -> Result<Loaded, ScenarioError> {
    let mut sources = Vec::new();
    let tree = load_tree(text, name, resolver, &mut sources, 0)?;
    finish(tree, sources, sets, resolver)
}

/// Like [`parse`] for a scenario built into the binary.
pub fn parse_builtin(name: &str, sets: &[String]) -> Result<Loaded, ScenarioError> {
    let b = builtin::find(name).ok_or_else(|| ScenarioError::io(name, "no such built-in scenario"))?;
    parse(b.text, b.file, sets, &BuiltinResolver)
}

fn load_tree(
    text: &str,
    name: &str,
    resolver: &dyn Resolver,
    sources: &mut Vec<Source>,
    depth: usize,
) -> Result<Table, ScenarioError> {
    sources.push(Source {
        name: name.to_string(),
        text: text.to_string(),
    });
    let src_index = sources.len() - 1;
    let mut table: Table = toml::from_str(text).map_err(|e| ScenarioError::syntax(&sources[src_index], &e))?;
    let Some(inc) = table.remove("include") else {
        if table.contains_key("remove") {
            return Err(ScenarioError::at_key(
                ErrorKind::Inconsistent,
                std::slice::from_ref(&sources[src_index]),
                &[],
                "remove",
                "`remove` takes entries out of an included file, and this file includes none".into(),
                Some("add include = \"base.toml\", or delete the entries from this file".into()),
            ));
        }
        return Ok(table);
    };
    let Value::String(inc) = inc else {
        return Err(ScenarioError::at_key(
            ErrorKind::WrongType,
            std::slice::from_ref(&sources[src_index]),
            &[],
            "include",
            format!("expected a file name (string), found {}", type_name(&inc)),
            None,
        ));
    };
    let (inc_name, inc_text) = resolver.resolve(name, &inc).map_err(|why| {
        ScenarioError::at_key(
            ErrorKind::IncludeMissing,
            std::slice::from_ref(&sources[src_index]),
            &[],
            "include",
            format!("cannot include `{inc}`: {why}"),
            None,
        )
    })?;
    if sources.iter().any(|s| s.name == inc_name) {
        let chain: Vec<&str> = sources.iter().map(|s| s.name.as_str()).collect();
        return Err(ScenarioError::at_key(
            ErrorKind::IncludeCycle,
            std::slice::from_ref(&sources[src_index]),
            &[],
            "include",
            format!("include cycle: {} -> {inc_name}", chain.join(" -> ")),
            None,
        ));
    }
    // A cycle is the more precise diagnosis, so it is checked first.
    if depth + 1 >= MAX_INCLUDE_DEPTH {
        return Err(ScenarioError::at_key(
            ErrorKind::IncludeDepth,
            std::slice::from_ref(&sources[src_index]),
            &[],
            "include",
            format!("includes nest deeper than {MAX_INCLUDE_DEPTH} files"),
            Some(
                "a scenario may include a base, which may include its own base; check for a cycle or a long chain"
                    .into(),
            ),
        ));
    }
    let mut base = load_tree(&inc_text, &inc_name, resolver, sources, depth + 1)?;
    if let Some(paths) = table.remove("remove") {
        remove_entries(&mut base, paths, &sources[src_index])?;
    }
    merge(&mut base, table);
    Ok(base)
}

/// Applies a file's `remove = ["outcomes.spiral", ...]` to its merged
/// base: each dotted path must name a table entry or key the base has.
fn remove_entries(base: &mut Table, paths: Value, source: &Source) -> Result<(), ScenarioError> {
    let err = |kind, message: String, help: Option<String>| {
        ScenarioError::at_key(kind, std::slice::from_ref(source), &[], "remove", message, help)
    };
    let Value::Array(paths) = paths else {
        return Err(err(
            ErrorKind::WrongType,
            format!("expected an array of dotted paths, found {}", type_name(&paths)),
            Some("for example remove = [\"outcomes.spiral\", \"triggers.red_line\"]".into()),
        ));
    };
    for p in paths {
        let Value::String(path) = p else {
            return Err(err(
                ErrorKind::WrongType,
                format!("expected a dotted path (string), found {}", type_name(&p)),
                None,
            ));
        };
        let segs: Vec<&str> = path.split('.').collect();
        let (last, init) = segs.split_last().expect("split yields one");
        let mut t: &mut Table = base;
        for s in init {
            t = match t.get_mut(*s) {
                Some(Value::Table(x)) => x,
                _ => {
                    return Err(err(
                        ErrorKind::UnknownId,
                        format!("cannot remove `{path}`: the included file has no `{s}` there"),
                        None,
                    ));
                }
            };
        }
        if t.remove(*last).is_none() {
            let known: Vec<&str> = t.keys().map(String::as_str).collect();
            let help = match paths::closest(last, known.iter().copied()) {
                Some(c) => format!("did you mean `{c}`? entries there: {}", known.join(", ")),
                None => format!("entries there: {}", known.join(", ")),
            };
            return Err(err(
                ErrorKind::UnknownId,
                format!("cannot remove `{path}`: the included file has no such entry"),
                Some(help),
            ));
        }
    }
    Ok(())
}

/// Merges `over` into `base`: tables merge key by key, anything else
/// replaces.
pub fn merge(base: &mut Table, over: Table) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            (Some(Value::Table(b)), Value::Table(o)) => merge(b, o),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

fn finish(
    mut tree: Table,
    sources: Vec<Source>,
    sets: &[String],
    resolver: &dyn Resolver,
) -> Result<Loaded, ScenarioError> {
    let mut overrides = Vec::new();
    for arg in sets {
        let o = paths::parse_set(arg)?;
        for leaf in paths::leaves(&o) {
            paths::check_set_path(&tree, &leaf)?;
            paths::apply(&mut tree, &leaf);
        }
        overrides.push(o);
    }
    dates_to_strings(&mut tree);
    let posterior_file = posterior::take(&mut tree, &sources, &overrides)?;
    let extracted = uncertain::extract(&mut tree, &sources, &overrides)?;
    header_present(&tree).map_err(|p| ScenarioError::from_problem(&sources, &overrides, p))?;
    schema::check(&tree).map_err(|p| ScenarioError::from_problem(&sources, &overrides, p))?;
    schema::check_kinds(&tree).map_err(|p| ScenarioError::from_problem(&sources, &overrides, p))?;
    let raw: raw::RawScenario = match serde_path_to_error::deserialize(Value::Table(tree)) {
        Ok(r) => r,
        Err(e) => return Err(ScenarioError::from_serde(&sources, &overrides, e)),
    };
    let mut scenario = validate::validate(&raw).map_err(|p| ScenarioError::from_problem(&sources, &overrides, p))?;
    scenario.uncertainty = uncertain::compile(&extracted, &scenario, &raw)
        .map_err(|p| ScenarioError::from_problem(&sources, &overrides, p))?;
    if let Some((file, base)) = posterior_file {
        let p = posterior::compile(&file, &base, resolver, &scenario.uncertainty, &sources, &overrides)?;
        posterior::attach(&mut scenario.uncertainty, p);
    }
    let warnings = validate::warnings(&scenario);
    Ok(Loaded {
        scenario,
        raw,
        sources,
        overrides,
        warnings,
    })
}

/// A scenario must say what it is: `[scenario]` with a `name` (output goes
/// to a directory of that name).
fn header_present(tree: &Table) -> Result<(), validate::Problem> {
    let Some(Value::Table(h)) = tree.get("scenario") else {
        if tree.contains_key("scenario") {
            return Ok(()); // a wrong type, which deserialising reports
        }
        return Err(validate::Problem::new(
            ErrorKind::MissingKey,
            "scenario",
            "missing table [scenario]: every scenario names itself",
        )
        .help("add at the top:\n[scenario]\nname = \"my_crisis\"\nhorizon = 365"));
    };
    if !h.contains_key("name") {
        return Err(validate::Problem::new(
            ErrorKind::MissingKey,
            "scenario.name",
            "missing key `name`: the scenario's short name (output goes to out/<name>/)",
        ));
    }
    Ok(())
}

/// TOML dates become their text (`2024-01-24`), which the raw structs read
/// as strings and validation parses.
fn dates_to_strings(t: &mut Table) {
    for (_, v) in t.iter_mut() {
        if let Value::Datetime(d) = v {
            *v = Value::String(d.to_string());
        } else if let Value::Table(sub) = v {
            dates_to_strings(sub);
        }
    }
}

/// A TOML value's type in words.
pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "a string",
        Value::Integer(_) => "an integer",
        Value::Float(_) => "a float",
        Value::Boolean(_) => "a boolean",
        Value::Datetime(_) => "a date",
        Value::Array(_) => "an array",
        Value::Table(_) => "a table",
    }
}

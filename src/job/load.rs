//! Loading a scenario named by the user: a file (with includes resolved
//! from disk, relative to the including file) or a built-in name. The
//! scenario layer itself is pure (`scenario::parse` takes text); this is
//! where the file system comes in.

use crate::scenario::{self, Loaded, Resolver, ScenarioError, builtin};
use std::path::Path;

/// Reads included files from disk, relative to the including file, and
/// falls back to the built-in scenarios.
pub struct FsResolver;

impl Resolver for FsResolver {
    fn resolve(&self, from: &str, include: &str) -> Result<(String, String), String> {
        let base = Path::new(from).parent().unwrap_or(Path::new(""));
        let path = base.join(include);
        match std::fs::read(&path) {
            Ok(bytes) => {
                let text = String::from_utf8(bytes).map_err(|e| {
                    format!(
                        "`{}` is not UTF-8 text (byte {})",
                        path.display(),
                        e.utf8_error().valid_up_to()
                    )
                })?;
                Ok((path.display().to_string(), text))
            }
            Err(e) => match builtin::find(include) {
                Some(b) => Ok((b.file.to_string(), b.text.to_string())),
                None => Err(format!("`{}`: {e}", path.display())),
            },
        }
    }
}

/// Loads the scenario the user named (a file, or a built-in; `None`: the
/// flagship) with `--set` overrides.
pub fn load(arg: Option<&str>, sets: &[String]) -> Result<Loaded, ScenarioError> {
    let Some(name) = arg else {
        return scenario::parse_builtin(builtin::flagship().name, sets);
    };
    match std::fs::read(name) {
        Ok(bytes) => {
            let text = String::from_utf8(bytes).map_err(|e| {
                ScenarioError::io(
                    name,
                    &format!(
                        "not UTF-8 text: invalid byte at offset {}",
                        e.utf8_error().valid_up_to()
                    ),
                )
            })?;
            scenario::parse(&text, name, sets, &FsResolver)
        }
        Err(e) => match builtin::find(name) {
            Some(b) => scenario::parse(b.text, b.file, sets, &FsResolver),
            None => {
                let names: Vec<&str> = builtin::BUILTINS.iter().map(|b| b.name).collect();
                let mut err = ScenarioError::io(name, &e.to_string());
                err.help = Some(format!("give a scenario file, or a built-in: {}", names.join(", ")));
                Err(err)
            }
        },
    }
}

/// A loader for the points of a sweep or the pairings of a tournament:
/// the base scenario's text (read once) with the user's overrides, then
/// the extra ones each call gives.
#[allow(clippy::result_large_err)] // ScenarioError is the scenario layer's type
pub fn reloader(base: &Loaded, user_sets: &[String]) -> impl Fn(&[String]) -> Result<Loaded, ScenarioError> + use<> {
    let src = base.sources[0].clone();
    let user_sets = user_sets.to_vec();
    move |extra: &[String]| {
        let mut sets = user_sets.clone();
        sets.extend_from_slice(extra);
        scenario::parse(&src.text, &src.name, &sets, &FsResolver)
    }
}

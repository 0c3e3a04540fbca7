//! `[posterior] file = "posterior.csv"`: a scenario whose uncertain
//! parameters are (partly) replaced by a calibration's posterior (issue 16).
//!
//! The file is what `brink calibrate` writes: header
//! `particle,weight,<dotted path>…`, one weighted particle per row. Each
//! column must be a path the scenario makes uncertain (its distribution is
//! the prior the particles were drawn under), every particle must lie in
//! that prior's support, and the weights must sum to a positive number.
//! A trial then resamples one particle with probability equal to its
//! weight (multinomial resampling; no kernel is added, so every forecast
//! uses a parameter vector the calibration accepted) and takes the values
//! of those paths from it; the other uncertain paths keep their priors
//! ([`crate::model::PosteriorDraws`]).
//!
//! The path is relative to the file that declares the key; given by
//! `--set posterior.file=…` (or `brink run --posterior`) it is relative to
//! the working directory. A built-in scenario's posterior is built in too
//! ([`super::builtin::find_data`]). The file's SHA-256 joins the
//! scenario's hash, so a run records which posterior it drew from.

use std::sync::Arc;

use toml::{Table, Value};

use super::{ErrorKind, Override, Resolver, ScenarioError, Source, builtin};
use crate::model::{PosteriorDraws, Uncertainty};

/// The dotted key.
pub const KEY: &str = "posterior.file";

/// Takes `[posterior]` out of the merged tree (after `--set`), checking
/// its shape: `Some((file, base))` where `base` is the name of the file
/// the path is relative to (empty: the working directory).
pub fn take(
    tree: &mut Table,
    sources: &[Source],
    overrides: &[Override],
) -> Result<Option<(String, String)>, ScenarioError> {
    let Some(v) = tree.remove("posterior") else {
        return Ok(None);
    };
    let err = |kind, key: &str, message: String, help: &str| {
        ScenarioError::at_key(kind, sources, overrides, key, message, Some(help.to_string()))
    };
    let Value::Table(t) = v else {
        return Err(err(
            ErrorKind::WrongType,
            "posterior",
            format!("expected a table, found {}", super::type_name(&v)),
            "write [posterior] then file = \"posterior.csv\"",
        ));
    };
    if let Some(k) = t.keys().find(|k| k.as_str() != "file") {
        return Err(err(
            ErrorKind::UnknownKey,
            &format!("posterior.{k}"),
            format!("unknown key `{k}` in [posterior]; it has only `file`"),
            "write file = \"posterior.csv\" (the file brink calibrate wrote)",
        ));
    }
    let file = match t.get("file") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(Value::String(_)) => {
            return Err(err(
                ErrorKind::InvalidValue,
                KEY,
                "expected a file name, found an empty string".into(),
                "name the posterior.csv brink calibrate wrote, relative to this file",
            ));
        }
        Some(other) => {
            return Err(err(
                ErrorKind::WrongType,
                KEY,
                format!("expected a file name (string), found {}", super::type_name(other)),
                "name the posterior.csv brink calibrate wrote, relative to this file",
            ));
        }
        None => {
            return Err(err(
                ErrorKind::MissingKey,
                KEY,
                "[posterior] needs `file`".into(),
                "write file = \"posterior.csv\" (the file brink calibrate wrote)",
            ));
        }
    };
    if overrides.iter().any(|o| o.path == KEY || o.path == "posterior") {
        return Ok(Some((file, String::new())));
    }
    let base = sources
        .iter()
        .filter_map(|s| super::locate::find(&s.text, &["posterior", "file"]).map(|(d, _)| (d, s)))
        .filter(|(d, _)| *d == 2)
        .map(|(_, s)| s.name.clone())
        .next()
        .unwrap_or_else(|| sources[0].name.clone());
    Ok(Some((file, base)))
}

/// Reads the posterior `file` (relative to `base`) and compiles it against
/// the scenario's uncertain parameters `u`.
pub fn compile(
    file: &str,
    base: &str,
    resolver: &dyn Resolver,
    u: &Uncertainty,
    sources: &[Source],
    overrides: &[Override],
) -> Result<PosteriorDraws, ScenarioError> {
    let err = |kind, message: String, help: &str| {
        ScenarioError::at_key(kind, sources, overrides, KEY, message, Some(help.to_string()))
    };
    let (name, text) = read(file, base, resolver).map_err(|why| {
        err(
            ErrorKind::IncludeMissing,
            format!("cannot read the posterior `{file}`: {why}"),
            "give the posterior.csv brink calibrate wrote; the path is relative to the scenario file that names it",
        )
    })?;
    let header: Vec<String> = {
        let mut r = csv::ReaderBuilder::new().has_headers(true).from_reader(text.as_bytes());
        match r.headers() {
            Ok(h) => h.iter().map(String::from).collect(),
            Err(e) => return Err(err(ErrorKind::InvalidValue, format!("{name}: {e}"), "a CSV file")),
        }
    };
    if header.len() < 3 || header[0] != "particle" || header[1] != "weight" {
        return Err(err(
            ErrorKind::InvalidValue,
            format!(
                "{name}:1: expected the header `particle,weight,<dotted path>...`, found `{}`",
                header.join(",")
            ),
            "give the posterior.csv brink calibrate wrote",
        ));
    }
    // A path the user fixed (`--set PATH=VALUE`, or a sweep point's value)
    // overrides its posterior column, as a point value overrides a
    // distribution: that column is dropped before the particles are read.
    let sha256 = memo::sha256(&text);
    let uncertain = u.paths();
    let fixed = |n: &str| overrides.iter().any(|o| o.path == n) && !uncertain.iter().any(|p| p == n);
    let text = if header[2..].iter().any(|n| fixed(n)) {
        drop_columns(&text, |n| fixed(n))
            .map_err(|e| err(ErrorKind::InvalidValue, format!("{name}: {e}"), "a CSV file"))?
    } else {
        text
    };
    let header: Vec<String> = header.into_iter().filter(|n| !fixed(n)).collect();
    if header.len() < 3 {
        return Err(err(
            ErrorKind::Inconsistent,
            format!(
                "{name}: every column of the posterior is fixed by --set or a sweep point, so it has nothing to draw"
            ),
            "drop the posterior (--set posterior.file=... to another file) or fix fewer of its paths",
        ));
    }
    let names: Vec<&str> = header[2..].iter().map(String::as_str).collect();
    let paths = u.paths();
    let mut index = Vec::with_capacity(names.len());
    for (k, n) in names.iter().enumerate() {
        if names[..k].contains(n) {
            return Err(err(
                ErrorKind::Inconsistent,
                format!("{name}:1: column `{n}` appears twice"),
                "give each calibrated path one column",
            ));
        }
        let Some(i) = paths.iter().position(|p| p == n) else {
            return Err(err(
                ErrorKind::UnknownId,
                format!(
                    "{name}:1: column `{n}` is not an uncertain parameter of this scenario (uncertain: {})",
                    if paths.is_empty() {
                        "none".to_string()
                    } else {
                        paths.join(", ")
                    }
                ),
                "a posterior belongs to the scenario it was calibrated on: its paths must be distributions here",
            ));
        };
        index.push(i);
    }
    let set = u.set.as_ref().expect("a scenario with uncertain paths has a set");
    let priors: Vec<&crate::dist::Dist> = index.iter().map(|&i| &set.dists()[i]).collect();
    let pop = memo::read(&text, &name, &names, &priors).map_err(|e| {
        err(
            ErrorKind::InvalidValue,
            e.to_string(),
            "give the posterior.csv brink calibrate wrote for this scenario",
        )
    })?;
    let mut cum = Vec::with_capacity(pop.len());
    let mut acc = 0.0;
    for w in &pop.weights {
        acc += w;
        cum.push(acc);
    }
    if let Some(last) = cum.last_mut() {
        *last = 1.0;
    }
    Ok(PosteriorDraws {
        file: name,
        sha256,
        index,
        particles: pop.particles,
        cum,
        offset: crate::dist::stream::path_offset("@posterior"),
    })
}

/// `text` without the columns whose header `drop` selects (rows and their
/// line numbers kept).
fn drop_columns(text: &str, drop: impl Fn(&str) -> bool) -> Result<String, csv::Error> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut w = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
    let mut keep: Vec<bool> = Vec::new();
    for (k, rec) in r.records().enumerate() {
        let rec = rec?;
        if k == 0 {
            keep = rec.iter().map(|c| !drop(c)).collect();
        }
        w.write_record(
            rec.iter()
                .enumerate()
                .filter(|(j, _)| keep.get(*j).copied().unwrap_or(true))
                .map(|(_, c)| c),
        )?;
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8(bytes).expect("CSV of UTF-8 cells is UTF-8"))
}

/// The posterior's name and text: through the resolver (relative to
/// `base`), else built in.
fn read(file: &str, base: &str, resolver: &dyn Resolver) -> Result<(String, String), String> {
    if base.is_empty() {
        return match std::fs::read_to_string(file) {
            Ok(t) => Ok((file.to_string(), t)),
            Err(e) => builtin::find_data(file)
                .map(|b| (b.file.to_string(), b.text.to_string()))
                .ok_or_else(|| e.to_string()),
        };
    }
    match resolver.resolve(base, file) {
        Ok(x) => Ok(x),
        Err(why) => {
            let joined = std::path::Path::new(base)
                .parent()
                .unwrap_or(std::path::Path::new(""))
                .join(file);
            builtin::find_data(&joined.to_string_lossy())
                .or_else(|| builtin::find_data(file))
                .map(|b| (b.file.to_string(), b.text.to_string()))
                .ok_or(why)
        }
    }
}

/// The posterior's [`Arc`] for [`Uncertainty::posterior`].
pub fn attach(u: &mut Uncertainty, p: PosteriorDraws) {
    u.posterior = Some(Arc::new(p));
}

/// The last posterior each thread read, and what it read to: a sweep
/// parses its scenario twice per point (every point is checked before any
/// runs), and each parse would hash and read the same file again, about
/// 40 M instructions of a flagship point's 147 M set-up (issue 18). Keyed
/// by the whole text and the arguments, so a changed file, column set or
/// prior reads afresh; errors are never kept.
mod memo {
    use crate::calibrate::Population;
    use crate::calibrate::output::{PosteriorError, read_posterior};
    use crate::dist::Dist;
    use std::cell::RefCell;

    struct Read {
        text: String,
        file: String,
        names: Vec<String>,
        priors: Vec<Dist>,
        pop: Population,
    }

    thread_local! {
        static HASHED: RefCell<Option<(String, String)>> = const { RefCell::new(None) };
        static READ: RefCell<Option<Read>> = const { RefCell::new(None) };
    }

    /// The hex SHA-256 of `text`.
    pub(super) fn sha256(text: &str) -> String {
        HASHED.with_borrow_mut(|last| {
            if let Some((t, h)) = last.as_ref()
                && t == text
            {
                return h.clone();
            }
            use sha2::{Digest, Sha256};
            let h: String = Sha256::digest(text.as_bytes())
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            *last = Some((text.to_string(), h.clone()));
            h
        })
    }

    /// [`read_posterior`], or a copy of its last result on equal arguments.
    pub(super) fn read(text: &str, file: &str, names: &[&str], priors: &[&Dist]) -> Result<Population, PosteriorError> {
        READ.with_borrow_mut(|last| {
            if let Some(r) = last.as_ref()
                && r.text == text
                && r.file == file
                && r.names.iter().map(String::as_str).eq(names.iter().copied())
                && r.priors.iter().eq(priors.iter().copied())
            {
                return Ok(r.pop.clone());
            }
            let pop = read_posterior(text, file, names, priors)?;
            *last = Some(Read {
                text: text.to_string(),
                file: file.to_string(),
                names: names.iter().map(|n| n.to_string()).collect(),
                priors: priors.iter().map(|&d| d.clone()).collect(),
                pop: pop.clone(),
            });
            Ok(pop)
        })
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        /// A kept result is what a fresh read gives, and any change of the
        /// text or the arguments reads afresh.
        #[test]
        fn memo_is_the_fresh_read() {
            let prior = Dist::uniform(0.0, 1.0).expect("a prior");
            let other = Dist::uniform(0.0, 2.0).expect("a prior");
            let a = "particle,weight,x\n0,0.25,0.5\n1,0.75,0.25\n";
            let b = "particle,weight,x\n0,0.5,0.5\n1,0.5,0.25\n";
            let fresh = |t: &str, d: &Dist| read_posterior(t, "p.csv", &["x"], &[d]).expect("reads");
            for (t, d) in [(a, &prior), (a, &prior), (b, &prior), (a, &prior), (a, &other)] {
                assert_eq!(read(t, "p.csv", &["x"], &[d]).expect("reads"), fresh(t, d));
            }
            assert_eq!(sha256(a), sha256(a));
            assert_ne!(sha256(a), sha256(b));
            assert_eq!(
                sha256("abc"),
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
            );
            // A prior the particles fall outside of is an error, memo or not.
            let narrow = Dist::uniform(0.0, 0.3).expect("a prior");
            assert!(read(a, "p.csv", &["x"], &[&narrow]).is_err());
        }
    }
}

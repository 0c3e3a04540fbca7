//! Writing a scenario by hand (issues 13 and 20): every error carries a
//! typed kind, its stable code, the dotted key and where it was written,
//! so programs (and Python) can act on it without reading the message.

use brink::scenario::{self, ErrorKind, Resolver, ScenarioError};
use std::collections::HashMap;

const SMALL: &str = include_str!("data/small.toml");

/// Files held in memory, by name.
struct Files(HashMap<&'static str, &'static str>);

impl Resolver for Files {
    fn resolve(&self, _from: &str, include: &str) -> Result<(String, String), String> {
        self.0
            .get(include)
            .map(|t| (include.to_string(), t.to_string()))
            .ok_or_else(|| format!("no file `{include}`"))
    }
}

fn files() -> Files {
    Files(HashMap::from([("small.toml", SMALL)]))
}

/// The error of loading `text` (named `case.toml`) with `sets`.
fn error(text: &str, sets: &[&str]) -> ScenarioError {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    match scenario::parse(text, "case.toml", &sets, &files()) {
        Ok(_) => panic!("expected an error for:\n{text}"),
        Err(e) => e,
    }
}

/// `small.toml` with `extra` appended.
fn small_with(extra: &str) -> String {
    format!("{SMALL}\n{extra}")
}

#[test]
fn errors_have_a_kind_a_code_a_path_and_a_place() {
    let e = error("include = \"small.toml\"\n[dyads.a_b.initiative]\nrat = 1.0\n", &[]);
    assert_eq!(e.kind(), ErrorKind::UnknownKey);
    assert_eq!(e.kind_code(), "unknown_key");
    assert_eq!(e.path(), Some("dyads.a_b.initiative.rat"));
    assert_eq!(e.file(), Some("case.toml"));
    assert_eq!((e.line(), e.column()), (Some(3), Some(7)));
}

#[test]
fn each_kind_of_mistake_has_its_own_kind() {
    let cases: &[(&str, &[&str], ErrorKind, Option<&str>)] = &[
        ("[scenario\n", &[], ErrorKind::Syntax, None),
        (
            "include = \"small.toml\"\n[scenario]\nhorizon = \"long\"\n",
            &[],
            ErrorKind::WrongType,
            Some("scenario.horizon"),
        ),
        (
            "include = \"small.toml\"\n[dyads.a_b.initiative]\nrate = -1.0\n",
            &[],
            ErrorKind::OutOfRange,
            Some("dyads.a_b.initiative.rate"),
        ),
        (
            "include = \"small.toml\"\n[dyads.a_b]\nto = \"bee\"\n",
            &[],
            ErrorKind::UnknownId,
            Some("dyads.a_b.to"),
        ),
        (
            "include = \"small.toml\"\n[dyads.b_a.response]\nrule = \"titfortat\"\n",
            &[],
            ErrorKind::UnknownName,
            Some("dyads.b_a.response.rule"),
        ),
        (
            "include = \"small.toml\"\n[outcomes.boom]\nkind = \"spiral\"\nthreshold = 3\n",
            &[],
            ErrorKind::MissingKey,
            Some("outcomes.boom.window"),
        ),
        (
            "include = \"nowhere.toml\"\n",
            &[],
            ErrorKind::IncludeMissing,
            Some("include"),
        ),
        (
            "include = \"small.toml\"\n[actors.BadName]\n",
            &[],
            ErrorKind::BadId,
            Some("actors.BadName"),
        ),
        (
            "include = \"small.toml\"\n",
            &["no.such.path=1"],
            ErrorKind::BadSet,
            None,
        ),
    ];
    for (text, sets, kind, path) in cases {
        let e = error(text, sets);
        assert_eq!(e.kind(), *kind, "{text}: {e}");
        assert_eq!(e.path(), *path, "{text}: {e}");
        assert_eq!(e.kind_code(), kind.code());
    }
}

#[test]
fn an_include_cycle_is_its_own_kind() {
    let r = Files(HashMap::from([
        ("a.toml", "include = \"b.toml\"\n"),
        ("b.toml", "include = \"a.toml\"\n"),
    ]));
    let e = scenario::parse("include = \"b.toml\"\n", "a.toml", &[], &r).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::IncludeCycle);
    assert_eq!(e.kind_code(), "include_cycle");
    assert_eq!(e.file(), Some("b.toml"));
    assert_eq!((e.line(), e.column()), (Some(1), Some(11)));
}

#[test]
fn codes_are_distinct() {
    let kinds = [
        ErrorKind::Io,
        ErrorKind::Syntax,
        ErrorKind::UnknownKey,
        ErrorKind::MissingKey,
        ErrorKind::WrongType,
        ErrorKind::OutOfRange,
        ErrorKind::UnknownId,
        ErrorKind::UnknownName,
        ErrorKind::BadId,
        ErrorKind::InvalidValue,
        ErrorKind::KeyNotForKind,
        ErrorKind::Inconsistent,
        ErrorKind::IncludeCycle,
        ErrorKind::IncludeDepth,
        ErrorKind::IncludeMissing,
        ErrorKind::BadSet,
        ErrorKind::BadFlag,
    ];
    let mut codes: Vec<&str> = kinds.iter().map(|k| k.code()).collect();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), kinds.len());
    // small_with keeps the valid base valid.
    assert!(scenario::parse(&small_with(""), "small.toml", &[], &files()).is_ok());
}

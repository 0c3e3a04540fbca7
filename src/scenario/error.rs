//! The one error type of the scenario layer: where (file, line, column,
//! dotted key), what was expected and what was found, and what to do.
//!
//! Callers match on [`ScenarioError::kind`] (an [`ErrorKind`], as
//! rust-csv's callers match on its `ErrorKind`), or read its stable string
//! [`ScenarioError::code`] (what Python exposes); the message is for people.

use super::validate::Problem;
use super::{Override, Source, locate};
use miette::{NamedSource, SourceSpan};

/// What kind of thing is wrong with a scenario. New kinds may be added, so
/// a `match` needs a wildcard arm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The file could not be read.
    Io,
    /// The text is not valid TOML.
    Syntax,
    /// A key the file format does not have (here).
    UnknownKey,
    /// A required key is absent.
    MissingKey,
    /// A value of the wrong TOML type.
    WrongType,
    /// A number outside its range (or not finite).
    OutOfRange,
    /// A reference to an id (actor, level, track...) that is not defined.
    UnknownId,
    /// A kind name (`rule`, `when`, `kind`...) that is not in its table.
    UnknownName,
    /// An id that is not snake_case.
    BadId,
    /// A value that does not parse (a date...).
    InvalidValue,
    /// A key that means nothing for the kind chosen (`at` on an event
    /// trigger, `generosity` on a `wsls` player...).
    KeyNotForKind,
    /// Values that contradict each other (a duplicate dyad, a track that
    /// never opens, a table too large...).
    Inconsistent,
    /// A file includes itself, directly or not.
    IncludeCycle,
    /// Includes nest too deeply.
    IncludeDepth,
    /// An included file cannot be found or read.
    IncludeMissing,
    /// A malformed `--set` or one that names no parameter.
    BadSet,
    /// A command-line flag that cannot apply to this scenario.
    BadFlag,
}

impl ErrorKind {
    /// Stable snake_case code (`"unknown_key"`), for programs.
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::Io => "io",
            ErrorKind::Syntax => "syntax",
            ErrorKind::UnknownKey => "unknown_key",
            ErrorKind::MissingKey => "missing_key",
            ErrorKind::WrongType => "wrong_type",
            ErrorKind::OutOfRange => "out_of_range",
            ErrorKind::UnknownId => "unknown_id",
            ErrorKind::UnknownName => "unknown_name",
            ErrorKind::BadId => "bad_id",
            ErrorKind::InvalidValue => "invalid_value",
            ErrorKind::KeyNotForKind => "key_not_for_kind",
            ErrorKind::Inconsistent => "inconsistent",
            ErrorKind::IncludeCycle => "include_cycle",
            ErrorKind::IncludeDepth => "include_depth",
            ErrorKind::IncludeMissing => "include_missing",
            ErrorKind::BadSet => "bad_set",
            ErrorKind::BadFlag => "bad_flag",
        }
    }
}

impl std::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// A scenario that could not be loaded. `Display` gives one line,
/// `file:line:col: key: message`; as a [`miette::Diagnostic`] it also
/// shows the offending source line and a hint.
#[derive(Debug, Clone, thiserror::Error, miette::Diagnostic)]
#[error("{headline}")]
#[diagnostic(code(brink::scenario))]
pub struct ScenarioError {
    kind: ErrorKind,
    headline: String,
    /// What is wrong, without the location.
    pub message: String,
    /// The dotted key at fault, if one is.
    pub key: Option<String>,
    /// The file at fault (or `--set` for an override).
    pub file: Option<String>,
    /// 1-based line, if known.
    pub line: Option<usize>,
    /// 1-based column, if known.
    pub column: Option<usize>,
    #[source_code]
    src: Option<NamedSource<String>>,
    #[label("{label}")]
    span: Option<SourceSpan>,
    label: String,
    /// What to do about it.
    #[help]
    pub help: Option<String>,
}

impl ScenarioError {
    /// What kind of thing is wrong.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// [`ErrorKind::code`] of [`ScenarioError::kind`].
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }

    /// The dotted key at fault (`dyads.a_b.initiative.rate`), if one is.
    pub fn path(&self) -> Option<&str> {
        self.key.as_deref().filter(|k| !k.is_empty())
    }

    /// The file at fault (`--set` for an override, the flag for a flag).
    pub fn file(&self) -> Option<&str> {
        self.file.as_deref()
    }

    /// 1-based line in [`ScenarioError::file`], if known.
    pub fn line(&self) -> Option<usize> {
        self.line
    }

    /// 1-based column (in characters), if known.
    pub fn column(&self) -> Option<usize> {
        self.column
    }

    fn build(
        kind: ErrorKind,
        message: String,
        key: Option<String>,
        source: Option<&Source>,
        span: Option<std::ops::Range<usize>>,
        help: Option<String>,
        label: &str,
    ) -> ScenarioError {
        let file = source.map(|s| s.name.clone());
        let (line, column) = match (source, &span) {
            (Some(s), Some(r)) => {
                let (l, c) = locate::line_col(&s.text, r.start);
                (Some(l), Some(c))
            }
            _ => (None, None),
        };
        let mut headline = String::new();
        if let Some(f) = &file {
            headline.push_str(f);
            if let (Some(l), Some(c)) = (line, column) {
                headline.push_str(&format!(":{l}:{c}"));
            }
            headline.push_str(": ");
        }
        if let Some(k) = &key
            && !k.is_empty()
        {
            headline.push_str(&format!("`{k}`: "));
        }
        headline.push_str(&message);
        ScenarioError {
            kind,
            headline,
            message,
            key,
            file,
            line,
            column,
            src: source.map(|s| NamedSource::new(&s.name, s.text.clone())),
            span: span.map(|r| SourceSpan::from(r.start..r.end.max(r.start))),
            label: label.to_string(),
            help,
        }
    }

    /// A file that could not be read.
    pub fn io(name: &str, reason: &str) -> ScenarioError {
        let mut e = ScenarioError::build(
            ErrorKind::Io,
            format!("cannot read scenario: {reason}"),
            None,
            None,
            None,
            None,
            "",
        );
        e.file = Some(name.to_string());
        e.headline = format!("{name}: cannot read scenario: {reason}");
        e
    }

    /// A TOML syntax error.
    pub fn syntax(source: &Source, e: &toml::de::Error) -> ScenarioError {
        let raw = e.message().trim_end();
        let message = format!("invalid TOML: {raw}");
        ScenarioError::build(
            ErrorKind::Syntax,
            message,
            None,
            Some(source),
            e.span(),
            syntax_hint(raw),
            "here",
        )
    }

    /// An error about `key` (dotted) in the sources, located where it was
    /// last written.
    pub fn at_key(
        kind: ErrorKind,
        sources: &[Source],
        overrides: &[Override],
        key: &str,
        message: String,
        help: Option<String>,
    ) -> ScenarioError {
        if let Some(o) = overrides
            .iter()
            .rev()
            .find(|o| key == o.path || key.starts_with(&format!("{}.", o.path)))
        {
            let mut e = ScenarioError::build(kind, message, Some(key.to_string()), None, None, help, "");
            e.file = Some("--set".into());
            e.headline = format!("--set {}: {}", o.arg, e.headline);
            return e;
        }
        let segs: Vec<&str> = if key.is_empty() {
            vec![]
        } else {
            key.split('.').collect()
        };
        let mut best: Option<(usize, usize, std::ops::Range<usize>)> = None;
        for (i, s) in sources.iter().enumerate() {
            if let Some((depth, span)) = locate::find(&s.text, &segs)
                && best.as_ref().is_none_or(|b| depth > b.0)
            {
                best = Some((depth, i, span));
            }
        }
        match best {
            Some((_, i, span)) => ScenarioError::build(
                kind,
                message,
                Some(key.to_string()),
                Some(&sources[i]),
                Some(span),
                help,
                "this",
            ),
            None => ScenarioError::build(kind, message, Some(key.to_string()), sources.first(), None, help, ""),
        }
    }

    /// A type error from deserialising the merged tree (unknown keys were
    /// refused before, by [`super::schema`]). The key comes from the path
    /// serde walked; its place in the file from the TOML parser's spans.
    pub(crate) fn from_serde(
        sources: &[Source],
        overrides: &[Override],
        e: serde_path_to_error::Error<toml::de::Error>,
    ) -> ScenarioError {
        let path: Vec<String> = e
            .path()
            .iter()
            .filter_map(|s| match s {
                serde_path_to_error::Segment::Map { key } => Some(key.clone()),
                serde_path_to_error::Segment::Seq { index } => Some(index.to_string()),
                _ => None,
            })
            .collect();
        let raw = e.inner().message().trim_end();
        let kind = if raw.starts_with("invalid type: ") {
            ErrorKind::WrongType
        } else {
            ErrorKind::InvalidValue
        };
        ScenarioError::at_key(kind, sources, overrides, &path.join("."), humanize(raw), None)
    }

    /// A validation problem, located by its key.
    pub(crate) fn from_problem(sources: &[Source], overrides: &[Override], p: Problem) -> ScenarioError {
        ScenarioError::at_key(p.kind, sources, overrides, &p.key, p.message, p.help)
    }

    /// A command-line flag whose value cannot be used with this scenario.
    pub fn bad_flag(flag: &str, message: &str) -> ScenarioError {
        let mut e = ScenarioError::build(ErrorKind::BadFlag, message.to_string(), None, None, None, None, "");
        e.file = Some(flag.to_string());
        e.headline = format!("{flag}: {message}");
        e
    }

    /// A `--set` argument that is malformed or names no parameter.
    pub(crate) fn bad_set(arg: &str, message: String, help: Option<String>) -> ScenarioError {
        let mut e = ScenarioError::build(ErrorKind::BadSet, message, None, None, None, help, "");
        e.file = Some("--set".into());
        e.headline = format!("--set {arg}: {}", e.message);
        e
    }
}

/// What to do about a TOML structural error, in brink's words.
fn syntax_hint(raw: &str) -> Option<String> {
    let hint = if raw.contains("cannot extend value of type inline table") {
        "a table written inline (`initiative = { rate = 1 }`) is closed: put all its keys inside the braces, \
         or write it as a [table] header with one key per line and then add [sub.tables] below it"
    } else if raw.contains("cannot extend value of type") {
        "this key already holds a value; a dotted key or [table] can only extend a table"
    } else if raw.starts_with("duplicate key") {
        "a key (or a [table] header) may appear once per file; to change a value from an included file, \
         write it once in the including file"
    } else if raw.starts_with("string values must be quoted") {
        "text values need quotes: name = \"value\""
    } else if raw.starts_with("unclosed table") {
        "a table header is written [section.id]"
    } else {
        return None;
    };
    Some(hint.to_string())
}

/// serde's "invalid type: string \"x\", expected f64" in words a user reads.
fn humanize(raw: &str) -> String {
    let Some(rest) = raw.strip_prefix("invalid type: ") else {
        return raw.to_string();
    };
    let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, "?"));
    let expected = match expected {
        "f64" => "a number",
        "i64" | "u64" | "u32" => "a whole number",
        "a boolean" | "bool" => "true or false",
        "a string" => "a string",
        x if x.starts_with("a sequence") => "an array",
        x if x.starts_with("struct") || x.starts_with("a map") => "a table",
        x => x,
    };
    format!("expected {expected}, found {found}")
}

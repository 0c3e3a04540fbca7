//! The one error type of the scenario layer: where (file, line, column,
//! dotted key), what was expected and what was found, and what to do.

use super::validate::Problem;
use super::{Override, Source, locate};
use miette::{NamedSource, SourceSpan};

/// A scenario that could not be loaded. `Display` gives one line,
/// `file:line:col: key: message`; as a [`miette::Diagnostic`] it also
/// shows the offending source line and a hint.
#[derive(Debug, Clone, thiserror::Error, miette::Diagnostic)]
#[error("{headline}")]
#[diagnostic(code(brink::scenario))]
pub struct ScenarioError {
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
    fn build(
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
        let mut e = ScenarioError::build(format!("cannot read scenario: {reason}"), None, None, None, None, "");
        e.file = Some(name.to_string());
        e.headline = format!("{name}: cannot read scenario: {reason}");
        e
    }

    /// A TOML syntax error.
    pub fn syntax(source: &Source, e: &toml::de::Error) -> ScenarioError {
        let message = format!("invalid TOML: {}", e.message().trim_end());
        ScenarioError::build(message, None, Some(source), e.span(), None, "here")
    }

    /// An error about `key` (dotted) in the sources, located where it was
    /// last written.
    pub fn at_key(
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
            let mut e = ScenarioError::build(message, Some(key.to_string()), None, None, help, "");
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
                message,
                Some(key.to_string()),
                Some(&sources[i]),
                Some(span),
                help,
                "this",
            ),
            None => ScenarioError::build(message, Some(key.to_string()), sources.first(), None, help, ""),
        }
    }

    /// A type or unknown-key error from deserialising the merged tree.
    pub(crate) fn from_serde(
        sources: &[Source],
        overrides: &[Override],
        e: serde_path_to_error::Error<toml::de::Error>,
    ) -> ScenarioError {
        let mut path: Vec<String> = e
            .path()
            .iter()
            .filter_map(|s| match s {
                serde_path_to_error::Segment::Map { key } => Some(key.clone()),
                serde_path_to_error::Segment::Seq { index } => Some(index.to_string()),
                _ => None,
            })
            .collect();
        let raw = e.inner().message().trim_end().to_string();
        let (message, help) = if let Some(rest) = raw.strip_prefix("unknown field `") {
            let name = rest.split('`').next().unwrap_or("").to_string();
            let expected: Vec<String> = rest
                .split("expected ")
                .nth(1)
                .map(|x| {
                    x.split(['`', ',', ' '])
                        .filter(|w| !w.is_empty() && *w != "one" && *w != "of" && *w != "or")
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default();
            if path.last() != Some(&name) {
                path.push(name.clone());
            }
            let help = match super::paths::closest(&name, expected.iter().map(String::as_str)) {
                Some(c) => format!("did you mean `{c}`? keys allowed here: {}", expected.join(", ")),
                None => format!("keys allowed here: {}", expected.join(", ")),
            };
            (format!("unknown key `{name}`"), Some(help))
        } else if let Some(rest) = raw.strip_prefix("missing field `") {
            let name = rest.split('`').next().unwrap_or("");
            (format!("missing key `{name}`"), None)
        } else {
            (humanize(&raw), None)
        };
        ScenarioError::at_key(sources, overrides, &path.join("."), message, help)
    }

    /// A validation problem, located by its key.
    pub(crate) fn from_problem(sources: &[Source], overrides: &[Override], p: Problem) -> ScenarioError {
        ScenarioError::at_key(sources, overrides, &p.key, p.message, p.help)
    }

    /// A command-line flag whose value cannot be used with this scenario.
    pub fn bad_flag(flag: &str, message: &str) -> ScenarioError {
        let mut e = ScenarioError::build(message.to_string(), None, None, None, None, "");
        e.file = Some(flag.to_string());
        e.headline = format!("{flag}: {message}");
        e
    }

    /// A `--set` argument that is malformed or names no parameter.
    pub(crate) fn bad_set(arg: &str, message: String, help: Option<String>) -> ScenarioError {
        let mut e = ScenarioError::build(message, None, None, None, help, "");
        e.file = Some("--set".into());
        e.headline = format!("--set {arg}: {}", e.message);
        e
    }
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

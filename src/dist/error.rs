//! What can be wrong with a distribution, as the scenario layer reports
//! it: each variant says what was expected and what was found. The
//! location (file:line:col or `--set`) is added by the caller, which knows
//! the span of the value.

/// A distribution that could not be read, or whose support leaves the
/// parameter's domain.
#[derive(Debug, Clone, PartialEq, thiserror::Error, miette::Diagnostic)]
#[non_exhaustive]
pub enum DistError {
    /// The family name is not one brink knows.
    #[error("unknown distribution family `{found}`{}", did_you_mean(.suggestion))]
    #[diagnostic(
        code(brink::dist_family),
        help("families: uniform, normal, lognormal, beta, gamma, triangular, choice, point")
    )]
    UnknownFamily {
        /// What was written.
        found: String,
        /// The closest family, if one is close.
        suggestion: Option<&'static str>,
    },
    /// A key that the family does not take.
    #[error("{family} takes no key `{found}`{}", did_you_mean(.suggestion))]
    #[diagnostic(code(brink::dist_key), help("{family} takes: {expected}"))]
    UnknownKey {
        /// The family.
        family: &'static str,
        /// The key written.
        found: String,
        /// The closest allowed key, if one is close.
        suggestion: Option<&'static str>,
        /// Every key the family takes.
        expected: &'static str,
    },
    /// The keys given do not make one of the family's forms.
    #[error("{family} needs {expected}; found {found}")]
    #[diagnostic(code(brink::dist_form))]
    BadForm {
        /// The family.
        family: &'static str,
        /// The forms the family accepts.
        expected: &'static str,
        /// The keys given.
        found: String,
    },
    /// A parameter that must be a number is not.
    #[error("{family}.{key} must be a finite number; found {found}")]
    #[diagnostic(code(brink::dist_number))]
    NotANumber {
        /// The family.
        family: &'static str,
        /// The key.
        key: String,
        /// What was written.
        found: String,
    },
    /// A scale or shape that must be positive is not.
    #[error("{family}.{key} must be positive (a scale or shape); found {value}")]
    #[diagnostic(code(brink::dist_scale))]
    NonPositive {
        /// The family.
        family: &'static str,
        /// The key.
        key: String,
        /// The value found.
        value: f64,
    },
    /// Bounds given in the wrong order (or equal where a range is needed).
    #[error("{family}: {lower_key} = {lower} must be below {upper_key} = {upper}")]
    #[diagnostic(code(brink::dist_bounds), help("swap them, or widen the range"))]
    BoundsOrder {
        /// The family.
        family: &'static str,
        /// The key of the lower value.
        lower_key: &'static str,
        /// The lower value.
        lower: f64,
        /// The key of the upper value.
        upper_key: &'static str,
        /// The upper value.
        upper: f64,
    },
    /// Quantiles that cannot come from the family.
    #[error("{family}: {message}")]
    #[diagnostic(code(brink::dist_quantiles))]
    BadQuantiles {
        /// The family.
        family: &'static str,
        /// What is wrong with them.
        message: String,
    },
    /// A discrete choice that is empty, mixes kinds, or has bad weights.
    #[error("choice: {message}")]
    #[diagnostic(code(brink::dist_choice))]
    BadChoice {
        /// What is wrong.
        message: String,
    },
    /// A `--set` distribution whose text does not parse.
    #[error("cannot read `{found}` as a distribution: {message}")]
    #[diagnostic(
        code(brink::dist_syntax),
        help(
            "write FAMILY:KEY=VALUE,KEY=VALUE, e.g. lognormal:median=1.5,p95=3 or normal:p5=0.2,p95=0.6,lower=0 or choice:low,mid,high"
        )
    )]
    Syntax {
        /// The text.
        found: String,
        /// What is wrong.
        message: String,
    },
    /// The distribution's support leaves the parameter's domain.
    #[error("{domain} expected, but {dist} {reason}")]
    #[diagnostic(code(brink::dist_support))]
    OutOfDomain {
        /// The domain, in words ("a probability in [0, 1]").
        domain: String,
        /// The distribution, as written.
        dist: String,
        /// How it leaves the domain.
        reason: String,
        /// What to do.
        #[help]
        help: Option<String>,
    },
    /// A continuous distribution where only whole numbers or ids make sense.
    #[error("{domain} expected, but {dist} is continuous")]
    #[diagnostic(
        code(brink::dist_discrete),
        help("use a discrete choice among listed values, e.g. choice:1,2,3 or {{ choice = [1, 2, 3] }}")
    )]
    NotDiscrete {
        /// The domain, in words.
        domain: String,
        /// The distribution, as written.
        dist: String,
    },
    /// An id that the domain does not list.
    #[error("unknown {what} `{found}` in {dist}{}", did_you_mean(.suggestion))]
    #[diagnostic(code(brink::dist_id), help("{what}s: {known}"))]
    UnknownId {
        /// What kind of id (actor, level, ...).
        what: String,
        /// The id written.
        found: String,
        /// The closest known id, if one is close.
        suggestion: Option<String>,
        /// The known ids, comma-separated.
        known: String,
        /// The distribution, as written.
        dist: String,
    },
}

fn did_you_mean<S: AsRef<str>>(s: &Option<S>) -> String {
    match s {
        Some(s) => format!("; did you mean `{}`?", s.as_ref()),
        None => String::new(),
    }
}

pub(crate) use crate::text::edit_distance;

/// The candidate closest to `word`, if close enough to be a typo (the rule
/// of `scenario::paths::closest`: distance at most a third of the word's
/// length, and at least 2 allowed).
pub(crate) fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(2);
    candidates
        .into_iter()
        .map(|c| (edit_distance(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

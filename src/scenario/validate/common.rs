//! What every section's validation shares: the [`Problem`] it reports, the
//! range checks, id lookups, and the context ([`Cx`]) of the raw file.

use super::super::ErrorKind;
use super::super::kinds::{Named, one_of};
use super::super::raw::{RawScenario, Table};
use crate::model::{ActorId, Level, PlaceId};

/// Longest horizon accepted, in steps (about 270 years of days).
pub const MAX_HORIZON: i64 = 100_000;
/// Most levels a ladder may have.
pub const MAX_LEVELS: usize = 64;
/// Most actors a scenario may have.
pub const MAX_ACTORS: usize = 1024;
/// Most places a scenario may have.
pub const MAX_PLACES: usize = 64;

/// What is wrong, and where (a dotted key).
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// What kind of thing is wrong.
    pub kind: ErrorKind,
    /// The dotted key.
    pub key: String,
    /// What was expected and what was found.
    pub message: String,
    /// What to do.
    pub help: Option<String>,
}

impl Problem {
    /// A problem of `kind` at `key`.
    pub fn new(kind: ErrorKind, key: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem {
            kind,
            key: key.into(),
            message: message.into(),
            help: None,
        }
    }

    /// The same problem with advice.
    pub fn help(mut self, help: impl Into<String>) -> Problem {
        self.help = Some(help.into());
        self
    }
}

pub(super) type R<T> = Result<T, Problem>;

/// Values that contradict each other or the file's structure.
pub(super) fn inconsistent(key: impl Into<String>, message: impl Into<String>) -> Problem {
    Problem::new(ErrorKind::Inconsistent, key, message)
}

/// A required key that is absent.
pub(super) fn missing(key: impl Into<String>, message: impl Into<String>) -> Problem {
    Problem::new(ErrorKind::MissingKey, key, message)
}

/// A key the file must give: `missing key `from`: the actor that acts`.
pub(super) fn required<'a, T>(key: &str, v: &'a Option<T>, meaning: &str) -> R<&'a T> {
    v.as_ref().ok_or_else(|| {
        let field = key.rsplit('.').next().unwrap_or(key);
        missing(key, format!("missing key `{field}`: {meaning}"))
    })
}

fn range(key: &str, message: String) -> Problem {
    Problem::new(ErrorKind::OutOfRange, key, message)
}

pub(super) fn finite(key: &str, x: f64) -> R<f64> {
    if x.is_finite() {
        Ok(x)
    } else {
        Err(range(key, format!("expected a finite number, found {x}")))
    }
}

pub(super) fn prob(key: &str, x: f64) -> R<f64> {
    if (0.0..=1.0).contains(&x) {
        Ok(x)
    } else {
        Err(range(key, format!("expected a probability in [0, 1], found {x}")))
    }
}

pub(super) fn nonneg(key: &str, x: f64) -> R<f64> {
    if x >= 0.0 && x.is_finite() {
        Ok(x)
    } else {
        Err(range(key, format!("expected a finite number >= 0, found {x}")))
    }
}

pub(super) fn unit_open(key: &str, x: f64) -> R<f64> {
    if (0.0..1.0).contains(&x) {
        Ok(x)
    } else {
        Err(range(key, format!("expected a number in [0, 1), found {x}")))
    }
}

pub(super) fn steps(key: &str, x: i64, lo: i64, hi: i64) -> R<u32> {
    if (lo..=hi).contains(&x) {
        Ok(x as u32)
    } else {
        Err(range(
            key,
            format!("expected a whole number of steps in {lo}..={hi}, found {x}"),
        ))
    }
}

pub(super) fn positive_count(key: &str, n: i64) -> R<u64> {
    if n >= 1 {
        Ok(n as u64)
    } else {
        Err(range(key, format!("expected a whole number >= 1, found {n}")))
    }
}

pub(super) fn seed_of(key: &str, n: i64) -> R<u64> {
    if n >= 0 {
        Ok(n as u64)
    } else {
        Err(range(key, format!("expected a whole number >= 0, found {n}")))
    }
}

/// At most `max` entries in a table.
pub(super) fn at_most(key: &str, what: &str, n: usize, max: usize) -> R<()> {
    if n > max {
        return Err(inconsistent(key, format!("expected at most {max} {what}, found {n}")));
    }
    Ok(())
}

/// A kind named in its table ([`Named`]): `expected one of "a", "b", found "x"`.
pub(super) fn kind<T: Named>(key: &str, name: &str) -> R<T> {
    T::parse(name).map_err(|_| {
        Problem::new(
            ErrorKind::UnknownName,
            key,
            format!("expected {}, found \"{name}\"", one_of(T::NAMES)),
        )
    })
}

pub(super) fn id_ok(key: &str, id: &str) -> R<()> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(Problem::new(
            ErrorKind::BadId,
            key,
            format!("expected an id in snake_case (a-z, 0-9, _; starting with a letter), found `{id}`"),
        )
        .help("ids become column names, so they are short lowercase words"))
    }
}

pub(super) fn lookup<T>(key: &str, what: &str, id: &str, table: &Table<T>) -> R<usize> {
    table.get_index_of(id).ok_or_else(|| {
        let known: Vec<&str> = table.keys().map(String::as_str).collect();
        let help = match super::super::paths::closest(id, known.iter().copied()) {
            Some(c) => format!("did you mean `{c}`? {what}s: {}", known.join(", ")),
            None if known.is_empty() => format!("no {what}s are defined"),
            None => format!("{what}s: {}", known.join(", ")),
        };
        Problem::new(ErrorKind::UnknownId, key, format!("unknown {what} `{id}`")).help(help)
    })
}

/// `"*"` or an actor id.
pub(super) fn actor_or_any(key: &str, id: &str, raw: &RawScenario) -> R<Option<ActorId>> {
    if id == "*" {
        Ok(None)
    } else {
        Ok(Some(lookup(key, "actor", id, &raw.actors)? as ActorId))
    }
}

/// Running sums of non-negative weights, at least one positive.
pub(super) fn cumulative(key: &str, w: Vec<f64>) -> R<Vec<f64>> {
    let mut acc = 0.0;
    let cum: Vec<f64> = w
        .iter()
        .map(|x| {
            acc += x;
            acc
        })
        .collect();
    if acc <= 0.0 {
        return Err(range(key, "expected at least one positive weight, found none".into()));
    }
    Ok(cum)
}

/// The raw file and what the sections validated first decided.
pub(super) struct Cx<'a> {
    pub raw: &'a RawScenario,
    /// Levels on the ladder, level 0 included.
    pub levels: usize,
}

impl Cx<'_> {
    pub fn level(&self, key: &str, id: &str) -> R<Level> {
        Ok(lookup(key, "ladder level", id, &self.raw.ladder)? as Level)
    }

    pub fn hostile_level(&self, key: &str, id: &str) -> R<Level> {
        let l = self.level(key, id)?;
        if l == 0 {
            return Err(Problem::new(
                ErrorKind::OutOfRange,
                key,
                format!("`{id}` is level 0 (no hostile act); expected a hostile level"),
            ));
        }
        Ok(l)
    }

    /// An optional hostile level, `default` when absent.
    pub fn hostile_level_or(&self, key: &str, id: Option<&String>, default: Level) -> R<Level> {
        id.map_or(Ok(default), |l| self.hostile_level(key, l))
    }

    pub fn place(&self, key: &str, id: &str) -> R<PlaceId> {
        Ok(lookup(key, "place", id, &self.raw.places)? as PlaceId)
    }

    /// Cumulative weights over places from a `{place = weight}` table.
    pub fn places(&self, key: &str, t: &Table<f64>) -> R<Vec<f64>> {
        if t.is_empty() {
            return Ok(Vec::new());
        }
        let mut w = vec![0.0; self.raw.places.len()];
        for (id, &x) in t {
            let k = format!("{key}.{id}");
            let p = self.place(&k, id)?;
            w[p as usize] = nonneg(&k, x)?;
        }
        cumulative(key, w)
    }
}

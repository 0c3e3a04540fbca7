//! What a parameter may hold, and the check that a distribution's support
//! stays inside it: a probability's distribution must lie in [0, 1], a
//! rate's in [0, ∞), a count's in the integers, an id's among the ids.

use super::error::closest;
use super::{Atom, Dist, DistError, Family, Kind, fmt_num};

/// The set of values a scenario parameter may take.
#[derive(Debug, Clone, PartialEq)]
pub enum Domain {
    /// Any finite real.
    Real,
    /// A probability or share, in [0, 1].
    Probability,
    /// A rate, weight or stock: [0, ∞).
    NonNegative,
    /// A scale, duration or threshold that must be positive: (0, ∞).
    Positive,
    /// A share kept from one step to the next: [0, 1).
    UnitOpen,
    /// A closed interval [lo, hi] (for example a decay factor in [0, 1]).
    Interval {
        /// Lowest allowed value.
        lo: f64,
        /// Highest allowed value.
        hi: f64,
    },
    /// A whole number in [min, max] (a count, a number of steps).
    Integer {
        /// Lowest allowed value.
        min: i64,
        /// Highest allowed value.
        max: i64,
    },
    /// One of the listed ids (actors, levels, statuses...).
    Id {
        /// What kind of id, for messages ("level", "actor").
        what: String,
        /// The ids, in the order the scenario declares them.
        known: Vec<String>,
    },
}

impl Domain {
    /// A count: a whole number ≥ 0.
    pub fn count() -> Domain {
        Domain::Integer { min: 0, max: i64::MAX }
    }

    /// The domain in words, for messages.
    pub fn describe(&self) -> String {
        match self {
            Domain::Real => "a finite number".into(),
            Domain::Probability => "a probability in [0, 1]".into(),
            Domain::NonNegative => "a non-negative number, in [0, ∞)".into(),
            Domain::Positive => "a positive number, in (0, ∞)".into(),
            Domain::UnitOpen => "a share in [0, 1)".into(),
            Domain::Interval { lo, hi } => format!("a number in [{}, {}]", fmt_num(*lo), fmt_num(*hi)),
            Domain::Integer { min, max } => match (*min, *max) {
                (0, i64::MAX) => "a whole number ≥ 0".into(),
                (m, i64::MAX) => format!("a whole number ≥ {m}"),
                (m, x) => format!("a whole number in [{m}, {x}]"),
            },
            Domain::Id { what, known } => format!("a {what} ({})", known.join(", ")),
        }
    }

    /// `[lo, hi]` and whether the lower and the upper end are open, for
    /// numeric domains.
    fn bounds(&self) -> Option<(f64, f64, bool, bool)> {
        match self {
            Domain::Real => Some((f64::NEG_INFINITY, f64::INFINITY, false, false)),
            Domain::Probability => Some((0.0, 1.0, false, false)),
            Domain::NonNegative => Some((0.0, f64::INFINITY, false, false)),
            Domain::Positive => Some((0.0, f64::INFINITY, true, false)),
            Domain::UnitOpen => Some((0.0, 1.0, false, true)),
            Domain::Interval { lo, hi } => Some((*lo, *hi, false, false)),
            Domain::Integer { min, max } => Some((*min as f64, *max as f64, false, false)),
            Domain::Id { .. } => None,
        }
    }
}

/// The support of a distribution: its lowest and highest values and
/// whether the lower end is excluded (lognormal, gamma and beta never draw
/// their lower end).
fn support(d: &Dist) -> (f64, f64, bool) {
    match &d.kind {
        Kind::Point(_, x) => (*x, *x, false),
        Kind::Uniform { lower, upper } => (*lower, *upper, false),
        Kind::Normal { mu, sigma, t } => (mu + sigma * t.a, mu + sigma * t.b, false),
        Kind::LogNormal { mu, sigma, t } => {
            let lo = if t.a.is_infinite() {
                0.0
            } else {
                crate::math::exp(mu + sigma * t.a)
            };
            (lo, crate::math::exp(mu + sigma * t.b), t.a.is_infinite())
        }
        Kind::Beta { .. } => (0.0, 1.0, true),
        Kind::Gamma { .. } => (0.0, f64::INFINITY, true),
        Kind::Triangular { lower, upper, .. } => (*lower, *upper, false),
        Kind::Choice(c) => {
            let lo = c.values.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = c.values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            (lo, hi, false)
        }
    }
}

fn interval_text(lo: f64, hi: f64, open_lo: bool) -> String {
    let l = if lo == f64::NEG_INFINITY {
        "(-∞".to_string()
    } else {
        format!("{}{}", if open_lo { "(" } else { "[" }, fmt_num(lo))
    };
    let h = if hi == f64::INFINITY {
        "∞)".to_string()
    } else {
        format!("{}]", fmt_num(hi))
    };
    format!("{l}, {h}")
}

impl Dist {
    /// Checks that every value this distribution can draw lies in
    /// `domain`: numbers for numeric domains, whole numbers from a discrete
    /// choice or point for [`Domain::Integer`], listed ids for
    /// [`Domain::Id`] (use [`Dist::resolve_ids`] afterwards to get
    /// indices).
    pub fn check_support(&self, domain: &Domain) -> Result<(), DistError> {
        let dist = self.text.clone();
        let atoms = self.atoms();
        let has_ids = atoms.is_some_and(|a| a.iter().any(|x| matches!(x, Atom::Id(_))));
        match domain {
            Domain::Id { what, known } => {
                let Some(atoms) = atoms else {
                    return Err(DistError::NotDiscrete {
                        domain: domain.describe(),
                        dist,
                    });
                };
                for a in atoms {
                    match a {
                        Atom::Id(id) if known.iter().any(|k| k == id) => {}
                        Atom::Id(id) => {
                            return Err(DistError::UnknownId {
                                what: what.clone(),
                                found: id.clone(),
                                suggestion: closest(id, known.iter().map(String::as_str)).map(str::to_string),
                                known: known.join(", "),
                                dist,
                            });
                        }
                        other => {
                            return Err(DistError::OutOfDomain {
                                domain: domain.describe(),
                                dist,
                                reason: format!("lists the number {other}"),
                                help: Some(format!("list {what} ids: {}", known.join(", "))),
                            });
                        }
                    }
                }
                Ok(())
            }
            _ => {
                if has_ids {
                    return Err(DistError::OutOfDomain {
                        domain: domain.describe(),
                        dist,
                        reason: "lists ids, not numbers".into(),
                        help: None,
                    });
                }
                if let Domain::Integer { .. } = domain {
                    if self.family().is_continuous() {
                        return Err(DistError::NotDiscrete {
                            domain: domain.describe(),
                            dist,
                        });
                    }
                    if let Some(x) = atoms.and_then(|a| a.iter().find(|x| x.number().fract() != 0.0)) {
                        return Err(DistError::OutOfDomain {
                            domain: domain.describe(),
                            dist,
                            reason: format!("lists {x}, which is not a whole number"),
                            help: None,
                        });
                    }
                }
                let (dlo, dhi, dopen, dopen_hi) = domain.bounds().expect("numeric domain");
                let (lo, hi, open) = support(self);
                let below = lo < dlo || (lo == dlo && dopen && !open);
                // Only a beta reaches 1 with probability zero; any other
                // support that touches an open upper end can draw it.
                let beta = self.family() == Family::Beta;
                let above = hi > dhi || (hi == dhi && dopen_hi && !beta);
                if below || above {
                    let reason = format!(
                        "can draw {} {} (its support is {})",
                        if below { "values below" } else { "values above" },
                        fmt_num(if below { dlo } else { dhi }),
                        interval_text(lo, hi, open)
                    );
                    return Err(DistError::OutOfDomain {
                        domain: domain.describe(),
                        dist,
                        reason,
                        help: Some(support_help(self.family(), domain)),
                    });
                }
                Ok(())
            }
        }
    }
}

fn support_help(f: Family, domain: &Domain) -> String {
    match (f, domain) {
        (Family::Normal, Domain::Probability) => {
            "truncate it with lower = 0, upper = 1, or use a beta (e.g. beta:mean=0.3,sd=0.1)".into()
        }
        (Family::Normal, Domain::NonNegative | Domain::Positive) => {
            "truncate it with lower = 0, or use a lognormal or gamma (e.g. lognormal:median=1.5,p95=3)".into()
        }
        (Family::LogNormal, Domain::Probability) => {
            "bound it with upper = 1, or use a beta (e.g. beta:mean=0.3,sd=0.1)".into()
        }
        (Family::Gamma, Domain::Probability) => "use a beta (e.g. beta:mean=0.3,sd=0.1)".into(),
        (_, Domain::Positive) => "move the lower end above 0".into(),
        _ => format!("keep every value in {}", domain.describe()),
    }
}

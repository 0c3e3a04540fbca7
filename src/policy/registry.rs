//! The rule registry: every reciprocity rule's name, as written in
//! `dyads.*.response.rule` and a game's `actors.*.strategy`, in one table
//! ([`RuleName`]), and how each name becomes a [`Rule`]
//! ([`RuleName::build`]). The tournament, the validator and `brink params`
//! all read this table; nothing else lists rule names.
//!
//! It also holds [`Named`], the one-table-of-names pattern every kind in a
//! scenario file follows (the scenario layer uses it for `when`, `do`,
//! `kind`...), so that a kind is parsed into an enum once and matched on
//! as an enum afterwards.

use super::{Contrite, Graded, MemoryOne, Rule};
use crate::model::Level;

/// Defines (or, for a type defined elsewhere, describes) an enum of kinds
/// with one table of names: `NAMES`, `ALL`, `name()` and `FromStr` all
/// come from the one list.
macro_rules! named {
    ($(#[$m:meta])* pub enum $ty:ident { $($(#[$vm:meta])* $var:ident = $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $ty { $($(#[$vm])* $var),+ }
        named!(impl $ty { $($var = $s),+ });
    };
    (impl $ty:ty { $($var:ident = $s:literal),+ $(,)? }) => {
        impl $crate::policy::Named for $ty {
            const ALL: &'static [Self] = &[$(<$ty>::$var),+];
            const NAMES: &'static [&'static str] = &[$($s),+];
        }
        impl std::str::FromStr for $ty {
            type Err = $crate::policy::UnknownName;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                <Self as $crate::policy::Named>::parse(s)
            }
        }
    };
}
pub(crate) use named;

/// A kind with a fixed table of names, as written in files.
pub trait Named: Copy + PartialEq + 'static {
    /// Every variant, in table order.
    const ALL: &'static [Self];
    /// Every name, in the same order.
    const NAMES: &'static [&'static str];

    /// The name written in files.
    fn name(self) -> &'static str {
        let i = Self::ALL
            .iter()
            .position(|x| *x == self)
            .expect("ALL lists every variant");
        Self::NAMES[i]
    }

    /// The variant named `s`.
    fn parse(s: &str) -> Result<Self, UnknownName> {
        Self::NAMES
            .iter()
            .position(|n| *n == s)
            .map(|i| Self::ALL[i])
            .ok_or(UnknownName)
    }
}

/// A name that is in no table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnknownName;

named! {
    /// A reciprocity rule by name: the registry of `response.rule` and
    /// `strategy` values.
    pub enum RuleName {
        /// Graded tit-for-tat on a ladder ([`Graded`]).
        Graded = "graded",
        /// Tit-for-tat: graded with no generosity.
        Tft = "tft",
        /// Generous tit-for-tat: graded, forgiving with probability q.
        Gtft = "gtft",
        /// Contrite tit-for-tat ([`Contrite`]).
        Ctft = "ctft",
        /// Tit-for-two-tats.
        Tf2t = "tf2t",
        /// Grim trigger.
        Grim = "grim",
        /// Win-stay lose-shift (memory-one 1,0,0,1).
        Wsls = "wsls",
        /// Always cooperate.
        Allc = "allc",
        /// Always defect.
        Alld = "alld",
        /// Cooperate with probability p.
        Random = "random",
        /// Any memory-one four-vector.
        MemoryOne = "memory_one",
    }
}

/// The parameters a rule may read besides its name; each rule reads only
/// its own ([`RuleName::reads`]).
#[derive(Debug, Clone)]
pub struct RuleParams {
    /// Level of a two-action rule's defection.
    pub level: Level,
    /// The ladder parameters (`graded`; `tft`/`gtft` keep its level range).
    pub graded: Graded,
    /// `memory_one`'s cooperation probabilities after CC, CD, DC, DD.
    pub four_vector: Option<[f64; 4]>,
    /// `gtft`'s forgiveness at every level (a game's `generosity`); `None`
    /// keeps `graded`'s by-level generosity, which a crisis fills with
    /// [`GTFT_GENEROSITY`] where the file gives none.
    pub generosity: Option<f64>,
    /// `random`'s cooperation probability (default 1/2).
    pub p: Option<f64>,
}

/// `gtft`'s forgiveness when none is given outside a game.
pub const GTFT_GENEROSITY: f64 = 1.0 / 3.0;
/// `random`'s cooperation probability when none is given.
pub const RANDOM_P: f64 = 0.5;

impl RuleName {
    /// Whether the rule uses the ladder's graded parameters (proportionality,
    /// threshold, generosity by level...).
    pub fn is_graded(self) -> bool {
        matches!(self, RuleName::Graded | RuleName::Tft | RuleName::Gtft)
    }

    /// Builds the rule. `memory_one` without a four-vector cooperates
    /// always; the validator asks for the vector before calling this.
    pub fn build(self, p: RuleParams) -> Rule {
        let levels = p.graded.generosity.len();
        let level = p.level;
        let mem = |v: [f64; 4], first: f64| Rule::MemoryOne(MemoryOne::new(v, first, level));
        match self {
            RuleName::Graded => Rule::Graded(p.graded),
            RuleName::Tft => Rule::Graded(Graded {
                generosity: vec![0.0; levels],
                ..p.graded
            }),
            RuleName::Gtft => Rule::Graded(match p.generosity {
                Some(q) => Graded {
                    generosity: vec![q; levels],
                    ..p.graded
                },
                None => p.graded,
            }),
            RuleName::Ctft => Rule::Contrite(Contrite { level }),
            RuleName::Tf2t => Rule::TitForTwoTats { level },
            RuleName::Grim => Rule::Grim { level },
            RuleName::Wsls => mem([1.0, 0.0, 0.0, 1.0], 1.0),
            RuleName::Allc => mem([1.0; 4], 1.0),
            RuleName::Alld => mem([0.0; 4], 0.0),
            RuleName::Random => {
                let q = p.p.unwrap_or(RANDOM_P);
                mem([q; 4], q)
            }
            RuleName::MemoryOne => mem(p.four_vector.unwrap_or([1.0; 4]), 1.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_parses_to_its_variant() {
        for (r, n) in RuleName::ALL.iter().zip(RuleName::NAMES) {
            assert_eq!(n.parse::<RuleName>(), Ok(*r));
            assert_eq!(r.name(), *n);
        }
        assert_eq!("titfortat".parse::<RuleName>(), Err(UnknownName));
    }

    /// The parameter docs list the registry's names (the docs are text, so
    /// this test keeps them in step with the one table).
    #[test]
    fn the_parameter_docs_list_the_registry() {
        use crate::scenario::paths::doc_for;
        let all = RuleName::NAMES.join(", ");
        let rule = doc_for("dyads.a_b.response.rule").expect("documented");
        assert!(rule.ends_with(&all), "{rule}");
        let strategies = RuleName::NAMES[1..].join(", ");
        let strategy = doc_for("actors.a.strategy").expect("documented");
        assert!(strategy.contains(&format!("({strategies})")), "{strategy}");
    }
}

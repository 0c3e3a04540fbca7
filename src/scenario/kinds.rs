//! The names a scenario file uses for kinds (`when = "event"`,
//! `kind = "spiral"`, `per = "killed"`...), each parsed into an enum once.
//!
//! Every enum here has one table of names, from which both its
//! [`std::str::FromStr`] and its `name()` come ([`named!`]); validation
//! matches on the enum, never on the string. The rule names live with the
//! rules, in [`crate::policy::RuleName`], which is also where the
//! [`Named`] trait and its macro are (the scenario layer builds on the
//! policy layer, not the other way round).

use crate::model::{PerEvent, StepUnit};
use crate::policy::named;
pub use crate::policy::{Named, UnknownName};

/// `"a" or "b"` for two names, `one of "a", "b", "c"` for more.
pub fn one_of(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
    match quoted.len() {
        2 => format!("{} or {}", quoted[0], quoted[1]),
        _ => format!("one of {}", quoted.join(", ")),
    }
}

named!(impl StepUnit { Day = "day", Week = "week" });
named!(impl PerEvent { Event = "event", Severity = "severity", Killed = "killed", Wounded = "wounded" });

named! {
    /// `triggers.*.when`: what a trigger's condition watches.
    pub enum When {
        /// An event from, to, at a level, harming.
        Event = "event",
        /// A step is reached.
        Step = "step",
        /// An actor's pressure crosses a threshold.
        Pressure = "pressure",
        /// A track reaches a status.
        Track = "track",
        /// A driver is active (or inactive).
        Driver = "driver",
        /// A dyad is in a regime.
        Regime = "regime",
        /// An actor took one of its chosen actions.
        Action = "action",
    }
}

named! {
    /// `triggers.*.do`: what a trigger does.
    pub enum Do {
        /// Schedule an act on a dyad.
        Act = "act",
        /// Switch a dyad's regime.
        Regime = "regime",
        /// A patron orders its clients into a regime.
        Restrain = "restrain",
        /// Switch a driver on or off.
        Driver = "driver",
        /// Set a track's status.
        Track = "track",
        /// Record a milestone and nothing else.
        Mark = "mark",
    }
}

named! {
    /// `outcomes.*.kind`: which condition ends a trial.
    pub enum OutcomeName {
        /// A track reaches agreement.
        Agreement = "agreement",
        /// A track collapses.
        Collapse = "collapse",
        /// An actor's pressure crosses a threshold.
        Pressure = "pressure",
        /// Severity summed over a window crosses a threshold.
        Spiral = "spiral",
        /// An actor's deaths reach a threshold.
        Deaths = "deaths",
        /// An implementation phase is complete.
        Implemented = "implemented",
        /// An implementation phase broke down.
        Broken = "broken",
        /// An actor took one of its chosen actions.
        Action = "action",
    }
}

named! {
    /// `dyads.*.hazard.stock`: what drives a hazard response.
    pub enum StockName {
        /// Severity received, decaying.
        Grievance = "grievance",
        /// The acting actor's pressure stock.
        Pressure = "pressure",
    }
}

named! {
    /// `actors.*.actions.*.do`: what an actor's chosen action does.
    pub enum ChoiceName {
        /// Orders factions into a regime.
        Restrain = "restrain",
        /// Pauses the talks.
        Pause = "pause",
        /// Speeds the talks up.
        Hurry = "hurry",
        /// Hardens its demands: slows the talks.
        Harden = "harden",
        /// Walks out: the talks collapse.
        WalkOut = "walk_out",
        /// Demands withdrawal of the target.
        DemandWithdrawal = "demand_withdrawal",
        /// Protests to the target.
        Protest = "protest",
    }
}

named! {
    /// `actors.*.actions.*.policy`: how an actor chooses an action.
    pub enum ChoicePolicyName {
        /// Logistic in the stock.
        Hazard = "hazard",
        /// The stock plus normal noise against a threshold.
        Threshold = "threshold",
    }
}

named! {
    /// `actors.*.actions.*.stock`: the stock an action's policy reads.
    pub enum ChoiceStockName {
        /// The actor's pressure.
        Pressure = "pressure",
        /// The actor's risk.
        Risk = "risk",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TalkStatus;

    #[test]
    fn names_round_trip() {
        for w in When::ALL {
            assert_eq!(w.name().parse::<When>(), Ok(*w));
        }
        for d in Do::ALL {
            assert_eq!(d.name().parse::<Do>(), Ok(*d));
        }
        assert_eq!("week".parse::<StepUnit>(), Ok(StepUnit::Week));
        assert_eq!("wounded".parse::<PerEvent>(), Ok(PerEvent::Wounded));
        assert_eq!("nope".parse::<OutcomeName>(), Err(UnknownName));
        assert_eq!(TalkStatus::parse("paused"), Some(TalkStatus::Paused));
    }

    #[test]
    fn one_of_reads_well() {
        assert_eq!(one_of(&["a", "b"]), "\"a\" or \"b\"");
        assert_eq!(one_of(&["a", "b", "c"]), "one of \"a\", \"b\", \"c\"");
    }
}

//! Quantities over a window of steps: the one concept behind a scenario's
//! declared `[metrics.<id>]` (columns of `trials.csv`) and the observed
//! record's quantities (`observed`), which compile into the same
//! [`Windowed`] type. An observation at step `t` is the quantity over the
//! window `0..=t`.
//!
//! For a window `from..=to` (steps, inclusive) and a group `G` of dyads or
//! actors, with `C_t` the cumulative count of the group through step `t`
//! (`C_{-1} = 0`):
//!
//! ```text
//! events, responses, killed, wounded:   Q = C_to − C_(from−1)
//! first_event, first_death:             Q = 1{C_to − C_(from−1) > 0}
//! track_status:                         Q = status of the track at step `to`
//! ```
//!
//! A trial that ends (a terminal outcome) before `to` reports the quantity
//! through its last step `e`: `C_e − C_(from−1)`, 0 when `e < from`, and
//! the track's status at `e`, since nothing happens after the trial ends.
//! Analysts tabulate such windows (attacks in the next 30/90/180 days,
//! first death by a date), and forecast challenges score them (Hegre et
//! al. 2019, ViEWS; Gneiting & Raftery 2007).

use super::{ActorId, DyadId};

/// What a windowed quantity measures, and over which group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Measure {
    /// Hostile events on a group of dyads.
    Events(Vec<DyadId>),
    /// Responses (answers and trigger acts) on a group of dyads.
    Responses(Vec<DyadId>),
    /// Killed among a group of actors.
    Killed(Vec<ActorId>),
    /// Wounded among a group of actors.
    Wounded(Vec<ActorId>),
    /// Whether any event happened on a group of dyads (0 or 1).
    FirstEvent(Vec<DyadId>),
    /// Whether any of a group of actors was killed (0 or 1).
    FirstDeath(Vec<ActorId>),
    /// A track's status (index into `Scenario::tracks`) at the window's end.
    TrackStatus(u16),
}

/// The names of [`Measure`]s in files, in variant order.
pub const MEASURES: [&str; 7] = [
    "events",
    "responses",
    "killed",
    "wounded",
    "first_event",
    "first_death",
    "track_status",
];

/// Which ids a measure selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selects {
    /// `dyads = [...]`.
    Dyads,
    /// `actors = [...]`.
    Actors,
    /// `track = "..."`.
    Track,
}

impl Measure {
    /// Its name in files.
    pub fn name(&self) -> &'static str {
        match self {
            Measure::Events(_) => "events",
            Measure::Responses(_) => "responses",
            Measure::Killed(_) => "killed",
            Measure::Wounded(_) => "wounded",
            Measure::FirstEvent(_) => "first_event",
            Measure::FirstDeath(_) => "first_death",
            Measure::TrackStatus(_) => "track_status",
        }
    }

    /// Which ids the measure named `name` selects, if it is one.
    pub fn selects(name: &str) -> Option<Selects> {
        match name {
            "events" | "responses" | "first_event" => Some(Selects::Dyads),
            "killed" | "wounded" | "first_death" => Some(Selects::Actors),
            "track_status" => Some(Selects::Track),
            _ => None,
        }
    }

    /// The measure named `name` over dyads (`events`, `responses`,
    /// `first_event`).
    pub fn over_dyads(name: &str, ids: Vec<DyadId>) -> Option<Measure> {
        match name {
            "events" => Some(Measure::Events(ids)),
            "responses" => Some(Measure::Responses(ids)),
            "first_event" => Some(Measure::FirstEvent(ids)),
            _ => None,
        }
    }

    /// The measure named `name` over actors (`killed`, `wounded`,
    /// `first_death`).
    pub fn over_actors(name: &str, ids: Vec<ActorId>) -> Option<Measure> {
        match name {
            "killed" => Some(Measure::Killed(ids)),
            "wounded" => Some(Measure::Wounded(ids)),
            "first_death" => Some(Measure::FirstDeath(ids)),
            _ => None,
        }
    }

    /// Whether the quantity is true/false (stored as 0 or 1).
    pub fn is_binary(&self) -> bool {
        matches!(self, Measure::FirstEvent(_) | Measure::FirstDeath(_))
    }
}

/// A quantity over the steps `from..=to`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Windowed {
    /// Its id (`[metrics.<id>]`, the `trials.csv` column; or an observed
    /// quantity's id).
    pub id: String,
    /// What it measures.
    pub measure: Measure,
    /// First step of the window (inclusive).
    pub from: u32,
    /// Last step of the window (inclusive, `< horizon`).
    pub to: u32,
}

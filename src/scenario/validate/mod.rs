//! Raw file -> validated [`Scenario`]: ids become indices, every number is
//! checked against its range, and every reference resolves. A [`Problem`]
//! names the dotted key at fault and its [`super::ErrorKind`]; the loader
//! turns it into a located [`super::ScenarioError`].
//!
//! One module per section of the file, in the order they are validated
//! (later sections refer to earlier ones): [`header`] (`[scenario]`,
//! places, ladder), [`actors`] (actors, pressure, drivers), [`dyads`]
//! (regimes, initiative, hazard) and [`response`] (the reciprocity rule),
//! [`tracks`], [`triggers`], [`outcomes`], and [`game`] for the iterated
//! two-player game. Kinds (`when`, `do`, `kind`, `rule`...) are parsed into
//! enums once ([`super::kinds`], [`crate::policy::RuleName`]).

mod actors;
mod common;
mod dyads;
mod game;
mod header;
mod outcomes;
mod response;
mod tracks;
mod triggers;

pub use common::{MAX_ACTORS, MAX_HORIZON, MAX_LEVELS, MAX_PLACES, Problem};

use super::raw::RawScenario;
use crate::model::*;
use crate::policy::{Named, RuleName};
use common::{Cx, R, inconsistent};

/// Names accepted by `response.rule` (and, in games, `strategy`): the
/// rule registry's table ([`RuleName`]).
pub const RULES: &[&str] = <RuleName as Named>::NAMES;

/// Validates a merged raw scenario.
pub fn validate(raw: &RawScenario) -> R<Scenario> {
    let h = header::header(raw)?;
    if raw.game.is_some() {
        return game::game(raw, h);
    }
    let run = header::run(raw)?;
    let places = header::places(raw)?;
    let ladder = header::ladder(raw)?;
    let cx = Cx {
        raw,
        levels: ladder.len(),
    };
    let mut actors = actors::actors(&cx)?;
    let drivers = actors::drivers(raw)?;
    let mut dyads = dyads::dyads(&cx)?;
    let tracks = tracks::tracks(&cx)?;
    actors::relief(raw, &mut actors)?;
    let triggers = triggers::triggers(&cx, &dyads, &actors)?;
    crate::model::repertoires(&mut dyads, &triggers);
    let outcomes = outcomes::outcomes(&cx)?;
    let s = Scenario {
        name: raw.scenario.name.clone(),
        description: raw.scenario.description.clone(),
        start_date: h.start_date,
        step_unit: h.step_unit,
        horizon: run.horizon,
        trials: run.trials,
        seed: run.seed,
        places,
        ladder,
        actors,
        dyads,
        drivers,
        tracks,
        triggers,
        outcomes,
        horizon_outcome: raw.scenario.horizon_outcome.clone(),
        game: None,
        compiled: Compiled::default(),
        uncertainty: Default::default(),
    };
    no_overflow(&s)?;
    Ok(s.compile())
}

/// Every dyad's largest rate is finite.
fn no_overflow(s: &Scenario) -> R<()> {
    for d in 0..s.dyads.len() {
        let r = rate_bound(s, d);
        if !r.lambda.is_finite() {
            return Err(inconsistent(
                format!("dyads.{}.initiative.rate", s.dyads[d].id),
                format!("rates would overflow: {}", r.describe()),
            )
            .help("lower the rate or the regime, driver and track multipliers of this dyad"));
        }
    }
    Ok(())
}

/// The largest initiative rate a dyad's multipliers allow, before
/// deterrence, excitation and pressure: `μ · M_max`, with `M_max` the
/// largest regime rate times each driver's larger factor times each track
/// effect's largest factor (status factor times `1 + progress` at full
/// progress).
#[derive(Debug, Clone, PartialEq)]
pub struct RateBound {
    /// μ, events per step.
    pub rate: f64,
    /// Largest regime multiplier.
    pub regime: f64,
    /// Product of the drivers' larger factors.
    pub drivers: f64,
    /// Product of the track effects' largest factors.
    pub tracks: f64,
    /// μ times the three multipliers, events per step.
    pub lambda: f64,
    /// λ_max (`max_rate`), events per step.
    pub max_rate: f64,
}

impl RateBound {
    /// `rate 2 x largest regime multiplier 3 x drivers 1 x tracks 1 = 6 events per step`.
    pub fn describe(&self) -> String {
        format!(
            "rate {} x largest regime multiplier {} x drivers {} x tracks {} = {} events per step",
            self.rate, self.regime, self.drivers, self.tracks, self.lambda
        )
    }
}

/// [`RateBound`] of dyad `d` (zero everywhere for a dyad without
/// initiative).
pub fn rate_bound(s: &Scenario, d: usize) -> RateBound {
    let dy = &s.dyads[d];
    let Some(init) = &dy.initiative else {
        return RateBound {
            rate: 0.0,
            regime: 0.0,
            drivers: 0.0,
            tracks: 0.0,
            lambda: 0.0,
            max_rate: 0.0,
        };
    };
    let regime = dy.regimes.iter().map(|r| r.rate).fold(0.0, f64::max);
    let drivers: f64 = init.drivers.iter().map(|&(_, on, off)| on.max(off)).product();
    let mut tracks = 1.0;
    for t in &s.tracks {
        for e in t.effects.iter().filter(|e| e.dyad as usize == d) {
            let status = e.by_status.iter().copied().fold(0.0, f64::max);
            tracks *= status * (1.0 + e.progress.max(0.0));
        }
    }
    let m = regime * drivers * tracks;
    // 0 x inf is no rate at all.
    let lambda = if init.rate == 0.0 || m == 0.0 {
        0.0
    } else {
        init.rate * m
    };
    RateBound {
        rate: init.rate,
        regime,
        drivers,
        tracks,
        lambda,
        max_rate: init.max_rate,
    }
}

/// Warnings about a valid scenario: initiative rates whose multipliers
/// alone reach `max_rate`, so the cap, not the parameters, sets the rate.
pub fn warnings(s: &Scenario) -> Vec<String> {
    let mut out = Vec::new();
    for (d, dy) in s.dyads.iter().enumerate() {
        let r = rate_bound(s, d);
        if r.lambda > 0.0 && r.lambda >= r.max_rate {
            out.push(format!(
                "dyads.{}.initiative: {} reaches max_rate {}: while those multipliers are active the rate is pinned at the cap",
                dy.id,
                r.describe(),
                r.max_rate
            ));
        }
    }
    out
}

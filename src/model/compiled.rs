//! The compiled scenario: read-only tables the engine derives from a
//! validated [`Scenario`](super::Scenario) once, at validation, so that a
//! trial's state ([`crate::engine::TrialState`]) holds only what changes
//! within a trial and every worker shares these tables by reference (as
//! rebop keeps its compiled problem apart from the state of one run).
//!
//! Nothing here is random and nothing changes during a run: the flattened
//! pressure inputs, the triggers split by the phase of a step at which they
//! are evaluated, the consequence samplers per ladder level
//! (`1 + Poisson(mean - 1)` people, see `engine::events`) and the length of
//! the spiral's ring buffer.

use super::{Condition, OutcomeKind, PressureInput, Scenario};
use crate::rng::Poisson;

/// Tables derived from a scenario, built by [`Compiled::new`].
#[derive(Debug, Clone, Default)]
pub struct Compiled {
    /// Every pressure input as (actor index, input), actor-major in file
    /// order: the order in which an event feeds the stocks; then every risk
    /// input as (number of actors + actor index, input), the same way.
    pub inputs: Vec<(usize, PressureInput)>,
    /// Triggers whose condition is a step: evaluated at the start of a step,
    /// in file order.
    pub start_triggers: Vec<usize>,
    /// The other triggers (event, pressure, track): evaluated at the end of
    /// a step, in file order.
    pub end_triggers: Vec<usize>,
    /// Per level: the number wounded beyond the first, `Poisson(wounded - 1)`.
    pub wounded_extra: Vec<Poisson>,
    /// Per level: the number killed beyond the first, `Poisson(killed - 1)`.
    pub killed_extra: Vec<Poisson>,
    /// Length of the ring of per-step severities the spiral outcomes sum
    /// over: the longest window plus one (1 without a spiral).
    pub ring_len: usize,
    /// Stride of the per-dyad, per-place event counts: the number of places,
    /// at least 1.
    pub places_per_dyad: usize,
    /// Number of event conditions over all triggers: each remembers the
    /// last step an event matched it (its `slot`).
    pub event_slots: usize,
}

impl Compiled {
    /// The tables of `s`.
    pub fn new(s: &Scenario) -> Compiled {
        let step_trigger = |k: &usize| s.triggers[*k].when.only_steps();
        Compiled {
            inputs: s
                .actors
                .iter()
                .enumerate()
                .flat_map(|(a, actor)| {
                    actor
                        .pressure
                        .iter()
                        .flat_map(move |p| p.inputs.iter().map(move |i| (a, i.clone())))
                })
                .chain(s.actors.iter().enumerate().flat_map(|(a, actor)| {
                    let n = s.actors.len();
                    actor
                        .risk
                        .iter()
                        .flat_map(move |r| r.inputs.iter().map(move |i| (n + a, i.clone())))
                }))
                .collect(),
            start_triggers: (0..s.triggers.len()).filter(step_trigger).collect(),
            end_triggers: (0..s.triggers.len()).filter(|k| !step_trigger(k)).collect(),
            wounded_extra: s.ladder.wounded.iter().map(|&m| Poisson::new(m - 1.0)).collect(),
            killed_extra: s.ladder.killed.iter().map(|&m| Poisson::new(m - 1.0)).collect(),
            ring_len: s
                .outcomes
                .iter()
                .chain(&s.milestones)
                .map(|o| match o.kind {
                    OutcomeKind::Spiral { window, .. } => window as usize + 1,
                    _ => 1,
                })
                .max()
                .unwrap_or(1),
            places_per_dyad: s.places.len().max(1),
            event_slots: s
                .triggers
                .iter()
                .flat_map(|t| t.when.iter())
                .filter(|c| matches!(c, Condition::Event { .. }))
                .count(),
        }
    }
}

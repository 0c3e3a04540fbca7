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
//!
//! # The step's layout: per-dyad lists
//!
//! A step's work is dyad-major: an event of dyad `d` can only touch the
//! pressure inputs, tracks and trigger conditions whose actor filters
//! admit `d`'s `from -> to`, and only the track effects naming `d` can
//! scale its initiative. Those lists ([`PerDyad`], one flat array with an
//! offset per dyad, in the order the engine would meet them walking the
//! whole scenario) are built here once, so the engine visits
//! `Σ_d |L_d| ≤ n_dyads · |L|` entries instead of every entry for every
//! event, in the same order, with bit-identical sums. They hold indices
//! only, never parameter values, so a worker that writes a trial's drawn
//! parameters into its scenario (`model::Slot`) leaves them valid: no
//! slot moves an actor filter, a track's watch list or an effect's dyad.

use super::{Condition, OutcomeKind, PressureInput, Scenario};
use crate::rng::Poisson;

/// A list per dyad, stored flat: the entries of dyad `d` are
/// `items[at[d]..at[d + 1]]`.
#[derive(Debug, Clone, Default)]
pub struct PerDyad<T> {
    at: Vec<u32>,
    items: Vec<T>,
}

impl<T> PerDyad<T> {
    /// Builds the lists of `n` dyads, dyad `d`'s from `f(d)`.
    fn build<I: IntoIterator<Item = T>>(n: usize, mut f: impl FnMut(usize) -> I) -> PerDyad<T> {
        let mut at = Vec::with_capacity(n + 1);
        let mut items = Vec::new();
        at.push(0);
        for d in 0..n {
            items.extend(f(d));
            at.push(items.len() as u32);
        }
        PerDyad { at, items }
    }

    /// Dyad `d`'s entries (empty for a dyad out of range, as in a default
    /// table).
    #[inline]
    pub fn of(&self, d: usize) -> &[T] {
        match (self.at.get(d), self.at.get(d + 1)) {
            (Some(&a), Some(&b)) => &self.items[a as usize..b as usize],
            _ => &[],
        }
    }

    /// Whether no dyad has an entry.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

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
    /// Per dyad: the indices into [`Compiled::inputs`] whose `from` and
    /// `to` filters admit the dyad's events, in `inputs` order (place and
    /// level are checked per event).
    pub dyad_inputs: PerDyad<u32>,
    /// Per dyad: the tracks that watch its acting actor or whose
    /// precondition names it, in file order.
    pub dyad_tracks: PerDyad<u16>,
    /// Per dyad: the track effects on its initiative as (track, effect),
    /// in file order (the order their factors multiply).
    pub dyad_effects: PerDyad<(u16, u16)>,
    /// Per dyad: the event conditions of triggers whose `from` and `to`
    /// filters admit its events, as (trigger, index in `when.iter()`).
    pub dyad_conditions: PerDyad<(u16, u16)>,
    /// The spiral outcomes, numbered outcomes then milestones (empty: the
    /// phase "Spiral window" has nothing to do).
    pub spirals: Vec<u16>,
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
            dyad_inputs: PerDyad::default(),
            dyad_tracks: PerDyad::default(),
            dyad_effects: PerDyad::default(),
            dyad_conditions: PerDyad::default(),
            spirals: s
                .outcomes
                .iter()
                .chain(&s.milestones)
                .enumerate()
                .filter(|(_, o)| matches!(o.kind, OutcomeKind::Spiral { .. }))
                .map(|(i, _)| i as u16)
                .collect(),
        }
        .per_dyad(s)
    }

    /// Fills the per-dyad lists of `s` (the inputs from `self.inputs`).
    fn per_dyad(mut self, s: &Scenario) -> Compiled {
        let n = s.dyads.len();
        let inputs = &self.inputs;
        self.dyad_inputs = PerDyad::build(n, |d| {
            let dy = &s.dyads[d];
            (0..inputs.len() as u32).filter(move |&i| {
                let inp = &inputs[i as usize].1;
                inp.from.is_none_or(|f| f == dy.from) && inp.to.is_none_or(|x| x == dy.to)
            })
        });
        self.dyad_tracks = PerDyad::build(n, |d| {
            let from = s.dyads[d].from as usize;
            (0..s.tracks.len() as u16).filter(move |&k| {
                let tr = &s.tracks[k as usize];
                tr.watch.get(from).copied().unwrap_or(false)
                    || tr.precondition_actors.get(from).copied().unwrap_or(false)
            })
        });
        self.dyad_effects = PerDyad::build(n, |d| {
            s.tracks.iter().enumerate().flat_map(move |(k, tr)| {
                tr.effects
                    .iter()
                    .enumerate()
                    .filter(move |(_, e)| e.dyad as usize == d)
                    .map(move |(i, _)| (k as u16, i as u16))
            })
        });
        self.dyad_conditions = PerDyad::build(n, |d| {
            let dy = &s.dyads[d];
            s.triggers.iter().enumerate().flat_map(move |(k, trig)| {
                trig.when.iter().enumerate().filter_map(move |(i, c)| match *c {
                    Condition::Event { from, to, .. }
                        if from.is_none_or(|f| f == dy.from) && to.is_none_or(|x| x == dy.to) =>
                    {
                        Some((k as u16, i as u16))
                    }
                    _ => None,
                })
            })
        });
        self
    }
}

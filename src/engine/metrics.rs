//! The per-trial metrics: their names, kinds and order, fixed by the
//! scenario. A trial writes one row of `f64` (NaN = "never happened", an
//! empty cell in CSV) and the output layer formats it; `docs/outputs.md`
//! documents every column.

use super::TrialState;
use crate::model::{Scenario, TalkStatus};

/// How a metric is stored, formatted and summarised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricKind {
    /// A whole number (exact quantiles from counts per value).
    Count,
    /// A real number (streaming quantile estimates).
    Real,
    /// A step number that may be missing (empty cell).
    Step,
    /// A talks status (written by name; summarised as shares).
    Status,
}

/// Names and kinds of the metric columns, and where each family starts.
#[derive(Debug, Clone)]
pub struct MetricLayout {
    /// Column names, in order.
    pub names: Vec<String>,
    /// Column kinds, in order.
    pub kinds: Vec<MetricKind>,
    dyad_places: Vec<bool>,
    pressure_actors: Vec<usize>,
}

fn push(l: &mut MetricLayout, name: String, kind: MetricKind) {
    l.names.push(name);
    l.kinds.push(kind);
}

impl MetricLayout {
    /// The layout for scenario `s`.
    pub fn new(s: &Scenario) -> MetricLayout {
        use MetricKind::*;
        let mut l = MetricLayout {
            names: Vec::new(),
            kinds: Vec::new(),
            dyad_places: Vec::new(),
            pressure_actors: Vec::new(),
        };
        if s.game.is_some() {
            for a in &s.actors {
                push(&mut l, format!("payoff_{}", a.id), Real);
            }
            for a in &s.actors {
                push(&mut l, format!("coop_{}", a.id), Real);
            }
            return l;
        }
        let pair = |d: &crate::model::Dyad| format!("{}_{}", s.actors[d.from as usize].id, s.actors[d.to as usize].id);
        for d in &s.dyads {
            push(&mut l, format!("events_{}", pair(d)), Count);
        }
        for d in &s.dyads {
            push(&mut l, format!("severity_{}", pair(d)), Real);
        }
        for d in &s.dyads {
            push(&mut l, format!("responses_{}", pair(d)), Count);
        }
        for d in &s.dyads {
            let has = !s.places.is_empty()
                && (d.initiative.as_ref().is_some_and(|i| !i.places.is_empty())
                    || d.response.as_ref().is_some_and(|r| !r.places.is_empty())
                    || d.hazard.as_ref().is_some_and(|h| !h.places.is_empty()));
            l.dyad_places.push(has);
            if has {
                for p in &s.places {
                    push(&mut l, format!("events_{}_{}", pair(d), p), Count);
                }
            }
        }
        for a in &s.actors {
            push(&mut l, format!("killed_{}", a.id), Count);
        }
        for a in &s.actors {
            push(&mut l, format!("wounded_{}", a.id), Count);
        }
        for a in &s.actors {
            push(&mut l, format!("first_death_step_{}", a.id), Step);
        }
        for (i, a) in s.actors.iter().enumerate() {
            if a.pressure.is_some() {
                l.pressure_actors.push(i);
                push(&mut l, format!("pressure_{}", a.id), Real);
            }
        }
        for t in &s.tracks {
            let id = &t.id;
            push(&mut l, format!("talks_{id}_status"), Status);
            push(&mut l, format!("talks_{id}_progress"), Real);
            push(&mut l, format!("talks_{id}_open_step"), Step);
            push(&mut l, format!("talks_{id}_agreement_step"), Step);
            push(&mut l, format!("talks_{id}_pause_steps"), Count);
            push(&mut l, format!("talks_{id}_pauses"), Count);
        }
        for d in &s.drivers {
            push(&mut l, format!("driver_{}_end_step", d.id), Step);
        }
        for t in &s.triggers {
            push(&mut l, format!("trigger_{}_step", t.id), Step);
        }
        l
    }

    /// Number of metric columns.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether there are no metric columns.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Index of the metric named `name`.
    pub fn index(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// Writes a crisis trial's metrics, in layout order.
    pub(crate) fn write_crisis(&self, s: &Scenario, st: &TrialState, row: &mut [f64]) {
        let step = |x: Option<u32>| x.map_or(f64::NAN, f64::from);
        let mut i = 0;
        let mut put = |v: f64| {
            row[i] = v;
            i += 1;
        };
        for d in 0..s.dyads.len() {
            put(f64::from(st.events.events_total[d]));
        }
        for d in 0..s.dyads.len() {
            put(st.events.severity_total[d]);
        }
        for d in 0..s.dyads.len() {
            put(f64::from(st.events.responses_total[d]));
        }
        let np = s.places.len().max(1);
        for d in 0..s.dyads.len() {
            if self.dyad_places[d] {
                for p in 0..s.places.len() {
                    put(f64::from(st.events.place_events[d * np + p]));
                }
            }
        }
        for a in 0..s.actors.len() {
            put(f64::from(st.events.killed[a]));
        }
        for a in 0..s.actors.len() {
            put(f64::from(st.events.wounded[a]));
        }
        for a in 0..s.actors.len() {
            put(step(st.events.first_death[a]));
        }
        for &a in &self.pressure_actors {
            put(st.pressure.level[a]);
        }
        for ts in &st.tracks {
            put(ts.status as u8 as f64);
            put(ts.mean);
            put(step(ts.open_step));
            put(step(ts.agreement_step));
            put(f64::from(ts.pause_steps));
            put(f64::from(ts.pauses));
        }
        for k in 0..s.drivers.len() {
            put(step(st.switches.driver_end_step[k]));
        }
        for k in 0..s.triggers.len() {
            put(step(st.switches.trigger_fired[k]));
        }
        debug_assert_eq!(i, self.len(), "metric layout and writer disagree");
    }
}

/// The name of a status code stored in a `Status` metric.
pub fn status_name(code: f64) -> &'static str {
    TalkStatus::ALL[code as usize].as_str()
}

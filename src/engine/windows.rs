//! Windowed quantities ([`crate::model::window`] gives the concept and its
//! equation): each declared `[metrics.<id>]` keeps the group's cumulative
//! count at the end of step `from − 1` (its base) and, at the end of step
//! `to`, the count over the window; a trial that ends earlier reports the
//! window through its last step. Recorded once per step, after the
//! step's outcomes are checked; no allocation, no draw.

use super::{TrialState, refill};
use crate::model::{Measure, Scenario, Windowed};

/// Per declared metric: the base count and the value once the window closed.
#[derive(Debug, Clone, Default)]
pub(super) struct Windows {
    /// `C_(from−1)`, the group's count before the window (0 for `from =
    /// 0`; NaN until step `from − 1` is recorded).
    base: Vec<f64>,
    /// The quantity once step `to` is recorded (NaN before).
    value: Vec<f64>,
}

impl Windows {
    pub(super) fn reset(&mut self, s: &Scenario) {
        refill(&mut self.value, s.metrics.len(), f64::NAN);
        self.base.clear();
        self.base
            .extend(s.metrics.iter().map(|w| if w.from == 0 { 0.0 } else { f64::NAN }));
    }
}

/// The group's cumulative count through the step just simulated, or the
/// track's status code.
#[inline]
fn current(st: &TrialState, m: &Measure) -> f64 {
    let ev = &st.events;
    let dyads = |ds: &[u16], v: &[u32]| ds.iter().map(|&d| f64::from(v[d as usize])).sum::<f64>();
    match m {
        Measure::Events(ds) | Measure::FirstEvent(ds) => dyads(ds, &ev.events_total),
        Measure::Responses(ds) => dyads(ds, &ev.responses_total),
        Measure::Killed(a) | Measure::FirstDeath(a) => dyads(a, &ev.killed),
        Measure::Wounded(a) => dyads(a, &ev.wounded),
        Measure::TrackStatus(k) => st.tracks[*k as usize].status as u8 as f64,
    }
}

/// The quantity over the window, given the current count.
#[inline]
fn finish(w: &Windowed, now: f64, base: f64) -> f64 {
    match w.measure {
        Measure::TrackStatus(_) => now,
        Measure::FirstEvent(_) | Measure::FirstDeath(_) => f64::from(u8::from(now - base > 0.0)),
        _ => now - base,
    }
}

/// Records step `t`: windows starting next step take their base, windows
/// ending at `t` their value.
pub(super) fn record(s: &Scenario, st: &mut TrialState, t: u32) {
    for (i, w) in s.metrics.iter().enumerate() {
        if w.from == t + 1 {
            st.windows.base[i] = current(st, &w.measure);
        }
        if w.to == t {
            st.windows.value[i] = finish(w, current(st, &w.measure), st.windows.base[i]);
        }
    }
}

/// The value of declared metric `i` at the end of a trial: the window's
/// value if it closed, else the window through the trial's last step (0,
/// or the status then, for a window that had not begun).
pub(super) fn value(s: &Scenario, st: &TrialState, i: usize) -> f64 {
    let w = &s.metrics[i];
    let v = st.windows.value[i];
    if !v.is_nan() {
        return v;
    }
    let base = st.windows.base[i];
    match w.measure {
        Measure::TrackStatus(_) => current(st, &w.measure),
        _ if base.is_nan() => 0.0,
        _ => finish(w, current(st, &w.measure), base),
    }
}

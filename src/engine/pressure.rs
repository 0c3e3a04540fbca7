//! Pressure: a decaying stock per actor, fed by what happens to it and
//! relieved by talks.
//!
//! ```text
//! P_t = max(0, decay·P_{t-1} + inputs_t - relief_t)
//! inputs_t = Σ_events Σ_matching inputs  weight · units(event)
//! relief_t = Σ_tracks  progress·ΔG_t + active·[track active] + agreement·[signed at t]
//! ```
//!
//! `units` is 1 per event, its severity, or the people it killed or wounded
//! (`per`); an input matches an event by `from`, `to`, `place` and
//! `min_level`. With a constant input u and no relief the stock converges
//! to u/(1 - decay) (tested in `tests/engine.rs`). Iraq's government is
//! the flagship's case: strikes on its soil violate its sovereignty and
//! attacks from it embarrass it (CALIBRATION.md); its stock can drive a
//! hazard, scale an initiative, fire triggers or end a trial (a coerced
//! exit, [`super::outcomes`]). The stock-and-hazard form follows the
//! discrete-time hazard models of [Allison1982].
//!
//! An actor may also keep a *risk* stock, the same equation without
//! relief, `K_t = max(0, decay·K_{t-1} + inputs_t)`: for a patron, the
//! risk it runs through its partners (strikes on their leaders, escalation
//! toward its own forces). Its inputs are indexed `n + a` in the compiled
//! list (n actors), so one pass over an event feeds both kinds of stock.
//! The actor's choices ([`super::actions`]) read either stock; so do talks
//! that bargain ([`super::tracks`]), through the parties' pressure.

use super::Event;
use super::{TrialState, refill};
use crate::model::{PerEvent, Scenario, TalkStatus};

/// Each actor's stock, and this step's inputs to it.
#[derive(Debug, Clone, Default)]
pub(super) struct PressureState {
    /// P_t per actor (0 for actors without a stock).
    pub(super) level: Vec<f64>,
    /// inputs_t per actor: pressure at `a`, risk at `n + a`.
    pub(super) inflow: Vec<f64>,
    /// K_t per actor (0 for actors without a risk stock).
    pub(super) risk: Vec<f64>,
}

impl PressureState {
    pub(super) fn reset(&mut self, s: &Scenario) {
        self.level.clear();
        self.level
            .extend(s.actors.iter().map(|a| a.pressure.as_ref().map_or(0.0, |p| p.initial)));
        refill(&mut self.inflow, 2 * s.actors.len(), 0.0);
        self.risk.clear();
        self.risk
            .extend(s.actors.iter().map(|a| a.risk.as_ref().map_or(0.0, |r| r.initial)));
    }
}

/// Part of phase "Perception": event `e` (severity `sev`) feeds the
/// inputs that match it, actor-major in file order; only the inputs whose
/// actor filters admit its dyad ([`crate::model::Compiled::dyad_inputs`])
/// are looked at.
#[inline]
pub(super) fn feed(s: &Scenario, inflow: &mut [f64], e: &Event, sev: f64) {
    for &i in s.compiled.dyad_inputs.of(e.dyad as usize) {
        let (a, inp) = &s.compiled.inputs[i as usize];
        if inp.place.is_some_and(|pl| pl != e.place) || e.level < inp.min_level {
            continue;
        }
        let units = match inp.per {
            PerEvent::Event => 1.0,
            PerEvent::Severity => sev,
            PerEvent::Killed => f64::from(e.killed),
            PerEvent::Wounded => f64::from(e.wounded),
        };
        inflow[*a] += inp.weight * units;
    }
}

/// Phase "Tracks and pressure", second part: the stock equations above,
/// after the tracks have moved this step.
pub(super) fn update(s: &Scenario, st: &mut TrialState) {
    let n = s.actors.len();
    for (a, actor) in s.actors.iter().enumerate() {
        if let Some(r) = &actor.risk {
            st.pressure.risk[a] = (r.decay * st.pressure.risk[a] + st.pressure.inflow[n + a]).max(0.0);
        }
        let Some(p) = &actor.pressure else { continue };
        let mut relief = 0.0;
        for r in &p.relief {
            let ts = &st.tracks[r.track as usize];
            relief += r.progress * ts.gained;
            if ts.status == TalkStatus::Active {
                relief += r.active;
            }
            if ts.signed_now {
                relief += r.agreement;
            }
        }
        st.pressure.level[a] = (p.decay * st.pressure.level[a] + st.pressure.inflow[a] - relief).max(0.0);
    }
}

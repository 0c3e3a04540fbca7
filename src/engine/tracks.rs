//! Negotiation tracks: talks that open, progress more slowly under fire,
//! pause after severe events, may collapse, and sign behind a calm window.
//!
//! ```text
//! progress_g += rate · w_g / (1 + κ·V_t)     each active step, per working group g
//! V_t = memory·V_{t-1} + S_t                 S: severity of the watched actors' events
//! P(collapse at t) = h0 + h1·V_t             each open (active or paused) step
//! ```
//!
//! Talks open on their date or once a precondition's calm has held; a
//! watched event at or above the pause level, or one that kills people of
//! an actor named by `pause.on_kill` (every actor for `true`), pauses them
//! for `pause.steps`; they sign on the first active step with every group
//! complete and no watched event at or above the signing level in the last
//! `signing.calm` steps. While open, they scale spoilers' initiative
//! ([`super::events`]): extremists attack as talks advance or stall
//! [KyddWalter2002]. With a constant hazard h the time to collapse is
//! geometric with mean 1/h steps (tested in `tests/negotiation.rs`).
//!
//! # Talks that bargain
//!
//! A track with `[bargaining]` is not a clock: its pace and its chance of
//! a deal answer to the parties' states.
//!
//! ```text
//! R_t = min_i hurt_i · P_i(t-1)                    ripeness, over the listed parties
//! progress_g += rate · w_g · M_t · pace_t / (1 + κ·V_t)
//! M_t = (1 + ρ·R_t) · Π_k d_k(t)                    d_k: driver k's active/inactive factor
//! C_t = C_{t-1} + S_t                               costs observed since the talks opened
//! P(concession at t) = 1 / (1 + exp(-(a + b_R·R_t + b_L·C_t)))   each active step with a group incomplete
//! ```
//!
//! Ripeness is the *least* hurt party's hurt: a stalemate is ripe only
//! when it hurts both sides [Zartman2000]. The concession hazard rises
//! with the costs fighting has revealed: each side learns the other's
//! resolve from what it is willing to suffer, and settles when it has
//! learned enough [Fearon1995; Wagner2000; Powell2004]. A concession adds
//! `jump` to every working group (1 = the deal is done, and waits for the
//! signing calm). `pace_t` is 1 unless a party hurried (> 1) or hardened
//! its demands (< 1), an action it chose ([`super::actions`]). With no
//! `[bargaining]` table, M_t = 1, nothing is drawn, and the clock model
//! above runs unchanged. With R held fixed and b_L = 0, the time to the
//! first concession is geometric (tested in `tests/bargaining.rs`).

use super::Event;
use super::TrialState;
use crate::model::{Bargaining, Dyad, Scenario, TalkStatus, Track};
use crate::rng::{TrialRng, bernoulli};

/// One track's state within a trial.
#[derive(Debug, Clone, Default)]
pub(super) struct TrackState {
    pub(super) status: TalkStatus,
    /// Per working group, 0..=1.
    pub(super) progress: Vec<f64>,
    /// Mean of `progress`, kept in step with it.
    pub(super) mean: f64,
    /// V_t, the recent violence stock.
    pub(super) violence: f64,
    /// First step of activity after a pause.
    pub(super) pause_until: u32,
    /// Number of pauses so far.
    pub(super) pauses: u32,
    /// Steps spent paused so far.
    pub(super) pause_steps: u32,
    /// Last step a watched event broke the signing calm.
    pub(super) last_break: i64,
    /// Last step a precondition actor acted.
    pub(super) last_pre_event: i64,
    pub(super) open_step: Option<u32>,
    pub(super) agreement_step: Option<u32>,
    pub(super) collapse_step: Option<u32>,
    /// Mean progress gained this step (for relief).
    pub(super) gained: f64,
    /// Whether agreement was reached this step (for relief).
    pub(super) signed_now: bool,
    /// A pause was requested by this step's events.
    pub(super) pause_requested: bool,
    /// C_t: severity of watched events since the talks opened.
    pub(super) cost: f64,
    /// Pace multiplier set by a party's hurry or harden action.
    pub(super) pace: f64,
    /// First step the pace multiplier no longer applies.
    pub(super) pace_until: u32,
    /// Number of concessions so far.
    pub(super) concessions: u32,
}

impl TrackState {
    fn reset(&mut self, t: &Track) {
        self.status = t.initial;
        self.progress.clear();
        self.progress.resize(t.groups.len(), 0.0);
        self.mean = 0.0;
        self.violence = 0.0;
        self.pause_until = 0;
        self.pauses = 0;
        self.pause_steps = 0;
        // history before step 0 counts as violent, for the precondition
        self.last_break = i64::MIN / 2;
        self.last_pre_event = -1;
        self.open_step = (t.initial == TalkStatus::Active).then_some(0);
        self.agreement_step = None;
        self.collapse_step = None;
        self.gained = 0.0;
        self.signed_now = false;
        self.pause_requested = false;
        self.cost = 0.0;
        self.pace = 1.0;
        self.pace_until = 0;
        self.concessions = 0;
    }

    /// A trigger sets the status: opens talks not started (from step `now`,
    /// the first step the trigger's phase affects), pauses active talks
    /// until `t + duration`, or collapses open ones. Other changes do
    /// nothing.
    pub(super) fn set_by_trigger(&mut self, status: TalkStatus, duration: u32, t: u32, now: u32) {
        match status {
            TalkStatus::Active if self.status == TalkStatus::NotStarted => {
                self.status = TalkStatus::Active;
                self.open_step = Some(now);
            }
            TalkStatus::Paused if self.status == TalkStatus::Active => {
                self.status = TalkStatus::Paused;
                self.pauses += 1;
                self.pause_until = t + duration;
            }
            TalkStatus::Collapsed if matches!(self.status, TalkStatus::Active | TalkStatus::Paused) => {
                self.status = TalkStatus::Collapsed;
                self.collapse_step = Some(t);
            }
            _ => {}
        }
    }
}

/// Every track's state reset for `s`, reusing `v`'s allocations.
pub(super) fn reset(v: &mut Vec<TrackState>, s: &Scenario) {
    v.truncate(s.tracks.len());
    v.resize_with(s.tracks.len(), TrackState::default);
    for (ts, t) in v.iter_mut().zip(&s.tracks) {
        ts.reset(t);
    }
}

/// Phase "Tracks open": talks open on their step or once the precondition's
/// calm has held; paused talks whose pause is over resume.
pub(super) fn open(s: &Scenario, st: &mut TrialState, t: u32) {
    for (ts, tr) in st.tracks.iter_mut().zip(&s.tracks) {
        match ts.status {
            TalkStatus::NotStarted => {
                let calm_ok =
                    tr.precondition_calm == 0 || t as i64 - ts.last_pre_event > i64::from(tr.precondition_calm);
                let scheduled = match tr.open_step {
                    Some(o) => t >= o,
                    None => tr.precondition_calm > 0,
                };
                if scheduled && calm_ok {
                    ts.status = TalkStatus::Active;
                    ts.open_step = Some(t);
                }
            }
            TalkStatus::Paused if t >= ts.pause_until => ts.status = TalkStatus::Active,
            _ => {}
        }
    }
}

/// Part of phase "Perception": the tracks see event `e` of dyad `dy`
/// (severity `sev`): the precondition's clock, violence, the signing
/// calm, pause requests. Only the tracks listed for the dyad
/// ([`crate::model::Compiled::dyad_tracks`]: they watch its actor or their
/// precondition names it) are looked at.
#[inline]
pub(super) fn see(s: &Scenario, tracks: &mut [TrackState], e: &Event, dy: &Dyad, sev: f64, t: u32) {
    for &k in s.compiled.dyad_tracks.of(e.dyad as usize) {
        let (ts, tr) = (&mut tracks[k as usize], &s.tracks[k as usize]);
        if tr.precondition_actors[dy.from as usize] {
            ts.last_pre_event = i64::from(t);
        }
        if !tr.watch[dy.from as usize] {
            continue;
        }
        ts.violence += sev;
        if matches!(ts.status, TalkStatus::Active | TalkStatus::Paused) {
            ts.cost += sev;
        }
        if e.level >= tr.signing_level {
            ts.last_break = i64::from(t);
        }
        if tr.pause_level.is_some_and(|l| e.level >= l) || (e.killed > 0 && tr.pause_on_kill[dy.to as usize]) {
            ts.pause_requested = true;
        }
    }
}

/// Phase "Tracks and pressure", first part: pause, progress, collapse,
/// signing, then the violence stock decays.
pub(super) fn update(s: &Scenario, st: &mut TrialState, rng: &mut TrialRng, t: u32) {
    let (pressure, drivers) = (&st.pressure.level, &st.switches.driver_on);
    for (ts, tr) in st.tracks.iter_mut().zip(&s.tracks) {
        // `violence` already holds this step's severity on top of the
        // decayed past: V_t = δ·V_{t-1} + S_t is applied as decay below.
        ts.gained = 0.0;
        ts.signed_now = false;
        let open = matches!(ts.status, TalkStatus::Active | TalkStatus::Paused);
        if open && ts.pause_requested && tr.pause_steps > 0 {
            if ts.status == TalkStatus::Active {
                ts.pauses += 1;
            }
            ts.status = TalkStatus::Paused;
            ts.pause_until = t + tr.pause_steps;
        }
        if ts.status == TalkStatus::Active {
            let mut speed = tr.rate / (1.0 + tr.violence * ts.violence);
            let ripe = tr.bargaining.as_ref().map(|b| ripeness(b, pressure));
            if let (Some(b), Some(r)) = (&tr.bargaining, ripe) {
                speed *= pace(b, r, drivers);
            }
            if t < ts.pace_until {
                speed *= ts.pace;
            }
            for (p, w) in ts.progress.iter_mut().zip(&tr.groups) {
                // Within 1e-9 of done is done: ten steps of 0.1 complete.
                *p += speed * w;
                if *p >= 1.0 - 1e-9 {
                    *p = 1.0;
                }
            }
            let open_issues = ts.progress.iter().any(|&p| p < 1.0);
            if let (Some(c), Some(r), true) = (tr.bargaining.as_ref().and_then(|b| b.concession), ripe, open_issues) {
                let logit = c.intercept + c.ripeness * r + c.learning * ts.cost;
                if bernoulli(rng, 1.0 / (1.0 + crate::math::exp(-logit))) {
                    ts.concessions += 1;
                    for p in ts.progress.iter_mut() {
                        *p += c.jump;
                        if *p >= 1.0 - 1e-9 {
                            *p = 1.0;
                        }
                    }
                }
            }
            let mean = mean_progress(&ts.progress);
            ts.gained = mean - ts.mean;
            ts.mean = mean;
        }
        if matches!(ts.status, TalkStatus::Active | TalkStatus::Paused) {
            let h = tr.collapse_hazard + tr.collapse_violence * ts.violence;
            if bernoulli(rng, h) {
                ts.status = TalkStatus::Collapsed;
                ts.collapse_step = Some(t);
            }
        }
        if ts.status == TalkStatus::Active
            && ts.progress.iter().all(|&p| p >= 1.0)
            && i64::from(t) - ts.last_break >= i64::from(tr.signing_calm)
        {
            ts.status = TalkStatus::Agreement;
            ts.agreement_step = Some(t);
            ts.signed_now = true;
        }
        if ts.status == TalkStatus::Paused {
            ts.pause_steps += 1;
        }
        ts.violence *= tr.memory;
    }
}

/// R_t: the least hurt of the listed parties, from last step's pressure
/// (0 when no party is listed).
#[inline]
fn ripeness(b: &Bargaining, pressure: &[f64]) -> f64 {
    let least = b
        .hurt
        .iter()
        .map(|&(a, w)| w * pressure[a as usize])
        .fold(f64::INFINITY, f64::min);
    if least.is_finite() { least } else { 0.0 }
}

/// M_t = (1 + ρ·R_t) · Π_k d_k(t).
#[inline]
fn pace(b: &Bargaining, r: f64, drivers: &[bool]) -> f64 {
    let mut m = 1.0 + b.ripeness * r;
    for &(k, on, off) in &b.drivers {
        m *= if drivers[k as usize] { on } else { off };
    }
    m
}

fn mean_progress(p: &[f64]) -> f64 {
    p.iter().map(|x| x.min(1.0)).sum::<f64>() / p.len() as f64
}

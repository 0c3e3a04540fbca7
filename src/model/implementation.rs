//! An implementation phase: what follows an agreement. It starts at the
//! step its track reaches agreement (which must then be a milestone, not a
//! terminal outcome, for the trial to go on) and runs on its own timeline:
//! each later step it either breaks (probability `h_b`), slips (probability
//! `h_s`: `setback` steps of work are lost), or advances one step of work;
//! it is complete when `duration` steps of work are done:
//!
//! ```text
//! per step:  broken w.p. h_b;  else  W ← max(0, W − setback) w.p. h_s;  else W ← W + 1
//! complete when W ≥ duration
//! ```
//!
//! Without slips, P(completed) = (1 − h_b)^duration and the step it breaks
//! is geometric. Spoilers: the dyads it names switch to a regime for good
//! when the phase starts (a campaign against the deal), as trigger
//! regimes do. Implementation slips and spoiler violence after peace deals
//! are the norm rather than the exception [Stedman1997]; the hazards are
//! the analyst's judgement until a source gives them.

use super::DyadId;

/// A declared implementation phase (`[phases.<id>]`).
#[derive(Debug, Clone)]
pub struct Implementation {
    /// Id as written.
    pub id: String,
    /// The track whose agreement starts it.
    pub track: u16,
    /// Steps of work to complete it (>= 1).
    pub duration: u32,
    /// Probability per step of a slip, 0..=1.
    pub slip: f64,
    /// Steps of work lost per slip.
    pub setback: u32,
    /// Probability per step that the deal breaks, 0..=1.
    pub break_hazard: f64,
    /// Spoilers: (dyad, regime) switched on for good when it starts.
    pub spoilers: Vec<(DyadId, u8)>,
}

//! Answers: the dyads' stocks of what they received, and the reactive
//! rules that answer it.
//!
//! Each step, after the events, every dyad's stocks take what it perceived
//! its target doing (S_t, the summed severity as perceived):
//!
//! ```text
//! D_t = δ·D_{t-1} + S_t                   deterrence or backlash (initiative β)
//! E_t = φ·E_{t-1} + (1 - φ)·n_t           self-excitation (own events n_t)
//! G_t = decay·G_{t-1} + S_t               grievance (a grievance hazard)
//! ```
//!
//! [GoldsteinPevehouse1997; Hawkes1971]. Then each dyad decides its
//! answer: first its reciprocity rule (the tit-for-tat family on a ladder,
//! [`crate::policy`]; [Axelrod1980; NowakSigmund1992]), carried out
//! `delay` steps later and followed by a refractory period; then its
//! hazard, `p_t = 1 / (1 + exp(-(a + b·X_t)))` on its grievance or its
//! actor's pressure [Allison1982], acting the next step. A dyad whose
//! active regime does not respond decides nothing; a regime with a
//! response of its own answers by that rule instead of the dyad's (the
//! rule's memory carries over).
//!
//! Attribution: with probability `p` an answer (the rule's, the hazard's,
//! or a trigger's act on the dyad) lands on another actor `j` of the
//! dyad's misattribution table, chosen with probability `w_j / Σ w`,
//! and is carried out by the dyad `from -> j`:
//!
//! ```text
//! P(answer lands on j) = p · w_j / Σ_k w_k,   P(on the actor that acted) = 1 - p
//! ```
//!
//! so over n answers the misattributed count is Binomial(n, p). Who acted
//! is often unclear in proxy wars, and states answer the group they
//! believe responsible [Mumford2013; RidBuchanan2015].

use super::events::{EventState, draw_place};
use super::{TrialState, refill};
use crate::model::{DyadId, Scenario};
use crate::policy::{HazardStock, Observation, RuleState};
use crate::rng::{TrialRng, bernoulli, categorical};

/// Per dyad: the stocks above and the answering rules' memory.
#[derive(Debug, Clone, Default)]
pub(super) struct Stocks {
    /// D_t.
    pub(super) deterrence: Vec<f64>,
    /// E_t.
    pub(super) excitation: Vec<f64>,
    /// G_t.
    pub(super) grievance: Vec<f64>,
    /// The reciprocity rule's memory.
    pub(super) rules: Vec<RuleState>,
    /// No answer is decided before this step.
    pub(super) refractory_until: Vec<u32>,
    /// The hazard sleeps until this step.
    pub(super) hazard_until: Vec<u32>,
}

impl Stocks {
    pub(super) fn reset(&mut self, s: &Scenario) {
        let nd = s.dyads.len();
        refill(&mut self.deterrence, nd, 0.0);
        self.excitation.clear();
        self.excitation
            .extend(s.dyads.iter().map(|d| d.initiative.as_ref().map_or(0.0, |i| i.history)));
        refill(&mut self.grievance, nd, 0.0);
        refill(&mut self.rules, nd, RuleState::default());
        refill(&mut self.refractory_until, nd, 0);
        refill(&mut self.hazard_until, nd, 0);
    }
}

/// Phase "Stocks": the three stock equations above.
pub(super) fn update_stocks(s: &Scenario, st: &mut TrialState) {
    let (k, ev) = (&mut st.stocks, &st.events);
    for (d, dy) in s.dyads.iter().enumerate() {
        let received = dy.reverse.map_or(0.0, |r| ev.now[r as usize].perc_sev);
        if let Some(init) = &dy.initiative {
            k.deterrence[d] = init.memory * k.deterrence[d] + received;
            k.excitation[d] = init.kernel * k.excitation[d] + (1.0 - init.kernel) * f64::from(ev.now[d].events);
        }
        if let Some(h) = &dy.hazard
            && let HazardStock::Grievance { decay } = h.stock
        {
            k.grievance[d] = decay * k.grievance[d] + received;
        }
    }
}

/// Phase "Answers": dyad by dyad, the reciprocity rule, then the hazard.
pub(super) fn decide(s: &Scenario, st: &mut TrialState, rng: &mut TrialRng, t: u32) {
    let (k, ev) = (&mut st.stocks, &mut st.events);
    for (d, dy) in s.dyads.iter().enumerate() {
        let regime = &dy.regimes[st.switches.regime[d] as usize];
        if !regime.respond {
            continue;
        }
        if let Some(resp) = regime.response.as_ref().or(dy.response.as_ref()) {
            let (theirs, wounded, killed) = match dy.reverse {
                Some(r) => {
                    let seen = &ev.now[r as usize];
                    (seen.perc_max, seen.hit_wounded, seen.hit_killed)
                }
                None => (0, false, false),
            };
            // Nothing perceived and nothing pending: the rule would answer
            // 0, draw nothing and keep its memory, so it is not called.
            if theirs > 0 || !resp.rule.quiet(&k.rules[d]) {
                let o = Observation {
                    mine: ev.now[d].acted,
                    theirs,
                    wounded,
                    killed,
                    ready: t >= k.refractory_until[d],
                };
                let level = resp.rule.decide(&mut k.rules[d], &o, &s.ladder, rng);
                if level > 0 {
                    let place = draw_place(&resp.places, rng);
                    let due = t + resp.delay;
                    k.refractory_until[d] = due + resp.refractory;
                    let on = attribute(s, ev, d as DyadId, rng);
                    ev.schedule(due, on, level, place, None, None);
                }
            }
        }
        if let Some(h) = &dy.hazard {
            if t < k.hazard_until[d] {
                continue;
            }
            let x = match h.stock {
                HazardStock::Grievance { .. } => k.grievance[d],
                HazardStock::Pressure => st.pressure.level[dy.from as usize],
            };
            if bernoulli(rng, h.probability(x)) {
                let place = draw_place(&h.places, rng);
                k.hazard_until[d] = t + 1 + h.refractory;
                let on = attribute(s, ev, d as DyadId, rng);
                ev.schedule(t + 1, on, h.level, place, None, None);
            }
        }
    }
}

/// The dyad that carries out an answer of dyad `d`: `d` itself, or with
/// the probability of `d`'s misattribution another dyad of the same actor
/// (counted in `misattributed[d]`). Draws nothing for a dyad without
/// misattribution.
#[inline]
pub(super) fn attribute(s: &Scenario, ev: &mut EventState, d: DyadId, rng: &mut TrialRng) -> DyadId {
    let Some(m) = &s.dyads[d as usize].misattribution else {
        return d;
    };
    if !bernoulli(rng, m.p) {
        return d;
    }
    ev.misattributed[d as usize] += 1;
    m.dyads[categorical(rng, &m.weights)]
}

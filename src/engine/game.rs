//! Iterated two-player games: each actor acts exactly once per round on a
//! two-rung ladder (0 = cooperate, 1 = defect) and is paid from the table
//! (R, S, T, P).
//!
//! A round, in this order of draws:
//!
//! 1. Each player, in file order, chooses: in round 0 it cooperates with its
//!    rule's first-move probability; afterwards it calls the same
//!    [`Rule::decide`](crate::policy::Rule::decide) the crisis engine uses,
//!    with what it saw of the previous round.
//! 2. Execution noise: each intended act (row's, then col's) is flipped with
//!    probability `noise`; both players then know the act that happened.
//! 3. Perception noise: each player (row, then col) misreads the other's act
//!    with probability `perception_noise`; its own act it always knows.
//! 4. Both are paid on the acts that happened.
//!
//! Metrics: `payoff_<actor>`, mean payoff per round, and `coop_<actor>`,
//! the share of rounds in which its act (as it happened) was cooperation.

use super::{Metric, MetricLayout, TrialResult};
use crate::model::{Game, Scenario};
use crate::policy::{Observation, RuleState};
use crate::rng::{TrialRng, bernoulli};

/// One match of `g.rounds` rounds between the scenario's two actors.
pub(crate) fn run_match(
    s: &Scenario,
    g: &Game,
    layout: &MetricLayout,
    rng: &mut TrialRng,
    row: &mut [f64],
) -> TrialResult {
    let (mut pay, mut coop) = ([0.0f64; 2], [0u32; 2]);
    play(s, g, rng, |act| {
        for i in 0..2 {
            pay[i] += g.payoffs.of(act[i], act[1 - i]);
            coop[i] += u32::from(!act[i]);
        }
    });
    let n = f64::from(g.rounds.max(1));
    for (x, m) in row.iter_mut().zip(layout.metrics()) {
        *x = match *m {
            Metric::Payoff(a) => pay[a as usize] / n,
            Metric::Coop(a) => f64::from(coop[a as usize]) / n,
            _ => f64::NAN,
        };
    }
    TrialResult {
        outcome: s.outcomes.len() as u16,
        end_step: g.rounds.saturating_sub(1),
    }
}

/// Plays one match and returns each round's acts as they happened
/// (`true` = defect), for tests that pin moves against the literature.
pub fn play_moves(s: &Scenario, rng: &mut TrialRng) -> Vec<[bool; 2]> {
    let g = s.game.as_ref().expect("play_moves needs a game scenario");
    let mut out = Vec::with_capacity(g.rounds as usize);
    play(s, g, rng, |act| out.push(act));
    out
}

/// The round loop; `on_round` sees each round's acts as they happened.
fn play(s: &Scenario, g: &Game, rng: &mut TrialRng, mut on_round: impl FnMut([bool; 2])) {
    let rules = [
        s.actors[0]
            .strategy
            .as_ref()
            .expect("validated: game actors have strategies"),
        s.actors[1]
            .strategy
            .as_ref()
            .expect("validated: game actors have strategies"),
    ];
    let mut mem = [RuleState::default(); 2];
    let mut seen = [Observation::default(); 2];
    for round in 0..g.rounds {
        let mut act = [false; 2];
        for i in 0..2 {
            act[i] = if round == 0 {
                !bernoulli(rng, rules[i].first_cooperation())
            } else {
                rules[i].decide(&mut mem[i], &seen[i], &s.ladder, rng) > 0
            };
        }
        for a in act.iter_mut() {
            *a ^= bernoulli(rng, g.noise);
        }
        let mut perceived = [act[1], act[0]];
        for p in perceived.iter_mut() {
            *p ^= bernoulli(rng, g.perception_noise);
        }
        for i in 0..2 {
            seen[i] = Observation {
                mine: u8::from(act[i]),
                theirs: u8::from(perceived[i]),
                wounded: false,
                killed: false,
                ready: true,
            };
        }
        on_round(act);
    }
}

//! Iterated two-player games: each actor acts exactly once per round on a
//! two-rung ladder (0 = cooperate, 1 = defect) and is paid from the table
//! (R, S, T, P).
//!
//! A round, in this order of draws:
//!
//! 1. Each player, in file order, chooses: in round 0 it cooperates with its
//!    rule's first-move probability; afterwards it applies its rule
//!    ([`Rule::decide`](crate::policy::Rule::decide), the one the crisis
//!    engine uses) to what it saw of the previous round.
//! 2. Execution noise: each intended act (row's, then col's) is flipped with
//!    probability `noise`; both players then know the act that happened.
//! 3. Perception noise: each player (row, then col) misreads the other's act
//!    with probability `perception_noise`; its own act it always knows.
//! 4. Both are paid on the acts that happened.
//!
//! **Noise as gaps** (issue 18). Flips are not drawn one Bernoulli per act:
//! the acts of a match form one sequence (round 0 row, round 0 col, round 1
//! row, ...) and the number of unflipped acts before the next flip is drawn
//! as a geometric variable [Devroye1986, ch. X.2],
//!
//! ```text
//! G = ⌊ ln U / ln(1 − p) ⌋,  U uniform on (0, 1],  P(G ≥ k) = (1 − p)^k,
//! ```
//!
//! so the flips are i.i.d. Bernoulli(p), as before, at about `p` draws per
//! act instead of one. Perception noise has its own gap counter over the
//! sequence of readings. The first gap of each counter (execution, then
//! perception) is drawn when the match starts; the next one whenever a flip
//! happens, interleaved with the rules' own draws in the order above.
//! `p <= 0` never flips and `p >= 1` always flips, both without drawing.
//!
//! **Rules compiled for the loop.** Each actor's rule becomes a [`Player`]:
//! memory-one rules, and graded tit-for-tat whose threshold one defection
//! meets (`tft`, `gtft`: cooperate after C, forgive a D with probability
//! q, the same draw in the same place as [`Rule::decide`]), become a
//! four-vector; grim, tit-for-two-tats and contrite TFT keep their state
//! machines; any other graded rule runs through [`Rule::decide`] itself.
//! Payoffs are summed at the end from the counts of the four outcomes.
//!
//! Metrics: `payoff_<actor>`, mean payoff per round, and `coop_<actor>`,
//! the share of rounds in which its act (as it happened) was cooperation.
//!
//! [Devroye1986]: L. Devroye, *Non-Uniform Random Variate Generation*,
//! Springer, 1986.

use super::{Metric, MetricLayout, TrialResult};
use crate::model::{Game, Ladder, Scenario};
use crate::policy::{Contrite, Observation, Rule, RuleState};
use crate::rng::{TrialRng, bernoulli, uniform};

/// One match of `g.rounds` rounds between the scenario's two actors.
pub(crate) fn run_match(
    s: &Scenario,
    g: &Game,
    layout: &MetricLayout,
    rng: &mut TrialRng,
    row: &mut [f64],
) -> TrialResult {
    // Outcome counts, index (row defected, col defected) = 2·row + col.
    let mut n = [0u32; 4];
    play(s, g, rng, |act| {
        n[usize::from(act[0]) << 1 | usize::from(act[1])] += 1;
    });
    let p = &g.payoffs;
    let (cc, cd, dc, dd) = (f64::from(n[0]), f64::from(n[1]), f64::from(n[2]), f64::from(n[3]));
    let pay = [
        cc * p.r + cd * p.s + dc * p.t + dd * p.p,
        cc * p.r + dc * p.s + cd * p.t + dd * p.p,
    ];
    let coop = [n[0] + n[1], n[0] + n[2]];
    let rounds = f64::from(g.rounds.max(1));
    for (x, m) in row.iter_mut().zip(layout.metrics()) {
        *x = match *m {
            Metric::Payoff(a) => pay[a as usize] / rounds,
            Metric::Coop(a) => f64::from(coop[a as usize]) / rounds,
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

/// A rule as the round loop runs it.
enum Player<'a> {
    /// Cooperate with probability `coop[2·mine + theirs]` (own act first).
    MemoryOne([f64; 4]),
    /// Defect iff the other has ever defected.
    Grim,
    /// Defect iff the other defected in both of the last two rounds.
    TitForTwoTats,
    /// Contrite tit-for-tat (standings in the state).
    Contrite(&'a Contrite),
    /// Any other rule, through [`Rule::decide`].
    General(&'a Rule),
}

impl<'a> Player<'a> {
    fn compile(rule: &'a Rule, ladder: &Ladder) -> Player<'a> {
        match rule {
            Rule::MemoryOne(m) => Player::MemoryOne(m.coop),
            Rule::Grim { .. } => Player::Grim,
            Rule::TitForTwoTats { .. } => Player::TitForTwoTats,
            Rule::Contrite(c) => Player::Contrite(c),
            Rule::Graded(g) => {
                // One unforgiven defection is felt as severity[1]; when that
                // meets the threshold and the answer is a defection, the rule
                // answers at once and keeps no grievance: memory-one, with
                // the forgiveness drawn only after the other's defection.
                let felt = ladder.severity.get(1).copied();
                let q = g.generosity.get(1).copied();
                match (felt, q) {
                    (Some(felt), Some(q))
                        if g.threshold <= felt
                            && ladder.nearest(g.proportionality * felt, g.min_level, g.max_level) > 0 =>
                    {
                        Player::MemoryOne([1.0, q, 1.0, q])
                    }
                    _ => Player::General(rule),
                }
            }
        }
    }

    /// Whether to defect, given the last round as this player saw it.
    #[inline(always)]
    fn defects(&self, st: &mut RuleState, mine: bool, theirs: bool, ladder: &Ladder, rng: &mut TrialRng) -> bool {
        match self {
            Player::MemoryOne(coop) => !bernoulli(rng, coop[usize::from(mine) << 1 | usize::from(theirs)]),
            Player::Grim => {
                st.triggered |= theirs;
                st.triggered
            }
            Player::TitForTwoTats => {
                let act = theirs && st.their_prev;
                st.their_prev = theirs;
                act
            }
            Player::Contrite(c) => c.decide(st, &observed(mine, theirs)) > 0,
            Player::General(r) => r.decide(st, &observed(mine, theirs), ladder, rng) > 0,
        }
    }
}

fn observed(mine: bool, theirs: bool) -> Observation {
    Observation {
        mine: u8::from(mine),
        theirs: u8::from(theirs),
        wounded: false,
        killed: false,
        ready: true,
    }
}

/// Flips a sequence of bits i.i.d. with probability `p`, by geometric gaps.
struct Flipper {
    /// Unflipped bits left before the next flip.
    gap: u64,
    /// `1 / ln(1 − p)` (negative), when `0 < p < 1`.
    inv_ln_q: f64,
    /// `p` as given: `<= 0` never flips, `>= 1` always flips.
    p: f64,
}

impl Flipper {
    fn new(p: f64, rng: &mut TrialRng) -> Flipper {
        let mut f = Flipper {
            gap: if p >= 1.0 { 0 } else { u64::MAX },
            inv_ln_q: 1.0 / (-p).ln_1p(),
            p,
        };
        if p > 0.0 && p < 1.0 {
            f.draw(rng);
        }
        f
    }

    #[inline]
    fn draw(&mut self, rng: &mut TrialRng) {
        let u = 1.0 - uniform(rng); // (0, 1]
        // Saturating cast: a gap beyond u64 is "never".
        self.gap = (u.ln() * self.inv_ln_q) as u64;
    }

    /// Whether the next bit flips.
    #[inline(always)]
    fn next(&mut self, rng: &mut TrialRng) -> bool {
        if self.gap > 0 {
            self.gap -= 1;
            false
        } else if self.p >= 1.0 {
            true
        } else if self.p <= 0.0 {
            false
        } else {
            self.draw(rng);
            true
        }
    }
}

/// The round loop; `on_round` sees each round's acts as they happened.
#[inline(always)]
fn play(s: &Scenario, g: &Game, rng: &mut TrialRng, mut on_round: impl FnMut([bool; 2])) {
    let rule = |i: usize| {
        s.actors[i]
            .strategy
            .as_ref()
            .expect("validated: game actors have strategies")
    };
    let (rules, ladder) = ([rule(0), rule(1)], &s.ladder);
    let players = [Player::compile(rules[0], ladder), Player::compile(rules[1], ladder)];
    let mut exec = Flipper::new(g.noise, rng);
    let mut percept = Flipper::new(g.perception_noise, rng);
    let mut mem = [RuleState::default(); 2];
    // What each player saw of the last round: (own act, the other's).
    let mut seen = [(false, false); 2];
    for round in 0..g.rounds {
        let mut act = [false; 2];
        for i in 0..2 {
            act[i] = if round == 0 {
                !bernoulli(rng, rules[i].first_cooperation())
            } else {
                players[i].defects(&mut mem[i], seen[i].0, seen[i].1, ladder, rng)
            };
        }
        for a in act.iter_mut() {
            *a ^= exec.next(rng);
        }
        let mut perceived = [act[1], act[0]];
        for p in perceived.iter_mut() {
            *p ^= percept.next(rng);
        }
        seen = [(act[0], perceived[0]), (act[1], perceived[1])];
        on_round(act);
    }
}

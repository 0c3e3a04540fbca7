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
//! **Rules compiled for the loop.** Each actor's rule becomes a machine
//! of at most four states (`Fsm`): the state moves on what the player
//! saw, and the player cooperates with a probability per state (drawn
//! only when strictly between 0 and 1). Memory-one rules, and graded
//! tit-for-tat whose threshold one defection meets (`tft`, `gtft`:
//! cooperate after C, forgive a D with probability q, the same draw in
//! the same place as [`Rule::decide`]), have the last round as state;
//! grim, tit-for-two-tats and contrite TFT their own memory. Two rules
//! that never draw become one 16-state machine (`Joint`). Rounds before
//! the one holding the next flip need no noise check and run in a tight
//! inner loop; the draws are those of the order above. Any other graded
//! rule runs through [`Rule::decide`] itself.
//! Payoffs are summed at the end from the counts of the four outcomes.
//!
//! Metrics: `payoff_<actor>`, mean payoff per round, and `coop_<actor>`,
//! the share of rounds in which its act (as it happened) was cooperation.
//!
//! [Devroye1986]: L. Devroye, *Non-Uniform Random Variate Generation*,
//! Springer, 1986.

use super::{Metric, MetricLayout, TrialResult};
use crate::model::Level;
use crate::model::{Game, Ladder, Scenario};
use crate::policy::{Observation, Rule, RuleState};
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

/// A rule compiled to a finite-state machine of at most four states:
/// after each round the state moves on what the player saw (own act,
/// the other's as perceived), and in the next round the player cooperates
/// with probability `coop[state]` (0 or 1 for deterministic rules: no
/// draw). Every classic rule but a general graded one compiles.
#[derive(Debug, Clone, Copy)]
struct Fsm {
    /// Next state, index `4·state + 2·mine + theirs`.
    next: [u8; 16],
    /// Cooperation probability in each state.
    coop: [f64; 4],
    /// Cooperation probability in round 0.
    first: f64,
}

impl Fsm {
    fn compile(rule: &Rule, ladder: &Ladder) -> Option<Fsm> {
        let first = rule.first_cooperation();
        let table = |f: &dyn Fn(u8, u8) -> u8| std::array::from_fn(|k| f(k as u8 >> 2, k as u8 & 3));
        let acts = |level: Level| if level > 0 { 0.0 } else { 1.0 };
        Some(match rule {
            // State: the last round seen, `2·mine + theirs`.
            Rule::MemoryOne(m) => Fsm {
                next: table(&|_, o| o),
                coop: m.coop,
                first,
            },
            // State: triggered (1) or not.
            Rule::Grim { level } => Fsm {
                next: table(&|s, o| s | (o & 1)),
                coop: [1.0, acts(*level), 1.0, 1.0],
                first,
            },
            // State: the other's last act (bit 0), and whether it defected
            // in both of the last two rounds (bit 1).
            Rule::TitForTwoTats { level } => Fsm {
                next: table(&|s, o| {
                    let t = o & 1;
                    t | ((s & 1) & t) << 1
                }),
                coop: [1.0, 1.0, acts(*level), acts(*level)],
                first,
            },
            // State: own bad standing (bit 0), the other's (bit 1); it
            // defects when only the other is in bad standing.
            Rule::Contrite(c) => Fsm {
                next: table(&|s, o| {
                    let (my_bad, their_bad) = (s & 1, s >> 1);
                    let (me_d, them_d) = (o >> 1, o & 1);
                    (me_d & (their_bad ^ 1)) | (them_d & (my_bad ^ 1)) << 1
                }),
                coop: [1.0, 1.0, acts(c.level), 1.0],
                first,
            },
            Rule::Graded(g) => {
                // One unforgiven defection is felt as severity[1]; when that
                // meets the threshold and the answer is a defection, the rule
                // answers at once and keeps no grievance: memory-one, with
                // the forgiveness drawn only after the other's defection.
                let felt = ladder.severity.get(1).copied()?;
                let q = g.generosity.get(1).copied()?;
                if g.threshold <= felt && ladder.nearest(g.proportionality * felt, g.min_level, g.max_level) > 0 {
                    Fsm {
                        next: table(&|_, o| o),
                        coop: [1.0, q, 1.0, q],
                        first,
                    }
                } else {
                    return None;
                }
            }
        })
    }

    /// Whether to defect in state `s` (a draw only if the rule is
    /// stochastic there).
    #[inline(always)]
    fn defects(&self, s: u8, rng: &mut TrialRng) -> bool {
        !bernoulli(rng, self.coop[usize::from(s)])
    }

    #[inline(always)]
    fn step(&self, s: u8, mine: bool, theirs: bool) -> u8 {
        self.next[usize::from(s) << 2 | usize::from(mine) << 1 | usize::from(theirs)]
    }
}

/// Two deterministic rules as one machine on the joint state
/// `4·row + col` (16 states): a clean round is a table look-up.
struct Joint {
    /// The round's acts in each joint state, `2·row + col` (1 = defect).
    act: [u8; 16],
    /// The joint state after a clean round.
    next: [u8; 16],
}

impl Joint {
    /// The joint machine, if both rules draw nothing after round 0.
    fn of(p: &[Fsm; 2]) -> Option<Joint> {
        let sure = |f: &Fsm| f.coop.iter().all(|&c| c <= 0.0 || c >= 1.0);
        if !(sure(&p[0]) && sure(&p[1])) {
            return None;
        }
        let defects = |f: &Fsm, s: u8| f.coop[usize::from(s)] <= 0.0;
        let mut j = Joint {
            act: [0; 16],
            next: [0; 16],
        };
        for s in 0..16u8 {
            let (s0, s1) = (s >> 2, s & 3);
            let (a0, a1) = (defects(&p[0], s0), defects(&p[1], s1));
            j.act[usize::from(s)] = u8::from(a0) << 1 | u8::from(a1);
            j.next[usize::from(s)] = p[0].step(s0, a0, a1) << 2 | p[1].step(s1, a1, a0);
        }
        Some(j)
    }
}

/// Flips a sequence of bits i.i.d. with probability `p`, by geometric
/// gaps: `at` is the index of the next bit that flips.
struct Flipper {
    /// Index in the sequence of the next flip (`u64::MAX`: never).
    at: u64,
    /// `1 / ln(1 − p)` (negative), when `0 < p < 1`.
    inv_ln_q: f64,
    /// `p` as given: `<= 0` never flips, `>= 1` always flips.
    p: f64,
}

impl Flipper {
    fn new(p: f64, rng: &mut TrialRng) -> Flipper {
        let mut f = Flipper {
            at: if p >= 1.0 { 0 } else { u64::MAX },
            inv_ln_q: 1.0 / (-p).ln_1p(),
            p,
        };
        if p > 0.0 && p < 1.0 {
            f.at = f.gap(rng);
        }
        f
    }

    /// Unflipped bits before the next flip: `⌊ln U / ln(1 − p)⌋`.
    #[inline]
    fn gap(&self, rng: &mut TrialRng) -> u64 {
        let u = 1.0 - uniform(rng); // (0, 1]
        // Saturating cast: a gap beyond u64 is "never".
        (u.ln() * self.inv_ln_q) as u64
    }

    /// Whether bit `k` flips (bits are asked in increasing order, each
    /// once, none skipped past `at`).
    #[inline(always)]
    fn flips(&mut self, k: u64, rng: &mut TrialRng) -> bool {
        if k != self.at {
            return false;
        }
        self.at = if self.p >= 1.0 {
            k + 1
        } else {
            k.saturating_add(1).saturating_add(self.gap(rng))
        };
        true
    }
}

/// The round loop; `on_round` sees each round's acts as they happened.
#[inline(always)]
fn play(s: &Scenario, g: &Game, rng: &mut TrialRng, on_round: impl FnMut([bool; 2])) {
    let rule = |i: usize| {
        s.actors[i]
            .strategy
            .as_ref()
            .expect("validated: game actors have strategies")
    };
    let (rules, ladder) = ([rule(0), rule(1)], &s.ladder);
    match (Fsm::compile(rules[0], ladder), Fsm::compile(rules[1], ladder)) {
        (Some(a), Some(b)) => play_fsm(&[a, b], g, rng, on_round),
        _ => play_rules(rules, ladder, g, rng, on_round),
    }
}

/// The round loop of two compiled rules. Acts are numbered in play order
/// (round `r`: row's act `2r`, col's `2r + 1`), and so are readings (row
/// reads col's act, reading `2r`; col reads row's, `2r + 1`). Rounds before
/// the next execution or perception flip run in a tight inner loop with no
/// noise checks; a round holding a flip runs the full order of the module
/// docs.
#[inline(always)]
fn play_fsm(p: &[Fsm; 2], g: &Game, rng: &mut TrialRng, mut on_round: impl FnMut([bool; 2])) {
    let rounds = u64::from(g.rounds);
    if rounds == 0 {
        return;
    }
    let joint = Joint::of(p);
    let mut exec = Flipper::new(g.noise, rng);
    let mut percept = Flipper::new(g.perception_noise, rng);
    let mut st = [0u8; 2];
    let mut r = 0u64;
    loop {
        // Round r, in full: the first moves, or a round holding a flip.
        let mut act = if r == 0 {
            [!bernoulli(rng, p[0].first), !bernoulli(rng, p[1].first)]
        } else {
            [p[0].defects(st[0], rng), p[1].defects(st[1], rng)]
        };
        act[0] ^= exec.flips(2 * r, rng);
        act[1] ^= exec.flips(2 * r + 1, rng);
        let seen = [
            act[1] ^ percept.flips(2 * r, rng),
            act[0] ^ percept.flips(2 * r + 1, rng),
        ];
        on_round(act);
        st = [p[0].step(st[0], act[0], seen[0]), p[1].step(st[1], act[1], seen[1])];
        r += 1;
        // Rounds before the one holding the next flip are clean.
        let clean = (exec.at.min(percept.at) / 2).min(rounds);
        if let Some(j) = &joint {
            let mut s = st[0] << 2 | st[1];
            while r < clean {
                let a = j.act[usize::from(s)];
                on_round([a & 2 != 0, a & 1 != 0]);
                s = j.next[usize::from(s)];
                r += 1;
            }
            st = [s >> 2, s & 3];
        }
        while r < clean {
            let a = [p[0].defects(st[0], rng), p[1].defects(st[1], rng)];
            on_round(a);
            st = [p[0].step(st[0], a[0], a[1]), p[1].step(st[1], a[1], a[0])];
            r += 1;
        }
        if r >= rounds {
            return;
        }
    }
}

/// The general round loop, through [`Rule::decide`] (a graded rule with
/// a grievance or a threshold above one defection).
fn play_rules(rules: [&Rule; 2], ladder: &Ladder, g: &Game, rng: &mut TrialRng, mut on_round: impl FnMut([bool; 2])) {
    let mut exec = Flipper::new(g.noise, rng);
    let mut percept = Flipper::new(g.perception_noise, rng);
    let mut mem = [RuleState::default(); 2];
    // What each player saw of the last round: (own act, the other's).
    let mut seen = [(false, false); 2];
    for round in 0..u64::from(g.rounds) {
        let mut act = [false; 2];
        for i in 0..2 {
            act[i] = if round == 0 {
                !bernoulli(rng, rules[i].first_cooperation())
            } else {
                rules[i].decide(&mut mem[i], &observed(seen[i].0, seen[i].1), ladder, rng) > 0
            };
        }
        act[0] ^= exec.flips(2 * round, rng);
        act[1] ^= exec.flips(2 * round + 1, rng);
        let perceived = [
            act[1] ^ percept.flips(2 * round, rng),
            act[0] ^ percept.flips(2 * round + 1, rng),
        ];
        seen = [(act[0], perceived[0]), (act[1], perceived[1])];
        on_round(act);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{Contrite, MemoryOne};

    /// Every compiled rule moves exactly as [`Rule::decide`] does, on long
    /// random sequences of observations.
    #[test]
    fn compiled_rules_decide_as_the_rules_do() {
        let ladder = crate::scenario::parse_builtin("ipd", &[])
            .expect("ipd")
            .scenario
            .ladder
            .clone();
        let rules = [
            Rule::Grim { level: 1 },
            Rule::TitForTwoTats { level: 1 },
            Rule::Contrite(Contrite { level: 1 }),
            Rule::MemoryOne(MemoryOne::new([1.0, 0.0, 0.0, 1.0], 1.0, 1)),
            Rule::MemoryOne(MemoryOne::new([1.0, 0.0, 1.0, 0.0], 1.0, 1)),
        ];
        let mut obs_rng = crate::rng::trial_rng(7, 0);
        let mut rng = crate::rng::trial_rng(7, 1);
        for rule in &rules {
            let fsm = Fsm::compile(rule, &ladder).expect("classic rules compile");
            let mut mem = RuleState::default();
            let mut st = 0u8;
            for _ in 0..2000 {
                let (mine, theirs) = (bernoulli(&mut obs_rng, 0.5), bernoulli(&mut obs_rng, 0.5));
                let want = rule.decide(&mut mem, &observed(mine, theirs), &ladder, &mut rng) > 0;
                st = fsm.step(st, mine, theirs);
                assert_eq!(fsm.defects(st, &mut rng), want, "{rule:?}");
            }
        }
    }
}

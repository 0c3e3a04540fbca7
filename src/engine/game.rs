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
//! P(G ≥ k) = q^k,  q = 1 − p,
//! ```
//!
//! so the flips are i.i.d. Bernoulli(p), at about `p` draws per act instead
//! of one. Perception noise has its own gap counter over the sequence of
//! readings. The first gap of each counter (execution, then perception) is
//! drawn when the match starts; the next one whenever a flip happens,
//! interleaved with the rules' own draws in the order above. `p <= 0` never
//! flips and `p >= 1` always flips, both without drawing. A gap is drawn by
//! inversion from a table: with `T_k = round(q^k · 2^32)` for `k < 63` and a
//! 32-bit uniform `U`, `G` is the largest `k` with `U < T_k`, found from a
//! guide table [ChenAsau1974]: the top 10 bits of `U` give the least `G`
//! of their bucket, and a step up is taken only in the few buckets that
//! hold a threshold. `G = 63` means "at least 63", and, the geometric law
//! having no memory, `G = 63 + G'` with a fresh `G'`. The
//! thresholds' rounding moves each `P(G ≥ k)` by at most `2^-33`. When
//! `q^63 ≥ 1/2` (p below about 1.1 %) the table would mostly send draws to
//! the tail, so the gap is `⌊ln U / ln q⌋` with a 53-bit `U` instead.
//!
//! **Bits, not uniforms.** Rules and gaps draw from one 64-bit word at a
//! time, most significant first, taking the bits they need: a fair coin
//! (`random`) one bit, a gap 32 bits, a cooperation probability `p` not
//! equal to 1/2 the bits of a uniform `U` up to the first one that differs
//! from the binary digits of `p` (two on average; `U < p` iff there `U`
//! has the 0), reading further 32-bit chunks on a tie of the first 32: the
//! draw is exactly `U < p` for a uniform `U` of unbounded precision, i.e.
//! exactly Bernoulli(p), and the bits it did not read stay for the next
//! draw. A word's leftover bits are dropped when fewer than 32 remain.
//!
//! **Rules compiled for the loop.** Each actor's rule becomes a machine
//! of at most four states (`Fsm`): the state moves on what the player
//! saw, and the player cooperates with a probability per state (a `Coin`:
//! sure, fair, or a 32-bit threshold). Memory-one rules, and graded
//! tit-for-tat whose threshold one defection meets (`tft`, `gtft`:
//! cooperate after C, forgive a D with probability q), have the last
//! round as state; grim, tit-for-two-tats and contrite TFT their own
//! memory; a rule with the same coin in every state (`random`, `allc`)
//! keeps no state. The two machines make one joint machine on `4·row +
//! col` (16 states), a table from a state and the round's acts to the next
//! state. Rounds before the one holding the next execution or perception
//! flip are *clean*: both players see the acts as they happened, so the
//! joint machine alone moves them, with no per-round branch on strategy:
//!
//! * from a state where neither player draws, the run of draw-free states
//!   is followed from a table (the path to the first state that draws, or
//!   into a cycle; a cycle's counts are multiplied by its repetitions), so
//!   a deterministic stretch of `L` rounds costs O(1), not O(L);
//! * from a state that draws, the next 8 random bits (the window, peeked,
//!   not yet used) index a table of 256 entries per state (a [`Step`]):
//!   the rounds those bits decide — each coin settled from the window as
//!   above, fair (one bit) or split (up to the first digit that differs
//!   from `p`'s), up to a state that draws nothing or a coin the window's
//!   remaining bits cannot settle — with their outcomes (2 bits each), the
//!   state after each and the bits used up to each, so a stretch shorter
//!   than the entry takes its first rounds; the counts of the first `k`
//!   outcomes are two look-ups in a table of four rounds' counts. Only the bits used are consumed:
//!   the draws are the coins' own, several rounds per look-up (8 for
//!   `ctft vs random`, one fair bit a round; up to 4 for `gtft`'s
//!   `q = 1/3`, two bits a coin on average). A coin the whole window
//!   cannot settle (probability `2^-8` for `gtft`'s coin) is drawn as a
//!   coin, one round.
//!
//! A round holding a flip draws its intended acts from the same table
//! (the entry's first round), then its flips.
//! Round 0 and a round holding a flip run the full order above. Any other
//! graded rule runs through [`Rule::decide`] itself. Payoffs are summed at
//! the end from the counts of the four outcomes. The compiled match is
//! kept between trials (`GameCache`, in the worker's trial state) and
//! rebuilt only when the rules, the ladder's severities or the noise
//! levels change.
//!
//! Metrics: `payoff_<actor>`, mean payoff per round, and `coop_<actor>`,
//! the share of rounds in which its act (as it happened) was cooperation.
//!
//! [Devroye1986]: L. Devroye, *Non-Uniform Random Variate Generation*,
//! Springer, 1986.
//!
//! [ChenAsau1974]: H.-C. Chen and Y. Asau, "On generating random variates
//! from an empirical distribution", *AIIE Transactions* 6(2), 1974.

use super::{Metric, MetricLayout, TrialResult};
use crate::model::Level;
use crate::model::{Game, Ladder, Scenario};
use crate::policy::{Observation, Rule, RuleState};
use crate::rng::{TrialRng, bernoulli, uniform};
use rand::RngCore;

/// `2^32` as a float.
const TWO_32: f64 = 4_294_967_296.0;

/// Longest stretch of clean rounds run in one piece: keeps the 16-bit
/// outcome counters of [`Counter`] from overflowing between flushes (a
/// cycle of at most 16 rounds repeated up to `CHUNK` / 1 times adds at most
/// `16 · 2048` to a lane in one multiplication).
const CHUNK: u64 = 2048;

/// Top bits of a gap's 32-bit uniform that index [`GapLaw::Table`]'s guide
/// [ChenAsau1974]: the bucket's least gap, so the search walks a step only
/// in the few buckets that hold a threshold.
const GUIDE_BITS: u32 = 10;

/// Rounds after which [`Counter`] folds its 16-bit lanes into its totals.
const FLUSH: u64 = 32_768;

/// A compiled match kept from one trial to the next (one per worker, in
/// its trial state): compiled again only when the rules, the ladder's
/// severities or the noise levels differ from the last trial's.
#[derive(Debug, Clone, Default)]
pub struct GameCache {
    key: Option<Key>,
    machine: Option<Box<Machine>>,
}

/// What a compiled match depends on.
#[derive(Debug, Clone, PartialEq)]
struct Key {
    rules: [Rule; 2],
    severity: Vec<f64>,
    noise: [u64; 2],
}

impl GameCache {
    /// The compiled match of `s` (`None`: a general graded rule, played
    /// through [`Rule::decide`]).
    fn get(&mut self, s: &Scenario, g: &Game) -> Option<&Machine> {
        let rules = rules(s);
        let noise = [g.noise.to_bits(), g.perception_noise.to_bits()];
        let fresh = self.key.as_ref().is_some_and(|k| {
            k.noise == noise && k.rules[0] == *rules[0] && k.rules[1] == *rules[1] && k.severity == s.ladder.severity
        });
        if !fresh {
            self.machine = Machine::compile(rules, &s.ladder, g).map(Box::new);
            self.key = Some(Key {
                rules: [rules[0].clone(), rules[1].clone()],
                severity: s.ladder.severity.clone(),
                noise,
            });
        }
        self.machine.as_deref()
    }
}

/// The two players' rules (row, col).
fn rules(s: &Scenario) -> [&Rule; 2] {
    let rule = |i: usize| {
        s.actors[i]
            .strategy
            .as_ref()
            .expect("validated: game actors have strategies")
    };
    [rule(0), rule(1)]
}

/// One match of `g.rounds` rounds between the scenario's two actors.
pub(crate) fn run_match(
    s: &Scenario,
    g: &Game,
    layout: &MetricLayout,
    cache: &mut GameCache,
    rng: &mut TrialRng,
    row: &mut [f64],
) -> TrialResult {
    let mut c = Counter::default();
    match cache.get(s, g) {
        Some(m) => m.play(g.rounds, rng, &mut c),
        None => play_rules(rules(s), &s.ladder, g, rng, &mut c),
    }
    // Outcome counts, index (row defected, col defected) = 2·row + col.
    let n = c.n;
    let p = &g.payoffs;
    let (cc, cd, dc, dd) = (n[0] as f64, n[1] as f64, n[2] as f64, n[3] as f64);
    let pay = [
        cc * p.r + cd * p.s + dc * p.t + dd * p.p,
        cc * p.r + dc * p.s + cd * p.t + dd * p.p,
    ];
    let coop = [(n[0] + n[1]) as f64, (n[0] + n[2]) as f64];
    let rounds = f64::from(g.rounds.max(1));
    for (x, m) in row.iter_mut().zip(layout.metrics()) {
        *x = match *m {
            Metric::Payoff(a) => pay[a as usize] / rounds,
            Metric::Coop(a) => coop[a as usize] / rounds,
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
/// The draws are those of a trial of the same stream: the moves are the
/// ones whose counts the trial's metrics report.
pub fn play_moves(s: &Scenario, rng: &mut TrialRng) -> Vec<[bool; 2]> {
    let g = s.game.as_ref().expect("play_moves needs a game scenario");
    let mut out = Moves(Vec::with_capacity(g.rounds as usize));
    match Machine::compile(rules(s), &s.ladder, g) {
        Some(m) => m.play(g.rounds, rng, &mut out),
        None => play_rules(rules(s), &s.ladder, g, rng, &mut out),
    }
    out.0
}

/// Where a match's rounds go: every round's acts ([`Moves`]), or only the
/// counts of the four outcomes ([`Counter`]), which lets clean stretches
/// be summed from tables. Outcomes are `2·row + col`, 1 = defect.
trait Sink {
    /// Whether every round must be seen one by one.
    const MOVES: bool;
    /// One round's outcome.
    fn round(&mut self, a: u8);
    /// Outcome counts packed in 16-bit lanes (lane `k` = outcome `k`).
    fn add(&mut self, packed: u64);
    /// `times` repetitions of the packed counts `packed`.
    fn add_times(&mut self, packed: u64, times: u64);
    /// Folds any packed counts into the totals.
    fn flush(&mut self);
}

/// Counts of the four outcomes.
#[derive(Default)]
struct Counter {
    /// Counts since the last flush, 16-bit lanes.
    acc: u64,
    /// Totals.
    n: [u64; 4],
}

impl Sink for Counter {
    const MOVES: bool = false;
    #[inline(always)]
    fn round(&mut self, a: u8) {
        self.acc += 1 << (16 * u32::from(a));
    }
    #[inline(always)]
    fn add(&mut self, packed: u64) {
        self.acc += packed;
    }
    #[inline(always)]
    fn add_times(&mut self, packed: u64, times: u64) {
        // Each lane of the product is at most 16 · CHUNK: no carries.
        self.acc += packed * times;
    }
    #[inline]
    fn flush(&mut self) {
        for (k, n) in self.n.iter_mut().enumerate() {
            *n += self.acc >> (16 * k) & 0xFFFF;
        }
        self.acc = 0;
    }
}

/// Every round's acts (row, col), `true` = defect.
struct Moves(Vec<[bool; 2]>);

impl Sink for Moves {
    const MOVES: bool = true;
    fn round(&mut self, a: u8) {
        self.0.push([a & 2 != 0, a & 1 != 0]);
    }
    fn add(&mut self, _: u64) {
        unreachable!("a sink of moves sees every round")
    }
    fn add_times(&mut self, _: u64, _: u64) {
        unreachable!("a sink of moves sees every round")
    }
    fn flush(&mut self) {}
}

/// Random bits taken from one 64-bit word at a time, most significant
/// first: the unused bits are the top `left` bits of `word`.
#[derive(Default)]
struct Bits {
    word: u64,
    left: u32,
}

impl Bits {
    /// The next `k` bits (`1 <= k <= 32`), the first as the most
    /// significant (see [`Bits::peek`] for a refill).
    #[inline(always)]
    fn take(&mut self, k: u32, rng: &mut TrialRng) -> u64 {
        let v = u64::from(self.peek(rng)) >> (32 - k);
        self.skip(k);
        v
    }

    /// The next 32 bits, without using them. A fresh word is appended
    /// below the bits left (its last `left` bits are dropped, never
    /// read): bits once peeked stay next, so a decision that read past
    /// the bits it used (a [`Step`] that stops at a coin its window
    /// cannot settle) sees those bits again, not fresh ones.
    #[inline(always)]
    fn peek(&mut self, rng: &mut TrialRng) -> u32 {
        if self.left < 32 {
            // `skip` keeps the unused bits at the top, zeros below.
            self.word |= rng.next_u64() >> self.left;
            self.left = 64;
        }
        (self.word >> 32) as u32
    }

    /// Uses `k <= 32` peeked bits.
    #[inline(always)]
    fn skip(&mut self, k: u32) {
        self.word <<= k;
        self.left -= k;
    }
}

/// A player's cooperation probability in one state, ready to draw.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Coin {
    /// Cooperates, no draw.
    Coop,
    /// Defects, no draw.
    Defect,
    /// Probability 1/2: one bit (1 = defect).
    Fair,
    /// Probability `p`: `t = ⌊p·2^32⌋`, `rest = p·2^32 − t`.
    Split { t: u32, rest: f64 },
}

impl Coin {
    /// The coin that cooperates with probability `p` (NaN never does, as
    /// [`bernoulli`]).
    fn of(p: f64) -> Coin {
        if p.is_nan() || p <= 0.0 {
            Coin::Defect
        } else if p >= 1.0 {
            Coin::Coop
        } else if p == 0.5 {
            Coin::Fair
        } else {
            let x = p * TWO_32;
            let t = x.floor();
            Coin::Split {
                t: t as u32,
                rest: x - t,
            }
        }
    }

    /// `Some(defects)` when the coin draws nothing.
    fn sure(self) -> Option<bool> {
        match self {
            Coin::Coop => Some(false),
            Coin::Defect => Some(true),
            Coin::Fair | Coin::Split { .. } => None,
        }
    }

    /// Whether the player defects.
    #[inline(always)]
    fn defects(self, bits: &mut Bits, rng: &mut TrialRng) -> bool {
        match self {
            Coin::Coop => false,
            Coin::Defect => true,
            Coin::Fair => bits.take(1, rng) != 0,
            Coin::Split { t, rest } => {
                // The first bit where u and t differ decides: only the
                // bits up to it are used (two on average).
                let u = bits.peek(rng);
                if u != t {
                    bits.skip((u ^ t).leading_zeros() + 1);
                    u > t
                } else {
                    bits.skip(32);
                    !below_rest(rest, || bits.take(32, rng) as u32)
                }
            }
        }
    }
}

/// After a first 32-bit chunk equal to `⌊p·2^32⌋`: whether the uniform is
/// below `p`, comparing the next chunks with the next digits of `p` (base
/// `2^32`) whose remaining fraction is `x`. A float's expansion ends, so
/// the loop does; a uniform equal to `p` to the end is not below it.
#[cold]
fn below_rest(mut x: f64, mut next: impl FnMut() -> u32) -> bool {
    loop {
        if x == 0.0 {
            return false;
        }
        x *= TWO_32;
        let t = x.floor();
        x -= t;
        let (u, t) = (next(), t as u32);
        if u != t {
            return u < t;
        }
    }
}

/// The law of the gap between flips of i.i.d. Bernoulli(p) bits.
// The table is inline on purpose: a law lives in the boxed `Machine`, and
// a gap reads it without another indirection.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
enum GapLaw {
    /// `p <= 0`: no flips.
    Never,
    /// `p >= 1`: every bit flips.
    Always,
    /// `T_k = round(q^k · 2^32)`, `T_0 = 2^32`, and `T_64 = 0` (no `U`
    /// is below it); `guide[i]` is `G` of the largest `U` whose top
    /// [`GUIDE_BITS`] bits are `i`.
    Table { t: [u64; 65], guide: [u8; 1 << GUIDE_BITS] },
    /// `1 / ln q` for `⌊ln U / ln q⌋`.
    Log(f64),
}

impl GapLaw {
    fn new(p: f64) -> GapLaw {
        if p.is_nan() || p <= 0.0 {
            return GapLaw::Never;
        }
        if p >= 1.0 {
            return GapLaw::Always;
        }
        let ln_q = (-p).ln_1p();
        if (63.0 * ln_q).exp() >= 0.5 {
            return GapLaw::Log(1.0 / ln_q);
        }
        let t: [u64; 65] = std::array::from_fn(|k| match k {
            0 => 1 << 32,
            64 => 0,
            _ => ((k as f64 * ln_q).exp() * TWO_32).round() as u64,
        });
        // G is non-increasing in U: the bucket's last U has its least G.
        let mut k = 63;
        let guide = std::array::from_fn(|i| {
            let last = ((i as u64 + 1) << (32 - GUIDE_BITS)) - 1;
            while last >= t[k] {
                k -= 1;
            }
            k as u8
        });
        GapLaw::Table { t, guide }
    }

    /// Unflipped bits before the next flip (for `Table` and `Log`).
    #[inline(always)]
    fn gap(&self, bits: &mut Bits, rng: &mut TrialRng) -> u64 {
        match self {
            GapLaw::Table { t, guide } => {
                let mut g = 0u64;
                loop {
                    let u = bits.take(32, rng);
                    // Start at the least G of U's bucket and walk up (no
                    // step in most buckets; T_64 = 0 stops the walk).
                    let mut k = usize::from(guide[(u >> (32 - GUIDE_BITS)) as usize]);
                    while u < t[k + 1] {
                        k += 1;
                    }
                    if k < 63 {
                        return g + k as u64;
                    }
                    g += 63;
                }
            }
            GapLaw::Log(inv_ln_q) => {
                let u = 1.0 - uniform(rng); // (0, 1]
                // Saturating cast: a gap beyond u64 is "never".
                (u.ln() * inv_ln_q) as u64
            }
            GapLaw::Never => u64::MAX,
            GapLaw::Always => 0,
        }
    }
}

/// A sequence of bits flipped i.i.d. by a [`GapLaw`]: `at` is the index
/// of the next bit that flips (`u64::MAX`: never).
struct Flipper {
    at: u64,
}

impl Flipper {
    fn start(law: &GapLaw, bits: &mut Bits, rng: &mut TrialRng) -> Flipper {
        Flipper {
            at: match law {
                GapLaw::Never => u64::MAX,
                GapLaw::Always => 0,
                _ => law.gap(bits, rng),
            },
        }
    }

    /// Which of bits `k` (mask bit 1) and `k + 1` (mask bit 0) flip, drawing
    /// the next gap after each flip (`k` even, asked in increasing order,
    /// none skipped past `at`).
    #[inline(always)]
    fn mask(&mut self, k: u64, law: &GapLaw, bits: &mut Bits, rng: &mut TrialRng) -> u8 {
        let mut m = 0;
        while self.at <= k + 1 {
            m |= 2 >> (self.at - k);
            self.at = self.at.saturating_add(1).saturating_add(law.gap(bits, rng));
        }
        m
    }

    /// Whether bit `k` flips (bits are asked in increasing order, each
    /// once, none skipped past `at`).
    #[inline(always)]
    fn flips(&mut self, k: u64, law: &GapLaw, bits: &mut Bits, rng: &mut TrialRng) -> bool {
        if k != self.at {
            return false;
        }
        self.at = k.saturating_add(1).saturating_add(law.gap(bits, rng));
        true
    }
}

/// A rule compiled to a finite-state machine of at most four states:
/// after each round the state moves on what the player saw (own act,
/// the other's as perceived), and in the next round the player cooperates
/// by the coin of its state. Every classic rule but a general graded one
/// compiles.
#[derive(Debug, Clone, Copy)]
struct Fsm {
    /// Next state, index `4·state + 2·mine + theirs`.
    next: [u8; 16],
    /// Cooperation coin in each state.
    coin: [Coin; 4],
    /// Cooperation coin in round 0.
    first: Coin,
}

impl Fsm {
    fn compile(rule: &Rule, ladder: &Ladder) -> Option<Fsm> {
        let first = Coin::of(rule.first_cooperation());
        let table = |f: &dyn Fn(u8, u8) -> u8| std::array::from_fn(|k| f(k as u8 >> 2, k as u8 & 3));
        let acts = |level: Level| if level > 0 { Coin::Defect } else { Coin::Coop };
        let mut fsm = match rule {
            // State: the last round seen, `2·mine + theirs`.
            Rule::MemoryOne(m) => Fsm {
                next: table(&|_, o| o),
                coin: m.coop.map(Coin::of),
                first,
            },
            // State: triggered (1) or not.
            Rule::Grim { level } => Fsm {
                next: table(&|s, o| s | (o & 1)),
                coin: [Coin::Coop, acts(*level), Coin::Coop, Coin::Coop],
                first,
            },
            // State: the other's last act (bit 0), and whether it defected
            // in both of the last two rounds (bit 1).
            Rule::TitForTwoTats { level } => Fsm {
                next: table(&|s, o| {
                    let t = o & 1;
                    t | ((s & 1) & t) << 1
                }),
                coin: [Coin::Coop, Coin::Coop, acts(*level), acts(*level)],
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
                coin: [Coin::Coop, Coin::Coop, acts(c.level), Coin::Coop],
                first,
            },
            Rule::Graded(g) => {
                // One unforgiven defection is felt as severity[1]; when that
                // meets the threshold and the answer is a defection, the rule
                // answers at once and keeps no grievance: memory-one, with
                // the forgiveness drawn only after the other's defection.
                let felt = ladder.severity.get(1).copied()?;
                let q = Coin::of(g.generosity.get(1).copied()?);
                if g.threshold <= felt && ladder.nearest(g.proportionality * felt, g.min_level, g.max_level) > 0 {
                    Fsm {
                        next: table(&|_, o| o),
                        coin: [Coin::Coop, q, Coin::Coop, q],
                        first,
                    }
                } else {
                    return None;
                }
            }
        };
        // The same coin in every state: the state is never read.
        if fsm.coin.iter().all(|&c| c == fsm.coin[0]) {
            fsm.next = [0; 16];
        }
        Some(fsm)
    }

    #[inline(always)]
    fn step(&self, s: u8, mine: bool, theirs: bool) -> u8 {
        self.next[usize::from(s) << 2 | usize::from(mine) << 1 | usize::from(theirs)]
    }

    /// States the machine can be in after round 0.
    fn reachable(&self) -> [bool; 4] {
        let mut r = [false; 4];
        r[0] = true;
        for &s in &self.next {
            r[usize::from(s)] = true;
        }
        r
    }
}

/// The draw-free run of rounds from one joint state: `st[k]` is the state
/// after `k` rounds, `pre[k]` the outcome counts of those rounds (16-bit
/// lanes), for `k <= len`. `st[len]` is the first state that draws, or,
/// when `cycle < 16`, the state first met at `st[cycle]` (the run loops).
#[derive(Debug, Clone, Copy)]
struct Path {
    len: u8,
    cycle: u8,
    st: [u8; 17],
    pre: [u64; 17],
}

/// `Path::cycle` of a run that ends at a state that draws.
const NO_CYCLE: u8 = u8::MAX;

/// Bits of the window a [`Step`] is keyed on.
const STEP_BITS: u32 = 8;

/// Clean rounds from a state that draws, moved by the next [`STEP_BITS`]
/// random bits (the window): as many rounds as the window decides, up to
/// the first state that draws nothing (a run for [`Machine::jump`]) or
/// the first round whose coins the window's remaining bits cannot settle.
/// Index `256·state + window`. The outcome counts of its first `k` rounds
/// are two look-ups in [`COUNTS4`].
#[derive(Debug, Clone, Copy, Default)]
struct Step {
    /// Round `i`'s state after it (bits `4i..4i + 4`) and the window's
    /// bits used up to and including it (the same bits of `used_after`).
    state_after: u32,
    used_after: u32,
    /// Round `i`'s outcome, bits `2i..2i + 2`.
    moves: u16,
    /// Rounds moved (0: the first round needs more bits than the window).
    rounds: u8,
    /// After all `rounds`: the state, the bits used, and the outcome
    /// counts (16-bit lanes), so a whole step is three loads.
    end: u8,
    end_used: u8,
    counts: u64,
}

impl Step {
    /// The state and the bits used after the first `k >= 1` rounds.
    #[inline(always)]
    fn after(&self, k: u32) -> (u8, u32) {
        let sh = 4 * (k - 1);
        ((self.state_after >> sh & 15) as u8, self.used_after >> sh & 15)
    }
}

/// Settles `coin` from the `r` bits `y` (its most significant first):
/// `Some((defects, bits used))`, or `None` when these bits cannot (as
/// [`Coin::defects`] would read them).
fn settle(coin: Coin, y: u32, r: u32) -> Option<(bool, u32)> {
    match coin {
        Coin::Coop => Some((false, 0)),
        Coin::Defect => Some((true, 0)),
        Coin::Fair => (r > 0).then(|| (y >> (r - 1) != 0, 1)),
        Coin::Split { t, .. } => {
            // The first digit where U and p differ decides: U > p defects.
            let diff = y ^ (t >> 1 >> (31 - r));
            (diff != 0).then(|| {
                let i = diff.leading_zeros() - (32 - r);
                (y >> (r - 1 - i) & 1 != 0, i + 1)
            })
        }
    }
}

/// Outcome counts (16-bit lanes) of four rounds whose outcomes are the
/// byte's 2-bit fields.
const COUNTS4: [u64; 256] = {
    let mut t = [0u64; 256];
    let mut b = 0;
    while b < 256 {
        let mut i = 0;
        while i < 4 {
            t[b] += 1 << (16 * (b >> (2 * i) & 3));
            i += 1;
        }
        b += 1;
    }
    t
};

/// A match compiled for the loop: two rule machines, their joint machine
/// on clean rounds, and the noise laws.
#[derive(Debug, Clone)]
struct Machine {
    fsm: [Fsm; 2],
    /// Joint state `4·row + col` after a clean round with outcome `a`.
    next: [[u8; 4]; 16],
    /// Joint states where neither player draws, and their outcome.
    det: [bool; 16],
    act: [u8; 16],
    /// The draw-free run from each state in `det`.
    paths: [Path; 16],
    /// The [`Step`]s of the reachable states that draw (empty when none
    /// does).
    steps: Vec<Step>,
    /// Joint state after a round with outcome `a` in which row misread
    /// (bit 1 of `m`) and col misread (bit 0): index `16·j + 4·a + m`.
    noisy_next: [u8; 256],
    exec: GapLaw,
    percept: GapLaw,
}

impl Machine {
    fn compile(rules: [&Rule; 2], ladder: &Ladder, g: &Game) -> Option<Machine> {
        let fsm = [Fsm::compile(rules[0], ladder)?, Fsm::compile(rules[1], ladder)?];
        let mut m = Machine {
            fsm,
            next: [[0; 4]; 16],
            det: [false; 16],
            act: [0; 16],
            paths: [Path {
                len: 0,
                cycle: NO_CYCLE,
                st: [0; 17],
                pre: [0; 17],
            }; 16],
            steps: Vec::new(),
            noisy_next: [0; 256],
            exec: GapLaw::new(g.noise),
            percept: GapLaw::new(g.perception_noise),
        };
        for j in 0..16u8 {
            let (s0, s1) = (j >> 2, j & 3);
            for a in 0..4u8 {
                let (a0, a1) = (a & 2 != 0, a & 1 != 0);
                m.next[usize::from(j)][usize::from(a)] = fsm[0].step(s0, a0, a1) << 2 | fsm[1].step(s1, a1, a0);
            }
            for a in 0..4u8 {
                let (a0, a1) = (a & 2 != 0, a & 1 != 0);
                for mis in 0..4u8 {
                    let seen = [a1 ^ (mis & 2 != 0), a0 ^ (mis & 1 != 0)];
                    m.noisy_next[usize::from(j) << 4 | usize::from(a) << 2 | usize::from(mis)] =
                        fsm[0].step(s0, a0, seen[0]) << 2 | fsm[1].step(s1, a1, seen[1]);
                }
            }
            if let (Some(d0), Some(d1)) = (fsm[0].coin[usize::from(s0)].sure(), fsm[1].coin[usize::from(s1)].sure()) {
                m.det[usize::from(j)] = true;
                m.act[usize::from(j)] = u8::from(d0) << 1 | u8::from(d1);
            }
        }
        for j in 0..16 {
            if m.det[j] {
                m.paths[j] = m.path(j as u8);
            }
        }
        m.steps = m.steps();
        Some(m)
    }

    /// The [`Step`]s of every reachable state that draws (the others'
    /// entries are never read and stay empty). Built by window length
    /// `w = 0..=8`: a step on `w` bits is its first round, settled from
    /// the first bits, followed by the step of the state reached on the
    /// `w − used` bits left, so each entry costs one round.
    fn steps(&self) -> Vec<Step> {
        let reach = [self.fsm[0].reachable(), self.fsm[1].reachable()];
        let live = |j: usize| !self.det[j] && reach[0][j >> 2] && reach[1][j & 3];
        if !(0..16).any(live) {
            return Vec::new();
        }
        // Layer w (windows of w bits) starts at 16·(2^w − 1).
        let at = |w: u32, j: usize, y: u32| (16 << w) - 16 + (j << w | y as usize);
        let mut all = vec![Step::default(); at(STEP_BITS + 1, 0, 0)];
        for w in 1..=STEP_BITS {
            for j in (0..16).filter(|&j| live(j)) {
                for y in 0..1u32 << w {
                    let Some((d0, u0)) = settle(self.fsm[0].coin[j >> 2], y, w) else {
                        continue;
                    };
                    let r = w - u0;
                    let Some((d1, u1)) = settle(self.fsm[1].coin[j & 3], y & ((1 << r) - 1), r) else {
                        continue;
                    };
                    let a = u8::from(d0) << 1 | u8::from(d1);
                    let s = self.next[j][usize::from(a)];
                    let (used, r) = (u0 + u1, r - u1);
                    let rest = all[at(r, usize::from(s), y & ((1 << r) - 1))];
                    // The rest's bits used, counted from this window.
                    let nibbles = (1u32 << (4 * u32::from(rest.rounds))) - 1;
                    all[at(w, j, y)] = Step {
                        state_after: u32::from(s) | rest.state_after << 4,
                        used_after: used | (rest.used_after + ((used * 0x1111_1111) & nibbles)) << 4,
                        moves: u16::from(a) | rest.moves << 2,
                        rounds: rest.rounds + 1,
                        ..Step::default()
                    };
                }
            }
        }
        let mut steps = all.split_off(at(STEP_BITS, 0, 0));
        for st in steps.iter_mut().filter(|st| st.rounds > 0) {
            let k = u32::from(st.rounds);
            let (end, used) = st.after(k);
            let m = usize::from(st.moves);
            st.end = end;
            st.end_used = used as u8;
            // Bits past the last round's are 0, read as outcome 0 by
            // COUNTS4 and taken off lane 0.
            st.counts = COUNTS4[m & 255] + COUNTS4[m >> 8] - u64::from(8 - k);
        }
        steps
    }

    /// The draw-free run from `j` (a state in `det`).
    fn path(&self, j: u8) -> Path {
        let mut p = Path {
            len: 0,
            cycle: NO_CYCLE,
            st: [0; 17],
            pre: [0; 17],
        };
        let mut seen_at = [NO_CYCLE; 16];
        let (mut s, mut acc, mut k) = (j, 0u64, 0u8);
        loop {
            let su = usize::from(s);
            p.st[usize::from(k)] = s;
            p.pre[usize::from(k)] = acc;
            if !self.det[su] || seen_at[su] != NO_CYCLE {
                p.len = k;
                if self.det[su] {
                    p.cycle = seen_at[su];
                }
                return p;
            }
            seen_at[su] = k;
            acc += 1 << (16 * u32::from(self.act[su]));
            s = self.next[su][usize::from(self.act[su])];
            k += 1;
        }
    }

    /// Up to `left` clean rounds from `j` (a state in `det`), summed from
    /// its path: the state reached and the rounds used (all of `left`,
    /// unless the run reaches a state that draws).
    #[inline(always)]
    fn jump(&self, j: u8, left: u64, sink: &mut impl Sink) -> (u8, u64) {
        let p = &self.paths[usize::from(j)];
        let n = u64::from(p.len);
        if left <= n {
            sink.add(p.pre[left as usize]);
            return (p.st[left as usize], left);
        }
        if p.cycle == NO_CYCLE {
            sink.add(p.pre[n as usize]);
            return (p.st[n as usize], n);
        }
        let m = u64::from(p.cycle);
        // left <= CHUNK: a 32-bit division, none for a state that repeats
        // itself (all-C, all-D).
        let (after, c) = ((left - m) as u32, (n - m) as u32);
        let (times, r) = if c == 1 {
            (u64::from(after), 0)
        } else {
            (u64::from(after / c), u64::from(after % c))
        };
        sink.add(p.pre[(m + r) as usize]);
        sink.add_times(p.pre[n as usize] - p.pre[m as usize], times);
        (p.st[(m + r) as usize], left)
    }

    /// `len` clean rounds from joint state `j`; returns the state after.
    #[inline(always)]
    fn clean<S: Sink>(&self, mut j: u8, len: u64, bits: &mut Bits, rng: &mut TrialRng, sink: &mut S) -> u8 {
        let mut left = len;
        while left > 0 {
            let ju = usize::from(j);
            if self.det[ju] {
                if S::MOVES {
                    let a = self.act[ju];
                    sink.round(a);
                    j = self.next[ju][usize::from(a)];
                    left -= 1;
                } else {
                    let (n, used) = self.jump(j, left, sink);
                    j = n;
                    left -= used;
                }
                continue;
            }
            // A state that draws: the rounds the next bits decide, from
            // its table (the same bits the coins below would read).
            let x = bits.peek(rng) >> (32 - STEP_BITS);
            let step = &self.steps[ju << STEP_BITS | x as usize];
            let rounds = u64::from(step.rounds);
            if rounds > 0 && rounds <= left && !S::MOVES {
                // The whole step.
                sink.add(step.counts);
                bits.skip(u32::from(step.end_used));
                j = step.end;
                left -= rounds;
            } else if rounds > 0 {
                let k = rounds.min(left) as u32;
                if S::MOVES {
                    for i in 0..k {
                        sink.round((step.moves >> (2 * i) & 3) as u8);
                    }
                } else {
                    // The first k rounds' outcomes, the others read as
                    // outcome 0 and taken off lane 0.
                    let m = usize::from(step.moves) & ((1 << (2 * k)) - 1);
                    sink.add(COUNTS4[m & 255] + COUNTS4[m >> 8] - u64::from(8 - k));
                }
                let (n, used) = step.after(k);
                bits.skip(used);
                j = n;
                left -= u64::from(k);
            } else {
                let a = self.coins(ju, bits, rng);
                sink.round(a);
                j = self.next[ju][usize::from(a)];
                left -= 1;
            }
        }
        j
    }

    /// The round's acts drawn from the two coins of state `ju`, row's
    /// first (outcome `2·row + col`, 1 = defect).
    #[inline(always)]
    fn coins(&self, ju: usize, bits: &mut Bits, rng: &mut TrialRng) -> u8 {
        let a = u8::from(self.fsm[0].coin[ju >> 2].defects(bits, rng)) << 1;
        a | u8::from(self.fsm[1].coin[ju & 3].defects(bits, rng))
    }

    /// The acts intended in a round from state `j`, drawn as the first
    /// round of [`Machine::clean`] would draw them.
    #[inline(always)]
    fn intended(&self, j: u8, bits: &mut Bits, rng: &mut TrialRng) -> u8 {
        let ju = usize::from(j);
        if self.det[ju] {
            return self.act[ju];
        }
        let x = bits.peek(rng) >> (32 - STEP_BITS);
        let step = &self.steps[ju << STEP_BITS | x as usize];
        if step.rounds > 0 {
            bits.skip(step.used_after & 15);
            (step.moves & 3) as u8
        } else {
            self.coins(ju, bits, rng)
        }
    }

    /// The match. Acts are numbered in play order (round `r`: row's act
    /// `2r`, col's `2r + 1`), and so are readings (row reads col's act,
    /// reading `2r`; col reads row's, `2r + 1`). Rounds before the next
    /// execution or perception flip are clean ([`Machine::clean`]); round
    /// 0 and a round holding a flip run the full order of the module docs.
    #[inline(always)]
    fn play<S: Sink>(&self, rounds: u32, rng: &mut TrialRng, sink: &mut S) {
        let rounds = u64::from(rounds);
        if rounds == 0 {
            return;
        }
        let [f0, f1] = &self.fsm;
        let mut bits = Bits::default();
        let mut exec = Flipper::start(&self.exec, &mut bits, rng);
        let mut percept = Flipper::start(&self.percept, &mut bits, rng);
        // Round 0: the first moves.
        let mut intended = u8::from(f0.first.defects(&mut bits, rng)) << 1;
        intended |= u8::from(f1.first.defects(&mut bits, rng));
        let (mut j, mut r, mut since) = (0u8, 0u64, 0u64);
        loop {
            // Round r in full: flips of acts 2r (row, bit 1) and 2r + 1
            // (col, bit 0), then misreadings 2r (row's) and 2r + 1 (col's).
            let a = intended ^ exec.mask(2 * r, &self.exec, &mut bits, rng);
            let mis = percept.mask(2 * r, &self.percept, &mut bits, rng);
            sink.round(a);
            j = self.noisy_next[usize::from(j) << 4 | usize::from(a) << 2 | usize::from(mis)];
            r += 1;
            since += 1;
            // Rounds before the one holding the next flip are clean.
            let clean = (exec.at.min(percept.at) / 2).min(rounds);
            while r < clean {
                let len = (clean - r).min(CHUNK);
                j = self.clean(j, len, &mut bits, rng, sink);
                r += len;
                since += len;
                if since >= FLUSH {
                    sink.flush();
                    since = 0;
                }
            }
            if since >= FLUSH {
                sink.flush();
                since = 0;
            }
            if r >= rounds {
                break;
            }
            intended = self.intended(j, &mut bits, rng);
        }
        sink.flush();
    }
}

/// The general round loop, through [`Rule::decide`] (a graded rule with
/// a grievance or a threshold above one defection).
fn play_rules(rules: [&Rule; 2], ladder: &Ladder, g: &Game, rng: &mut TrialRng, sink: &mut impl Sink) {
    let (exec_law, percept_law) = (GapLaw::new(g.noise), GapLaw::new(g.perception_noise));
    let mut bits = Bits::default();
    let mut exec = Flipper::start(&exec_law, &mut bits, rng);
    let mut percept = Flipper::start(&percept_law, &mut bits, rng);
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
        act[0] ^= exec.flips(2 * round, &exec_law, &mut bits, rng);
        act[1] ^= exec.flips(2 * round + 1, &exec_law, &mut bits, rng);
        let perceived = [
            act[1] ^ percept.flips(2 * round, &percept_law, &mut bits, rng),
            act[0] ^ percept.flips(2 * round + 1, &percept_law, &mut bits, rng),
        ];
        seen = [(act[0], perceived[0]), (act[1], perceived[1])];
        sink.round(u8::from(act[0]) << 1 | u8::from(act[1]));
        if round % FLUSH == FLUSH - 1 {
            sink.flush();
        }
    }
    sink.flush();
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
    use crate::rng::trial_rng;

    /// z of the statistical checks here (false alarm about 6e-5 each).
    const Z: f64 = 4.0;

    fn ipd(row: &str, col: &str, extra: &[&str]) -> Scenario {
        let mut sets = vec![
            format!("actors.row.strategy={row}"),
            format!("actors.col.strategy={col}"),
        ];
        sets.extend(extra.iter().map(|s| s.to_string()));
        crate::scenario::parse_builtin("ipd", &sets).expect("ipd").scenario
    }

    /// Every compiled rule moves exactly as [`Rule::decide`] does, on long
    /// random sequences of observations.
    #[test]
    fn compiled_rules_decide_as_the_rules_do() {
        let ladder = ipd("tft", "tft", &[]).ladder;
        let rules = [
            Rule::Grim { level: 1 },
            Rule::TitForTwoTats { level: 1 },
            Rule::Contrite(Contrite { level: 1 }),
            Rule::MemoryOne(MemoryOne::new([1.0, 0.0, 0.0, 1.0], 1.0, 1)),
            Rule::MemoryOne(MemoryOne::new([1.0, 0.0, 1.0, 0.0], 1.0, 1)),
            Rule::MemoryOne(MemoryOne::new([0.0; 4], 1.0, 1)),
        ];
        let mut obs_rng = trial_rng(7, 0);
        let mut rng = trial_rng(7, 1);
        for rule in &rules {
            let fsm = Fsm::compile(rule, &ladder).expect("classic rules compile");
            let mut mem = RuleState::default();
            let mut st = 0u8;
            for _ in 0..2000 {
                let (mine, theirs) = (bernoulli(&mut obs_rng, 0.5), bernoulli(&mut obs_rng, 0.5));
                let want = rule.decide(&mut mem, &observed(mine, theirs), &ladder, &mut rng) > 0;
                st = fsm.step(st, mine, theirs);
                assert_eq!(fsm.coin[usize::from(st)].sure(), Some(want), "{rule:?}");
            }
        }
    }

    /// A coin whose first chunk ties with `⌊p·2^32⌋` reads the next digits
    /// of `p`: `p = 1/2 + 2^-40` has digits `2^31`, then `2^24`, then 0.
    #[test]
    fn a_tie_reads_the_next_digits_of_p() {
        let p = 0.5 + 2f64.powi(-40);
        let Coin::Split { t, rest } = Coin::of(p) else {
            panic!("p = {p} is not a split coin");
        };
        assert_eq!(t, 1 << 31);
        let below = |chunks: &[u32]| {
            let mut it = chunks.iter().copied();
            below_rest(rest, || it.next().expect("enough chunks"))
        };
        assert!(below(&[(1 << 24) - 1]));
        assert!(!below(&[(1 << 24) + 1]));
        // Equal to the last digit: the uniform is p or more.
        assert!(!below(&[1 << 24]));
        // A dyadic p has no digits after the first chunk.
        let Coin::Split { rest, .. } = Coin::of(0.25) else {
            panic!("0.25 is a split coin");
        };
        assert_eq!(rest, 0.0);
        assert_eq!(Coin::of(0.5), Coin::Fair);
        assert_eq!(Coin::of(f64::NAN), Coin::Defect);
        assert_eq!(Coin::of(1.0), Coin::Coop);
    }

    /// Split and fair coins cooperate with probability p (binomial, Z SEs).
    #[test]
    fn coins_cooperate_with_their_probability() {
        let mut rng = trial_rng(3, 0);
        let mut bits = Bits::default();
        let n = 200_000u32;
        for p in [0.5, 1.0 / 3.0, 0.05, 0.9] {
            let coin = Coin::of(p);
            let c = (0..n).filter(|_| !coin.defects(&mut bits, &mut rng)).count() as f64;
            let nf = f64::from(n);
            assert!(
                (c - nf * p).abs() <= Z * (nf * p * (1.0 - p)).sqrt(),
                "p = {p}: {c} of {n}"
            );
        }
    }

    /// Gaps are geometric: P(G = 0) = p and E G = q/p, for table and log
    /// laws (the table's tail, G >= 63, included at p = 0.05).
    #[test]
    fn gaps_are_geometric() {
        for p in [0.3, 0.05, 0.02, 0.005] {
            let law = GapLaw::new(p);
            assert_eq!(matches!(law, GapLaw::Log(_)), p < 0.011, "p = {p}: {law:?}");
            let mut rng = trial_rng(4, (p * 1000.0) as u64);
            let mut bits = Bits::default();
            let n = 100_000u32;
            let (mut zero, mut sum, mut tail) = (0u32, 0f64, 0u32);
            for _ in 0..n {
                let g = law.gap(&mut bits, &mut rng);
                zero += u32::from(g == 0);
                tail += u32::from(g >= 63);
                sum += g as f64;
            }
            let (nf, q) = (f64::from(n), 1.0 - p);
            let se0 = (p * q / nf).sqrt();
            assert!(
                (f64::from(zero) / nf - p).abs() <= Z * se0,
                "p = {p}: P(0) {}",
                f64::from(zero) / nf
            );
            // Var G = q / p².
            let se = (q / (p * p) / nf).sqrt();
            assert!((sum / nf - q / p).abs() <= Z * se, "p = {p}: mean {}", sum / nf);
            let t = q.powi(63);
            let se_t = (t * (1.0 - t) / nf).sqrt();
            assert!(
                (f64::from(tail) / nf - t).abs() <= Z * se_t + 1e-9,
                "p = {p}: P(G >= 63)"
            );
        }
    }

    /// The counted match (deterministic runs summed by path, fair bits by
    /// byte tables) has exactly the outcome counts of the same match seen
    /// round by round, for the same stream.
    #[test]
    fn counted_matches_are_their_moves() {
        let pairs = [
            ("tft", "tft"),
            ("wsls", "gtft"),
            ("ctft", "random"),
            ("random", "random"),
            ("random", "tft"),
            ("grim", "tf2t"),
            ("tf2t", "wsls"),
            ("allc", "alld"),
            ("gtft", "random"),
        ];
        let mut kinds = [0; 3];
        for (a, b) in pairs {
            for noise in ["0", "0.005", "0.05", "0.3", "1"] {
                for (rounds, percept) in [(1, "0"), (7, "0.1"), (200, "0"), (5000, "0.02"), (70_000, "0")] {
                    let s = ipd(
                        a,
                        b,
                        &[
                            &format!("game.noise={noise}"),
                            &format!("game.rounds={rounds}"),
                            &format!("game.perception_noise={percept}"),
                        ],
                    );
                    let g = s.game.as_ref().expect("game");
                    let m = Machine::compile(rules(&s), &s.ladder, g).expect("classic rules compile");
                    let draws_only = m.det.iter().all(|&d| !d);
                    kinds[usize::from(draws_only) + usize::from(m.det.iter().all(|&d| d)) * 2] += 1;
                    for i in 0..3 {
                        let mut c = Counter::default();
                        m.play(g.rounds, &mut trial_rng(5, i), &mut c);
                        let moves = play_moves(&s, &mut trial_rng(5, i));
                        let mut n = [0u64; 4];
                        for mv in &moves {
                            n[usize::from(mv[0]) << 1 | usize::from(mv[1])] += 1;
                        }
                        assert_eq!(moves.len(), rounds as usize);
                        assert_eq!(c.n, n, "{a} vs {b}, noise {noise}, {rounds} rounds, trial {i}");
                    }
                }
            }
        }
        // Each kind of machine was exercised: mixed, drawing in every
        // state, and all draw-free.
        assert!(kinds.iter().all(|&k| k > 0), "{kinds:?}");
    }

    /// For rules that never draw, the compiled match and the general loop
    /// through [`Rule::decide`] draw the same gaps, so they play the same
    /// moves under execution and perception noise.
    #[test]
    fn compiled_matches_play_as_the_rules_decide() {
        let names = ["tft", "ctft", "wsls", "grim", "tf2t", "allc", "alld"];
        for a in names {
            for b in names {
                let s = ipd(
                    a,
                    b,
                    &["game.noise=0.05", "game.perception_noise=0.03", "game.rounds=300"],
                );
                let g = s.game.as_ref().expect("game");
                for i in 0..4 {
                    let mut want = Moves(Vec::new());
                    play_rules(rules(&s), &s.ladder, g, &mut trial_rng(6, i), &mut want);
                    assert_eq!(play_moves(&s, &mut trial_rng(6, i)), want.0, "{a} vs {b}, trial {i}");
                }
            }
        }
    }

    /// Every step is the coins' own draws: from its state, on a stream
    /// whose next bits are the window, [`Coin::defects`] plays the step's
    /// rounds, states and bits used, and the round after it needs more
    /// than the window's remaining bits (or its state draws nothing).
    #[test]
    fn steps_are_the_coins_draws() {
        let mut tail_rng = trial_rng(8, 0);
        let mut rng = trial_rng(8, 1);
        let mut stepped = 0u64;
        for (a, b) in [
            ("wsls", "gtft"),
            ("ctft", "random"),
            ("gtft", "random"),
            ("random", "random"),
            ("gtft", "gtft"),
        ] {
            let s = ipd(a, b, &["game.noise=0.05"]);
            let m = Machine::compile(rules(&s), &s.ladder, s.game.as_ref().expect("game")).expect("compiles");
            assert!(!m.steps.is_empty(), "{a} vs {b} draws");
            for j in 0..16u8 {
                let live = m.fsm[0].reachable()[usize::from(j >> 2)] && m.fsm[1].reachable()[usize::from(j & 3)];
                if m.det[usize::from(j)] || !live {
                    continue;
                }
                for x in 0..1u64 << STEP_BITS {
                    let step = m.steps[usize::from(j) << STEP_BITS | x as usize];
                    let tail = tail_rng.next_u64() >> STEP_BITS;
                    let mut bits = Bits {
                        word: x << (64 - STEP_BITS) | tail,
                        left: 64,
                    };
                    let mut st = j;
                    let mut counts = Counter::default();
                    for i in 0..u32::from(step.rounds) {
                        let acts = m.coins(usize::from(st), &mut bits, &mut rng);
                        assert_eq!(u16::from(acts), step.moves >> (2 * i) & 3, "{a} vs {b}, {j}, {x:08b}");
                        counts.round(acts);
                        st = m.next[usize::from(st)][usize::from(acts)];
                        assert_eq!(step.after(i + 1), (st, 64 - bits.left), "{a} vs {b}, {j}, {x:08b}");
                        stepped += 1;
                    }
                    let used = 64 - bits.left;
                    if step.rounds > 0 {
                        // The whole step at once: its end and its counts.
                        assert_eq!(
                            (step.end, u32::from(step.end_used)),
                            (st, used),
                            "{a} vs {b}, {j}, {x:08b}"
                        );
                        assert_eq!(step.counts, counts.acc, "{a} vs {b}, {j}, {x:08b}");
                    }
                    // The next round is the step's end: its state draws
                    // nothing, or its coins read past the window.
                    if !m.det[usize::from(st)] && step.rounds < 8 {
                        m.coins(usize::from(st), &mut bits, &mut rng);
                        assert!(64 - bits.left > STEP_BITS, "{a} vs {b}, {j}, {x:08b}: {used} bits then");
                    }
                }
            }
        }
        assert!(stepped > 10_000, "{stepped}");
    }

    /// The cache compiles again when the rules or the noise change.
    #[test]
    fn the_cache_follows_the_scenario() {
        let mut cache = GameCache::default();
        let a = ipd("tft", "tft", &["game.noise=0.05"]);
        let b = ipd("tft", "random", &["game.noise=0.05"]);
        let c = ipd("tft", "random", &["game.noise=0.3"]);
        let fair = |cache: &mut GameCache, s: &Scenario| {
            let m = cache.get(s, s.game.as_ref().expect("game")).expect("compiles");
            (
                !m.steps.is_empty(),
                matches!(m.exec, GapLaw::Table { t, .. } if t[1] == (0.7 * TWO_32).round() as u64),
            )
        };
        assert_eq!(fair(&mut cache, &a), (false, false));
        assert_eq!(fair(&mut cache, &b), (true, false));
        assert_eq!(fair(&mut cache, &c), (true, true));
        assert_eq!(fair(&mut cache, &a), (false, false));
    }
}

//! `tournament`: a round robin of the classic strategies on a game
//! scenario (by default the built-in `ipd`), in the manner of Axelrod's
//! tournaments [Axelrod1980].
//!
//! Every pair of strategies plays, self-play included (each strategy meets
//! its twin, as in Axelrod's tournaments): for each pair the scenario is
//! the one loaded with the user's overrides and then
//! `actors.row.strategy=<a> actors.col.strategy=<b>` (parsed once per
//! strategy, with the pair's column rule swapped in), and its trials run
//! through [`crate::runner::run_in`] on one thread pool, with the same seed (common random
//! numbers: trial `i` of every pair draws from stream `i`).
//!
//! A strategy's score in trial `i` is its mean payoff per round averaged
//! over its opponents (each opponent weighs the same; in self-play the
//! mean of both seats). Its tournament score is the mean of that over
//! trials, with a 95% interval `mean ± z·SE` (z = [`Z95`]), SE the
//! standard deviation across trials ([`Moments`]) over √trials. Trials are
//! independent, so this SE is exact whatever the correlation between pairs
//! that common random numbers bring.
//!
//! Memory: one score per strategy and trial (`8·k·trials` bytes), checked
//! against the memory available before anything is allocated.

use super::{JobError, Watch, check_trials, load, load::reloader, plan};
use crate::engine::{Metric, MetricLayout};
use crate::model::Scenario;
use crate::output::{self, CsvFile, fmt_real};
use crate::policy::{Named, RuleName};
use crate::runner::{self, Plan};
use crate::scenario::Loaded;
use crate::stats::{Moments, Z95};
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

/// The named strategies a tournament plays by default: every strategy
/// name but `graded` (a crisis-ladder rule) and `memory_one` (needs a
/// four-vector).
pub fn named_strategies() -> Vec<&'static str> {
    RuleName::ALL
        .iter()
        .filter(|r| !matches!(r, RuleName::Graded | RuleName::MemoryOne))
        .map(|r| r.name())
        .collect()
}

/// What `brink tournament` was asked.
#[derive(Debug, Clone, Default)]
pub struct TournamentSpec {
    /// Game scenario file or built-in name (`None`: `ipd`).
    pub scenario: Option<String>,
    /// `--set` overrides, applied to every pairing before the strategies.
    pub sets: Vec<String>,
    /// Trials (matches) per pairing (`None`: the scenario's).
    pub trials: Option<u64>,
    /// Master seed (`None`: the scenario's).
    pub seed: Option<u64>,
    /// Strategies to enter (empty: every named one).
    pub strategies: Vec<String>,
    /// Worker threads (`None`: every core).
    pub threads: Option<usize>,
    /// Output directory (`None`: `out/<scenario name>_tournament`).
    pub out: Option<PathBuf>,
}

/// A validated tournament.
pub struct TournamentJob {
    /// The game scenario with the user's overrides.
    pub base: Loaded,
    /// The user's overrides.
    pub sets: Vec<String>,
    /// The strategies, in entry order.
    pub names: Vec<String>,
    /// Trials per pairing.
    pub trials: u64,
    /// Master seed.
    pub seed: u64,
    /// Worker threads.
    pub threads: usize,
    /// Output directory.
    pub out: PathBuf,
    /// When validation began.
    pub started: Instant,
}

/// One strategy's payoff against one opponent (or its score overall).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Stat {
    /// Mean payoff per round.
    pub mean: f64,
    /// Its standard error across trials.
    pub se: f64,
    /// Share of cooperative moves.
    pub coop: f64,
}

impl Stat {
    /// The 95% interval `mean ± Z95·se`.
    pub fn interval(&self) -> (f64, f64) {
        (self.mean - Z95 * self.se, self.mean + Z95 * self.se)
    }
}

/// The tournament's results.
pub struct TournamentReport {
    /// (strategy index, score), best first (ties: entry order).
    pub ranking: Vec<(usize, Stat)>,
    /// `pairs[i][j]`: strategy `i`'s payoff against `j`.
    pub pairs: Vec<Vec<Stat>>,
    /// Pairings played (`k·(k+1)/2`).
    pub pairings: u64,
}

const MEMORY_HELP: &str = "ask for fewer trials (--trials) or fewer strategies (--strategies)";

impl TournamentSpec {
    /// Loads the game; checks the strategies, the counts and the memory
    /// the scores need.
    pub fn validate(self) -> Result<TournamentJob, JobError> {
        let started = Instant::now();
        let arg = self.scenario.as_deref().unwrap_or("ipd");
        let base = load(Some(arg), &self.sets)?;
        let s0 = &base.scenario;
        if s0.game.is_none() {
            return Err(JobError::usage(
                format!("{arg}: a tournament needs a game scenario (one with a [game] table)"),
                "try the built-in one: brink tournament ipd",
            ));
        }
        let known = named_strategies();
        let names: Vec<String> = if self.strategies.is_empty() {
            known.iter().map(|s| s.to_string()).collect()
        } else {
            self.strategies
        };
        if let Some(n) = names.iter().find(|n| !known.contains(&n.as_str())) {
            return Err(JobError::usage(
                format!("--strategies: unknown strategy \"{n}\""),
                format!("strategies: {}", known.join(", ")),
            ));
        }
        if names.len() < 2 {
            return Err(JobError::usage(
                format!("--strategies: expected at least two strategies, found {}", names.len()),
                "Example: --strategies tft,wsls,ctft,alld",
            ));
        }
        let trials = self.trials.unwrap_or(s0.trials);
        if trials == 0 {
            return Err(JobError::usage(
                "--trials: expected at least 1 trial, found 0",
                "Example: --trials 1000",
            ));
        }
        check_trials(trials)?;
        let k = names.len();
        let bytes = 8.0 * k as f64 * trials as f64;
        let how = format!("{k} strategies x {trials} trials x 8 bytes of scores");
        plan::check_memory("this tournament", bytes, &how, MEMORY_HELP)?;
        Ok(TournamentJob {
            threads: super::threads(self.threads)?,
            seed: self.seed.unwrap_or(s0.seed),
            out: self
                .out
                .unwrap_or_else(|| PathBuf::from("out").join(format!("{}_tournament", s0.name))),
            sets: self.sets,
            names,
            trials,
            base,
            started,
        })
    }
}

/// Both seats of one pairing: payoff moments and cooperation sums.
#[derive(Default)]
struct Seats {
    payoff: [Moments; 2],
    coop: [f64; 2],
}

impl Seats {
    fn stat(&self, q: usize, trials: u64) -> Stat {
        let m = &self.payoff[q];
        let se = if trials > 1 {
            m.sd() / (trials as f64).sqrt()
        } else {
            0.0
        };
        Stat {
            mean: m.mean(),
            se,
            coop: self.coop[q] / trials as f64,
        }
    }
}

impl TournamentJob {
    /// Creates the output directory, plays, writes the files.
    pub fn execute(
        &self,
        cancel: &AtomicBool,
        watch: &mut dyn Watch,
    ) -> Result<(TournamentReport, Vec<PathBuf>), JobError> {
        output::ensure_dir(&self.out)?;
        let report = self.play(cancel, watch)?;
        let files = self.write_files(&report)?;
        Ok((report, files))
    }

    /// Plays every pairing; returns the ranking and the pair table.
    pub fn play(&self, cancel: &AtomicBool, watch: &mut dyn Watch) -> Result<TournamentReport, JobError> {
        let k = self.names.len();
        let n = usize::try_from(self.trials)
            .map_err(|_| JobError::usage("--trials: too many for this machine", MEMORY_HELP))?;
        // Per strategy and trial: payoff per round summed over opponents.
        let mut scores = Vec::with_capacity(k);
        for _ in 0..k {
            scores.push(plan::zeroed(n, "this tournament's scores", MEMORY_HELP)?);
        }
        let mut coop = vec![0.0f64; k];
        let mut pairs = vec![vec![Stat::default(); k]; k];
        let pairings = (k * (k + 1) / 2) as u64;
        watch.start(pairings.saturating_mul(self.trials));
        let mut done = 0u64;
        // One pool for every pairing: no threads started per pairing.
        let pool = runner::pool(self.threads)?;
        let played = (|| {
            let games = self.games()?;
            for i in 0..k {
                for j in i..k {
                    let s = games.pairing(i, j);
                    let seats =
                        self.pairing(&pool, &s, (i, j), &mut scores, cancel, &mut |d| watch.advance(done + d))?;
                    done += self.trials;
                    if i == j {
                        let (r, c) = (seats.stat(0, self.trials), seats.stat(1, self.trials));
                        let both = Stat {
                            mean: 0.5 * (r.mean + c.mean),
                            se: 0.5 * (r.se + c.se),
                            coop: 0.5 * (r.coop + c.coop),
                        };
                        pairs[i][i] = both;
                        coop[i] += both.coop;
                    } else {
                        pairs[i][j] = seats.stat(0, self.trials);
                        pairs[j][i] = seats.stat(1, self.trials);
                        coop[i] += pairs[i][j].coop;
                        coop[j] += pairs[j][i].coop;
                    }
                }
            }
            Ok::<(), JobError>(())
        })();
        watch.finish();
        played?;
        let ranking = rank(&scores, &coop, self.trials);
        Ok(TournamentReport {
            ranking,
            pairs,
            pairings,
        })
    }

    /// Each strategy's game with the strategy in both seats (issue 18:
    /// the text is not parsed again per pairing). The user's scenario was
    /// parsed once, into `base.raw` (overrides applied, distributions at
    /// their medians); each strategy only validates that with its name in
    /// both seats, and takes the base's drawn parameters (a game's are the
    /// noise levels, the same for every strategy). If that fails, the full
    /// parse runs, for its error at file:line:col.
    fn games(&self) -> Result<Games, JobError> {
        let reload = reloader(&self.base, &self.sets);
        let mut by = Vec::with_capacity(self.names.len());
        for name in &self.names {
            let mut raw = self.base.raw.clone();
            let seated = ["row", "col"].iter().all(|seat| match raw.actors.get_mut(*seat) {
                Some(a) => {
                    a.strategy = Some(name.clone());
                    true
                }
                None => false,
            });
            let validated = if seated {
                crate::scenario::validate::validate(&raw).ok()
            } else {
                None
            };
            match validated {
                Some(mut s) => {
                    s.uncertainty = self.base.scenario.uncertainty.clone();
                    by.push(s);
                }
                None => {
                    let sets = [
                        format!("actors.row.strategy={name}"),
                        format!("actors.col.strategy={name}"),
                    ];
                    by.push(reload(&sets)?.scenario);
                }
            }
        }
        let col = by[0]
            .actors
            .iter()
            .position(|a| a.id == "col")
            .expect("the strategies were set on actors.col");
        Ok(Games { by, col })
    }

    /// Plays strategy `i` (row) against `j` (column) on `s`, adding each
    /// trial's payoffs to both strategies' scores.
    fn pairing(
        &self,
        pool: &rayon::ThreadPool,
        s: &Scenario,
        (i, j): (usize, usize),
        scores: &mut [Vec<f64>],
        cancel: &AtomicBool,
        progress: &mut dyn FnMut(u64),
    ) -> Result<Seats, JobError> {
        let layout = MetricLayout::new(s);
        // A game's two players are actors 0 (row) and 1 (col).
        let col = |m: Metric| layout.position(m).expect("a game scenario has payoff and coop columns");
        let idx = [
            col(Metric::Payoff(0)),
            col(Metric::Payoff(1)),
            col(Metric::Coop(0)),
            col(Metric::Coop(1)),
        ];
        let plan = Plan {
            seed: self.seed,
            trials: 0..self.trials,
            threads: self.threads,
        };
        let mut seats = Seats::default();
        let (lo, hi) = scores.split_at_mut(j);
        let (si, mut sj) = if i == j {
            (&mut hi[0], None)
        } else {
            (&mut lo[i], Some(&mut hi[0]))
        };
        runner::run_in(pool, s, &layout, &plan, cancel, progress, |t, _, row| {
            let (pr, pc) = (row[idx[0]], row[idx[1]]);
            seats.payoff[0].push(pr);
            seats.payoff[1].push(pc);
            seats.coop[0] += row[idx[2]];
            seats.coop[1] += row[idx[3]];
            let t = t as usize;
            match sj.as_deref_mut() {
                Some(sj) => {
                    si[t] += pr;
                    sj[t] += pc;
                }
                None => si[t] += 0.5 * (pr + pc),
            }
            Ok::<(), JobError>(())
        })?;
        Ok(seats)
    }

    /// Writes `tournament.csv` (the ranking) and `tournament_pairs.csv`
    /// (each strategy's payoff against each opponent) into `self.out`.
    pub fn write_files(&self, report: &TournamentReport) -> Result<Vec<PathBuf>, JobError> {
        let (k, trials) = (self.names.len(), self.trials.to_string());
        let mut buf = String::new();
        let mut real = |x: f64| {
            buf.clear();
            fmt_real(x, &mut buf);
            buf.clone()
        };
        let mut f = CsvFile::create(&self.out.join("tournament.csv"))?;
        f.record([
            "rank",
            "strategy",
            "mean_payoff",
            "se_payoff",
            "ci_low",
            "ci_high",
            "coop",
            "opponents",
            "trials",
        ])?;
        for (r, (e, st)) in report.ranking.iter().enumerate() {
            let (lo, hi) = st.interval();
            let name = self.names[*e].clone();
            let (m, se, c) = (real(st.mean), real(st.se), real(st.coop));
            f.record([
                (r + 1).to_string(),
                name,
                m,
                se,
                real(lo),
                real(hi),
                c,
                k.to_string(),
                trials.clone(),
            ])?;
        }
        let mut files = vec![f.commit()?];
        let mut f = CsvFile::create(&self.out.join("tournament_pairs.csv"))?;
        f.record(["strategy", "opponent", "trials", "mean_payoff", "se_payoff", "coop"])?;
        for (i, row) in report.pairs.iter().enumerate() {
            for (j, st) in row.iter().enumerate() {
                let (a, b) = (self.names[i].clone(), self.names[j].clone());
                f.record([a, b, trials.clone(), real(st.mean), real(st.se), real(st.coop)])?;
            }
        }
        files.push(f.commit()?);
        Ok(files)
    }
}

/// The game with each strategy in both seats: a pairing is strategy
/// `i`'s game with the column player's rule taken from `j`'s. The rest
/// of the scenario is the same for every strategy (the same text and
/// overrides), so this is the scenario that parsing the pairing's
/// overrides gives.
struct Games {
    by: Vec<Scenario>,
    /// The column player's actor index.
    col: usize,
}

impl Games {
    fn pairing(&self, i: usize, j: usize) -> Scenario {
        let mut s = self.by[i].clone();
        s.actors[self.col].strategy = self.by[j].actors[self.col].strategy.clone();
        s.compile()
    }
}

/// Each strategy's score (per trial: its payoff summed over opponents,
/// over `k`), best first; ties keep entry order.
fn rank(scores: &[Vec<f64>], coop: &[f64], trials: u64) -> Vec<(usize, Stat)> {
    let kf = scores.len() as f64;
    let mut ranking: Vec<(usize, Stat)> = scores
        .iter()
        .enumerate()
        .map(|(e, xs)| {
            let mut m = Moments::default();
            for x in xs {
                m.push(x / kf);
            }
            let se = if trials > 1 {
                m.sd() / (trials as f64).sqrt()
            } else {
                0.0
            };
            let stat = Stat {
                mean: m.mean(),
                se,
                coop: coop[e] / kf,
            };
            (e, stat)
        })
        .collect();
    ranking.sort_by(|x, y| y.1.mean.total_cmp(&x.1.mean).then(x.0.cmp(&y.0)));
    ranking
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranking_is_the_mean_score_over_opponents_with_its_standard_error() {
        // Two strategies, three trials; scores are sums over both opponents.
        let scores = vec![vec![2.0, 4.0, 6.0], vec![1.0, 1.0, 1.0]];
        let r = rank(&scores, &[1.0, 0.5], 3);
        assert_eq!(r[0].0, 0);
        // x = 1, 2, 3: mean 2, sd 1, se 1/sqrt(3).
        assert!((r[0].1.mean - 2.0).abs() < 1e-15);
        assert!((r[0].1.se - 1.0 / 3f64.sqrt()).abs() < 1e-15);
        assert_eq!(r[1].1.se, 0.0);
        assert_eq!(r[0].1.coop, 0.5);
        let (lo, hi) = r[0].1.interval();
        assert!((hi - lo - 2.0 * Z95 / 3f64.sqrt()).abs() < 1e-12);
    }

    /// A pairing's game, built from the strategies' games, is the scenario
    /// that parsing the pairing's overrides gives (issue 18: the text is no
    /// longer parsed per pairing), with the user's overrides applied.
    #[test]
    fn pairings_are_the_scenarios_the_full_parse_gives() {
        let user = vec!["game.noise=0.1".to_string(), "game.rounds=50".to_string()];
        let job = TournamentSpec {
            sets: user.clone(),
            strategies: ["tft", "gtft", "random", "wsls", "grim", "ctft"]
                .map(String::from)
                .to_vec(),
            ..Default::default()
        }
        .validate()
        .expect("valid tournament");
        let games = job.games().expect("games");
        let reload = reloader(&job.base, &user);
        for (i, a) in job.names.iter().enumerate() {
            for (j, b) in job.names.iter().enumerate() {
                let sets = [format!("actors.row.strategy={a}"), format!("actors.col.strategy={b}")];
                let want = reload(&sets).expect("pairing parses").scenario;
                let got = games.pairing(i, j);
                assert_eq!(format!("{got:?}"), format!("{want:?}"), "{a} vs {b}");
            }
        }
    }

    #[test]
    fn one_trial_has_no_standard_error() {
        let r = rank(&[vec![3.0], vec![1.0]], &[0.0, 0.0], 1);
        assert_eq!((r[0].1.mean, r[0].1.se), (1.5, 0.0));
    }
}

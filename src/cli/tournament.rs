//! `brink tournament`: a round robin of the classic strategies on a game
//! scenario (by default the built-in `ipd`), in the manner of Axelrod's
//! tournaments [Axelrod1980].
//!
//! Every pair of strategies plays, self-play included (each strategy meets
//! its twin, as in Axelrod's tournaments): for each pair the scenario is
//! loaded with the user's overrides and then
//! `actors.row.strategy=<a> actors.col.strategy=<b>`, and its trials run
//! through [`crate::runner::run`] with the same seed (common random
//! numbers: trial `i` of every pair draws from stream `i`).
//!
//! A strategy's score in trial `i` is its mean payoff per round averaged
//! over its opponents (each opponent weighs the same; in self-play the
//! mean of both seats). Its tournament score is the mean of that over
//! trials, with a 95% interval `mean ± 1.96·SE`, SE the standard deviation
//! across trials over √trials. Trials are independent, so this SE is exact
//! whatever the correlation between pairs that common random numbers bring.
//!
//! Writes `tournament.csv` (the ranking) and `tournament_pairs.csv` (each
//! strategy's mean payoff against each opponent) into `--out`.

use super::{CANCEL, Failure, load, progress};
use crate::engine::MetricLayout;
use crate::output::{self, CsvFile, fmt_real};
use crate::runner::{self, Plan};
use crate::scenario::validate::RULES;
use std::path::PathBuf;
use std::time::Instant;

/// The named strategies a tournament plays by default: every strategy
/// name but `graded` (a crisis-ladder rule) and `memory_one` (needs a
/// four-vector).
pub fn named_strategies() -> Vec<&'static str> {
    RULES
        .iter()
        .copied()
        .filter(|r| !matches!(*r, "graded" | "memory_one"))
        .collect()
}

/// `brink tournament`.
#[derive(Debug, clap::Args)]
pub struct TournamentArgs {
    /// Game scenario file, or a built-in name. Default: the built-in ipd.
    pub scenario: Option<String>,
    /// Override one parameter by its dotted path (repeatable), applied to
    /// every pairing before the two strategies are set.
    ///
    /// Example: --set game.noise=0.05
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub sets: Vec<String>,
    /// Trials (matches) per pairing (default: the scenario's `trials`).
    ///
    /// Example: --trials 200
    #[arg(long, short = 'n')]
    pub trials: Option<u64>,
    /// Master seed (default: the scenario's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Strategies to enter, comma-separated (default: all named ones).
    ///
    /// Example: --strategies tft,wsls,ctft,alld
    #[arg(long, value_delimiter = ',')]
    pub strategies: Vec<String>,
    /// Worker threads (default: all cores). Output does not depend on it.
    #[arg(long, short = 'j')]
    pub threads: Option<usize>,
    /// Output directory (default: out/<scenario name>_tournament).
    #[arg(long, short = 'o')]
    pub out: Option<PathBuf>,
    /// No progress bar or notes on stderr.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// One strategy's tally.
struct Entry {
    name: String,
    /// Per trial: payoff per round summed over opponents.
    score: Vec<f64>,
    /// Cooperation share summed over opponents and trials.
    coop: f64,
}

/// A bad-input failure (exit code 2) with a hint.
fn usage(message: String, help: String) -> Failure {
    Failure {
        report: miette::miette!(code = "brink::usage", help = help, "{message}"),
        code: 2,
    }
}

/// Runs the tournament.
pub fn cmd_tournament(a: TournamentArgs) -> Result<(), Failure> {
    let t0 = Instant::now();
    let scenario_arg = a.scenario.as_deref().unwrap_or("ipd");
    let base = load(Some(scenario_arg), &a.sets)?;
    let s0 = &base.scenario;
    let Some(g) = &s0.game else {
        return Err(usage(
            format!("{scenario_arg}: a tournament needs a game scenario (one with a [game] table)"),
            "try the built-in one: brink tournament ipd".into(),
        ));
    };
    let names: Vec<String> = if a.strategies.is_empty() {
        named_strategies().into_iter().map(String::from).collect()
    } else {
        a.strategies.clone()
    };
    let known = named_strategies();
    for n in &names {
        if !known.contains(&n.as_str()) {
            return Err(usage(
                format!("--strategies: unknown strategy \"{n}\""),
                format!("strategies: {}", known.join(", ")),
            ));
        }
    }
    if names.len() < 2 {
        return Err(usage(
            format!("--strategies: expected at least two strategies, found {}", names.len()),
            "Example: --strategies tft,wsls,ctft,alld".into(),
        ));
    }
    let trials = a.trials.unwrap_or(s0.trials);
    if trials == 0 {
        return Err(usage(
            "--trials: expected at least 1 trial, found 0".into(),
            "Example: --trials 1000".into(),
        ));
    }
    let seed = a.seed.unwrap_or(s0.seed);
    let threads = super::threads_or_all(a.threads);
    let out_dir = a
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("out").join(format!("{}_tournament", s0.name)));
    output::ensure_dir(&out_dir)?;
    progress::install_signal_handlers();

    let k = names.len();
    let n = trials as usize;
    let mut entries: Vec<Entry> = names
        .iter()
        .map(|name| Entry {
            name: name.clone(),
            score: vec![0.0; n],
            coop: 0.0,
        })
        .collect();
    // pair_mean[i][j], pair_se[i][j]: strategy i's payoff per round against j.
    let mut pair = vec![vec![(0.0f64, 0.0f64, 0.0f64); k]; k];
    let pairings = (k * (k + 1) / 2) as u64;
    let mut bar = progress::Progress::new(pairings * trials, a.quiet);
    let mut done = 0u64;
    for i in 0..k {
        for j in i..k {
            let mut sets = a.sets.clone();
            sets.push(format!("actors.row.strategy={}", names[i]));
            sets.push(format!("actors.col.strategy={}", names[j]));
            let l = load(Some(scenario_arg), &sets)?;
            let s = &l.scenario;
            let layout = MetricLayout::new(s);
            let col = |m: &str| layout.index(m).expect("a game scenario has payoff and coop columns");
            let idx = [col("payoff_row"), col("payoff_col"), col("coop_row"), col("coop_col")];
            let plan = Plan {
                seed,
                trials: 0..trials,
                threads,
            };
            // Sums and sums of squares of each seat's payoff, cooperation.
            let mut acc = [[0.0f64; 2]; 2];
            let mut coop = [0.0f64; 2];
            let (ei, ej) = if i == j {
                (&mut entries[i], None)
            } else {
                let (lo, hi) = entries.split_at_mut(j);
                (&mut lo[i], Some(&mut hi[0]))
            };
            let mut ej = ej;
            runner::run(
                s,
                &layout,
                &plan,
                &CANCEL,
                |d| bar.update(done + d),
                |t, _, row| {
                    let (pr, pc) = (row[idx[0]], row[idx[1]]);
                    for (q, x) in [pr, pc].into_iter().enumerate() {
                        acc[q][0] += x;
                        acc[q][1] += x * x;
                    }
                    coop[0] += row[idx[2]];
                    coop[1] += row[idx[3]];
                    let t = t as usize;
                    match ej.as_deref_mut() {
                        Some(ej) => {
                            ei.score[t] += pr;
                            ej.score[t] += pc;
                        }
                        None => ei.score[t] += 0.5 * (pr + pc),
                    }
                    Ok(())
                },
            )?;
            done += trials;
            let nf = trials as f64;
            let stat = |q: usize| {
                let mean = acc[q][0] / nf;
                let var = if trials > 1 {
                    ((acc[q][1] - nf * mean * mean) / (nf - 1.0)).max(0.0)
                } else {
                    0.0
                };
                (mean, (var / nf).sqrt(), coop[q] / nf)
            };
            if i == j {
                let (r, c) = (stat(0), stat(1));
                let both = (0.5 * (r.0 + c.0), 0.5 * (r.1 + c.1), 0.5 * (r.2 + c.2));
                pair[i][i] = both;
                entries[i].coop += both.2;
            } else {
                pair[i][j] = stat(0);
                pair[j][i] = stat(1);
                entries[i].coop += pair[i][j].2;
                entries[j].coop += pair[j][i].2;
            }
        }
    }
    bar.finish();

    // Rank by mean score.
    let kf = k as f64;
    let nf = trials as f64;
    let mut ranking: Vec<(usize, f64, f64, f64)> = entries
        .iter()
        .enumerate()
        .map(|(e, ent)| {
            let xs = ent.score.iter().map(|x| x / kf);
            let mean = xs.clone().sum::<f64>() / nf;
            let var = if trials > 1 {
                xs.map(|x| (x - mean) * (x - mean)).sum::<f64>() / (nf - 1.0)
            } else {
                0.0
            };
            (e, mean, (var / nf).sqrt(), ent.coop / kf)
        })
        .collect();
    ranking.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));

    let mut files = Vec::new();
    let mut f = CsvFile::create(&out_dir.join("tournament.csv"))?;
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
    let mut buf = String::new();
    let real = |x: f64, buf: &mut String| {
        buf.clear();
        fmt_real(x, buf);
        buf.clone()
    };
    for (r, &(e, mean, se, coop)) in ranking.iter().enumerate() {
        f.record([
            (r + 1).to_string(),
            entries[e].name.clone(),
            real(mean, &mut buf),
            real(se, &mut buf),
            real(mean - 1.96 * se, &mut buf),
            real(mean + 1.96 * se, &mut buf),
            real(coop, &mut buf),
            k.to_string(),
            trials.to_string(),
        ])?;
    }
    files.push(f.commit()?);
    let mut f = CsvFile::create(&out_dir.join("tournament_pairs.csv"))?;
    f.record(["strategy", "opponent", "trials", "mean_payoff", "se_payoff", "coop"])?;
    for i in 0..k {
        for j in 0..k {
            let (m, se, c) = pair[i][j];
            f.record([
                names[i].clone(),
                names[j].clone(),
                trials.to_string(),
                real(m, &mut buf),
                real(se, &mut buf),
                real(c, &mut buf),
            ])?;
        }
    }
    files.push(f.commit()?);

    println!(
        "{} tournament: {k} strategies, {pairings} pairings x {trials} trials, seed {seed}, {:.2} s",
        s0.name,
        t0.elapsed().as_secs_f64()
    );
    println!(
        "game: {} rounds, noise {}, perception noise {}, payoffs R={} S={} T={} P={}",
        g.rounds, g.noise, g.perception_noise, g.payoffs.r, g.payoffs.s, g.payoffs.t, g.payoffs.p
    );
    if !base.overrides.is_empty() {
        let sets: Vec<&str> = base.overrides.iter().map(|o| o.arg.as_str()).collect();
        println!("overrides: {}", sets.join(" "));
    }
    println!();
    println!(
        "  {:>4}  {:<10}  {:>12}  {:>17}  {:>11}",
        "rank", "strategy", "payoff/round", "95% interval", "cooperation"
    );
    for (r, &(e, mean, se, coop)) in ranking.iter().enumerate() {
        println!(
            "  {:>4}  {:<10}  {:>12.3}  [{:>6.3}, {:>6.3}]  {:>10.1}%",
            r + 1,
            entries[e].name,
            mean,
            mean - 1.96 * se,
            mean + 1.96 * se,
            100.0 * coop
        );
    }
    if !a.quiet {
        let names: Vec<String> = files
            .iter()
            .filter_map(|f| f.file_name().map(|n| n.to_string_lossy().into_owned()))
            .collect();
        eprintln!("wrote {} in {}/", names.join(", "), out_dir.display());
    }
    Ok(())
}

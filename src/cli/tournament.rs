//! `brink tournament`: flags to a [`TournamentSpec`]; the algorithm and
//! its statistics live in [`crate::job::tournament`].

use super::{CANCEL, Failure, print_wrote, progress};
use crate::job::tournament::{TournamentJob, TournamentReport, TournamentSpec};
use std::path::PathBuf;

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

/// Runs the tournament.
pub fn cmd_tournament(a: TournamentArgs) -> Result<(), Failure> {
    let job = TournamentSpec {
        scenario: a.scenario,
        sets: a.sets,
        trials: a.trials,
        seed: a.seed,
        strategies: a.strategies,
        threads: a.threads,
        out: a.out,
    }
    .validate()?;
    progress::install_signal_handlers();
    let mut term = progress::Terminal::new(a.quiet);
    let (report, files) = job.execute(&CANCEL, &mut term)?;
    print_ranking(&job, &report);
    if !a.quiet {
        print_wrote(&files, &job.out);
    }
    Ok(())
}

fn print_ranking(job: &TournamentJob, report: &TournamentReport) {
    let s0 = &job.base.scenario;
    let g = s0.game.as_ref().expect("validated: a game scenario");
    println!(
        "{} tournament: {} strategies, {} pairings x {} trials, seed {}, {:.2} s",
        s0.name,
        job.names.len(),
        report.pairings,
        job.trials,
        job.seed,
        job.started.elapsed().as_secs_f64()
    );
    println!(
        "game: {} rounds, noise {}, perception noise {}, payoffs R={} S={} T={} P={}",
        g.rounds, g.noise, g.perception_noise, g.payoffs.r, g.payoffs.s, g.payoffs.t, g.payoffs.p
    );
    if !job.base.overrides.is_empty() {
        let sets: Vec<&str> = job.base.overrides.iter().map(|o| o.arg.as_str()).collect();
        println!("overrides: {}", sets.join(" "));
    }
    println!();
    println!(
        "  {:>4}  {:<10}  {:>12}  {:>17}  {:>11}",
        "rank", "strategy", "payoff/round", "95% interval", "cooperation"
    );
    for (r, (e, st)) in report.ranking.iter().enumerate() {
        let (lo, hi) = st.interval();
        println!(
            "  {:>4}  {:<10}  {:>12.3}  [{:>6.3}, {:>6.3}]  {:>10.1}%",
            r + 1,
            job.names[*e],
            st.mean,
            lo,
            hi,
            100.0 * st.coop
        );
    }
}

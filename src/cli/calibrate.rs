//! `brink calibrate`: flags to a [`CalibrateSpec`]; the method lives in
//! [`crate::job::calibrate`] and [`crate::calibrate`]. Prints the schedule,
//! the priors against the posteriors and the posterior-predictive check.

use super::{CANCEL, Failure, ScenarioArgs, progress};
use crate::job::calibrate::{CalibrateReport, CalibrateSpec, stop_words};
use std::path::PathBuf;

/// `brink calibrate`.
#[derive(Debug, clap::Args)]
pub struct CalibrateArgs {
    /// The scenario (its distributions are the priors) and its overrides.
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// The observed record (TOML; see docs/observed.md).
    ///
    /// Example: brink calibrate scenarios/us_iraq_2023_backtest.toml --observed scenarios/us_iraq_2023_observed.toml
    #[arg(long, value_name = "FILE")]
    pub observed: PathBuf,
    /// Output directory (default: out/<scenario>_calibration).
    #[arg(long, short = 'o')]
    pub out: Option<PathBuf>,
    /// Particles per generation (default 1000).
    #[arg(long, value_name = "N")]
    pub population: Option<usize>,
    /// Simulations per proposed particle; a particle's weight uses the
    /// share within tolerance (default 1).
    #[arg(long, value_name = "R")]
    pub replicates: Option<u32>,
    /// Quantile of the accepted distances that sets the next tolerance (default 0.5).
    #[arg(long, value_name = "Q")]
    pub quantile: Option<f64>,
    /// Stop after this many generations, generation 0 included (default 20).
    #[arg(long, value_name = "G")]
    pub max_generations: Option<u32>,
    /// Stop once the tolerance is at most this (default 0).
    #[arg(long, value_name = "EPS")]
    pub min_tolerance: Option<f64>,
    /// Stop once a generation's acceptance rate is below this (default 0.01).
    #[arg(long, value_name = "A")]
    pub min_acceptance: Option<f64>,
    /// Never run more simulations than this (default 1000000).
    #[arg(long, value_name = "B")]
    pub max_simulations: Option<u64>,
    /// Calibrate only the uncertain paths these globs match (`*`, `?`);
    /// the others stay drawn from their priors. Default: every continuous one.
    ///
    /// Example: --params 'dyads.*_us.initiative.rate' --params 'ladder.*.wound'
    #[arg(long, value_name = "GLOB", num_args = 1..)]
    pub params: Vec<String>,
    /// Master seed (default: the scenario's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores). The result does not depend on it.
    #[arg(long, short = 'j')]
    pub threads: Option<usize>,
    /// Continue an interrupted calibration from OUT/checkpoint.json.
    #[arg(long)]
    pub resume: bool,
    /// Posterior-predictive trials (default 1000).
    #[arg(long, value_name = "N")]
    pub predictive: Option<u64>,
    /// No progress bar or notes on stderr.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// Runs the calibration and prints its summary.
pub fn cmd_calibrate(a: CalibrateArgs) -> Result<(), Failure> {
    let job = CalibrateSpec {
        scenario: a.scenario.scenario,
        sets: a.scenario.sets,
        observed: a.observed,
        out: a.out,
        population: a.population,
        replicates: a.replicates,
        quantile: a.quantile,
        max_generations: a.max_generations,
        min_tolerance: a.min_tolerance,
        min_acceptance: a.min_acceptance,
        max_simulations: a.max_simulations,
        params: a.params,
        seed: a.seed,
        threads: a.threads,
        resume: a.resume,
        predictive: a.predictive,
    }
    .validate()?;
    progress::install_signal_handlers();
    let mut term = progress::Terminal::new(a.quiet);
    if !a.quiet {
        eprintln!(
            "calibrating {} parameter(s) of {} on {} observations",
            job.names.len(),
            job.loaded.scenario.name,
            job.observed.len()
        );
    }
    let report = job.run(&CANCEL, &mut term)?;
    print!("{}", table(&report));
    if !a.quiet {
        for f in &report.files {
            eprintln!("wrote {}", f.display());
        }
        eprintln!("calibration took {:.1} s", report.seconds);
    }
    Ok(())
}

fn num(x: f64) -> String {
    if x.is_nan() {
        "-".into()
    } else if x != 0.0 && (x.abs() < 0.01 || x.abs() >= 1e5) {
        format!("{x:.3e}")
    } else {
        format!("{x:.4}")
    }
}

/// The schedule, the prior against the posterior per parameter, and the
/// posterior-predictive check.
pub fn table(r: &CalibrateReport) -> String {
    let c = &r.calibration;
    let mut out = String::new();
    if let Some(g) = r.resumed_after {
        out.push_str(&format!("resumed after generation {g}\n"));
    }
    out.push_str(&format!(
        "{:>10} {:>12} {:>10} {:>12} {:>8}\n",
        "generation", "tolerance", "accepted", "simulations", "ESS"
    ));
    for g in &c.records {
        out.push_str(&format!(
            "{:>10} {:>12} {:>9.1}% {:>12} {:>8.0}\n",
            g.generation,
            g.tolerance.map_or_else(|| "inf".into(), num),
            100.0 * g.acceptance_rate,
            g.simulations,
            g.ess
        ));
    }
    out.push_str(&format!(
        "stopped: {} ({} simulations)\n\n",
        stop_words(c.stop),
        c.simulations
    ));
    out.push_str(&format!(
        "{:<44} {:>10} {:>23} {:>10} {:>23}\n",
        "parameter", "prior mean", "prior 5-95 %", "post mean", "posterior 5-95 %"
    ));
    for p in &r.record.priors {
        out.push_str(&format!(
            "{:<44} {:>10} {:>23} {:>10} {:>23}\n",
            p.path,
            num(p.prior.mean),
            format!("{} - {}", num(p.prior.p5), num(p.prior.p95)),
            num(p.posterior.mean),
            format!("{} - {}", num(p.posterior.p5), num(p.posterior.p95)),
        ));
    }
    out.push_str(&format!(
        "\n{:<24} {:>10} {:>8} {:>9} {:>22} {:>6} {:>4} {:>4}\n",
        "posterior predictive", "date/step", "observed", "mean", "5 / 50 / 95 %", "pit", "50%", "90%"
    ));
    for p in &r.predictive {
        let row = &p.row;
        let s = &row.scores[0];
        let flag = |x: f64| {
            if x.is_nan() {
                "-"
            } else if x > 0.0 {
                "in"
            } else {
                "out"
            }
        };
        out.push_str(&format!(
            "{:<24} {:>10} {:>8} {:>9} {:>22} {:>6} {:>4} {:>4}\n",
            row.quantity,
            row.date.clone().unwrap_or_else(|| row.step.to_string()),
            row.observed,
            num(s.mean),
            format!("{} / {} / {}", p.quantiles[0], p.quantiles[1], p.quantiles[2]),
            if s.pit.is_nan() {
                "-".into()
            } else {
                format!("{:.2}", s.pit)
            },
            flag(s.in50),
            flag(s.in90),
        ));
    }
    out
}

//! `brink score`: flags to a [`ScoreSpec`]; the scores and baselines live
//! in [`crate::job::score`] and [`crate::score`]. Prints a table to stdout.

use super::{CANCEL, Failure, progress};
use crate::job::score::{FORECASTERS, ScoreReport, ScoreSpec};
use std::path::PathBuf;

/// `brink score`.
#[derive(Debug, clap::Args)]
pub struct ScoreArgs {
    /// The directory `brink run` wrote (holds run.json).
    ///
    /// Example: brink score out/us_iraq_2024 --observed record.toml
    pub run_dir: PathBuf,
    /// The observed record (TOML; see docs/observed.md).
    #[arg(long, value_name = "FILE")]
    pub observed: PathBuf,
    /// Worker threads if the run must be simulated again (default: all cores).
    #[arg(long, short = 'j')]
    pub threads: Option<usize>,
    /// Where score.csv goes (default: RUN_DIR/score.csv).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// No progress bar or notes on stderr.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// Scores the run and prints the table.
pub fn cmd_score(a: ScoreArgs) -> Result<(), Failure> {
    let job = ScoreSpec {
        run: a.run_dir,
        observed: a.observed,
        threads: a.threads,
        out: a.out,
    }
    .validate()?;
    progress::install_signal_handlers();
    let mut term = progress::Terminal::new(a.quiet);
    let report = job.write(&CANCEL, &mut term)?;
    print!("{}", table(&report));
    if !a.quiet {
        let how = if report.resimulated {
            "forecasts re-simulated from run.json"
        } else {
            "forecasts read from trials.csv"
        };
        if let Some(f) = &report.file {
            eprintln!("wrote {} ({how})", f.display());
        }
    }
    Ok(())
}

fn cell(x: f64, digits: usize) -> String {
    if x.is_nan() {
        "-".into()
    } else {
        format!("{x:.digits$}")
    }
}

/// The terminal table: one line per observation and forecaster, then the
/// skill against each baseline.
pub fn table(r: &ScoreReport) -> String {
    let mut out = format!(
        "{:<20} {:>10} {:>8} {:>12} {:>9} {:>8} {:>7} {:>6} {:>4} {:>4} {:>6}\n",
        "quantity", "date/step", "observed", "forecaster", "mean", "crps", "log", "pit", "50%", "90%", "brier"
    );
    for row in &r.rows {
        let at = row.date.clone().unwrap_or_else(|| row.step.to_string());
        for (name, s) in FORECASTERS.iter().zip(&row.scores) {
            if s.headline().is_nan() {
                continue;
            }
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
                "{:<20} {:>10} {:>8} {:>12} {:>9} {:>8} {:>7} {:>6} {:>4} {:>4} {:>6}\n",
                row.quantity,
                at,
                row.observed,
                name,
                cell(s.mean, 2),
                cell(s.crps, 2),
                cell(s.log_score, 2),
                cell(s.pit, 2),
                flag(s.in50),
                flag(s.in90),
                cell(s.brier, 3),
            ));
        }
    }
    for (sk, name) in r.skill.iter().zip(["persistence", "bootstrap"]) {
        out.push_str(&format!(
            "skill vs {name}: {} over {} observations (mean score model {}, {name} {}; CRPS for counts, Brier otherwise)\n",
            cell(sk.skill, 3),
            sk.n,
            cell(sk.model, 3),
            cell(sk.baseline, 3)
        ));
    }
    out
}

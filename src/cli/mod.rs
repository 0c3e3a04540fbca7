//! The command line: clap types (what was typed), turned into the specs of
//! [`crate::job`] (what it means), whose reports are printed here. No
//! application logic lives here: each command function converts, calls
//! the job and prints. Errors are `miette` reports; exit codes
//! ([`JobError::exit_code`]): 0 success, 1 run-time failure, 2 bad input
//! (scenario, flags), 130 interrupted.

pub mod calibrate;
mod progress;
pub mod score;
pub mod sweep;
pub mod tournament;

use crate::job::JobError;
use crate::job::inspect::{self, ScenarioSpec};
use crate::job::run::{Format, RunJob, RunReport, RunSpec};
use crate::scenario::Loaded;
use clap::{Parser, Subcommand};
use progress::Terminal;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

/// Set by SIGINT/SIGTERM; the runner stops before its next trial.
pub static CANCEL: AtomicBool = AtomicBool::new(false);

/// brink: Monte Carlo simulation of crises where parties negotiate while
/// they fight.
#[derive(Debug, Parser)]
#[command(name = "brink", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options shared by commands that load a scenario.
#[derive(Debug, clap::Args)]
pub struct ScenarioArgs {
    /// Scenario file, or the name of a built-in scenario (see `brink
    /// scenarios`). Default: the built-in flagship, us_iraq_2024.
    pub scenario: Option<String>,
    /// Override one parameter by its dotted path (repeatable). `brink
    /// params` lists the paths.
    ///
    /// Example: --set dyads.us_kh.response.proportionality=2
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub sets: Vec<String>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run seeded Monte Carlo trials of a scenario and write CSV.
    Run(RunArgs),
    /// Validate a scenario without running it.
    Check(ScenarioArgs),
    /// List every parameter path with its value and meaning.
    Params(ScenarioArgs),
    /// List the built-in scenarios.
    Scenarios,
    /// Write NAME.toml, a small commented scenario to start from.
    New {
        /// The scenario's name (snake_case); the file is NAME.toml.
        name: String,
    },
    /// Run a scenario at every point of a design (grid, zip, LHS, Sobol, Morris, file).
    Sweep(sweep::SweepArgs),
    /// Merge the shard directories of a sweep into the files of one run.
    Merge(sweep::MergeArgs),
    /// Round-robin tournament of the classic strategies on a game scenario.
    Tournament(tournament::TournamentArgs),
    /// Write RUN_DIR/report.html: one self-contained page of figures and tables.
    Report(ReportArgs),
    /// Score a run against an observed record (CRPS, log score, PIT, coverage, Brier) beside naive baselines.
    Score(score::ScoreArgs),
    /// Calibrate a scenario's uncertain parameters to an observed record (ABC-SMC): posterior.csv, calibration.json, predictive.csv.
    Calibrate(calibrate::CalibrateArgs),
}

/// `brink report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// The directory a run, sweep or calibration wrote (its --out).
    ///
    /// Example: brink report out/us_iraq_2024
    pub run_dir: PathBuf,
}

/// `brink run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The scenario and its overrides.
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Number of trials (default: the scenario's `trials`).
    ///
    /// Example: --trials 100000
    #[arg(long, short = 'n')]
    pub trials: Option<u64>,
    /// Master seed (default: the scenario's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores). Output does not depend on it.
    #[arg(long, short = 'j')]
    pub threads: Option<usize>,
    /// Also write timeline.csv with every step of the first K trials.
    ///
    /// Example: --timeline 200
    #[arg(long, value_name = "K", default_value_t = 0)]
    pub timeline: u64,
    /// Output directory (default: out/<scenario name>).
    #[arg(long, short = 'o')]
    pub out: Option<PathBuf>,
    /// No progress bar or notes on stderr.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Also write report.html (see `brink report`).
    #[arg(long)]
    pub report: bool,
    /// Trial files: trials.csv, trials.parquet (typed, row groups) or both.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    pub format: Format,
    /// Run every distribution in the scenario at its median: the point
    /// forecast, with no parameter columns.
    #[arg(long)]
    pub point: bool,
    /// Nested sampling: K trials share each parameter draw, so the spread
    /// of P(outcome | parameters) across draws is reported. Default, when
    /// the scenario has distributions: trials/200, between 1 and 100
    /// (200 draws where the trials allow); 1 draws afresh for every trial.
    /// Example: --draws-per-param 200
    #[arg(long, value_name = "K")]
    pub draws_per_param: Option<u64>,
    /// Draw the calibrated parameters from a posterior.csv (brink
    /// calibrate's): each trial resamples one weighted particle; the other
    /// distributions stay priors. Same as --set posterior.file=FILE.
    #[arg(long, value_name = "FILE")]
    pub posterior: Option<PathBuf>,
}

/// Runs the CLI and returns the process exit code.
pub fn run(cli: Cli) -> i32 {
    let result = match cli.command {
        Command::Run(a) => cmd_run(a),
        Command::Check(a) => cmd_check(a),
        Command::Params(a) => cmd_params(a),
        Command::New { name } => cmd_new(&name),
        Command::Tournament(a) => tournament::cmd_tournament(a),
        Command::Scenarios => {
            cmd_scenarios();
            Ok(())
        }
        Command::Sweep(a) => sweep::cmd_sweep(a),
        Command::Merge(a) => sweep::cmd_merge(a),
        Command::Report(a) => cmd_report(&a.run_dir, false),
        Command::Score(a) => score::cmd_score(a),
        Command::Calibrate(a) => calibrate::cmd_calibrate(a),
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("{:?}", e.report);
            e.code
        }
    }
}

/// A report and the exit code it maps to.
pub struct Failure {
    report: miette::Report,
    code: i32,
}

impl From<JobError> for Failure {
    fn from(e: JobError) -> Self {
        let code = e.exit_code();
        Failure { report: e.into(), code }
    }
}

impl From<crate::scenario::ScenarioError> for Failure {
    fn from(e: crate::scenario::ScenarioError) -> Self {
        JobError::from(e).into()
    }
}

/// Prints a loaded scenario's warnings on stderr.
pub fn print_warnings(l: &Loaded) {
    for w in &l.warnings {
        eprintln!("warning: {}: {w}", l.sources[0].name);
    }
}

/// The command line, as `run.json` records it.
fn command_line() -> serde_json::Value {
    std::env::args().collect::<Vec<_>>().into()
}

/// `wrote a, b in dir/` on stderr.
fn print_wrote(files: &[PathBuf], dir: &std::path::Path) {
    let names: Vec<String> = files
        .iter()
        .filter_map(|f| f.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    eprintln!("wrote {} in {}/", names.join(", "), dir.display());
}

fn spec(a: ScenarioArgs) -> ScenarioSpec {
    ScenarioSpec {
        scenario: a.scenario,
        sets: a.sets,
    }
}

fn cmd_check(a: ScenarioArgs) -> Result<(), Failure> {
    let r = spec(a).check()?;
    print_warnings(&r.loaded);
    let counts: Vec<String> = r.counts.iter().map(|(what, n)| format!("{n} {what}")).collect();
    println!(
        "{}: ok ({}; horizon {} steps)",
        r.loaded.sources[0].name,
        counts.join(", "),
        r.loaded.scenario.horizon
    );
    Ok(())
}

fn cmd_params(a: ScenarioArgs) -> Result<(), Failure> {
    let mut out = String::new();
    for p in spec(a).params()? {
        if let Some(from) = &p.inherited {
            out.push_str(&inherited_line(&p, from));
            continue;
        }
        match &p.dist {
            None => out.push_str(&format!("{} = {}  # {}\n", p.path, p.value, p.doc)),
            Some(d) => out.push_str(&format!(
                "{} = {}  # median {} ({}); {}\n",
                p.path,
                d.text,
                p.value,
                dist_range(&d.summary),
                p.doc
            )),
        }
    }
    print!("{out}");
    Ok(())
}

/// `brink params`'s line for a key a regime inherits: the value it runs
/// (the source's median when drawn), where it comes from, and its
/// distribution if drawn (per trial in this regime too).
fn inherited_line(p: &inspect::Param, from: &inspect::Inherited) -> String {
    let how = match &p.dist {
        None => String::new(),
        Some(d) => format!(", drawn per trial: {} ({})", d.text, dist_range(&d.summary)),
    };
    format!(
        "{} = {}  # inherited from {}{how}; {}\n",
        p.path, p.value, from.from, p.doc
    )
}

/// `mean M, 5-95% [A, B]` (no mean for a level).
fn dist_range(m: &crate::dist::Summary) -> String {
    let mean = if m.mean.is_finite() {
        format!("mean {}, ", short(m.mean))
    } else {
        String::new()
    };
    format!("{mean}5-95% [{}, {}]", short(m.p5), short(m.p95))
}

/// A number in at most 4 significant digits, for people.
fn short(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let digits = (3 - x.abs().log10().floor() as i32).max(0) as usize;
    let t = format!("{x:.digits$}");
    if t.contains('.') {
        t.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        t
    }
}

fn cmd_new(name: &str) -> Result<(), Failure> {
    let path = inspect::new_scenario(name)?;
    println!("wrote {path}: `brink check {path}`, then `brink run {path}`");
    Ok(())
}

fn cmd_scenarios() {
    for (name, file, desc) in inspect::builtins() {
        println!("{name:<16} {file:<40} {desc}");
    }
}

fn cmd_run(a: RunArgs) -> Result<(), Failure> {
    let job = RunSpec {
        scenario: a.scenario.scenario,
        sets: a.scenario.sets,
        trials: a.trials,
        seed: a.seed,
        threads: a.threads,
        timeline: a.timeline,
        out: a.out,
        format: a.format,
        point: a.point,
        per_draw: a.draws_per_param,
        posterior: a.posterior,
    }
    .validate()?;
    if !a.quiet {
        print_warnings(&job.loaded);
    }
    progress::install_signal_handlers();
    let mut term = Terminal::new(a.quiet);
    let report = job.write_files(command_line(), &CANCEL, &mut term)?;
    print_table(&job, &report);
    if !a.quiet {
        print_wrote(&report.files, &job.out);
    }
    if a.report {
        cmd_report(&job.out, a.quiet)?;
    }
    Ok(())
}

/// `brink report RUN_DIR` (and `brink run --report`): writes the page and
/// says where.
fn cmd_report(dir: &std::path::Path, quiet: bool) -> Result<(), Failure> {
    let r = inspect::report(dir)?;
    if !quiet {
        eprintln!(
            "wrote {} ({} figures, {} kB)",
            r.path.display(),
            r.figures,
            r.bytes.div_ceil(1024)
        );
    }
    Ok(())
}

fn print_table(job: &RunJob, report: &RunReport) {
    let (l, summary, ends) = (&job.loaded, &report.stats.summary, &report.stats.ends);
    let (trials, threads, secs) = (job.trials, job.threads, report.stats.seconds);
    let s = &l.scenario;
    let unit = match s.step_unit {
        crate::model::StepUnit::Day => "day",
        crate::model::StepUnit::Week => "week",
    };
    println!(
        "{}: {trials} trials, seed {}, {threads} thread{}, {:.2} s ({:.0} trials/s)",
        s.name,
        job.seed,
        if threads == 1 { "" } else { "s" },
        secs,
        trials as f64 / secs.max(1e-9)
    );
    if !l.overrides.is_empty() {
        let sets: Vec<&str> = l.overrides.iter().map(|o| o.arg.as_str()).collect();
        println!("overrides: {}", sets.join(" "));
    }
    println!();
    let w = summary
        .outcome_table()
        .iter()
        .map(|r| r.0.len())
        .max()
        .unwrap_or(7)
        .max(7);
    println!(
        "  {:<w$}  {:>7}  {:>17}  {:>8}  median end {unit}",
        "outcome", "share", "95% interval", "trials"
    );
    for (i, (name, k, p, lo, hi)) in summary.outcome_table().into_iter().enumerate() {
        let end = if k == 0 {
            "-".to_string()
        } else {
            let m = ends[i].quantile(0.5) as i64;
            match s.start_date {
                Some(d) => format!("{m} ({})", d.add_days(m * s.step_unit.days())),
                None => m.to_string(),
            }
        };
        println!(
            "  {name:<w$}  {:>6.1}%  [{:>5.1}%, {:>5.1}%]  {k:>8}  {end}",
            100.0 * p,
            100.0 * lo,
            100.0 * hi
        );
    }
    let reached: Vec<Reached> = s
        .milestones
        .iter()
        .filter_map(|m| {
            let column = format!("milestone_{}_step", m.id);
            let (k, _, _, median, _) = summary.metric(&column)?;
            let (_, lo, hi) = summary.milestone_share(&column)?;
            Some(Reached {
                id: m.id.as_str(),
                k,
                median,
                lo,
                hi,
            })
        })
        .collect();
    print_milestones(s, &reached, trials, w, unit);
    if s.uncertainty.per_draw > 1 && !s.uncertainty.is_empty() {
        println!(
            "  (the mixture over the parameter distributions; 95% intervals are cluster-robust over the draws of {} trials)",
            s.uncertainty.per_draw
        );
    }
    if s.game.is_some() {
        print_payoffs(s, report);
    }
    if let Some(a) = &report.stats.analysis {
        print_uncertainty(&job.outcomes, a);
    }
}

/// A milestone's row under the outcomes: trials that reached it, the
/// median step they did, and the share's 95 % interval.
struct Reached<'a> {
    id: &'a str,
    k: u64,
    median: f64,
    lo: f64,
    hi: f64,
}

/// Under the outcome table: each milestone (`terminal = false`, the trial
/// goes on) with the share of trials that reached it, its 95 % interval
/// (cluster-robust in a nested run, as the outcomes') and its median step,
/// from its `milestone_<id>_step` column (empty when never reached).
fn print_milestones(s: &crate::model::Scenario, reached: &[Reached], trials: u64, w: usize, unit: &str) {
    if reached.is_empty() {
        return;
    }
    println!(
        "  {:<w$}  {:>7}  {:>17}  {:>8}  median {unit} reached",
        "milestone", "share", "95% interval", "trials"
    );
    for &Reached { id, k, median, lo, hi } in reached {
        let at = if k == 0 {
            "-".to_string()
        } else {
            let d = median as i64;
            match s.start_date {
                Some(start) => format!("{d} ({})", start.add_days(d * s.step_unit.days())),
                None => d.to_string(),
            }
        };
        println!(
            "  {id:<w$}  {:>6.1}%  [{:>5.1}%, {:>5.1}%]  {k:>8}  {at}  (the trial goes on)",
            100.0 * k as f64 / trials.max(1) as f64,
            100.0 * lo,
            100.0 * hi
        );
    }
}

/// Under the outcome table: each outcome's spread across the judgements
/// (nested runs), then the parameters that drive it most.
fn print_uncertainty(outcomes: &[String], a: &crate::job::uncert::Analysis) {
    let w = outcomes.iter().map(|o| o.len()).max().unwrap_or(7).max(7);
    if let Some(spread) = a.spread() {
        println!();
        println!(
            "  across the judgements ({} trials per parameter draw, {} draws; binomial noise removed):",
            a.per_draw(),
            spread.first().map_or(0, |x| x.draws)
        );
        for (o, x) in outcomes.iter().zip(&spread) {
            println!(
                "  {o:<w$}  {:>6.1}%  5-95% [{:>5.1}%, {:>5.1}%]",
                100.0 * x.mean,
                100.0 * x.p5,
                100.0 * x.p95
            );
        }
    }
    let drivers = a.drivers();
    println!();
    println!("  top drivers (first-order index ± se, sensitivity.csv has all):");
    for o in outcomes {
        let name = format!("outcome:{o}");
        let mut top: Vec<&crate::job::uncert::Driver> = drivers
            .iter()
            .filter(|d| d.output == name && d.estimate.index > 2.0 * d.estimate.se && d.estimate.index > 0.005)
            .collect();
        top.sort_by(|x, y| y.estimate.index.total_cmp(&x.estimate.index));
        let text: Vec<String> = top
            .iter()
            .take(3)
            .map(|d| format!("{} {:.2}±{:.2}", d.parameter, d.estimate.index, d.estimate.se))
            .collect();
        let text = if text.is_empty() {
            "-".to_string()
        } else {
            text.join(", ")
        };
        println!("  {o:<w$}  {text}");
    }
}

/// A game's mean payoff and cooperation per player.
fn print_payoffs(s: &crate::model::Scenario, report: &RunReport) {
    let summary = &report.stats.summary;
    println!();
    for a in &s.actors {
        let p = summary.metric(&format!("payoff_{}", a.id));
        let c = summary.metric(&format!("coop_{}", a.id));
        if let (Some(p), Some(c)) = (p, c) {
            println!(
                "  {:<8} mean payoff per round {:.3}, cooperation {:.1}%",
                a.id,
                p.1,
                100.0 * c.1
            );
        }
    }
}

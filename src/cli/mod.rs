//! The command line: clap types (what was typed), then one function per
//! command (what it means). Only this module and `output` touch the disk or
//! the terminal. Errors are `miette` reports; exit codes: 0 success,
//! 1 run-time failure, 2 bad input (scenario, flags), 130 interrupted.

mod progress;
pub mod sweep;
pub mod tournament;

use crate::engine::MetricLayout;
use crate::output::{self, CsvFile, Summary, limits, timeline};
use crate::runner::{self, Plan, RunError};
use crate::scenario::{self, Loaded, Resolver, ScenarioError, builtin};
use crate::stats::ExactQuantiles;
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Instant;

/// Most trials one run or sweep point accepts: 2^53, beyond which counts
/// in `summary.csv` (f64) would no longer be exact.
pub const MAX_TRIALS: u64 = 1 << 53;

/// Checks `--trials` (or the scenario's `trials`): 1..=[`MAX_TRIALS`].
pub fn check_trials(trials: u64) -> Result<(), ScenarioError> {
    if trials == 0 {
        return Err(ScenarioError::bad_flag(
            "--trials",
            "expected at least 1 trial, found 0",
        ));
    }
    if trials > MAX_TRIALS {
        return Err(ScenarioError::bad_flag(
            "--trials",
            &format!("expected at most {MAX_TRIALS} (2^53) trials, found {trials}"),
        ));
    }
    Ok(())
}

/// The worker threads to use: `--threads`, else every core (at least 1).
pub fn threads_or_all(threads: Option<usize>) -> usize {
    threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1)
}

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
    /// Run a scenario at every point of a design (grid, zip, LHS, Sobol, Morris, file).
    Sweep(sweep::SweepArgs),
    /// Merge the shard directories of a sweep into the files of one run.
    Merge(sweep::MergeArgs),
    /// Round-robin tournament of the classic strategies on a game scenario.
    Tournament(tournament::TournamentArgs),
    /// Write RUN_DIR/report.html: one self-contained page of figures and tables.
    Report(ReportArgs),
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
    #[arg(long, value_enum, default_value_t = output::parquet::Format::Csv)]
    pub format: output::parquet::Format,
}

/// Runs the CLI and returns the process exit code.
pub fn run(cli: Cli) -> i32 {
    let result = match cli.command {
        Command::Run(a) => cmd_run(a),
        Command::Check(a) => cmd_check(a),
        Command::Params(a) => cmd_params(a),
        Command::Tournament(a) => tournament::cmd_tournament(a),
        Command::Scenarios => {
            cmd_scenarios();
            Ok(())
        }
        Command::Sweep(a) => sweep::cmd_sweep(a),
        Command::Merge(a) => sweep::cmd_merge(a),
        Command::Report(a) => cmd_report(&a.run_dir, false),
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

impl From<ScenarioError> for Failure {
    fn from(e: ScenarioError) -> Self {
        Failure {
            report: e.into(),
            code: 2,
        }
    }
}

impl From<RunError> for Failure {
    fn from(e: RunError) -> Self {
        let code = if matches!(
            e,
            RunError::Interrupted { .. } | RunError::Output(output::OutputError::Interrupted { .. })
        ) {
            130
        } else if matches!(e, RunError::Limit { .. }) {
            2
        } else {
            1
        };
        Failure { report: e.into(), code }
    }
}

impl From<output::report::ReportError> for Failure {
    fn from(e: output::report::ReportError) -> Self {
        let code = match e {
            output::report::ReportError::Output(_) | output::report::ReportError::Chart { .. } => 1,
            _ => 2,
        };
        Failure { report: e.into(), code }
    }
}

/// `brink report RUN_DIR` (and `brink run --report`): writes the page and
/// says where.
fn cmd_report(dir: &Path, quiet: bool) -> Result<(), Failure> {
    let r = output::report::write(dir)?;
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

impl From<output::OutputError> for Failure {
    fn from(e: output::OutputError) -> Self {
        let code = if matches!(e, output::OutputError::Interrupted { .. }) {
            130
        } else {
            1
        };
        Failure { report: e.into(), code }
    }
}

/// Reads included files from disk, relative to the including file, and
/// falls back to the built-in scenarios.
pub struct FsResolver;

impl Resolver for FsResolver {
    fn resolve(&self, from: &str, include: &str) -> Result<(String, String), String> {
        let base = Path::new(from).parent().unwrap_or(Path::new(""));
        let path = base.join(include);
        match std::fs::read(&path) {
            Ok(bytes) => {
                let text = String::from_utf8(bytes).map_err(|e| {
                    format!(
                        "`{}` is not UTF-8 text (byte {})",
                        path.display(),
                        e.utf8_error().valid_up_to()
                    )
                })?;
                Ok((path.display().to_string(), text))
            }
            Err(e) => match builtin::find(include) {
                Some(b) => Ok((b.file.to_string(), b.text.to_string())),
                None => Err(format!("`{}`: {e}", path.display())),
            },
        }
    }
}

/// Loads the scenario named on the command line (a file, or a built-in).
pub fn load(arg: Option<&str>, sets: &[String]) -> Result<Loaded, ScenarioError> {
    let Some(name) = arg else {
        return scenario::parse_builtin(builtin::flagship().name, sets);
    };
    match std::fs::read(name) {
        Ok(bytes) => {
            let text = String::from_utf8(bytes).map_err(|e| {
                ScenarioError::io(
                    name,
                    &format!(
                        "not UTF-8 text: invalid byte at offset {}",
                        e.utf8_error().valid_up_to()
                    ),
                )
            })?;
            scenario::parse(&text, name, sets, &FsResolver)
        }
        Err(e) => match builtin::find(name) {
            Some(b) => scenario::parse(b.text, b.file, sets, &FsResolver),
            None => {
                let names: Vec<&str> = builtin::BUILTINS.iter().map(|b| b.name).collect();
                let mut err = ScenarioError::io(name, &e.to_string());
                err.help = Some(format!("give a scenario file, or a built-in: {}", names.join(", ")));
                Err(err)
            }
        },
    }
}

/// Prints a loaded scenario's warnings on stderr.
pub fn print_warnings(l: &Loaded) {
    for w in &l.warnings {
        eprintln!("warning: {}: {w}", l.sources[0].name);
    }
}

fn cmd_check(a: ScenarioArgs) -> Result<(), Failure> {
    let l = load(a.scenario.as_deref(), &a.sets)?;
    print_warnings(&l);
    let s = &l.scenario;
    println!(
        "{}: ok ({} actors, {} dyads, {} levels, {} tracks, {} triggers, {} outcomes; horizon {} steps)",
        l.sources[0].name,
        s.actors.len(),
        s.dyads.len(),
        s.ladder.len(),
        s.tracks.len(),
        s.triggers.len(),
        s.outcomes.len() + 1,
        s.horizon
    );
    Ok(())
}

fn cmd_params(a: ScenarioArgs) -> Result<(), Failure> {
    let l = load(a.scenario.as_deref(), &a.sets)?;
    let mut out = String::new();
    for (path, value) in l.params() {
        let doc = scenario::paths::doc_for(&path).unwrap_or("");
        let v = value.to_string();
        out.push_str(&format!("{path} = {v}  # {doc}\n"));
    }
    print!("{out}");
    Ok(())
}

fn cmd_scenarios() {
    for b in builtin::BUILTINS {
        let desc = scenario::parse_builtin(b.name, &[])
            .map(|l| l.scenario.description)
            .unwrap_or_default();
        println!("{:<16} {:<40} {}", b.name, b.file, desc);
    }
}

fn cmd_run(a: RunArgs) -> Result<(), Failure> {
    let t0 = Instant::now();
    let l = load(a.scenario.scenario.as_deref(), &a.scenario.sets)?;
    if !a.quiet {
        print_warnings(&l);
    }
    let s = &l.scenario;
    let trials = a.trials.unwrap_or(s.trials);
    check_trials(trials)?;
    if a.timeline > 0 && s.game.is_some() {
        return Err(ScenarioError::bad_flag(
            "--timeline",
            "a game has no timeline (each trial is one match); its trials.csv has the payoffs",
        )
        .into());
    }
    let seed = a.seed.unwrap_or(s.seed);
    let threads = threads_or_all(a.threads);
    let out_dir = a.out.clone().unwrap_or_else(|| PathBuf::from("out").join(&s.name));
    output::ensure_dir(&out_dir)?;
    output::remove_dead_temporaries(&out_dir);
    progress::install_signal_handlers();

    let layout = MetricLayout::new(s);
    // Disk: trials.csv (row size measured on real trials) and timeline.csv.
    let row = limits::trial_row_bytes(s, &layout, seed, trials);
    let mut bytes = row * trials as f64;
    let mut how = format!("{trials} trials x {row:.0} bytes per row of trials.csv");
    let k = a.timeline.min(trials);
    if k > 0 {
        let per = limits::timeline_row_bytes_min(s);
        let rows = k as f64 * f64::from(s.horizon);
        bytes += rows * per as f64;
        how.push_str(&format!(
            ", plus timeline.csv: {k} trials x {} steps = {rows:.0} rows x at least {per} bytes",
            s.horizon
        ));
    }
    limits::check_space(&out_dir, "this run", bytes, &how)?;
    // A stale run.json must not vouch for files this run replaces.
    output::remove_stale(&out_dir.join("run.json"))?;
    let outcomes: Vec<String> = s.outcome_names().iter().map(|x| x.to_string()).collect();
    let mut writer = output::parquet::TrialSink::create(a.format, &out_dir, &[], outcomes.clone(), &layout)?;
    let mut summary = Summary::new(outcomes.clone(), &layout);
    let mut end_by_outcome = vec![ExactQuantiles::default(); outcomes.len()];
    let plan = Plan {
        seed,
        trials: 0..trials,
        threads,
    };
    let mut bar = progress::Progress::new(trials, a.quiet);
    let started = Instant::now();
    runner::run(
        s,
        &layout,
        &plan,
        &CANCEL,
        |done| bar.update(done),
        |i, r, row| {
            summary.push(r, row);
            end_by_outcome[r.outcome as usize].push(i64::from(r.end_step));
            writer.row(&[], i, r, row)
        },
    )?;
    bar.finish();
    let elapsed = started.elapsed().as_secs_f64();
    let mut files = Vec::new();
    if a.timeline > 0 {
        files.push(timeline::write(&out_dir, s, seed, a.timeline.min(trials), &CANCEL)?);
    }
    files.splice(0..0, writer.commit()?);
    let mut sum_file = CsvFile::create(&out_dir.join("summary.csv"))?;
    Summary::write_header(&mut sum_file, &[])?;
    summary.write_rows(&mut sum_file, &[])?;
    files.push(sum_file.commit()?);
    let mut meta = output::run_meta(
        &l,
        std::env::args().collect::<Vec<_>>().into(),
        seed,
        trials,
        threads,
        t0,
        elapsed,
    );
    meta["timeline_trials"] = a.timeline.min(trials).into();
    let json = serde_json::to_string_pretty(&meta).expect("json") + "\n";
    files.push(output::write_atomic(&out_dir.join("run.json"), json.as_bytes())?);

    print_table(&l, &summary, &end_by_outcome, trials, seed, threads, elapsed);
    if a.report {
        cmd_report(&out_dir, a.quiet)?;
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

fn print_table(
    l: &Loaded,
    summary: &Summary,
    ends: &[ExactQuantiles],
    trials: u64,
    seed: u64,
    threads: usize,
    secs: f64,
) {
    let s = &l.scenario;
    let unit = match s.step_unit {
        crate::model::StepUnit::Day => "day",
        crate::model::StepUnit::Week => "week",
    };
    println!(
        "{}: {trials} trials, seed {seed}, {threads} thread{}, {:.2} s ({:.0} trials/s)",
        s.name,
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
    if s.game.is_some() {
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
}

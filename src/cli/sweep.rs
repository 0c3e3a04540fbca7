//! `brink sweep` and `brink merge`: flags to a [`SweepSpec`] and a
//! [`MergeSpec`]; the job does the work ([`crate::job::sweep`]).

use super::{CANCEL, Failure, ScenarioArgs, command_line, progress};
use crate::job::merge::MergeSpec;
use crate::job::sweep::{DesignFlags, DesignSpec, SweepJob, SweepReport, SweepSpec};
use std::path::PathBuf;

/// `brink sweep`.
#[derive(Debug, clap::Args)]
pub struct SweepArgs {
    /// The scenario and fixed overrides (applied before each point's).
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// A grid factor: PATH=V1,V2,... (repeatable; the full factorial, the
    /// first path varying slowest).
    ///
    /// Example: --grid dyads.us_kh.response.proportionality=0.75,1,1.3
    #[arg(long, value_name = "PATH=V1,V2,...")]
    pub grid: Vec<String>,
    /// Equal-length lists varied together (repeatable; together one factor
    /// of the grid).
    ///
    /// Example: --zip dyads.kh_us.initiative.rate=0.5,1 --zip dyads.nujaba_us.initiative.rate=0.2,0.4
    #[arg(long, value_name = "PATH=V1,V2,...")]
    pub zip: Vec<String>,
    /// A sampled design over the --range parameters: lhs:N (Latin
    /// hypercube, N points), sobol:N (Saltelli, N·(D+2) points) or morris:R
    /// (R trajectories of D+1 points; morris:R:LEVELS). Seeded by --seed.
    ///
    /// Example: --sample lhs:64 --range tracks.hmc.progress.rate=0.004:0.02
    #[arg(long, value_name = "KIND:N")]
    pub sample: Option<String>,
    /// A sampled parameter's range (repeatable, with --sample).
    ///
    /// Example: --range drivers.gaza_war.end_hazard=0.002:0.02
    #[arg(long, value_name = "PATH=LO:HI")]
    pub range: Vec<String>,
    /// A design file: CSV with a header of dotted paths (a design.csv
    /// works), or with --salib-problem a SALib sample file.
    #[arg(long, value_name = "FILE")]
    pub design: Option<PathBuf>,
    /// SALib problem file (`name lower upper` per line, names are dotted
    /// paths) for a --design sample file.
    #[arg(long, value_name = "FILE")]
    pub salib_problem: Option<PathBuf>,
    /// Also write Y.txt: per point, the share of an outcome
    /// (`outcome:NAME`) or the mean of a metric, for SALib's analyze.
    ///
    /// Example: --salib-y outcome:agreement
    #[arg(long, value_name = "METRIC")]
    pub salib_y: Option<String>,
    /// Trials per point (default: the scenario's `trials`).
    #[arg(long, short = 'n')]
    pub trials: Option<u64>,
    /// Master seed (default: the scenario's `seed`); also seeds sampled
    /// designs.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores). Output does not depend on it.
    #[arg(long, short = 'j')]
    pub threads: Option<usize>,
    /// Turn off common random numbers: point p draws from its own derived
    /// seed instead of sharing trial streams with every other point.
    #[arg(long)]
    pub no_crn: bool,
    /// Run only shard K of N (0-based): a contiguous range of points that
    /// depends only on N. Merge the shards with `brink merge`.
    ///
    /// Example: --shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// Skip the work if --out already holds this shard, complete and
    /// verified; otherwise run it.
    #[arg(long)]
    pub resume: bool,
    /// Output directory (default: out/<scenario name>-sweep).
    #[arg(long, short = 'o')]
    pub out: Option<PathBuf>,
    /// No progress bar or notes on stderr.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Trial files: trials.csv, trials.parquet (typed, row groups) or
    /// both. Shards of one sweep must agree; merge keeps the format.
    ///
    /// Example: --format parquet
    #[arg(long, value_enum, default_value_t = crate::job::sweep::Format::Csv)]
    pub format: crate::job::sweep::Format,
}

/// `brink merge`.
#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// Shard directories (each written by `brink sweep --shard K/N`).
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// Where to write the merged files.
    #[arg(long, short = 'o')]
    pub out: PathBuf,
    /// No notes on stderr.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

impl SweepArgs {
    fn spec(self) -> SweepSpec {
        SweepSpec {
            scenario: self.scenario.scenario,
            sets: self.scenario.sets,
            design: DesignSpec::Flags(DesignFlags {
                grid: self.grid,
                zip: self.zip,
                sample: self.sample,
                range: self.range,
                design: self.design,
                salib_problem: self.salib_problem,
            }),
            salib_y: self.salib_y,
            trials: self.trials,
            seed: self.seed,
            threads: self.threads,
            crn: !self.no_crn,
            shard: self.shard,
            resume: self.resume,
            out: self.out,
            format: self.format,
        }
    }
}

/// Runs `brink sweep`.
pub fn cmd_sweep(a: SweepArgs) -> Result<(), Failure> {
    let quiet = a.quiet;
    let job = a.spec().validate()?;
    if !quiet {
        super::print_warnings(&job.base);
    }
    progress::install_signal_handlers();
    let mut term = progress::Terminal::new(quiet);
    let report = job.write_files(command_line(), &CANCEL, &mut term)?;
    let Some(manifest) = &report.manifest else {
        return Ok(());
    };
    print_sweep(&job, &report);
    if !quiet {
        let names: Vec<&str> = manifest.files.keys().map(String::as_str).collect();
        eprintln!("wrote {}, run.json in {}/", names.join(", "), job.out.display());
    }
    Ok(())
}

fn print_sweep(job: &SweepJob, report: &SweepReport) {
    let (design, plan, range) = (&job.design, &job.plan, job.range());
    println!(
        "{}: sweep of {} point{} x {} trials (shard {}/{}: points {}..{}), seed {}{}, {:.2} s",
        job.base.scenario.name,
        design.len(),
        if design.len() == 1 { "" } else { "s" },
        plan.trials,
        plan.shard.k,
        plan.shard.n,
        range.start,
        range.end,
        plan.seed,
        if plan.crn { "" } else { ", no CRN" },
        report.seconds
    );
    if report.shares.is_empty() {
        return;
    }
    println!();
    let mut head = format!("  {:>5}", "point");
    for p in design.paths.iter().chain(&job.outcomes) {
        head.push_str(&format!("  {p}"));
    }
    println!("{head}");
    for (p, shares) in &report.shares {
        let mut line = format!("  {p:>5}");
        for (path, v) in design.paths.iter().zip(&design.points[*p]) {
            line.push_str(&format!("  {v:>w$}", w = path.len()));
        }
        for (o, x) in job.outcomes.iter().zip(shares) {
            line.push_str(&format!("  {:>w$}", format!("{:.1}%", 100.0 * x), w = o.len()));
        }
        println!("{line}");
    }
}

/// Runs `brink merge`.
pub fn cmd_merge(a: MergeArgs) -> Result<(), Failure> {
    let m = MergeSpec {
        dirs: a.dirs.clone(),
        out: a.out.clone(),
    }
    .execute()?;
    println!(
        "merged {} shard{} of {}: {} points x {} trials",
        a.dirs.len(),
        if a.dirs.len() == 1 { "" } else { "s" },
        m.scenario,
        m.points,
        m.trials
    );
    if !a.quiet {
        let names: Vec<&str> = m.files.keys().map(String::as_str).collect();
        eprintln!("wrote {}, run.json in {}/", names.join(", "), a.out.display());
    }
    Ok(())
}

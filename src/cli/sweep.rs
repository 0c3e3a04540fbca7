//! `brink sweep` and `brink merge`: flags to a [`Design`] and a
//! [`SweepPlan`], then the library does the work
//! ([`crate::runner::sweep`], [`crate::output::sweep`]).

use super::{CANCEL, Failure, FsResolver, ScenarioArgs, load, progress};
use crate::design::{self, Design, DesignError};
use crate::engine::MetricLayout;
use crate::output::sweep::{self as out, Manifest, MergeError, SweepWriter, YMetric};
use crate::output::{self, Summary, limits};
use crate::runner::RunError;
use crate::runner::sweep::{self, Shard, SweepError, SweepPlan};
use crate::scenario;
use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::Instant;

/// Most points whose outcome shares are printed after a sweep.
const PRINT_POINTS: usize = 50;

/// A printed point: its index and outcome shares.
type PointShares = (usize, Vec<f64>);

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

fn fail(report: miette::Report, code: i32) -> Failure {
    Failure { report, code }
}

impl From<DesignError> for Failure {
    fn from(e: DesignError) -> Self {
        fail(e.into(), 2)
    }
}

impl From<SweepError> for Failure {
    fn from(e: SweepError) -> Self {
        let code = match &e {
            SweepError::Run(RunError::Interrupted { .. }) | SweepError::Interrupted { .. } => 130,
            SweepError::Point { .. }
            | SweepError::Layout { .. }
            | SweepError::Shard { .. }
            | SweepError::Run(RunError::Limit { .. }) => 2,
            _ => 1,
        };
        fail(e.into(), code)
    }
}

impl From<MergeError> for Failure {
    fn from(e: MergeError) -> Self {
        let code = if matches!(e, MergeError::Output(_)) { 1 } else { 2 };
        fail(e.into(), code)
    }
}

fn read_text(path: &Path) -> Result<String, DesignError> {
    std::fs::read_to_string(path).map_err(|e| DesignError::File {
        file: path.display().to_string(),
        line: 0,
        what: format!("cannot read: {e}"),
        help: "check the path".into(),
    })
}

/// The design the flags describe.
pub fn design_from(a: &SweepArgs, seed: u64) -> Result<Design, DesignError> {
    let kinds = usize::from(!a.grid.is_empty() || !a.zip.is_empty())
        + usize::from(a.sample.is_some())
        + usize::from(a.design.is_some());
    let usage = |what: &str, help: &str| DesignError::Usage {
        what: what.to_string(),
        help: help.to_string(),
    };
    if kinds == 0 {
        return Err(usage(
            "no design: give --grid/--zip, --sample with --range, or --design",
            "for example: brink sweep us_iraq_2024 --grid dyads.us_kh.response.proportionality=0.75,1,1.3",
        ));
    }
    if kinds > 1 {
        return Err(usage(
            "expected one kind of design, found several",
            "--grid/--zip, --sample and --design cannot be combined; use one",
        ));
    }
    if !a.range.is_empty() && a.sample.is_none() {
        return Err(usage(
            "--range needs --sample",
            "for example --sample lhs:64 --range PATH=LO:HI",
        ));
    }
    if a.salib_problem.is_some() && a.design.is_none() {
        return Err(usage(
            "--salib-problem needs --design SAMPLE_FILE",
            "pass the SALib sample file with --design",
        ));
    }
    if let Some(s) = &a.sample {
        let kind = design::parse_sample(s)?;
        let ranges = a
            .range
            .iter()
            .map(|r| design::parse_range(r))
            .collect::<Result<Vec<_>, _>>()?;
        return Design::sample(kind, &ranges, seed);
    }
    if let Some(f) = &a.design {
        let text = read_text(f)?;
        return match &a.salib_problem {
            Some(p) => Design::from_salib(
                &p.display().to_string(),
                &read_text(p)?,
                &f.display().to_string(),
                &text,
            ),
            None => Design::from_csv(&f.display().to_string(), &text),
        };
    }
    let grids = a
        .grid
        .iter()
        .map(|g| design::parse_list("--grid", g))
        .collect::<Result<Vec<_>, _>>()?;
    let zips = a
        .zip
        .iter()
        .map(|z| design::parse_list("--zip", z))
        .collect::<Result<Vec<_>, _>>()?;
    Design::grid(&grids, &zips)
}

/// Runs `brink sweep`.
pub fn cmd_sweep(a: SweepArgs) -> Result<(), Failure> {
    let t0 = Instant::now();
    let base = load(a.scenario.scenario.as_deref(), &a.scenario.sets)?;
    if !a.quiet {
        super::print_warnings(&base);
    }
    let s = &base.scenario;
    let trials = a.trials.unwrap_or(s.trials);
    super::check_trials(trials)?;
    let seed = a.seed.unwrap_or(s.seed);
    let threads = super::threads_or_all(a.threads);
    let shard = match &a.shard {
        Some(x) => Shard::parse(x)?,
        None => Shard::WHOLE,
    };
    let design = design_from(&a, seed)?;
    let layout = MetricLayout::new(s);
    let outcomes: Vec<String> = s.outcome_names().iter().map(|x| x.to_string()).collect();
    let y = match &a.salib_y {
        Some(m) => Some(
            YMetric::parse(m, &outcomes, &layout).map_err(|why| DesignError::BadArg {
                flag: "--salib-y",
                arg: m.clone(),
                expected: "an outcome or metric".into(),
                found: why,
                help: "for example --salib-y outcome:agreement, or --salib-y killed_us".into(),
            })?,
        ),
        None => None,
    };
    let out_dir = a
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("out").join(format!("{}-sweep", s.name)));
    let range = shard.points(design.len());
    let mut manifest = Manifest {
        brink_version: env!("CARGO_PKG_VERSION").to_string(),
        scenario: s.name.clone(),
        scenario_sha256: base.hash(),
        overrides: a.scenario.sets.clone(),
        paths: design.paths.clone(),
        points: design.len(),
        design_sha256: design.hash(),
        seed,
        trials,
        crn: !a.no_crn,
        y: y.as_ref().map(YMetric::name),
        shard,
        shard_points: [range.start, range.end],
        files: Default::default(),
    };

    if a.resume && out_dir.join("run.json").exists() {
        let d = out_dir.display().to_string();
        match out::verify(&out_dir) {
            Ok(m) => {
                out::same_sweep(&m, &d, &manifest, "this command")?;
                if m.shard != shard {
                    return Err(MergeError::Mismatch {
                        field: "shard".into(),
                        a_dir: d,
                        a: format!("{}/{}", m.shard.k, m.shard.n),
                        b_dir: "this command".into(),
                        b: format!("{}/{}", shard.k, shard.n),
                    }
                    .into());
                }
                if !a.quiet {
                    eprintln!(
                        "shard {}/{} in {d}/ is already complete and verified; nothing to do",
                        shard.k, shard.n
                    );
                }
                return Ok(());
            }
            Err(e) if !a.quiet => eprintln!("{d}/ is not complete ({e}); running shard {}/{}", shard.k, shard.n),
            Err(_) => {}
        }
    }

    // Every point loads from the same text: read the scenario once.
    let src = base.sources[0].clone();
    let user_sets = a.scenario.sets.clone();
    #[allow(clippy::result_large_err)] // ScenarioError is the scenario layer's type
    let loader = move |extra: &[String]| {
        let mut sets = user_sets.clone();
        sets.extend_from_slice(extra);
        scenario::parse(&src.text, &src.name, &sets, &FsResolver)
    };
    sweep::validate(&design, &layout, &loader, shard)?;

    output::ensure_dir(&out_dir)?;
    output::remove_dead_temporaries(&out_dir);
    // Disk: trials.csv of this shard, rows measured on real trials.
    if !range.is_empty() {
        let row = limits::trial_row_bytes(s, &layout, seed, trials);
        let prefix: usize = limits::digits(range.end as u64)
            + design.points[range.start].iter().map(|v| v.len() + 1).sum::<usize>()
            + 1;
        let per = row + prefix as f64;
        let rows = range.len() as f64 * trials as f64;
        limits::check_space(
            &out_dir,
            "this sweep",
            rows * per,
            &format!(
                "{} points x {trials} trials = {rows:.0} rows x {per:.0} bytes per row of trials.csv",
                range.len()
            ),
        )
        .map_err(SweepError::Run)?;
    }
    progress::install_signal_handlers();
    let printed: Rc<RefCell<Vec<PointShares>>> = Rc::default();
    let keep = Rc::clone(&printed);
    let show = range.len() <= PRINT_POINTS;
    let on_point = Box::new(move |p: usize, sum: &Summary| {
        if show {
            keep.borrow_mut()
                .push((p, sum.outcome_table().iter().map(|r| r.2).collect()));
        }
    });
    // An interrupted run of this very shard left a checkpoint: continue it.
    let partial = out::read_partial(&out_dir).filter(|p| {
        a.resume
            && p.manifest.shard == shard
            && out::same_sweep(&p.manifest, "", &manifest, "").is_ok()
            && range.contains(&p.next_point)
    });
    let mut writer = match &partial {
        Some(p) => {
            if !a.quiet {
                eprintln!(
                    "resuming shard {}/{} at point {}: points {}..{} are kept from the interrupted run",
                    shard.k, shard.n, p.next_point, range.start, p.next_point
                );
            }
            SweepWriter::resume(&out_dir, &design, outcomes.clone(), &layout, y, on_point, p)?
        }
        None => SweepWriter::create(&out_dir, &design, outcomes.clone(), &layout, y, on_point)?,
    };
    let first = writer.resume_point().unwrap_or(range.start);
    let plan = SweepPlan {
        seed,
        trials,
        threads,
        crn: !a.no_crn,
        shard,
    };
    let total = (range.end - first) as u64 * trials;
    let mut bar = progress::Progress::new(total, a.quiet);
    let started = Instant::now();
    let ran = sweep::run_from(
        &design,
        &layout,
        &loader,
        &plan,
        first,
        &CANCEL,
        |d| bar.update(d),
        &mut writer,
    );
    if let Err(e) = ran {
        bar.finish();
        if matches!(e, SweepError::Interrupted { .. }) {
            // Keep the completed points for --resume.
            writer.checkpoint(&manifest, range.start)?;
        }
        return Err(e.into());
    }
    bar.finish();
    let elapsed = started.elapsed().as_secs_f64();
    manifest.files = writer.commit()?;
    let extra = serde_json::json!({
        "command": std::env::args().collect::<Vec<_>>(),
        "scenario_file": base.sources[0].name,
        "rng": crate::runner::sweep::rng_description(!a.no_crn),
        "threads": threads,
        "horizon": s.horizon,
        "outcomes": outcomes,
        "timing": {
            "trials_seconds": elapsed,
            "total_seconds": t0.elapsed().as_secs_f64(),
            "trials_per_second": total as f64 / elapsed.max(1e-9),
        },
    });
    out::write_manifest(&out_dir, &manifest, extra)?;

    println!(
        "{}: sweep of {} point{} x {trials} trials (shard {}/{}: points {}..{}), seed {seed}{}, {:.2} s",
        s.name,
        design.len(),
        if design.len() == 1 { "" } else { "s" },
        shard.k,
        shard.n,
        range.start,
        range.end,
        if a.no_crn { ", no CRN" } else { "" },
        elapsed
    );
    let rows = printed.borrow();
    if !rows.is_empty() {
        println!();
        let mut head = format!("  {:>5}", "point");
        for p in &design.paths {
            head.push_str(&format!("  {p}"));
        }
        for o in &outcomes {
            head.push_str(&format!("  {o}"));
        }
        println!("{head}");
        for (p, shares) in rows.iter() {
            let mut line = format!("  {p:>5}");
            for (path, v) in design.paths.iter().zip(&design.points[*p]) {
                line.push_str(&format!("  {v:>w$}", w = path.len()));
            }
            for (o, x) in outcomes.iter().zip(shares) {
                line.push_str(&format!("  {:>w$}", format!("{:.1}%", 100.0 * x), w = o.len()));
            }
            println!("{line}");
        }
    }
    if !a.quiet {
        let names: Vec<&str> = manifest.files.keys().map(String::as_str).collect();
        eprintln!("wrote {}, run.json in {}/", names.join(", "), out_dir.display());
    }
    Ok(())
}

/// Runs `brink merge`.
pub fn cmd_merge(a: MergeArgs) -> Result<(), Failure> {
    let m = out::merge(&a.dirs, &a.out)?;
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

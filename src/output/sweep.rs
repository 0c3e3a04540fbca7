//! A sweep's files, shard manifests and `brink merge`.
//!
//! A sweep (or one shard of it) writes into its output directory:
//!
//! * `design.csv`: the whole design, `point` then one column per path;
//! * `trials.csv` and/or `trials.parquet` (`--format`): `point`, the swept
//!   paths, then the columns of a run;
//! * `summary.csv`: the same prefix, then a run's summary columns, per point;
//! * `Y.txt` (with a Y metric): one number per point, no header, in design
//!   order, for SALib's `analyze`;
//! * `sensitivity.csv` (when the points keep distributions): the same
//!   prefix, then a run's `sensitivity.csv` columns, one block per point
//!   ([`super::sensitivity`]; the manifest's `sensitivity` says it is
//!   there);
//! * `run.json`: provenance and the [`Manifest`], written last and
//!   atomically: a directory with a valid `run.json` whose file hashes
//!   match is a complete shard; anything else is not.
//!
//! Shard `k` of `n` holds a contiguous range of points, so `merge`
//! concatenates the bodies of `trials.csv`, `summary.csv`, `Y.txt` and
//! `sensitivity.csv` in
//! shard order after one header: the bytes of a single run, by
//! construction. `trials.parquet` cannot be concatenated (row groups span
//! points, the footer indexes them), so merge reads each shard's rows back
//! and writes them through the one writer a single run uses: the same rows
//! in the same order make the same row groups, hence the same bytes. It first checks that the shards are exactly `0..n`, once
//! each, of the same scenario, design, seed, trials, CRN setting, Y metric
//! and brink version, and that each file still has the hash its manifest
//! recorded.

use super::parquet::{CopyError, Format, ParquetFile, ParquetReadError, ParquetWriter, TrialsParquet};
use super::{AtomicFile, CsvFile, OutputError, Summary, TrialsWriter, fmt_real};
use crate::engine::{MetricLayout, TrialResult};
use crate::runner::sweep::Shard;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

/// The data files of a sweep directory, in the order merge writes them.
pub const DATA_FILES: [&str; 6] = [
    "design.csv",
    "trials.csv",
    "trials.parquet",
    "summary.csv",
    "Y.txt",
    super::sensitivity::FILE,
];

/// Errors reading, verifying or merging shards.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum MergeError {
    /// A directory has no valid manifest.
    #[error("`{dir}` is not a complete sweep shard: {why}")]
    #[diagnostic(
        code(brink::shard_incomplete),
        help("rerun that shard (add --resume to skip shards that are complete), then merge again")
    )]
    Incomplete {
        /// The directory.
        dir: String,
        /// What is missing or wrong.
        why: String,
    },
    /// A file does not match its manifest.
    #[error(
        "`{dir}/{file}` does not match its run.json (sha256 {found}, expected {expected}): it was changed or truncated"
    )]
    #[diagnostic(
        code(brink::shard_corrupt),
        help("rerun that shard with --resume; it will be recomputed")
    )]
    Corrupt {
        /// The directory.
        dir: String,
        /// The file.
        file: String,
        /// Hash in the manifest.
        expected: String,
        /// Hash on disk.
        found: String,
    },
    /// Two shards disagree on what they ran.
    #[error("shards disagree on {field}: `{a_dir}` has {a}, `{b_dir}` has {b}")]
    #[diagnostic(
        code(brink::shard_mismatch),
        help(
            "merge only shards of one sweep: same scenario and --set, design, --seed, --trials, --no-crn, --salib-y, shard count and brink version"
        )
    )]
    Mismatch {
        /// What differs.
        field: String,
        /// One directory.
        a_dir: String,
        /// Its value.
        a: String,
        /// The other.
        b_dir: String,
        /// Its value.
        b: String,
    },
    /// The same shard was given twice.
    #[error("shard {k}/{n} is given twice: `{a_dir}` and `{b_dir}`")]
    #[diagnostic(code(brink::shard_duplicate), help("pass each shard's directory once"))]
    Duplicate {
        /// Shard.
        k: u64,
        /// Count.
        n: u64,
        /// First directory.
        a_dir: String,
        /// Second directory.
        b_dir: String,
    },
    /// Shards are missing.
    #[error("missing shard{} {} of {n}", if missing.len() == 1 { "" } else { "s" }, missing.iter().map(|k| format!("{k}/{n}")).collect::<Vec<_>>().join(", "))]
    #[diagnostic(
        code(brink::shard_missing),
        help("run the missing shards (brink sweep ... --shard K/N) and pass every shard's directory to merge")
    )]
    Missing {
        /// Missing shard indices.
        missing: Vec<u64>,
        /// Count.
        n: u64,
    },
    /// No directory given.
    #[error("nothing to merge")]
    #[diagnostic(code(brink::merge), help("brink merge SHARD_DIR... --out DIR"))]
    Empty,
    /// I/O.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Output(#[from] OutputError),
    /// A shard's `trials.parquet` cannot be read.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Parquet(#[from] ParquetReadError),
    /// An interrupted sweep's checkpoint cannot be continued.
    #[error("`{path}` cannot be continued: {why}")]
    #[diagnostic(
        code(brink::sweep_checkpoint),
        help(
            "run the same command without --resume: the shard starts afresh and the checkpoint and its kept files are removed"
        )
    )]
    Checkpoint {
        /// The checkpoint file.
        path: String,
        /// What is wrong with it.
        why: String,
    },
}

impl From<CopyError> for MergeError {
    fn from(e: CopyError) -> Self {
        match e {
            CopyError::Read(e) => MergeError::Parquet(e),
            CopyError::Write(e) => MergeError::Output(e),
        }
    }
}

/// What a sweep directory holds: everything that must agree for shards to
/// merge, plus the hash of each data file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// brink's version.
    pub brink_version: String,
    /// Scenario name.
    pub scenario: String,
    /// SHA-256 of the scenario sources and the user's `--set`s.
    pub scenario_sha256: String,
    /// The user's `--set`s.
    pub overrides: Vec<String>,
    /// Swept paths.
    pub paths: Vec<String>,
    /// Points in the whole design.
    pub points: usize,
    /// SHA-256 of `design.csv`.
    pub design_sha256: String,
    /// Master seed.
    pub seed: u64,
    /// Trials per point.
    pub trials: u64,
    /// Common random numbers.
    pub crn: bool,
    /// The metric in `Y.txt`, if any.
    pub y: Option<String>,
    /// This shard.
    pub shard: Shard,
    /// The points this directory holds, `[start, end)`.
    pub shard_points: [usize; 2],
    /// SHA-256 of each data file present.
    pub files: BTreeMap<String, String>,
    /// The trial files: `trials.csv`, `trials.parquet` or both (absent
    /// from `run.json` when CSV, as before `--format`).
    #[serde(default, skip_serializing_if = "Format::is_csv")]
    pub format: Format,
    /// Whether the points keep distributions, so the directory holds
    /// `sensitivity.csv` (absent from `run.json` when false, as before
    /// sweeps wrote it).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sensitivity: bool,
}

impl Manifest {
    /// The fields that must agree between shards of one sweep, as (name,
    /// value) pairs.
    pub fn identity(&self) -> Vec<(&'static str, String)> {
        vec![
            ("brink version", self.brink_version.clone()),
            ("scenario (sha256 of files and --set)", self.scenario_sha256.clone()),
            // Before the design: a sampled design depends on the seed.
            ("seed", self.seed.to_string()),
            ("design (sha256 of design.csv)", self.design_sha256.clone()),
            ("trials per point", self.trials.to_string()),
            ("common random numbers", self.crn.to_string()),
            ("Y metric", format!("{:?}", self.y)),
            ("shard count", self.shard.n.to_string()),
            ("trial files (--format)", self.format.as_str().to_string()),
            (
                "sensitivity.csv (points with distributions)",
                self.sensitivity.to_string(),
            ),
        ]
    }
}

/// SHA-256 of a file, streamed.
pub fn sha256_file(path: &Path) -> Result<String, OutputError> {
    use sha2::{Digest, Sha256};
    let mut f = File::open(path).map_err(|e| OutputError::io(path, e))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf).map_err(|e| OutputError::io(path, e))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// What `Y.txt` holds per point.
#[derive(Debug, Clone, PartialEq)]
pub enum YMetric {
    /// The share of trials ending in this outcome (its index).
    Outcome(usize, String),
    /// The mean of this metric (or `end_step`) over the trials where it is
    /// defined.
    Mean(String),
}

impl YMetric {
    /// Parses `outcome:NAME` or a metric column name, checking it against
    /// the scenario's outcomes and metrics.
    pub fn parse(arg: &str, outcomes: &[String], layout: &MetricLayout) -> Result<YMetric, String> {
        if let Some(name) = arg.strip_prefix("outcome:") {
            return match outcomes.iter().position(|o| o == name) {
                Some(i) => Ok(YMetric::Outcome(i, name.to_string())),
                None => Err(format!(
                    "expected an outcome of the scenario, found `{name}`; outcomes: {}",
                    outcomes.join(", ")
                )),
            };
        }
        if arg == "end_step" || layout.names.iter().any(|n| n == arg) {
            return Ok(YMetric::Mean(arg.to_string()));
        }
        Err(format!(
            "expected `outcome:NAME` (outcomes: {}) or a metric column (end_step, {}), found `{arg}`",
            outcomes.join(", "),
            layout.names.join(", ")
        ))
    }

    /// As typed.
    pub fn name(&self) -> String {
        match self {
            YMetric::Outcome(_, n) => format!("outcome:{n}"),
            YMetric::Mean(n) => n.clone(),
        }
    }

    fn value(&self, s: &Summary) -> f64 {
        match self {
            YMetric::Outcome(i, _) => s.outcome_table()[*i].2,
            YMetric::Mean(n) => s.metric(n).map_or(f64::NAN, |m| m.1),
        }
    }
}

/// Called with each finished point and its summary.
pub type OnPoint = Box<dyn FnMut(usize, &Summary)>;

/// Streams a sweep's `trials.csv` and/or `trials.parquet`, `summary.csv`
/// and `Y.txt`. The rows arrive trial by trial; each point's [`Summary`]
/// is folded elsewhere (on the pool, beside the trials) and given to
/// [`SweepWriter::end`].
pub struct SweepWriter {
    dir: PathBuf,
    trials: Option<TrialsWriter>,
    parquet: Option<TrialsParquet>,
    summary_file: CsvFile,
    y: Option<(YMetric, AtomicFile, BufWriter<File>)>,
    sensitivity: Option<CsvFile>,
    /// SHA-256 of `trials.csv`, hashed on its own thread as rows are
    /// written (`None`: hashed from the disk at commit).
    trials_hash: Option<StreamHash>,
    /// The current point's cells: its index, then its design values.
    current: Option<Vec<String>>,
    /// The current point's `trials.csv` prefix, as CSV bytes.
    prefix_bytes: Vec<u8>,
    /// A row formatted here ([`SweepWriter::trial`]).
    line: Vec<u8>,
    on_point: OnPoint,
    /// After the last completed point: the next point, the bytes of
    /// trials.csv, summary.csv, Y.txt and sensitivity.csv, and the rows of
    /// trials.parquet (a checkpoint's cut).
    done: Option<(usize, [u64; 4], u64)>,
}

/// Name of an interrupted sweep's checkpoint in its output directory.
pub const PARTIAL: &str = ".sweep-partial.json";

/// Hidden names under which an interrupted sweep keeps its files.
fn kept(dir: &Path, f: &str) -> PathBuf {
    dir.join(format!(".{f}.partial"))
}

/// What an interrupted sweep kept: its manifest (files empty), the first
/// point not completed and the bytes of each file up to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Partial {
    /// What was running.
    pub manifest: Manifest,
    /// First point not completed.
    pub next_point: usize,
    /// Bytes of trials.csv, summary.csv, Y.txt and sensitivity.csv
    /// through the last completed point (0 for a file the sweep does not
    /// write). A checkpoint of three lengths (before sweeps wrote
    /// sensitivity.csv) is refused by [`read_partial`] with a clear error.
    pub lens: [u64; 4],
    /// Rows of trials.parquet through the last completed point (the kept
    /// file is complete and may hold more: the rows of the interrupted
    /// point, dropped on resume).
    #[serde(default)]
    pub rows: u64,
}

/// Reads `dir`'s checkpoint: `None` when there is none or its kept files
/// are not all there (nothing to continue); an error when it exists but
/// cannot be continued (not JSON of a checkpoint, or the lengths of
/// another number of files, as an older brink wrote them).
pub fn read_partial(dir: &Path) -> Result<Option<Partial>, MergeError> {
    let path = dir.join(PARTIAL);
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(None);
    };
    let bad = |why: String| MergeError::Checkpoint {
        path: path.display().to_string(),
        why,
    };
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| bad(format!("it is not JSON ({e})")))?;
    match v.get("lens").and_then(serde_json::Value::as_array).map(Vec::len) {
        Some(4) => {}
        Some(3) => {
            return Err(bad(
                "it records 3 file lengths (trials.csv, summary.csv, Y.txt): an older brink wrote it, before sweeps \
                 wrote sensitivity.csv, and the points it kept have no sensitivity rows"
                    .into(),
            ));
        }
        Some(n) => {
            return Err(bad(format!(
                "it records {n} file lengths, expected 4 (trials.csv, summary.csv, Y.txt, sensitivity.csv)"
            )));
        }
        None => return Err(bad("it has no `lens` array of file lengths".into())),
    }
    let p: Partial = serde_json::from_value(v).map_err(|e| bad(format!("it is not a sweep checkpoint ({e})")))?;
    let m = &p.manifest;
    let wrote = |f: &str| match f {
        "trials.csv" => m.format.csv(),
        "trials.parquet" => m.format.parquet(),
        "Y.txt" => m.y.is_some(),
        "sensitivity.csv" => m.sensitivity,
        _ => true,
    };
    for (f, len) in ["trials.csv", "summary.csv", "Y.txt", "sensitivity.csv"]
        .iter()
        .zip(p.lens)
    {
        if !wrote(f) && len != 0 {
            return Err(bad(format!(
                "it records {len} bytes of {f}, which this sweep does not write"
            )));
        }
    }
    if !KEPT.iter().all(|f| !wrote(f) || kept(dir, f).exists()) {
        return Ok(None);
    }
    // Each kept file must hold at least the bytes the checkpoint records,
    // checked before any is taken back.
    for (f, len) in ["trials.csv", "summary.csv", "Y.txt", "sensitivity.csv"]
        .iter()
        .zip(p.lens)
    {
        if !wrote(f) {
            continue;
        }
        let k = kept(dir, f);
        let have = std::fs::metadata(&k).map_err(|e| OutputError::io(&k, e))?.len();
        if have < len {
            return Err(bad(format!(
                "it records {len} bytes of {f}, but the kept `{}` holds {have}",
                k.display()
            )));
        }
    }
    Ok(Some(p))
}

/// The files a checkpoint keeps.
const KEPT: [&str; 5] = [
    "trials.csv",
    "trials.parquet",
    "summary.csv",
    "Y.txt",
    super::sensitivity::FILE,
];

/// Removes `dir`'s checkpoint and kept files, if any.
pub fn clear_partial(dir: &Path) -> Result<(), OutputError> {
    super::remove_stale(&dir.join(PARTIAL))?;
    for f in KEPT {
        super::remove_stale(&kept(dir, f))?;
    }
    Ok(())
}

impl SweepWriter {
    /// Opens the files of `format` in `dir` (under temporary names) and
    /// writes `design.csv` at once; with `sensitivity`, also
    /// `sensitivity.csv` (its rows come from
    /// [`SweepWriter::point_sensitivity`]). `on_point(p, summary)` is
    /// called after each point (the CLI prints a line).
    #[allow(clippy::too_many_arguments)]
    pub fn create(
        dir: &Path,
        design: &crate::design::Design,
        outcomes: Vec<String>,
        layout: &MetricLayout,
        y: Option<YMetric>,
        on_point: OnPoint,
        format: Format,
        sensitivity: bool,
    ) -> Result<SweepWriter, MergeError> {
        Self::open(dir, design, outcomes, layout, y, on_point, (format, sensitivity), None)
    }

    /// Like [`SweepWriter::create`], continuing the files an interrupted
    /// sweep kept (`partial`, from [`read_partial`]) after its last
    /// completed point, in the format it was writing.
    pub fn resume(
        dir: &Path,
        design: &crate::design::Design,
        outcomes: Vec<String>,
        layout: &MetricLayout,
        y: Option<YMetric>,
        on_point: OnPoint,
        partial: &Partial,
    ) -> Result<SweepWriter, MergeError> {
        let files = (partial.manifest.format, partial.manifest.sensitivity);
        Self::open(dir, design, outcomes, layout, y, on_point, files, Some(partial))
    }

    #[allow(clippy::too_many_arguments)]
    fn open(
        dir: &Path,
        design: &crate::design::Design,
        outcomes: Vec<String>,
        layout: &MetricLayout,
        y: Option<YMetric>,
        on_point: OnPoint,
        (format, sensitivity): (Format, bool),
        partial: Option<&Partial>,
    ) -> Result<SweepWriter, MergeError> {
        // A stale manifest must not vouch for files about to be replaced,
        // nor a file this sweep does not write be listed as its own.
        super::remove_stale(&dir.join("run.json"))?;
        let writes = [format.csv(), format.parquet(), y.is_some(), sensitivity];
        for (f, w) in ["trials.csv", "trials.parquet", "Y.txt", super::sensitivity::FILE]
            .iter()
            .zip(writes)
        {
            if !w {
                super::remove_stale(&dir.join(f))?;
            }
        }
        super::write_atomic(&dir.join("design.csv"), &design.to_csv())?;
        let pq_prefix = super::parquet::sweep_prefix(design);
        let prefix: Vec<String> = pq_prefix.iter().map(|c| c.name.clone()).collect();
        let mut parquet = match format.parquet() {
            true => Some(TrialsParquet::create(dir, &pq_prefix, outcomes.clone(), layout)?),
            false => None,
        };
        let (trials, summary_file, y, sensitivity, done) = match partial {
            Some(p) => {
                let [lt, ls, ly, lsens] = p.lens;
                let trials = match format.csv() {
                    true => Some(TrialsWriter::reopen(
                        dir,
                        &kept(dir, "trials.csv"),
                        lt,
                        outcomes.clone(),
                        layout,
                    )?),
                    false => None,
                };
                if let Some(pq) = &mut parquet {
                    // The kept file's rows through the last completed point.
                    let src = kept(dir, "trials.parquet");
                    let f = ParquetFile::open(&src).map_err(CopyError::Read)?;
                    let got = f.copy_into(pq.writer(), p.rows)?;
                    if got != p.rows {
                        return Err(CopyError::Read(ParquetReadError {
                            path: src.display().to_string(),
                            what: format!("{got} rows, the checkpoint expects at least {}", p.rows),
                        })
                        .into());
                    }
                    super::remove_stale(&src)?;
                }
                let summary = CsvFile::reopen(&dir.join("summary.csv"), &kept(dir, "summary.csv"), ls)?;
                let y = match y {
                    Some(m) => {
                        let (g, w) = AtomicFile::reopen(&dir.join("Y.txt"), &kept(dir, "Y.txt"), ly)?;
                        Some((m, g, w))
                    }
                    None => None,
                };
                let sens = match sensitivity {
                    true => Some(CsvFile::reopen(
                        &dir.join(super::sensitivity::FILE),
                        &kept(dir, super::sensitivity::FILE),
                        lsens,
                    )?),
                    false => None,
                };
                super::remove_stale(&dir.join(PARTIAL))?;
                (trials, summary, y, sens, Some((p.next_point, p.lens, p.rows)))
            }
            None => {
                clear_partial(dir)?;
                let trials = match format.csv() {
                    true => Some(TrialsWriter::create(dir, &prefix, outcomes.clone(), layout)?),
                    false => None,
                };
                let mut summary_file = CsvFile::create(&dir.join("summary.csv"))?;
                Summary::write_header(&mut summary_file, &prefix)?;
                let y = match y {
                    Some(m) => {
                        let (g, w) = AtomicFile::create(&dir.join("Y.txt"))?;
                        Some((m, g, w))
                    }
                    None => None,
                };
                let sens = match sensitivity {
                    true => {
                        let mut f = CsvFile::create(&dir.join(super::sensitivity::FILE))?;
                        super::sensitivity::write_header(&mut f, &prefix)?;
                        Some(f)
                    }
                    false => None,
                };
                (trials, summary_file, y, sens, None)
            }
        };
        let mut trials = trials;
        let trials_hash = match &mut trials {
            Some(t) => StreamHash::start(t)?,
            None => None,
        };
        let mut w = SweepWriter {
            dir: dir.to_path_buf(),
            trials,
            parquet,
            summary_file,
            y,
            sensitivity,
            trials_hash,
            current: None,
            prefix_bytes: Vec::new(),
            line: Vec::new(),
            on_point,
            done,
        };
        if w.done.is_none() {
            // The headers: a checkpoint before the first point keeps them.
            w.done = Some((usize::MAX, w.lens()?, 0));
        }
        Ok(w)
    }

    fn lens(&mut self) -> Result<[u64; 4], OutputError> {
        let lt = match &mut self.trials {
            Some(t) => t.flushed_len()?,
            None => 0,
        };
        let ls = self.summary_file.flushed_len()?;
        let ly = match &mut self.y {
            Some((_, g, w)) => super::flushed_len(w, g.dest())?,
            None => 0,
        };
        let lsens = match &mut self.sensitivity {
            Some(f) => f.flushed_len()?,
            None => 0,
        };
        Ok([lt, ls, ly, lsens])
    }

    /// Keeps the files through the last completed point under hidden
    /// names with a checkpoint (`.sweep-partial.json`) that `--resume`
    /// continues from; `manifest` says what ran, `first` is the shard's
    /// first point (the next point when none completed).
    pub fn checkpoint(mut self, manifest: &Manifest, first: usize) -> Result<usize, OutputError> {
        let (next, lens, rows) = self.done.take().expect("set at open");
        let next = if next == usize::MAX { first } else { next };
        let dir = self.dir.clone();
        if let Some(t) = self.trials {
            t.keep(lens[0], &kept(&dir, "trials.csv"))?;
        }
        if let Some(p) = self.parquet {
            p.keep(&kept(&dir, "trials.parquet"))?;
        }
        self.summary_file.keep(lens[1], &kept(&dir, "summary.csv"))?;
        if let Some((_, g, w)) = self.y {
            g.keep(w, lens[2], &kept(&dir, "Y.txt"))?;
        }
        if let Some(f) = self.sensitivity {
            f.keep(lens[3], &kept(&dir, super::sensitivity::FILE))?;
        }
        let p = Partial {
            manifest: manifest.clone(),
            next_point: next,
            lens,
            rows,
        };
        let json = serde_json::to_string_pretty(&p).expect("checkpoint serialises") + "\n";
        super::write_atomic(&dir.join(PARTIAL), json.as_bytes())?;
        Ok(next)
    }

    /// The first point still to run when resumed, if this writer continues
    /// a checkpoint.
    pub fn resume_point(&self) -> Option<usize> {
        self.done.map(|(p, _, _)| p).filter(|&p| p != usize::MAX)
    }

    /// Commits every file and returns their SHA-256 by name.
    pub fn commit(self) -> Result<BTreeMap<String, String>, OutputError> {
        let trials_sha = self.trials_hash.and_then(StreamHash::finish);
        if let Some(t) = self.trials {
            t.commit()?;
        }
        if let Some(p) = self.parquet {
            p.commit()?;
        }
        self.summary_file.commit()?;
        if let Some((_, g, w)) = self.y {
            g.commit(w)?;
        }
        if let Some(f) = self.sensitivity {
            f.commit()?;
        }
        let mut files = BTreeMap::new();
        for f in DATA_FILES {
            let path = self.dir.join(f);
            if path.exists() {
                let sha = match (f, &trials_sha) {
                    ("trials.csv", Some(h)) => h.clone(),
                    _ => sha256_file(&path)?,
                };
                files.insert(f.to_string(), sha);
            }
        }
        Ok(files)
    }
}

/// A sweep's points as they arrive (the job adapts this to the runner's
/// `PointSink`).
impl SweepWriter {
    /// Point `p` starts; `values` are its design values.
    pub fn begin(&mut self, p: usize, values: &[String]) -> Result<(), OutputError> {
        let mut prefix = Vec::with_capacity(values.len() + 1);
        prefix.push(p.to_string());
        prefix.extend(values.iter().cloned());
        self.prefix_bytes.clear();
        for c in &prefix {
            self.prefix_bytes.extend_from_slice(&super::csv_cell(c));
        }
        self.current = Some(prefix);
        Ok(())
    }

    /// The current point's `trials.csv` rows (its prefix cells, then the
    /// trial's), for the workers to format beside the trials (issue 18);
    /// `None` without `trials.csv`.
    pub fn render(&self) -> Option<Box<dyn crate::runner::Render>> {
        self.current.as_ref()?;
        let t = self.trials.as_ref()?;
        Some(Box::new(PrefixedRow {
            prefix: self.prefix_bytes.clone(),
            row: t.format().clone(),
        }))
    }

    /// Trial `i` of the current point, with its `trials.csv` row as the
    /// workers formatted it from [`SweepWriter::render`] (empty if that
    /// was `None`): the row's bytes are copied; `trials.parquet`'s row
    /// (`--format parquet|both`) is still built here.
    pub fn rendered(&mut self, i: u64, r: &TrialResult, row: &[f64], line: &[u8]) -> Result<(), OutputError> {
        let prefix = self.current.as_ref().expect("begin before trial");
        if let Some(t) = &mut self.trials {
            t.rendered(line)?;
            if let Some(h) = &mut self.trials_hash {
                h.update(line);
            }
        }
        if let Some(p) = &mut self.parquet {
            p.row(prefix, i, r, row)?;
        }
        Ok(())
    }

    /// Trial `i` of the current point, formatted here (as the workers
    /// would: [`SweepWriter::render`]).
    pub fn trial(&mut self, i: u64, r: &TrialResult, row: &[f64]) -> Result<(), OutputError> {
        let mut line = std::mem::take(&mut self.line);
        line.clear();
        if let Some(t) = &self.trials {
            t.format().write(&self.prefix_bytes, i, r, row, &mut line);
        }
        let done = self.rendered(i, r, row, &line);
        self.line = line;
        done
    }

    /// Whether this writer writes `sensitivity.csv`.
    pub fn writes_sensitivity(&self) -> bool {
        self.sensitivity.is_some()
    }

    /// The current point's `sensitivity.csv` block (each row led by the
    /// point's cells); call it before [`SweepWriter::end`], which cuts
    /// the checkpoint after it. Nothing happens when the sweep writes no
    /// `sensitivity.csv`.
    pub fn point_sensitivity<'a>(
        &mut self,
        rows: impl IntoIterator<Item = super::sensitivity::Row<'a>>,
    ) -> Result<(), OutputError> {
        let prefix = self.current.as_ref().expect("begin before point_sensitivity");
        match &mut self.sensitivity {
            Some(f) => super::sensitivity::write_rows(f, prefix, rows),
            None => Ok(()),
        }
    }

    /// The current point is complete: `summary` (of its trials, in
    /// trial order) gives its `summary.csv` rows and its Y value.
    pub fn end(&mut self, summary: &Summary) -> Result<(), OutputError> {
        let prefix = self.current.take().expect("begin before end");
        summary.write_rows(&mut self.summary_file, &prefix)?;
        if let Some((m, g, w)) = &mut self.y {
            let mut cell = String::new();
            let v = m.value(summary);
            if v.is_nan() {
                cell.push_str("nan");
            } else {
                fmt_real(v, &mut cell);
            }
            cell.push('\n');
            w.write_all(cell.as_bytes()).map_err(|e| OutputError::io(g.dest(), e))?;
        }
        let p: usize = prefix[0].parse().expect("point index we wrote");
        (self.on_point)(p, summary);
        let lens = self.lens()?;
        let rows = self.parquet.as_mut().map_or(0, |q| q.writer().rows());
        self.done = Some((p + 1, lens, rows));
        Ok(())
    }
}

/// SHA-256 of a file's bytes as they are written, computed on a thread of
/// its own: [`StreamHash::update`] copies the bytes into a batch and hands
/// full batches over (buffers are recycled), so the writer's thread only
/// copies, and `trials.csv` is hashed while the next trials run rather
/// than read back and hashed after the last one (issue 18: about 100 k
/// instructions per flagship trial, in software SHA-256 on a CPU without
/// the SHA extensions). Dropped unfinished (an interruption), the thread
/// ends with its channel.
struct StreamHash {
    batch: Vec<u8>,
    full: Option<std::sync::mpsc::SyncSender<Vec<u8>>>,
    empty: std::sync::mpsc::Receiver<Vec<u8>>,
    thread: Option<std::thread::JoinHandle<String>>,
}

/// Bytes handed to the hashing thread at a time.
const HASH_BATCH: usize = 1 << 16;

impl StreamHash {
    /// Starts hashing `t`'s file with the bytes it holds already (the
    /// header, or the rows a resumed checkpoint kept), read back from its
    /// temporary. `None` when no thread can be started: the file is then
    /// hashed from the disk at commit.
    fn start(t: &mut TrialsWriter) -> Result<Option<StreamHash>, OutputError> {
        use sha2::{Digest, Sha256};
        let len = t.flushed_len()?;
        let (full, batches) = std::sync::mpsc::sync_channel::<Vec<u8>>(4);
        let (recycle, empty) = std::sync::mpsc::sync_channel::<Vec<u8>>(8);
        let thread = std::thread::Builder::new().name("brink-sha256".into()).spawn(move || {
            let mut h = Sha256::new();
            for mut b in batches {
                h.update(&b);
                b.clear();
                // The writer may have stopped taking buffers back.
                let _ = recycle.try_send(b);
            }
            h.finalize().iter().map(|b| format!("{b:02x}")).collect::<String>()
        });
        let Ok(thread) = thread else {
            return Ok(None);
        };
        let mut hash = StreamHash {
            batch: Vec::with_capacity(HASH_BATCH * 2),
            full: Some(full),
            empty,
            thread: Some(thread),
        };
        let path = t.tmp().to_path_buf();
        let mut f = File::open(&path).map_err(|e| OutputError::io(&path, e))?.take(len);
        let mut buf = vec![0u8; HASH_BATCH];
        loop {
            let n = f.read(&mut buf).map_err(|e| OutputError::io(&path, e))?;
            if n == 0 {
                break;
            }
            hash.update(&buf[..n]);
        }
        Ok(Some(hash))
    }

    /// The next bytes of the file.
    #[inline]
    fn update(&mut self, bytes: &[u8]) {
        self.batch.extend_from_slice(bytes);
        if self.batch.len() >= HASH_BATCH {
            self.hand_over();
        }
    }

    fn hand_over(&mut self) {
        let next = self
            .empty
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(HASH_BATCH * 2));
        let b = std::mem::replace(&mut self.batch, next);
        if let Some(tx) = &self.full {
            // Fails only if the thread died; finish then reports None.
            let _ = tx.send(b);
        }
    }

    /// The hex SHA-256 of every byte given (`None` if the thread failed).
    fn finish(mut self) -> Option<String> {
        if !self.batch.is_empty() {
            self.hand_over();
        }
        drop(self.full.take());
        self.thread.take()?.join().ok()
    }
}

/// A sweep point's `trials.csv` row: the point's cells, then the trial's.
struct PrefixedRow {
    prefix: Vec<u8>,
    row: super::CsvRow,
}

impl crate::runner::Render for PrefixedRow {
    #[inline]
    fn render(&self, trial: u64, r: &TrialResult, metrics: &[f64], out: &mut Vec<u8>) {
        self.row.write(&self.prefix, trial, r, metrics, out);
    }
}

/// Writes `run.json`: the manifest plus free-form provenance (`extra`,
/// e.g. timing), atomically. It is the last file a sweep writes.
pub fn write_manifest(dir: &Path, m: &Manifest, extra: serde_json::Value) -> Result<PathBuf, OutputError> {
    let mut v = serde_json::to_value(m).expect("manifest serialises");
    if let (Some(obj), serde_json::Value::Object(x)) = (v.as_object_mut(), extra) {
        for (k, val) in x {
            obj.insert(k, val);
        }
    }
    let json = serde_json::to_string_pretty(&v).expect("json") + "\n";
    super::write_atomic(&dir.join("run.json"), json.as_bytes())
}

/// Reads `dir/run.json` and checks every data file against its hash.
pub fn verify(dir: &Path) -> Result<Manifest, MergeError> {
    let d = dir.display().to_string();
    let path = dir.join("run.json");
    let text = std::fs::read_to_string(&path).map_err(|e| MergeError::Incomplete {
        dir: d.clone(),
        why: format!("cannot read run.json ({e})"),
    })?;
    let m: Manifest = serde_json::from_str(&text).map_err(|e| MergeError::Incomplete {
        dir: d.clone(),
        why: format!("run.json is not a sweep manifest ({e})"),
    })?;
    let trials = match m.format {
        Format::Csv => &["trials.csv"][..],
        Format::Parquet => &["trials.parquet"][..],
        Format::Both => &["trials.csv", "trials.parquet"][..],
    };
    for &f in ["design.csv", "summary.csv"].iter().chain(trials) {
        if !m.files.contains_key(f) {
            return Err(MergeError::Incomplete {
                dir: d.clone(),
                why: format!("run.json lists no {f}"),
            });
        }
    }
    if m.y.is_some() != m.files.contains_key("Y.txt") {
        return Err(MergeError::Incomplete {
            dir: d.clone(),
            why: "run.json and Y.txt disagree".into(),
        });
    }
    if m.sensitivity != m.files.contains_key(super::sensitivity::FILE) {
        return Err(MergeError::Incomplete {
            dir: d.clone(),
            why: format!(
                "run.json {} sensitivity.csv but {} it",
                if m.sensitivity { "promises" } else { "does not promise" },
                if m.sensitivity { "does not list" } else { "lists" }
            ),
        });
    }
    for (f, want) in &m.files {
        let p = dir.join(f);
        if !p.exists() {
            return Err(MergeError::Incomplete {
                dir: d.clone(),
                why: format!("{f} is missing"),
            });
        }
        let got = sha256_file(&p)?;
        if &got != want {
            return Err(MergeError::Corrupt {
                dir: d.clone(),
                file: f.clone(),
                expected: want.clone(),
                found: got,
            });
        }
    }
    Ok(m)
}

/// Checks that `a` and `b` are shards of one sweep.
pub fn same_sweep(a: &Manifest, a_dir: &str, b: &Manifest, b_dir: &str) -> Result<(), MergeError> {
    for ((field, x), (_, y)) in a.identity().into_iter().zip(b.identity()) {
        if x != y {
            return Err(MergeError::Mismatch {
                field: field.to_string(),
                a_dir: a_dir.to_string(),
                a: x,
                b_dir: b_dir.to_string(),
                b: y,
            });
        }
    }
    Ok(())
}

/// Verifies the shard directories and merges them into `out`: files
/// byte-identical to a single run. Returns the merged manifest (shard
/// 0/1), which is also written to `out/run.json` with `merged_from`.
pub fn merge(dirs: &[PathBuf], out: &Path) -> Result<Manifest, MergeError> {
    if dirs.is_empty() {
        return Err(MergeError::Empty);
    }
    let mut shards: Vec<(Manifest, PathBuf)> = Vec::with_capacity(dirs.len());
    for d in dirs {
        let m = verify(d)?;
        if let Some((first, fd)) = shards.first() {
            same_sweep(first, &fd.display().to_string(), &m, &d.display().to_string())?;
        }
        if let Some((_, other)) = shards.iter().find(|(x, _)| x.shard.k == m.shard.k) {
            return Err(MergeError::Duplicate {
                k: m.shard.k,
                n: m.shard.n,
                a_dir: other.display().to_string(),
                b_dir: d.display().to_string(),
            });
        }
        shards.push((m, d.clone()));
    }
    let n = shards[0].0.shard.n;
    let missing: Vec<u64> = (0..n)
        .filter(|k| !shards.iter().any(|(m, _)| m.shard.k == *k))
        .collect();
    if !missing.is_empty() {
        return Err(MergeError::Missing { missing, n });
    }
    shards.sort_by_key(|(m, _)| m.shard.k);
    // Every shard's trials.parquet must open, with the same columns,
    // before anything is written.
    let parquet = match shards[0].0.format.parquet() {
        true => Some(open_parquet_shards(&shards)?),
        false => None,
    };
    super::ensure_dir(out)?;
    let old = out.join("run.json");
    if old.exists() {
        std::fs::remove_file(&old).map_err(|e| OutputError::io(&old, e))?;
    }
    let first = &shards[0].1;
    // Every file is written under a temporary name and renamed into place
    // only when all are complete: a shard that fails to read midway
    // leaves nothing behind.
    let mut done: Vec<(&str, AtomicFile, BufWriter<File>)> = Vec::new();
    let mut merged_pq = None;
    for f in DATA_FILES {
        if !shards[0].0.files.contains_key(f) {
            continue;
        }
        if f == "trials.parquet" {
            let files = parquet.as_ref().expect("opened above");
            let mut w = ParquetWriter::create(&out.join(f), files[0].root(), files[0].specs().to_vec())?;
            for pf in files {
                pf.copy_into(&mut w, u64::MAX)?;
            }
            merged_pq = Some(w);
            continue;
        }
        let (guard, mut w) = AtomicFile::create(&out.join(f))?;
        if f == "design.csv" {
            copy_from(&first.join(f), &mut w, false)?;
        } else {
            let header = f != "Y.txt";
            for (k, (_, d)) in shards.iter().enumerate() {
                copy_from(&d.join(f), &mut w, header && k > 0)?;
            }
        }
        done.push((f, guard, w));
    }
    let mut files = BTreeMap::new();
    for (f, guard, w) in done {
        let dest = guard.commit(w)?;
        files.insert(f.to_string(), sha256_file(&dest)?);
    }
    if let Some(w) = merged_pq {
        let dest = w.commit()?;
        files.insert("trials.parquet".to_string(), sha256_file(&dest)?);
    }
    let mut m = shards[0].0.clone();
    m.shard = Shard::WHOLE;
    m.shard_points = [0, m.points];
    m.files = files;
    let extra = serde_json::json!({
        "merged_from": shards.iter().map(|(_, d)| d.display().to_string()).collect::<Vec<_>>(),
    });
    write_manifest(out, &m, extra)?;
    Ok(m)
}

/// Opens each shard's `trials.parquet` and checks that its columns are
/// the first shard's and that its rows are the shard's points times the
/// trials per point.
fn open_parquet_shards(shards: &[(Manifest, PathBuf)]) -> Result<Vec<ParquetFile>, MergeError> {
    let mut files: Vec<ParquetFile> = Vec::with_capacity(shards.len());
    for (m, d) in shards {
        let path = d.join("trials.parquet");
        let f = ParquetFile::open(&path)?;
        let [a, b] = m.shard_points;
        let want = (b.saturating_sub(a) as u64).saturating_mul(m.trials);
        if f.rows() != want {
            return Err(ParquetReadError {
                path: path.display().to_string(),
                what: format!(
                    "{} rows, expected {want} ({} points x {} trials)",
                    f.rows(),
                    b.saturating_sub(a),
                    m.trials
                ),
            }
            .into());
        }
        if let Some(f0) = files.first()
            && f0.specs() != f.specs()
        {
            return Err(ParquetReadError {
                path: path.display().to_string(),
                what: format!(
                    "its columns ({}) differ from those of `{}` ({})",
                    super::parquet::describe(f.specs()),
                    shards[0].1.join("trials.parquet").display(),
                    super::parquet::describe(f0.specs())
                ),
            }
            .into());
        }
        files.push(f);
    }
    Ok(files)
}

/// Appends `src` to `w`, without its first line when `skip_header`.
fn copy_from(src: &Path, w: &mut BufWriter<File>, skip_header: bool) -> Result<(), OutputError> {
    let f = File::open(src).map_err(|e| OutputError::io(src, e))?;
    let mut r = BufReader::with_capacity(1 << 16, f);
    if skip_header {
        let mut line = Vec::new();
        r.read_until(b'\n', &mut line).map_err(|e| OutputError::io(src, e))?;
    }
    std::io::copy(&mut r, w).map_err(|e| OutputError::io(src, e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hash streamed beside the writes is the file's: a header read
    /// back, then rows in pieces of every size across many batches; and
    /// again after a checkpoint's prefix is taken back (resume).
    #[test]
    fn stream_hash_is_the_files_sha256() {
        let dir = tempfile::tempdir().expect("tempdir");
        let l = crate::scenario::parse_builtin("us_iraq_2024", &[]).expect("flagship");
        let layout = MetricLayout::new(&l.scenario);
        let outcomes: Vec<String> = l.scenario.outcome_names().iter().map(|x| x.to_string()).collect();
        let prefix = vec!["point".to_string()];
        let mut t = TrialsWriter::create(dir.path(), &prefix, outcomes.clone(), &layout).expect("create");
        let mut h = StreamHash::start(&mut t).expect("start").expect("a thread");
        let mut x = 0x9e37_79b9_u32;
        let mut kept = 0;
        for k in 0..3_000usize {
            let piece: Vec<u8> = (0..k % 301)
                .map(|_| {
                    x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                    b'0' + (x >> 28) as u8 % 10
                })
                .collect();
            t.rendered(&piece).expect("write");
            h.update(&piece);
            if k == 1_000 {
                kept = t.flushed_len().expect("len");
            }
        }
        let streamed = h.finish().expect("hashed");
        t.flushed_len().expect("flush");
        let tmp = t.tmp().to_path_buf();
        assert_eq!(streamed, sha256_file(&tmp).expect("hash"));
        // A checkpoint keeps the first `kept` bytes; resumed, the hash
        // starts from them and goes on.
        let keep = dir.path().join("kept");
        t.keep(kept, &keep).expect("keep");
        let mut t = TrialsWriter::reopen(dir.path(), &keep, kept, outcomes, &layout).expect("reopen");
        let mut h = StreamHash::start(&mut t).expect("start").expect("a thread");
        t.rendered(b"1,2,3\n").expect("write");
        h.update(b"1,2,3\n");
        let streamed = h.finish().expect("hashed");
        let path = t.commit().expect("commit");
        assert_eq!(streamed, sha256_file(&path).expect("hash"));
    }
}

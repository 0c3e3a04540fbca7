//! Writing a run's files: `trials.csv`, `summary.csv`, `timeline.csv`,
//! `run.json` (`docs/outputs.md` documents every column).
//!
//! Every file is written under a temporary name in the output directory
//! and renamed into place only when complete ([`AtomicFile`]), so a run
//! that fails or is interrupted leaves nothing that looks complete.
//! Numbers are formatted deterministically (Rust's shortest round-trip
//! form), so equal results give byte-identical files.

pub mod limits;
pub mod parquet;
pub mod report;
pub mod sensitivity;
pub mod summary;
pub mod sweep;
pub mod timeline;

pub use summary::Summary;

use crate::engine::metrics::status_name;
use crate::engine::{MetricKind, MetricLayout, TrialResult};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Errors writing output.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum OutputError {
    /// The output directory could not be created or written.
    #[error("cannot write to `{path}`")]
    #[diagnostic(
        code(brink::output),
        help("choose another directory with --out, or check its permissions and free space")
    )]
    Io {
        /// The file or directory.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// Writing was interrupted (SIGINT or SIGTERM); the file was removed.
    #[error("interrupted while writing `{path}`; it was not completed")]
    #[diagnostic(
        code(brink::interrupted),
        help("run the same command again: runs are deterministic, so it gives the same files")
    )]
    Interrupted {
        /// The file.
        path: String,
    },
    /// A CSV record could not be written.
    #[error("cannot write CSV `{path}`")]
    #[diagnostic(code(brink::output))]
    Csv {
        /// The file.
        path: String,
        /// The cause.
        #[source]
        source: csv::Error,
    },
}

impl OutputError {
    /// Wraps an I/O error with its path.
    pub fn io(path: &Path, source: std::io::Error) -> OutputError {
        OutputError::Io {
            path: path.display().to_string(),
            source,
        }
    }
}

/// A file written under a temporary name and renamed into place by
/// [`AtomicFile::commit`]; dropped uncommitted, the temporary is removed.
pub struct AtomicFile {
    tmp: PathBuf,
    dest: PathBuf,
    committed: bool,
}

impl AtomicFile {
    /// Creates `dest`'s temporary sibling (`.NAME.tmp-HOST-PID`) and returns the
    /// guard with a buffered writer to it.
    pub fn create(dest: &Path) -> Result<(AtomicFile, BufWriter<File>), OutputError> {
        let tmp = tmp_name(dest);
        let f = File::create(&tmp).map_err(|e| OutputError::io(&tmp, e))?;
        let guard = AtomicFile {
            tmp,
            dest: dest.to_path_buf(),
            committed: false,
        };
        Ok((guard, BufWriter::with_capacity(1 << 16, f)))
    }

    /// Flushes and syncs `w`, then renames the file into place.
    pub fn commit(mut self, mut w: BufWriter<File>) -> Result<PathBuf, OutputError> {
        w.flush().map_err(|e| OutputError::io(&self.tmp, e))?;
        let f = w.into_inner().map_err(|e| OutputError::io(&self.tmp, e.into_error()))?;
        f.sync_all().map_err(|e| OutputError::io(&self.tmp, e))?;
        drop(f);
        std::fs::rename(&self.tmp, &self.dest).map_err(|e| OutputError::io(&self.dest, e))?;
        self.committed = true;
        Ok(self.dest.clone())
    }

    /// Where the file will land.
    pub fn dest(&self) -> &Path {
        &self.dest
    }

    /// The temporary being written (to read back what was flushed).
    pub fn tmp(&self) -> &Path {
        &self.tmp
    }

    /// Keeps the first `len` bytes written (a checkpoint of an interrupted
    /// sweep) under the name `keep` instead of removing them.
    pub fn keep(mut self, w: BufWriter<File>, len: u64, keep: &Path) -> Result<(), OutputError> {
        let f = w.into_inner().map_err(|e| OutputError::io(&self.tmp, e.into_error()))?;
        f.set_len(len).map_err(|e| OutputError::io(&self.tmp, e))?;
        f.sync_all().map_err(|e| OutputError::io(&self.tmp, e))?;
        drop(f);
        std::fs::rename(&self.tmp, keep).map_err(|e| OutputError::io(keep, e))?;
        self.committed = true;
        Ok(())
    }

    /// Takes a file kept by [`AtomicFile::keep`] back as the temporary of
    /// `dest`, cut to `len` bytes, for appending.
    pub fn reopen(dest: &Path, kept: &Path, len: u64) -> Result<(AtomicFile, BufWriter<File>), OutputError> {
        let tmp = tmp_name(dest);
        std::fs::rename(kept, &tmp).map_err(|e| OutputError::io(kept, e))?;
        let guard = AtomicFile {
            tmp,
            dest: dest.to_path_buf(),
            committed: false,
        };
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .open(&guard.tmp)
            .map_err(|e| OutputError::io(&guard.tmp, e))?;
        let have = f.metadata().map_err(|e| OutputError::io(&guard.tmp, e))?.len();
        if have < len {
            return Err(OutputError::io(
                kept,
                std::io::Error::other(format!("checkpoint holds {have} bytes, expected at least {len}")),
            ));
        }
        f.set_len(len).map_err(|e| OutputError::io(&guard.tmp, e))?;
        use std::io::Seek as _;
        f.seek(std::io::SeekFrom::End(0))
            .map_err(|e| OutputError::io(&guard.tmp, e))?;
        Ok((guard, BufWriter::with_capacity(1 << 16, f)))
    }
}

/// `dest`'s temporary sibling: `.NAME.tmp-HOST-PID` (the host, so that
/// processes on several machines sharing a directory tell theirs apart).
fn tmp_name(dest: &Path) -> PathBuf {
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    dest.with_file_name(format!(".{name}.tmp-{}-{}", hostname(), std::process::id()))
}

/// This machine's host name (`localhost` where it cannot be read), with
/// `/` replaced so it fits in a file name.
pub fn hostname() -> &'static str {
    static HOST: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HOST.get_or_init(|| {
        #[cfg(unix)]
        {
            let mut buf = [0u8; 256];
            // SAFETY: the buffer is writable for its whole length.
            let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
            if rc == 0 {
                let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
                let h = String::from_utf8_lossy(&buf[..end]).replace('/', "_");
                if !h.is_empty() {
                    return h;
                }
            }
        }
        "localhost".to_string()
    })
}

/// Bytes written to `w` so far, after flushing it.
pub fn flushed_len(w: &mut BufWriter<File>, path: &Path) -> Result<u64, OutputError> {
    w.flush().map_err(|e| OutputError::io(path, e))?;
    Ok(w.get_ref().metadata().map_err(|e| OutputError::io(path, e))?.len())
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Writes a whole small file atomically.
pub fn write_atomic(dest: &Path, bytes: &[u8]) -> Result<PathBuf, OutputError> {
    let (guard, mut w) = AtomicFile::create(dest)?;
    w.write_all(bytes).map_err(|e| OutputError::io(dest, e))?;
    guard.commit(w)
}

/// A CSV writer whose file lands only when committed.
pub struct CsvFile {
    guard: AtomicFile,
    csv: csv::Writer<BufWriter<File>>,
}

impl CsvFile {
    /// Opens `dest` for writing under a temporary name.
    pub fn create(dest: &Path) -> Result<CsvFile, OutputError> {
        let (guard, w) = AtomicFile::create(dest)?;
        let csv = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(w);
        Ok(CsvFile { guard, csv })
    }

    /// Takes a kept checkpoint back (see [`AtomicFile::reopen`]); writes
    /// no header.
    pub fn reopen(dest: &Path, kept: &Path, len: u64) -> Result<CsvFile, OutputError> {
        let (guard, w) = AtomicFile::reopen(dest, kept, len)?;
        let csv = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .has_headers(false)
            .from_writer(w);
        Ok(CsvFile { guard, csv })
    }

    /// Bytes written so far, after flushing.
    pub fn flushed_len(&mut self) -> Result<u64, OutputError> {
        let dest = self.guard.dest().to_path_buf();
        self.csv.flush().map_err(|e| OutputError::io(&dest, e))?;
        Ok(self
            .csv
            .get_ref()
            .get_ref()
            .metadata()
            .map_err(|e| OutputError::io(&dest, e))?
            .len())
    }

    /// Keeps the first `len` bytes under `keep` (see [`AtomicFile::keep`]).
    pub fn keep(self, len: u64, keep: &Path) -> Result<(), OutputError> {
        let dest = self.guard.dest().to_path_buf();
        let w = self
            .csv
            .into_inner()
            .map_err(|e| OutputError::io(&dest, e.into_error()))?;
        self.guard.keep(w, len, keep)
    }

    fn err(&self, e: csv::Error) -> OutputError {
        OutputError::Csv {
            path: self.guard.dest().display().to_string(),
            source: e,
        }
    }

    /// Writes one field of the current record.
    #[inline]
    pub fn field(&mut self, f: &str) -> Result<(), OutputError> {
        self.csv.write_field(f).map_err(|e| self.err(e))
    }

    /// Ends the current record.
    #[inline]
    pub fn end(&mut self) -> Result<(), OutputError> {
        self.csv.write_record(None::<&[u8]>).map_err(|e| self.err(e))
    }

    /// Writes a whole record.
    pub fn record<I, T>(&mut self, rec: I) -> Result<(), OutputError>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        self.csv.write_record(rec).map_err(|e| self.err(e))
    }

    /// Flushes and renames into place.
    pub fn commit(self) -> Result<PathBuf, OutputError> {
        let dest = self.guard.dest().to_path_buf();
        let w = self
            .csv
            .into_inner()
            .map_err(|e| OutputError::io(&dest, e.into_error()))?;
        self.guard.commit(w)
    }
}

/// Removes temporaries (`.NAME.tmp-HOST-PID`) in `dir` left by brink
/// processes of this host that no longer exist (killed with SIGKILL, or
/// by a power cut); returns how many. Those of live processes, and any of
/// another host, are left alone.
pub fn remove_dead_temporaries(dir: &Path) -> usize {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut n = 0;
    for e in rd.filter_map(Result::ok) {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .starts_with('.')
            .then(|| name.rsplit_once(".tmp-"))
            .flatten()
            .and_then(|(_, tag)| tag.rsplit_once('-'))
            .filter(|(host, _)| *host == hostname())
            .and_then(|(_, pid)| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !process_alive(pid) && std::fs::remove_file(e.path()).is_ok() {
            n += 1;
        }
    }
    n
}

/// Whether process `pid` exists (signal 0: no signal is sent).
fn process_alive(pid: u32) -> bool {
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return false;
        };
        // SAFETY: kill with signal 0 only checks that the process exists.
        let rc = unsafe { libc::kill(pid, 0) };
        rc == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

/// Removes `path` if it exists (a manifest about to go stale).
pub fn remove_stale(path: &Path) -> Result<(), OutputError> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(OutputError::io(path, e)),
        _ => Ok(()),
    }
}

/// The provenance of a run, as `run.json` records it: version, command,
/// scenario (files and SHA-256), overrides, seed, trials, threads, RNG,
/// calendar, outcomes and timing. `started` is when loading began,
/// `trials_seconds` how long the trials took.
pub fn run_meta(
    l: &crate::scenario::Loaded,
    command: serde_json::Value,
    seed: u64,
    trials: u64,
    threads: usize,
    started: std::time::Instant,
    trials_seconds: f64,
) -> serde_json::Value {
    let s = &l.scenario;
    serde_json::json!({
        "brink_version": env!("CARGO_PKG_VERSION"),
        "command": command,
        "scenario": {
            "name": s.name,
            "file": l.sources[0].name,
            "sources": l.sources.iter().map(|x| x.name.clone()).collect::<Vec<_>>(),
            "sha256": l.hash(),
        },
        "overrides": l.overrides.iter().map(|o| o.arg.clone()).collect::<Vec<_>>(),
        "seed": seed,
        "trials": trials,
        "threads": threads,
        "rng": "ChaCha8, trial i on stream i of seed_from_u64(seed)",
        "start_date": s.start_date.map(|d| d.to_string()),
        "step_unit": format!("{:?}", s.step_unit).to_lowercase(),
        "horizon": s.horizon,
        "outcomes": s.outcome_names(),
        "parameters": parameters_meta(s),
        "timing": {
            "trials_seconds": trials_seconds,
            "total_seconds": started.elapsed().as_secs_f64(),
            "trials_per_second": trials as f64 / trials_seconds.max(1e-9),
        },
    })
}

/// `run.json`'s record of the distributions drawn per trial: each path
/// with its distribution as written (the `--set` spelling, which reads
/// back) and its summary (for a level drawn among ids, `codes`: the
/// integer each id is written as in the parameter column); how trial
/// `i`'s draw is made. Empty for a point run.
fn parameters_meta(s: &crate::model::Scenario) -> serde_json::Value {
    let u = &s.uncertainty;
    let Some(set) = &u.set else {
        return serde_json::json!({ "draws": [], "trials_per_draw": 1 });
    };
    let num = |x: f64| {
        if x.is_finite() {
            serde_json::json!(x)
        } else {
            serde_json::Value::Null
        }
    };
    let list: Vec<serde_json::Value> = set
        .paths()
        .iter()
        .zip(set.dists())
        .map(|(p, d)| {
            let m = d.summary();
            let mut v = serde_json::json!({
                "path": p,
                "distribution": d.to_string(),
                "family": d.family().name(),
                "mean": num(m.mean),
                "median": num(m.median),
                "p5": num(m.p5),
                "p95": num(m.p95),
            });
            // A drawn level's column holds an integer code: the level's
            // index among the scenario's levels; its id is listed here.
            if let Some(codes) = d.codes() {
                v["codes"] = codes
                    .into_iter()
                    .map(|(k, id)| (k.to_string(), serde_json::Value::String(id)))
                    .collect::<serde_json::Map<_, _>>()
                    .into();
            }
            v
        })
        .collect();
    serde_json::json!({
        "draws": list,
        "trials_per_draw": u.per_draw,
        "rng": "ChaCha8 keyed by SHA-256(\"brink/param/v1\" || seed), stream = trial / trials_per_draw, each path at its own word offset",
        // calib (issue 16): the posterior the calibrated paths were resampled from
        "posterior": u.posterior.as_ref().map(|p| serde_json::json!({
            "file": p.file,
            "sha256": p.sha256,
            "paths": p.index.iter().map(|&i| set.paths()[i].clone()).collect::<Vec<_>>(),
            "particles": p.len(),
            "method": "multinomial resampling of the weighted particles (no kernel), from the draw's parameter stream at the word offset of `@posterior`",
        })),
    })
}

/// Creates `dir` and its parents if needed.
pub fn ensure_dir(dir: &Path) -> Result<(), OutputError> {
    std::fs::create_dir_all(dir).map_err(|e| OutputError::io(dir, e))
}

/// Formats one metric value for CSV: empty for missing, whole numbers
/// without a decimal point, reals in shortest round-trip form.
pub fn fmt_value(kind: MetricKind, x: f64, buf: &mut String) {
    use std::fmt::Write as _;
    buf.clear();
    if x.is_nan() {
        return;
    }
    match kind {
        MetricKind::Count | MetricKind::Step => {
            let _ = write!(buf, "{}", x as i64);
        }
        MetricKind::Status => buf.push_str(status_name(x)),
        MetricKind::Real => fmt_real(x, buf),
    }
}

pub use crate::text::fmt_real;

/// `field` as the CSV writer writes it (quoted only where needed), with
/// the separating comma after it: the exact bytes of `csv::Writer`.
pub fn csv_cell(field: &str) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    // A second field keeps a lone empty field from being quoted; it and
    // the terminator are cut off again.
    let _ = w.write_record([field, "x"]);
    let mut v = w.into_inner().unwrap_or_default();
    v.truncate(v.len().saturating_sub(2));
    v
}

/// How a `trials.csv` row is formatted: the outcome names as CSV cells
/// and the metric kinds. It depends on nothing else, so the workers
/// format rows beside the trials (a [`Render`](crate::runner::Render))
/// and the in-order writer only copies bytes.
#[derive(Debug, Clone)]
pub struct CsvRow {
    /// Each outcome's cell, comma included.
    outcomes: Vec<Vec<u8>>,
    kinds: Vec<MetricKind>,
}

impl CsvRow {
    /// The row format of these outcomes and metrics.
    pub fn new(outcomes: &[String], layout: &MetricLayout) -> CsvRow {
        CsvRow {
            outcomes: outcomes.iter().map(|o| csv_cell(o)).collect(),
            kinds: layout.kinds.clone(),
        }
    }

    /// Appends one trial's row, newline included, after the `prefix`
    /// bytes (cells from [`csv_cell`], commas included).
    pub fn write(&self, prefix: &[u8], trial: u64, r: &TrialResult, metrics: &[f64], out: &mut Vec<u8>) {
        let mut int = itoa::Buffer::new();
        let mut real = ryu::Buffer::new();
        out.extend_from_slice(prefix);
        out.extend_from_slice(int.format(trial).as_bytes());
        out.push(b',');
        out.extend_from_slice(&self.outcomes[r.outcome as usize]);
        out.extend_from_slice(int.format(r.end_step).as_bytes());
        for (k, &x) in self.kinds.iter().zip(metrics) {
            out.push(b',');
            if x.is_nan() {
                continue;
            }
            match k {
                MetricKind::Count | MetricKind::Step => out.extend_from_slice(int.format(x as i64).as_bytes()),
                MetricKind::Status => out.extend_from_slice(status_name(x).as_bytes()),
                MetricKind::Real => write_real(x, &mut real, out),
            }
        }
        out.push(b'\n');
    }
}

/// Appends `x` as [`fmt_real`] writes it (`{x}`: the shortest digits that
/// read back as `x`, laid out without an exponent, `-0` as `0`), without
/// going through `core::fmt` (issue 18: a third of a row's cost was the
/// formatting machinery). The digits are ryu's (Adams 2018, "Ryū: fast
/// float-to-string conversion", PLDI), the same shortest, closest digits
/// as the standard library's Grisu/Dragon; only the layout is redone
/// (`1e-7` → `0.0000001`, `123.0` → `123`); most values need none, their
/// bytes are ryu's. A tie between two shortest candidates (ryu rounds it
/// to even, the standard library up) and the infinities go through `{x}`.
/// Tested against `format!("{x}")` on millions of doubles.
#[inline]
pub fn write_real(x: f64, buf: &mut ryu::Buffer, out: &mut Vec<u8>) {
    if !x.is_finite() {
        use std::io::Write as _;
        let _ = write!(out, "{x}");
        return;
    }
    if x == 0.0 {
        out.push(b'0');
        return;
    }
    let s = buf.format_finite(x).as_bytes();
    if !s.contains(&b'e') {
        // `ddd.ddd`, `0.00ddd` or `ddd.0`: the standard library's layout
        // but for the `.0` of a whole number.
        let s = s.strip_suffix(b".0").unwrap_or(s);
        let frac = s.iter().position(|&b| b == b'.').map_or(0, |p| s.len() - p - 1);
        if frac as i32 + 1 != exact_fraction_digits(x) {
            out.extend_from_slice(s);
            return;
        }
    }
    let (neg, s) = match s.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, s),
    };
    // Mantissa and decimal exponent: ryu writes `d.ddd`, `ddd.0`,
    // `0.000ddd` or `d.ddde±x`.
    let (mant, exp) = match s.iter().position(|&b| b == b'e') {
        Some(e) => (&s[..e], parse_exp(&s[e + 1..])),
        None => (s, 0),
    };
    let point = mant.iter().position(|&b| b == b'.').unwrap_or(mant.len());
    let mut digits = [0u8; 24];
    let mut len = 0;
    for &b in mant.iter().filter(|&&b| b != b'.') {
        digits[len] = b;
        len += 1;
    }
    // Place of the decimal point after the first digit kept.
    let mut pos = point as i32 + exp;
    let lead = digits[..len].iter().take_while(|&&b| b == b'0').count();
    pos -= lead as i32;
    let trail = digits[lead..len].iter().rev().take_while(|&&b| b == b'0').count();
    let d = &digits[lead..len - trail];
    // A tie: `x` lies exactly halfway between two shortest candidates,
    // which happens iff its exact decimal expansion (f fractional digits,
    // the last a 5) is one digit longer than the shortest. Ryu then rounds
    // to even and the standard library up; its bytes are the ones kept.
    let frac = (d.len() as i32 - pos).max(0);
    if frac + 1 == exact_fraction_digits(x) {
        use std::io::Write as _;
        let _ = write!(out, "{x}");
        return;
    }
    if neg {
        out.push(b'-');
    }
    if pos <= 0 {
        out.extend_from_slice(b"0.");
        out.extend(std::iter::repeat_n(b'0', (-pos) as usize));
        out.extend_from_slice(d);
    } else if pos as usize >= d.len() {
        out.extend_from_slice(d);
        out.extend(std::iter::repeat_n(b'0', pos as usize - d.len()));
    } else {
        out.extend_from_slice(&d[..pos as usize]);
        out.push(b'.');
        out.extend_from_slice(&d[pos as usize..]);
    }
}

/// Digits after the decimal point in the exact decimal expansion of the
/// finite, nonzero `x = M·2^E`: `-(E + trailing zero bits of M)`, or 0.
fn exact_fraction_digits(x: f64) -> i32 {
    let bits = x.to_bits();
    let (exp, frac) = (((bits >> 52) & 0x7ff) as i32, bits & ((1 << 52) - 1));
    let (m, e) = if exp == 0 {
        (frac, -1074)
    } else {
        (frac | (1 << 52), exp - 1075)
    };
    (-(e + m.trailing_zeros() as i32)).max(0)
}

/// The exponent after ryu's `e`: optional `-`, then digits.
fn parse_exp(s: &[u8]) -> i32 {
    let (neg, s) = match s.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, s),
    };
    let v = s.iter().fold(0i32, |v, &b| v * 10 + i32::from(b - b'0'));
    if neg { -v } else { v }
}

impl crate::runner::Render for CsvRow {
    #[inline]
    fn render(&self, trial: u64, r: &TrialResult, metrics: &[f64], out: &mut Vec<u8>) {
        self.write(&[], trial, r, metrics, out);
    }
}

/// Streams `trials.csv`: one row per trial, in trial order. Rows are
/// formatted by a [`CsvRow`], here or in the workers
/// ([`TrialsWriter::rendered`]).
pub struct TrialsWriter {
    guard: AtomicFile,
    w: BufWriter<File>,
    format: CsvRow,
    line: Vec<u8>,
    prefix: Vec<u8>,
}

impl TrialsWriter {
    /// Opens `dir/trials.csv` and writes the header. `prefix` names extra
    /// leading columns (a sweep's `point` and parameter paths).
    pub fn create(
        dir: &Path,
        prefix: &[String],
        outcomes: Vec<String>,
        layout: &MetricLayout,
    ) -> Result<TrialsWriter, OutputError> {
        let (guard, w) = AtomicFile::create(&dir.join("trials.csv"))?;
        let mut t = TrialsWriter::with(guard, w, &outcomes, layout);
        let mut header: Vec<&str> = prefix.iter().map(String::as_str).collect();
        header.extend(["trial", "outcome", "end_step"]);
        header.extend(layout.names.iter().map(String::as_str));
        let mut line = Vec::new();
        for h in &header {
            line.extend_from_slice(&csv_cell(h));
        }
        line.pop();
        line.push(b'\n');
        t.rendered(&line)?;
        Ok(t)
    }

    fn with(guard: AtomicFile, w: BufWriter<File>, outcomes: &[String], layout: &MetricLayout) -> TrialsWriter {
        TrialsWriter {
            guard,
            w,
            format: CsvRow::new(outcomes, layout),
            line: Vec::new(),
            prefix: Vec::new(),
        }
    }

    /// The row format, for workers that format rows themselves.
    pub fn format(&self) -> &CsvRow {
        &self.format
    }

    /// Writes one trial's row, after the prefix cells.
    pub fn row(&mut self, prefix: &[String], trial: u64, r: &TrialResult, metrics: &[f64]) -> Result<(), OutputError> {
        self.prefix.clear();
        for p in prefix {
            self.prefix.extend_from_slice(&csv_cell(p));
        }
        self.line.clear();
        self.format.write(&self.prefix, trial, r, metrics, &mut self.line);
        self.w
            .write_all(&self.line)
            .map_err(|e| OutputError::io(self.guard.dest(), e))
    }

    /// Writes a row already formatted by [`TrialsWriter::format`].
    #[inline]
    pub fn rendered(&mut self, line: &[u8]) -> Result<(), OutputError> {
        self.w
            .write_all(line)
            .map_err(|e| OutputError::io(self.guard.dest(), e))
    }

    /// Flushes and renames into place.
    pub fn commit(self) -> Result<PathBuf, OutputError> {
        self.guard.commit(self.w)
    }

    /// Takes a kept checkpoint of `dir/trials.csv` back (no header).
    pub fn reopen(
        dir: &Path,
        kept: &Path,
        len: u64,
        outcomes: Vec<String>,
        layout: &MetricLayout,
    ) -> Result<TrialsWriter, OutputError> {
        let (guard, w) = AtomicFile::reopen(&dir.join("trials.csv"), kept, len)?;
        Ok(TrialsWriter::with(guard, w, &outcomes, layout))
    }

    /// Bytes written so far, after flushing.
    pub fn flushed_len(&mut self) -> Result<u64, OutputError> {
        let dest = self.guard.dest().to_path_buf();
        flushed_len(&mut self.w, &dest)
    }

    /// Keeps the first `len` bytes under `keep`.
    pub fn keep(self, len: u64, keep: &Path) -> Result<(), OutputError> {
        self.guard.keep(self.w, len, keep)
    }

    /// The temporary being written (to read back what was flushed).
    pub fn tmp(&self) -> &Path {
        self.guard.tmp()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    fn both(x: f64, buf: &mut ryu::Buffer, out: &mut Vec<u8>, want: &mut String) {
        out.clear();
        want.clear();
        write_real(x, buf, out);
        fmt_real(x, want);
        assert_eq!(
            std::str::from_utf8(out).unwrap(),
            want.as_str(),
            "bits {:#x}",
            x.to_bits()
        );
    }

    /// `write_real` writes the bytes of `fmt_real` (`{x}`): on a million
    /// random bit patterns (every exponent), a million values of the kinds
    /// a run writes (ratios of small integers, products of decimals), and
    /// the edges (subnormals, powers of ten, the largest finite values).
    #[test]
    fn write_real_is_fmt_real() {
        let (mut buf, mut out, mut want) = (ryu::Buffer::new(), Vec::new(), String::new());
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(18);
        for _ in 0..1_000_000 {
            let x = f64::from_bits(rng.random::<u64>());
            if !x.is_nan() {
                both(x, &mut buf, &mut out, &mut want);
            }
        }
        for _ in 0..1_000_000 {
            let a = f64::from(rng.random_range(-100_000i32..100_000));
            let b = f64::from(rng.random_range(1i32..10_000));
            both(a / b, &mut buf, &mut out, &mut want);
            both(a * 0.001 * b, &mut buf, &mut out, &mut want);
            both(rng.random::<f64>(), &mut buf, &mut out, &mut want);
        }
        // Ties (exactly halfway between two shortest candidates): ryu
        // rounds them to even, the standard library up.
        for k in 0..200_000u64 {
            let big = (1u64 << 50) + k * 7_919 + (rng.random::<u64>() >> 20);
            both(big as f64 + 0.25, &mut buf, &mut out, &mut want);
            both(-(big as f64 + 0.75), &mut buf, &mut out, &mut want);
            both(
                (big >> 3) as f64 + 0.125 * (k % 8) as f64,
                &mut buf,
                &mut out,
                &mut want,
            );
        }
        let edges = [
            f64::from_bits(0x4312_d11d_bffc_fc5d),
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.1,
            0.5,
            f64::MIN_POSITIVE,
            -f64::MIN_POSITIVE,
            5e-324,
            f64::MAX,
            f64::MIN,
            f64::EPSILON,
            f64::INFINITY,
            f64::NEG_INFINITY,
            9007199254740993.0,
            123456789012345680000.0,
        ];
        for x in edges {
            both(x, &mut buf, &mut out, &mut want);
        }
        for e in -330..310 {
            for m in [1.0, 1.5, 9.999999999999999, 2.5] {
                both(m * 10f64.powi(e), &mut buf, &mut out, &mut want);
            }
        }
        out.clear();
        write_real(f64::NAN, &mut buf, &mut out);
        assert_eq!(out, b"NaN");
    }
}

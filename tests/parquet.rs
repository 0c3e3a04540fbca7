//! `--format parquet|both`: `trials.parquet` holds the values of
//! `trials.csv`, typed (nullable INT64 steps, DOUBLE reals, UTF-8
//! dictionary strings), in row groups of `ROW_GROUP` trials, and its bytes
//! do not depend on the thread count; `timeline.parquet` holds
//! `timeline.csv`'s (DATE, BOOLEAN drivers). A sweep's shards merge, and an
//! interrupted sweep resumes, to the bytes of one uninterrupted run; the
//! report reads a Parquet-only run as it reads CSV; a garbled Parquet file
//! gets a clear error and nothing half-written.
//!
//! pandas and polars read it back in `ci/parquet_roundtrip.py` (run by
//! `ci/report.sh`).

use assert_cmd::Command;
use brink::output::parquet::{ColType, ParquetFile, ROW_GROUP, Values, epoch_days};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;
use std::path::Path;

fn brink() -> Command {
    let mut c = Command::cargo_bin("brink").expect("binary built");
    c.env("NO_COLOR", "1");
    c
}

fn run(dir: &Path, format: &str, threads: &str, trials: &str) {
    brink()
        .args(["run", "--quiet", "--set", "scenario.horizon=20", "--trials", trials])
        .args(["--seed", "9", "--format", format, "--threads", threads, "--out"])
        .arg(dir)
        .assert()
        .success();
}

#[test]
fn parquet_holds_the_csvs_values_with_types() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("both");
    run(&dir, "both", "2", "2000");
    let reader =
        SerializedFileReader::new(std::fs::File::open(dir.join("trials.parquet")).expect("open")).expect("parquet");
    let md = reader.metadata();
    assert_eq!(md.file_metadata().num_rows(), 2000);
    assert_eq!(
        md.file_metadata().created_by(),
        Some(format!("brink {}", brink::VERSION).as_str())
    );
    let mut csv = csv::Reader::from_path(dir.join("trials.csv")).expect("trials.csv");
    let header: Vec<String> = csv.headers().expect("header").iter().map(str::to_string).collect();
    let schema = md.file_metadata().schema_descr();
    let names: Vec<String> = (0..schema.num_columns())
        .map(|i| schema.column(i).name().to_string())
        .collect();
    assert_eq!(names, header);
    let mut nulls = 0;
    let mut rows = reader.get_row_iter(None).expect("rows");
    for rec in csv.records() {
        let rec = rec.expect("record");
        let row = rows.next().expect("as many rows").expect("row");
        for ((name, field), cell) in row.get_column_iter().zip(rec.iter()) {
            match field {
                Field::Null => {
                    assert_eq!(cell, "", "{name}: null only where the CSV cell is empty");
                    nulls += 1;
                }
                Field::Long(v) => assert_eq!(v.to_string(), cell, "{name}"),
                Field::Double(v) => assert_eq!(cell.parse::<f64>().expect("a number"), *v, "{name}"),
                Field::Str(s) => assert_eq!(s, cell, "{name}"),
                other => panic!("{name}: unexpected type {other:?}"),
            }
        }
    }
    assert!(rows.next().is_none());
    assert!(nulls > 0, "some step never came");
    // Steps are nullable INT64; the outcome is dictionary-encoded.
    let col = |n: &str| names.iter().position(|c| c == n).expect("column");
    let first_death = schema.column(col("first_death_step_us"));
    assert_eq!(first_death.physical_type(), parquet::basic::Type::INT64);
    assert_eq!(first_death.max_def_level(), 1, "nullable");
    let enc = md.row_group(0).column(col("outcome")).encodings().collect::<Vec<_>>();
    assert!(enc.iter().any(|e| format!("{e:?}").contains("DICTIONARY")), "{enc:?}");
}

#[test]
fn parquet_bytes_do_not_depend_on_threads_and_stream_in_row_groups() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let trials = (2 * ROW_GROUP + 123).to_string();
    let one = tmp.path().join("one");
    let two = tmp.path().join("two");
    run(&one, "parquet", "1", &trials);
    run(&two, "parquet", "2", &trials);
    let a = std::fs::read(one.join("trials.parquet")).expect("one");
    let b = std::fs::read(two.join("trials.parquet")).expect("two");
    assert!(a == b, "trials.parquet differs between 1 and 2 threads");
    assert!(!one.join("trials.csv").exists(), "--format parquet writes no CSV");
    assert_eq!(&a[..4], b"PAR1");
    assert_eq!(&a[a.len() - 4..], b"PAR1");
    let reader =
        SerializedFileReader::new(std::fs::File::open(one.join("trials.parquet")).expect("open")).expect("parquet");
    let groups: Vec<i64> = reader.metadata().row_groups().iter().map(|g| g.num_rows()).collect();
    let full = ROW_GROUP as i64;
    assert_eq!(groups, vec![full, full, 123]);
}

#[test]
fn both_writes_the_same_csv_as_csv() {
    let tmp = tempfile::tempdir().expect("tempdir");
    run(&tmp.path().join("csv"), "csv", "2", "500");
    run(&tmp.path().join("both"), "both", "2", "500");
    for f in ["trials.csv", "summary.csv"] {
        assert_eq!(
            std::fs::read(tmp.path().join("csv").join(f)).expect("csv"),
            std::fs::read(tmp.path().join("both").join(f)).expect("both"),
            "{f}"
        );
    }
}

/// A flagship sweep over 3 points, short horizon, in `format`.
fn sweep(dir: &Path, format: &str, trials: &str, extra: &[&str]) {
    brink()
        .args(["sweep", "--quiet", "--set", "scenario.horizon=20", "--trials", trials])
        .args(["--grid", "dyads.us_kh.response.proportionality=0.75,1,1.3"])
        .args(["--seed", "5", "--format", format])
        .args(extra)
        .arg("--out")
        .arg(dir)
        .assert()
        .success();
}

fn bytes(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn sweep_shards_merge_to_the_parquet_of_one_run_whatever_the_threads() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = |n: &str| tmp.path().join(n);
    // 3 points x 30,000 trials: row groups of 65,536 rows span points and
    // shards (shard 0/2 holds point 0, shard 1/2 points 1 and 2).
    let trials = "30000";
    sweep(&d("one"), "both", trials, &["--threads", "1"]);
    sweep(&d("two"), "parquet", trials, &["--threads", "2"]);
    assert!(bytes(&d("one").join("trials.parquet")) == bytes(&d("two").join("trials.parquet")));
    assert!(!d("two").join("trials.csv").exists());
    for k in 0..2 {
        let shard = format!("{k}/2");
        sweep(
            &d(&format!("s{k}")),
            "both",
            trials,
            &["--shard", &shard, "--threads", "2"],
        );
    }
    brink()
        .args(["merge", "--quiet"])
        .arg(d("s1"))
        .arg(d("s0"))
        .arg("--out")
        .arg(d("merged"))
        .assert()
        .success();
    for f in ["trials.parquet", "trials.csv", "summary.csv", "design.csv"] {
        assert!(
            bytes(&d("one").join(f)) == bytes(&d("merged").join(f)),
            "{f} differs after merge"
        );
    }
    let f = ParquetFile::open(&d("merged").join("trials.parquet")).expect("parquet");
    assert_eq!(f.rows(), 90_000);
    assert_eq!(f.row_groups(), 2);
    assert_eq!(f.specs()[0].name, "point");
    assert_eq!(f.specs()[0].ty, ColType::Int);
    assert_eq!(f.specs()[1].name, "dyads.us_kh.response.proportionality");
    assert_eq!(f.specs()[1].ty, ColType::Real);
    // The prefix columns hold each point's index and value.
    let ch = f.read_group(0, &[0, 1]).expect("row group 0");
    let (Values::Int(p), Values::Real(x)) = (&ch[0].values, &ch[1].values) else {
        panic!("types")
    };
    assert_eq!((p[29_999], x[29_999]), (0, 0.75), "the last trial of point 0");
    assert_eq!((p[30_000], x[30_000]), (1, 1.0), "the first of point 1");
    let ch = f.read_group(1, &[0, 1]).expect("row group 1");
    let (Values::Int(p), Values::Real(x)) = (&ch[0].values, &ch[1].values) else {
        panic!("types")
    };
    assert_eq!((p[0], x[0]), (2, 1.3), "row 65,536 is point 2's");
    // The merged manifest records the format; a csv shard does not merge
    // with a parquet one.
    let m: serde_json::Value = serde_json::from_slice(&bytes(&d("merged").join("run.json"))).expect("json");
    assert_eq!(m["format"], "both");
    sweep(&d("c1"), "csv", trials, &["--shard", "1/2"]);
    let out = brink()
        .args(["merge"])
        .arg(d("s0"))
        .arg(d("c1"))
        .arg("--out")
        .arg(d("mixed"))
        .assert()
        .failure();
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        err.contains("trial files (--format)") && err.contains("both") && err.contains("csv"),
        "{err}"
    );
}

#[test]
fn an_interrupted_parquet_sweep_resumes_to_the_bytes_of_an_uninterrupted_one() {
    use std::process::Stdio;
    use std::time::{Duration, Instant};
    let tmp = tempfile::tempdir().expect("tempdir");
    let whole = tmp.path().join("whole");
    let args = |dir: &Path| {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_brink"));
        c.args(["sweep", "--quiet", "--set", "scenario.horizon=60", "--trials", "30000"])
            .args(["--grid", "dyads.us_kh.response.proportionality=0.75,1,1.3,1.6"])
            .args(["--seed", "5", "--format", "both", "--threads", "1", "--out"])
            .arg(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        c
    };
    assert!(args(&whole).status().expect("run").success());
    let dir = tmp.path().join("int");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let child = args(&dir).spawn().expect("spawn");
    // SIGINT once a point is complete (summary.csv's temporary holds rows
    // of point 0) and a few thousand trials of point 1 are written.
    let started = Instant::now();
    loop {
        let rows = std::fs::read_dir(&dir).ok().and_then(|rd| {
            rd.filter_map(Result::ok)
                .find(|e| e.file_name().to_string_lossy().starts_with(".summary.csv.tmp"))
                .and_then(|e| std::fs::read_to_string(e.path()).ok())
                .map(|t| t.lines().count())
        });
        if rows.is_some_and(|n| n >= 2) {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(120), "no point completed");
        std::thread::sleep(Duration::from_millis(5));
    }
    std::thread::sleep(Duration::from_millis(300));
    // SAFETY: our own child.
    assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) }, 0);
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(130), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        dir.join(".trials.parquet.partial").exists(),
        "the Parquet rows are kept"
    );
    let partial: serde_json::Value =
        serde_json::from_slice(&bytes(&dir.join(".sweep-partial.json"))).expect("checkpoint");
    let rows = partial["rows"].as_u64().expect("rows");
    assert_eq!(rows % 30_000, 0, "the cut is at a point's end");
    assert!(rows > 0, "point 0 is kept");
    let mut resume = args(&dir);
    resume.arg("--resume");
    let out = resume.output().expect("resume");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for f in ["trials.parquet", "trials.csv", "summary.csv"] {
        assert!(
            bytes(&whole.join(f)) == bytes(&dir.join(f)),
            "{f} differs after SIGINT and --resume"
        );
    }
    assert!(!dir.join(".trials.parquet.partial").exists());
}

#[test]
fn timeline_parquet_holds_the_timeline_csvs_values_with_types() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("tl");
    brink()
        .args([
            "run",
            "--quiet",
            "--set",
            "scenario.horizon=90",
            "--trials",
            "300",
            "--timeline",
            "60",
        ])
        .args(["--seed", "2", "--format", "both", "--out"])
        .arg(&dir)
        .assert()
        .success();
    let f = ParquetFile::open(&dir.join("timeline.parquet")).expect("timeline.parquet");
    let mut csv = csv::Reader::from_path(dir.join("timeline.csv")).expect("timeline.csv");
    let header: Vec<String> = csv.headers().expect("header").iter().map(str::to_string).collect();
    let names: Vec<String> = f.specs().iter().map(|c| c.name.clone()).collect();
    assert_eq!(names, header);
    let ty = |n: &str| f.specs()[names.iter().position(|c| c == n).expect(n)].ty;
    assert_eq!(ty("date"), ColType::Date);
    assert_eq!(ty("step"), ColType::Int);
    assert_eq!(ty("talks_hmc_status"), ColType::Text);
    assert!(names.iter().any(|n| n.starts_with("driver_") && ty(n) == ColType::Bool));
    assert!(f.specs().iter().all(|c| !c.optional), "no timeline cell is null");
    let mut records = csv.records();
    let mut rows = 0u64;
    for g in 0..f.row_groups() {
        let ch = f.read_all(g).expect("row group");
        let n = match &ch[0].values {
            Values::Int(v) => v.len(),
            _ => panic!("trial is INT64"),
        };
        for r in 0..n {
            let rec = records.next().expect("as many rows").expect("record");
            for ((c, name), cell) in ch.iter().zip(&names).zip(rec.iter()) {
                let ok = match &c.values {
                    Values::Int(v) => v[r].to_string() == cell,
                    Values::Real(v) => cell.parse::<f64>().expect("a number") == v[r],
                    Values::Text(v) => v[r].data() == cell.as_bytes(),
                    Values::Bool(v) => (if v[r] { "1" } else { "0" }) == cell,
                    Values::Date(v) => epoch_days(brink::date::Date::parse(cell).expect("a date")) == v[r],
                };
                assert!(ok, "row {rows}, {name}: csv `{cell}`");
            }
            rows += 1;
        }
    }
    assert!(records.next().is_none());
    assert_eq!(rows, f.rows());
    assert!(rows > 60, "one row per step of each of 60 trials");
}

/// The page without its provenance section and with file names made
/// alike, for comparing a Parquet run's report with a CSV run's.
fn body(html: &str) -> String {
    let cut = html.find("id=\"provenance\"").expect("a provenance section");
    html[..cut].replace(".parquet", ".csv").replace(">pq<", ">cs<")
}

#[test]
fn report_reads_a_parquet_only_run_as_it_reads_csv() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let go = |name: &str, format: &str| {
        let dir = tmp.path().join(name);
        brink()
            .args([
                "run",
                "--quiet",
                "--set",
                "scenario.horizon=120",
                "--trials",
                "1500",
                "--timeline",
                "100",
            ])
            .args(["--seed", "6", "--format", format, "--report", "--out"])
            .arg(&dir)
            .assert()
            .success();
        std::fs::read_to_string(dir.join("report.html")).expect("report.html")
    };
    let pq = go("pq", "parquet");
    let cs = go("cs", "csv");
    assert!(!tmp.path().join("pq").join("trials.csv").exists());
    assert!(pq.contains("read from trials.parquet") && pq.contains("recorded in timeline.parquet"));
    assert!(
        pq.contains("id=\"time\"") && pq.contains("id=\"fans\""),
        "time and fan sections"
    );
    assert_eq!(body(&pq), body(&cs), "the same figures and numbers from either format");
}

#[test]
fn garbled_parquet_gets_a_clear_error_and_nothing_half_written() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = |n: &str| tmp.path().join(n);
    for k in 0..2 {
        let shard = format!("{k}/2");
        sweep(&d(&format!("s{k}")), "parquet", "200", &["--shard", &shard]);
    }
    // Shard 1's trials.parquet cut short, its manifest's hash updated so
    // that only the Parquet reader can notice.
    let pq = d("s1").join("trials.parquet");
    let b = bytes(&pq);
    for (what, garbled) in [
        ("cut short", b[..b.len() / 2].to_vec()),
        ("not parquet", b"trial,outcome\n0,agreement\n".to_vec()),
        ("bad footer", {
            let mut x = b.clone();
            let n = x.len();
            x[n - 12..n - 8].copy_from_slice(&[0xff, 0xff, 0xff, 0x7f]);
            x
        }),
    ] {
        std::fs::write(&pq, &garbled).expect("write");
        let hash = brink::output::sweep::sha256_file(&pq).expect("hash");
        let mut m: serde_json::Value = serde_json::from_slice(&bytes(&d("s1").join("run.json"))).expect("json");
        m["files"]["trials.parquet"] = hash.into();
        std::fs::write(d("s1").join("run.json"), serde_json::to_vec(&m).expect("json")).expect("write");
        let out_dir = d(&format!("merged-{}", what.replace(' ', "-")));
        let out = brink()
            .args(["merge"])
            .arg(d("s0"))
            .arg(d("s1"))
            .arg("--out")
            .arg(&out_dir)
            .assert()
            .failure();
        let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        assert!(
            err.contains("trials.parquet") && err.contains("is not a Parquet file brink can read"),
            "{what}: {err}"
        );
        assert!(!err.contains("panicked"), "{what}: {err}");
        let left: Vec<_> = std::fs::read_dir(&out_dir)
            .map(|rd| rd.filter_map(Result::ok).map(|e| e.file_name()).collect())
            .unwrap_or_default();
        assert!(left.is_empty(), "{what}: merge left {left:?}");
    }
    // The report: a run whose trials.parquet is garbled.
    let run = d("run");
    brink()
        .args([
            "run",
            "--quiet",
            "--set",
            "scenario.horizon=20",
            "--trials",
            "100",
            "--format",
            "parquet",
            "--out",
        ])
        .arg(&run)
        .assert()
        .success();
    let tp = run.join("trials.parquet");
    let b = bytes(&tp);
    std::fs::write(&tp, &b[b.len() / 3..]).expect("write");
    let out = brink().arg("report").arg(&run).assert().failure();
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        err.contains("trials.parquet") && err.contains("is not a Parquet file brink can read"),
        "{err}"
    );
    assert!(!run.join("report.html").exists(), "no report from a garbled file");
}

#[test]
fn flipped_bytes_in_a_parquet_file_give_errors_not_panics() {
    // A real trials.parquet, then 300 copies each with a few bytes changed
    // (fixed seed): opening and reading every row group must return Ok or
    // Err, never panic.
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("run");
    run(&dir, "parquet", "1", "300");
    let good = bytes(&dir.join("trials.parquet"));
    let path = tmp.path().join("bad.parquet");
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        // xorshift64*: a fixed, dependency-free stream.
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_f491_4f6c_dd1d)
    };
    let (mut errors, mut oks) = (0, 0);
    for _ in 0..300 {
        let mut b = good.clone();
        for _ in 0..1 + next() % 4 {
            let i = (next() % b.len() as u64) as usize;
            b[i] = (next() & 0xff) as u8;
        }
        std::fs::write(&path, &b).expect("write");
        let res = std::panic::catch_unwind(|| match ParquetFile::open(&path) {
            Err(e) => Err(e.to_string()),
            Ok(f) => (0..f.row_groups()).try_for_each(|g| f.read_all(g).map(|_| ()).map_err(|e| e.to_string())),
        });
        match res {
            Ok(Ok(())) => oks += 1,
            Ok(Err(msg)) => {
                assert!(msg.contains("is not a Parquet file brink can read"), "{msg}");
                errors += 1;
            }
            Err(_) => panic!("reading a garbled file panicked"),
        }
    }
    assert!(errors > 0, "some flips must be caught ({oks} read fine)");
}

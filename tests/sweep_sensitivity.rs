//! `sensitivity.csv` of a sweep (issue 14): one block per point, led by the
//! point's cells; each block is the `sensitivity.csv` of a `brink run` at
//! that point (same seed, same trials per draw), so it holds only the
//! parameters the point leaves uncertain; no file when nothing is
//! uncertain; the same bytes for any thread count, for shards merged, and
//! after a checkpoint is resumed.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::{Path, PathBuf};

#[path = "support/checkpoint.rs"]
mod checkpoint;

const BIN: &str = env!("CARGO_BIN_EXE_brink");
const SENS: &str = "sensitivity.csv";
/// A path that carries a distribution in the flagship (lognormal prior):
/// swept, it is fixed at each point and must leave the blocks.
const SWEPT: &str = "dyads.kh_us.initiative.rate";

/// The flagship at 3 values of a drawn path, 60 days, 400 trials a point
/// (2 trials per draw: the nested default for 400 trials).
fn args() -> Vec<String> {
    [
        "sweep",
        "us_iraq_2024",
        "-q",
        "--grid",
        &format!("{SWEPT}=0.5,0.8,1.2"),
        "--set",
        "scenario.horizon=60",
        "--trials",
        "400",
        "--seed",
        "11",
    ]
    .map(String::from)
    .to_vec()
}

fn sweep(args: &[String], out: &Path, extra: &[&str]) {
    Command::new(BIN)
        .args(args)
        .args(extra)
        .arg("--out")
        .arg(out)
        .assert()
        .success();
}

fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("read {}: {e}", p.display()))
}

fn text(p: &Path) -> String {
    String::from_utf8(read(p)).expect("utf-8")
}

#[test]
fn each_block_is_the_run_at_its_point_without_the_swept_path() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("sweep");
    sweep(&args(), &out, &["--threads", "2"]);
    let s = text(&out.join(SENS));
    let mut lines = s.lines();
    assert_eq!(
        lines.next(),
        Some(format!("point,{SWEPT},output,parameter,index,se,raw,classes,n").as_str())
    );
    let body: Vec<&str> = lines.collect();
    for (p, v) in ["0.5", "0.8", "1.2"].iter().enumerate() {
        let run = tmp.path().join(format!("run{p}"));
        Command::new(BIN)
            .args(["run", "us_iraq_2024", "-q", "--set", "scenario.horizon=60"])
            .args(["--trials", "400", "--seed", "11", "--set"])
            .arg(format!("{SWEPT}={v}"))
            .arg("--out")
            .arg(&run)
            .assert()
            .success();
        let want = text(&run.join(SENS));
        let want: Vec<&str> = want.lines().skip(1).collect();
        assert!(!want.is_empty(), "the run at point {p} has no drivers");
        let lead = format!("{p},{v},");
        let block: Vec<&str> = body
            .iter()
            .filter(|l| l.starts_with(&lead))
            .map(|l| &l[lead.len()..])
            .collect();
        assert_eq!(block, want, "point {p}'s block is not the run's sensitivity.csv");
        assert!(
            !block.iter().any(|l| l.split(',').nth(1) == Some(SWEPT)),
            "point {p} lists the path it fixes"
        );
    }
    // Blocks in point order, nothing else.
    let points: Vec<&str> = body.iter().map(|l| l.split(',').next().expect("cell")).collect();
    let mut sorted = points.clone();
    sorted.sort();
    assert_eq!(points, sorted);
    assert_eq!(body.len() % 3, 0);
    // The manifest says the file is there.
    let m: serde_json::Value = serde_json::from_str(&text(&out.join("run.json"))).expect("json");
    assert_eq!(m["sensitivity"], true);
    assert!(m["files"][SENS].is_string());
    // The report ranks the drivers by their index, not by the point's
    // values that lead each row.
    Command::new(BIN).arg("report").arg(&out).assert().success();
    let html = text(&out.join("report.html"));
    assert!(
        html.contains("ranked by |index|"),
        "the report ranks sensitivity.csv by another column"
    );
}

#[test]
fn same_bytes_for_any_thread_count_and_for_shards_merged() {
    let tmp = tempfile::tempdir().expect("tmp");
    let one = tmp.path().join("one");
    sweep(&args(), &one, &["--threads", "1"]);
    let two = tmp.path().join("two");
    sweep(&args(), &two, &["--threads", "2"]);
    assert!(read(&one.join(SENS)) == read(&two.join(SENS)), "1 and 2 threads differ");
    let dirs: Vec<PathBuf> = (0..3).map(|k| tmp.path().join(format!("s{k}"))).collect();
    for (k, d) in dirs.iter().enumerate() {
        sweep(&args(), d, &["--threads", "2", "--shard", &format!("{k}/3")]);
        // Shard k holds point k's block only.
        let t = text(&d.join(SENS));
        assert!(t.lines().skip(1).all(|l| l.starts_with(&format!("{k},"))), "shard {k}");
    }
    let merged = tmp.path().join("merged");
    let mut shuffled = dirs.clone();
    shuffled.rotate_left(1);
    Command::new(BIN)
        .arg("merge")
        .args(&shuffled)
        .arg("--out")
        .arg(&merged)
        .assert()
        .success()
        .stderr(predicate::str::contains(SENS));
    for f in ["design.csv", "trials.csv", "summary.csv", SENS] {
        assert!(read(&one.join(f)) == read(&merged.join(f)), "{f} differs after merge");
    }
    let m: serde_json::Value = serde_json::from_str(&text(&merged.join("run.json"))).expect("json");
    assert_eq!(m["sensitivity"], true);
}

#[test]
fn nothing_uncertain_writes_no_file_and_removes_a_stale_one() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("o");
    // small.toml has no distributions; with one set, it has one.
    let base = [
        "sweep",
        "tests/data/small.toml",
        "-q",
        "--grid",
        "ladder.shot.kill=0,0.05",
        "--trials",
        "300",
    ];
    Command::new(BIN)
        .args(base)
        .args(["--set", "ladder.shot.wound=beta:a=2,b=8", "--out"])
        .arg(&out)
        .assert()
        .success();
    let s = text(&out.join(SENS));
    assert!(s.lines().skip(1).any(|l| l.contains(",ladder.shot.wound,")), "{s}");
    // Now nothing is drawn: the old file goes, run.json does not list it.
    Command::new(BIN).args(base).arg("--out").arg(&out).assert().success();
    assert!(!out.join(SENS).exists(), "stale sensitivity.csv kept");
    let m: serde_json::Value = serde_json::from_str(&text(&out.join("run.json"))).expect("json");
    assert!(m.get("sensitivity").is_none(), "{m}");
    assert!(m["files"].get(SENS).is_none());
}

#[test]
fn a_checkpoint_resumes_to_the_same_sensitivity_bytes() {
    let tmp = tempfile::tempdir().expect("tmp");
    let whole = tmp.path().join("whole");
    sweep(&args(), &whole, &[]);
    for next in [0usize, 1, 2] {
        let dir = tmp.path().join(format!("cut{next}"));
        sweep(&args(), &dir, &[]);
        checkpoint::make(&dir, next, None);
        let mut loud: Vec<String> = args().into_iter().filter(|a| a != "-q").collect();
        loud.push("--resume".into());
        Command::new(BIN)
            .args(&loud)
            .arg("--out")
            .arg(&dir)
            .assert()
            .success()
            .stderr(predicate::str::contains(format!("resuming shard 0/1 at point {next}:")));
        for f in ["design.csv", "trials.csv", "summary.csv", SENS] {
            assert!(
                read(&whole.join(f)) == read(&dir.join(f)),
                "{f} differs after resuming at {next}"
            );
        }
        assert!(!dir.join(".sweep-partial.json").exists());
    }
}

//! `brink sweep` and `brink merge` (issue 7): design sizes and ranges,
//! common random numbers, shards merged byte-for-byte, merge refusals,
//! resume after a killed shard, and the same on GNU parallel and on a
//! single-node Slurm cluster.
//!
//! The engine tests need `parallel` and `slurm-wlm` (see `ci/`). Without
//! them they print `SKIPPED: ...` to stderr and pass, unless
//! `BRINK_REQUIRE_ENGINES=1`, when they fail with what to install.

use assert_cmd::Command;
use brink::design::{Design, Range, Sample};
use predicates::prelude::*;
use std::path::{Path, PathBuf};
use std::process::Stdio;

const BIN: &str = env!("CARGO_BIN_EXE_brink");
/// Short trials: a flagship point of 150 trials over 60 days takes ms.
const FIXED: [&str; 4] = ["--set", "scenario.horizon=60", "--trials", "150"];
/// The files merge must reproduce byte for byte.
const DATA: [&str; 5] = ["design.csv", "trials.csv", "summary.csv", "Y.txt", "sensitivity.csv"];

fn lhs_args() -> Vec<String> {
    let mut v: Vec<String> = [
        "sweep",
        "us_iraq_2024",
        "--sample",
        "lhs:6",
        "--range",
        "dyads.us_kh.response.proportionality=0.5:2",
        "--range",
        "drivers.gaza_war.end_hazard=0.001:0.02",
        "--salib-y",
        "outcome:collapse",
        "--quiet",
    ]
    .map(String::from)
    .to_vec();
    v.extend(FIXED.map(String::from));
    v
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

fn assert_same_files(a: &Path, b: &Path) {
    for f in DATA {
        assert!(
            read(&a.join(f)) == read(&b.join(f)),
            "{f} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

fn csv_rows(p: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut rd = csv::Reader::from_path(p).expect("csv");
    let h = rd.headers().expect("header").iter().map(String::from).collect();
    let rows = rd
        .records()
        .map(|r| r.expect("row").iter().map(String::from).collect())
        .collect();
    (h, rows)
}

#[test]
fn design_sizes_and_ranges() {
    let ranges: Vec<Range> = (0..3)
        .map(|k| Range {
            path: format!("dyads.x{k}.rate"),
            lo: 0.1 * (k + 1) as f64,
            hi: 2.0 + k as f64,
        })
        .collect();
    let cases = [
        (Sample::Lhs(64), 64),
        (Sample::Sobol(16), 16 * (3 + 2)),
        (Sample::Morris { r: 5, levels: 4 }, 5 * (3 + 1)),
    ];
    for (kind, n) in cases {
        let d = Design::sample(kind, &ranges, 42).expect("design");
        assert_eq!(d.len(), n, "{kind:?}");
        for row in &d.points {
            for (v, r) in row.iter().zip(&ranges) {
                let x: f64 = v.parse().expect("a number");
                assert!(x >= r.lo && x <= r.hi, "{kind:?}: {x} outside {}..{}", r.lo, r.hi);
            }
        }
    }
}

#[test]
fn grid_3x3_and_lhs_64_from_the_command_line() {
    let tmp = tempfile::tempdir().expect("tmp");
    let grid = tmp.path().join("grid");
    Command::new(BIN)
        .args([
            "sweep",
            "us_iraq_2024",
            "--set",
            "scenario.horizon=30",
            "--trials",
            "20",
        ])
        .args(["--grid", "dyads.us_kh.response.proportionality=0.75,1,1.3"])
        .args(["--grid", "drivers.gaza_war.end_hazard=0.002,0.0055,0.02"])
        .arg("--out")
        .arg(&grid)
        .assert()
        .success()
        .stdout(predicate::str::contains("sweep of 9 points x 20 trials"));
    let (h, rows) = csv_rows(&grid.join("design.csv"));
    assert_eq!(
        h,
        [
            "point",
            "dyads.us_kh.response.proportionality",
            "drivers.gaza_war.end_hazard"
        ]
    );
    assert_eq!(rows.len(), 9);
    assert_eq!(rows[5], ["5", "1", "0.02"]);
    let (h, rows) = csv_rows(&grid.join("trials.csv"));
    assert_eq!(
        h[..5],
        [
            "point",
            "dyads.us_kh.response.proportionality",
            "drivers.gaza_war.end_hazard",
            "trial",
            "outcome"
        ]
    );
    assert_eq!(rows.len(), 9 * 20);
    let (h, _) = csv_rows(&grid.join("summary.csv"));
    assert_eq!(
        h[..4],
        [
            "point",
            "dyads.us_kh.response.proportionality",
            "drivers.gaza_war.end_hazard",
            "kind"
        ]
    );

    let lhs = tmp.path().join("lhs");
    Command::new(BIN)
        .args([
            "sweep",
            "us_iraq_2024",
            "--set",
            "scenario.horizon=30",
            "--trials",
            "10",
            "-q",
        ])
        .args(["--sample", "lhs:64", "--range", "tracks.hmc.progress.rate=0.004:0.02"])
        .args(["--salib-y", "outcome:coerced_exit", "--out"])
        .arg(&lhs)
        .assert()
        .success();
    let (_, rows) = csv_rows(&lhs.join("design.csv"));
    assert_eq!(rows.len(), 64);
    let y = String::from_utf8(read(&lhs.join("Y.txt"))).expect("utf8");
    assert_eq!(y.lines().count(), 64);
    for l in y.lines() {
        let p: f64 = l.parse().expect("a probability");
        assert!((0.0..=1.0).contains(&p));
    }
}

#[test]
fn zip_and_design_file() {
    let tmp = tempfile::tempdir().expect("tmp");
    let z = tmp.path().join("zip");
    Command::new(BIN)
        .args([
            "sweep",
            "us_iraq_2024",
            "-q",
            "--trials",
            "5",
            "--set",
            "scenario.horizon=20",
        ])
        .args(["--zip", "dyads.kh_us.initiative.rate=0.5,0.7,0.9"])
        .args(["--zip", "dyads.nujaba_us.initiative.rate=0.2,0.3,0.4"])
        .arg("--out")
        .arg(&z)
        .assert()
        .success();
    let (_, rows) = csv_rows(&z.join("design.csv"));
    assert_eq!(rows, [["0", "0.5", "0.2"], ["1", "0.7", "0.3"], ["2", "0.9", "0.4"]]);
    // design.csv fed back as --design gives the same sweep.
    let again = tmp.path().join("again");
    Command::new(BIN)
        .args([
            "sweep",
            "us_iraq_2024",
            "-q",
            "--trials",
            "5",
            "--set",
            "scenario.horizon=20",
            "--design",
        ])
        .arg(z.join("design.csv"))
        .arg("--out")
        .arg(&again)
        .assert()
        .success();
    for f in ["design.csv", "trials.csv", "summary.csv"] {
        assert!(read(&z.join(f)) == read(&again.join(f)), "{f}");
    }
    Command::new(BIN)
        .args(["sweep", "us_iraq_2024", "--zip", "a.b=1,2", "--zip", "c.d=1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("equal lengths"));
    Command::new(BIN)
        .args([
            "sweep",
            "us_iraq_2024",
            "--grid",
            "dyads.us_kh.response.proportionality=1,banana",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("design point 1"));
}

#[test]
fn common_random_numbers() {
    // scenario.trials is the default trial count, which --trials overrides:
    // irrelevant to every trial, so both points must give identical rows.
    let tmp = tempfile::tempdir().expect("tmp");
    let args = |crn: bool, out: &Path| {
        let mut c = Command::new(BIN);
        c.args(["sweep", "us_iraq_2024", "-q", "--grid", "scenario.trials=100,200"])
            .args(FIXED)
            .arg("--out")
            .arg(out);
        if !crn {
            c.arg("--no-crn");
        }
        c.assert().success();
        let (_, rows) = csv_rows(&out.join("trials.csv"));
        let (a, b): (Vec<_>, Vec<_>) = rows.into_iter().partition(|r| r[0] == "0");
        (a, b)
    };
    let (a, b) = args(true, &tmp.path().join("crn"));
    assert_eq!(a.len(), 150);
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x[2..], y[2..], "trial {} differs between points", x[2]);
    }
    let (a, b) = args(false, &tmp.path().join("nocrn"));
    let same = a.iter().zip(&b).filter(|(x, y)| x[2..] == y[2..]).count();
    assert!(same < 150, "--no-crn must give points their own streams");
}

#[test]
fn shards_merge_to_one_run_byte_for_byte() {
    let tmp = tempfile::tempdir().expect("tmp");
    let args = lhs_args();
    let one = tmp.path().join("one");
    sweep(&args, &one, &["--threads", "2"]);
    for n in [1u64, 2, 3, 4, 7] {
        let dirs: Vec<PathBuf> = (0..n).map(|k| tmp.path().join(format!("n{n}/s{k}"))).collect();
        for (k, d) in dirs.iter().enumerate() {
            sweep(&args, d, &["--threads", "1", "--shard", &format!("{k}/{n}")]);
        }
        let merged = tmp.path().join(format!("n{n}/merged"));
        // Shards in any order on the command line.
        let mut shuffled = dirs.clone();
        shuffled.reverse();
        Command::new(BIN)
            .arg("merge")
            .args(&shuffled)
            .arg("--out")
            .arg(&merged)
            .assert()
            .success();
        assert_same_files(&one, &merged);
    }
}

#[test]
fn merge_refuses_missing_duplicated_mismatched_and_corrupt_shards() {
    let tmp = tempfile::tempdir().expect("tmp");
    let args = lhs_args();
    let d = |k: u64| tmp.path().join(format!("s{k}"));
    for k in 0..3 {
        sweep(&args, &d(k), &["--shard", &format!("{k}/3")]);
    }
    let merge = |dirs: &[PathBuf]| {
        let mut c = Command::new(BIN);
        c.arg("merge").args(dirs).arg("--out").arg(tmp.path().join("m"));
        c.assert()
    };
    merge(&[d(0), d(2)])
        .code(2)
        .stderr(predicate::str::contains("missing shard 1/3"));
    merge(&[d(0), d(1), d(1), d(2)])
        .code(2)
        .stderr(predicate::str::contains("shard 1/3 is given twice"));
    // A shard of another sweep (another seed).
    let other = tmp.path().join("other");
    sweep(&args, &other, &["--shard", "1/3", "--seed", "7"]);
    merge(&[d(0), other.clone(), d(2)])
        .code(2)
        .stderr(predicate::str::contains("disagree on seed"));
    // Another shard count.
    let four = tmp.path().join("four");
    sweep(&args, &four, &["--shard", "1/4"]);
    merge(&[d(0), four, d(2)])
        .code(2)
        .stderr(predicate::str::contains("disagree on shard count"));
    // A shard without its manifest (killed before the end).
    std::fs::remove_file(other.join("run.json")).expect("rm");
    merge(&[d(0), other, d(2)])
        .code(2)
        .stderr(predicate::str::contains("not a complete sweep shard"));
    // A file changed after the shard completed.
    let t = d(1).join("trials.csv");
    let mut bytes = read(&t);
    bytes.truncate(bytes.len() / 2);
    std::fs::write(&t, bytes).expect("write");
    merge(&[d(0), d(1), d(2)])
        .code(2)
        .stderr(predicate::str::contains("does not match its run.json"));
    // --resume notices and recomputes it; then merge succeeds.
    sweep(&args, &d(1), &["--shard", "1/3", "--resume"]);
    merge(&[d(0), d(1), d(2)]).success();
    let one = tmp.path().join("one");
    sweep(&args, &one, &[]);
    assert_same_files(&one, &tmp.path().join("m"));
}

#[test]
fn resume_after_a_killed_shard_equals_an_uninterrupted_run() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut args = lhs_args();
    // Long enough to be killed mid-run: 6 points x 4000 trials x 180 days.
    for a in args.iter_mut() {
        if a == "scenario.horizon=60" {
            *a = "scenario.horizon=180".into();
        }
        if a == "150" {
            *a = "4000".into();
        }
    }
    let one = tmp.path().join("one");
    sweep(&args, &one, &[]);
    let d = |k: u64| tmp.path().join(format!("s{k}"));
    sweep(&args, &d(0), &["--shard", "0/2"]);
    // Start shard 1, kill it (SIGKILL: no cleanup) once it writes.
    std::fs::create_dir_all(d(1)).expect("mkdir");
    let mut child = std::process::Command::new(BIN)
        .args(&args)
        .args(["--shard", "1/2", "--threads", "1", "--out"])
        .arg(d(1))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let started = std::time::Instant::now();
    loop {
        let writing = std::fs::read_dir(d(1))
            .expect("dir")
            .filter_map(Result::ok)
            .any(|e| e.file_name().to_string_lossy().starts_with(".trials.csv.tmp"));
        if writing || started.elapsed().as_secs() > 30 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    std::thread::sleep(std::time::Duration::from_millis(50));
    child.kill().expect("kill");
    let status = child.wait().expect("wait");
    assert!(
        !status.success(),
        "the shard finished before it could be killed; make it longer"
    );
    assert!(!d(1).join("run.json").exists());
    // Resume: shard 0 is skipped (complete), shard 1 is run.
    Command::new(BIN)
        .args(&args)
        .args(["--shard", "0/2", "--resume", "--out"])
        .arg(d(0))
        .assert()
        .success();
    let mut loud: Vec<String> = args.iter().filter(|a| *a != "--quiet").cloned().collect();
    loud.extend(["--shard".into(), "0/2".into(), "--resume".into()]);
    Command::new(BIN)
        .args(&loud)
        .arg("--out")
        .arg(d(0))
        .assert()
        .success()
        .stderr(predicate::str::contains("already complete and verified"));
    sweep(&args, &d(1), &["--shard", "1/2", "--resume"]);
    let merged = tmp.path().join("merged");
    Command::new(BIN)
        .args(["merge", "-q"])
        .arg(d(0))
        .arg(d(1))
        .arg("--out")
        .arg(&merged)
        .assert()
        .success();
    assert_same_files(&one, &merged);
    // Resuming into a directory of another sweep is refused.
    Command::new(BIN)
        .args(&args)
        .args(["--shard", "0/2", "--resume", "--seed", "9", "--out"])
        .arg(d(0))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("disagree on seed"));
}

/// Whether engine `tool` is installed; if not, fails under
/// `BRINK_REQUIRE_ENGINES=1`, else reports the skip on stderr.
fn engine_present(tool: &str, package: &str) -> bool {
    let found = std::process::Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        let msg = format!("`{tool}` not found: apt-get install -y {package}");
        if std::env::var("BRINK_REQUIRE_ENGINES").as_deref() == Ok("1") {
            panic!("BRINK_REQUIRE_ENGINES=1 but {msg}");
        }
        eprintln!("SKIPPED: {msg} (set BRINK_REQUIRE_ENGINES=1 to make this a failure)");
    }
    found
}

fn quote(args: &[String]) -> String {
    args.iter().map(|a| format!("'{a}'")).collect::<Vec<_>>().join(" ")
}

#[test]
fn gnu_parallel_shards_merge_to_one_run() {
    if !engine_present("parallel", "parallel") {
        return;
    }
    let tmp = tempfile::tempdir().expect("tmp");
    let args = lhs_args();
    let one = tmp.path().join("one");
    sweep(&args, &one, &[]);
    let shards = tmp.path().join("shards");
    let script = format!(
        "seq 0 3 | parallel --will-cite -j2 --halt now,fail=1 --joblog '{log}' \
         '{BIN}' {args} --threads 1 --shard {{}}/4 --out '{dir}'/{{}}",
        log = tmp.path().join("joblog").display(),
        args = quote(&args),
        dir = shards.display()
    );
    let out = std::process::Command::new("bash")
        .args(["-c", &script])
        .output()
        .expect("parallel");
    assert!(
        out.status.success(),
        "parallel failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let merged = tmp.path().join("merged");
    Command::new(BIN)
        .args(["merge", "-q"])
        .args((0..4).map(|k| shards.join(k.to_string())))
        .arg("--out")
        .arg(&merged)
        .assert()
        .success();
    assert_same_files(&one, &merged);
}

/// Stops the test cluster however the test ends.
struct Cluster(PathBuf);

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = std::process::Command::new("bash")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("ci/slurm-down.sh"))
            .arg(&self.0)
            .status();
    }
}

#[test]
fn slurm_array_shards_merge_to_one_run() {
    if !engine_present("slurmctld", "slurm-wlm") {
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().expect("tmp");
    let cluster_dir = tmp.path().join("cluster");
    let up = std::process::Command::new("bash")
        .arg(root.join("ci/slurm-up.sh"))
        .arg(&cluster_dir)
        .output()
        .expect("slurm-up");
    let _cluster = Cluster(cluster_dir.clone());
    assert!(
        up.status.success(),
        "ci/slurm-up.sh failed: {}",
        String::from_utf8_lossy(&up.stderr)
    );
    let args = lhs_args();
    let one = tmp.path().join("one");
    sweep(&args, &one, &[]);
    let sweep_dir = tmp.path().join("slurm");
    // submit.sh queues the array and the dependent merge, and with WAIT=1
    // returns when the merge job ends.
    let out = std::process::Command::new("bash")
        .arg(root.join("examples/slurm/submit.sh"))
        .arg("4")
        .env("SLURM_CONF", cluster_dir.join("slurm.conf"))
        .env("SWEEP_DIR", &sweep_dir)
        .env("BRINK", BIN)
        .env("BRINK_SWEEP_ARGS", args[1..].join(" "))
        .env("WAIT", "1")
        .output()
        .expect("submit");
    let logs: String = std::fs::read_dir(sweep_dir.join("logs"))
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
                .collect()
        })
        .unwrap_or_default();
    assert!(
        out.status.success(),
        "submit.sh failed: {}{}\nlogs:\n{logs}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_same_files(&one, &sweep_dir.join("merged"));
}

#[test]
fn salib_sample_and_problem_files() {
    let tmp = tempfile::tempdir().expect("tmp");
    let problem = tmp.path().join("problem.txt");
    let samples = tmp.path().join("samples.txt");
    std::fs::write(
        &problem,
        "tracks.hmc.progress.rate 0.004 0.016\nactors.kh.obey 0.3 1.0\n",
    )
    .expect("write");
    std::fs::write(&samples, "5.0000000000000001e-03 4.0e-01\n0.012 0.9\n0.008 0.5\n").expect("write");
    let out = tmp.path().join("out");
    Command::new(BIN)
        .args([
            "sweep",
            "us_iraq_2024",
            "-q",
            "--trials",
            "20",
            "--set",
            "scenario.horizon=30",
        ])
        .arg("--design")
        .arg(&samples)
        .arg("--salib-problem")
        .arg(&problem)
        .args(["--salib-y", "events_kh_us", "--out"])
        .arg(&out)
        .assert()
        .success();
    let (h, rows) = csv_rows(&out.join("design.csv"));
    assert_eq!(h, ["point", "tracks.hmc.progress.rate", "actors.kh.obey"]);
    assert_eq!(rows[0], ["0", "0.005", "0.4"]);
    let y = String::from_utf8(read(&out.join("Y.txt"))).expect("utf8");
    assert_eq!(y.lines().count(), 3);
    std::fs::write(&samples, "0.01\n").expect("write");
    Command::new(BIN)
        .args(["sweep", "us_iraq_2024", "--design"])
        .arg(&samples)
        .arg("--salib-problem")
        .arg(&problem)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("expected 2 numbers"));
}

//! Interrupted and failed runs (issue 9), with real signals and real file
//! systems: SIGINT and SIGTERM during `brink run` and `brink sweep` stop
//! the run with exit code 130, a message that says how to resume, and no
//! file under its final name that is incomplete (temporaries removed); an
//! interrupted sweep resumed with `--resume` gives the bytes of an
//! uninterrupted one; a read-only directory, a full disk and a run that
//! would not fit get a clear error.
//!
//! The file-system tests mount small tmpfs directories, which needs root
//! (CI runs as root). Elsewhere they print `SKIPPED: ...` and pass.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_brink");

/// Files a run or sweep writes under their final names.
const FINAL: [&str; 6] = [
    "trials.csv",
    "summary.csv",
    "timeline.csv",
    "Y.txt",
    "sensitivity.csv",
    "run.json",
];

fn spawn(args: &[&str], out: &Path) -> Child {
    Command::new(BIN)
        .args(args)
        .arg("--out")
        .arg(out)
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn brink")
}

/// Runs brink to completion with `args` (then `--out out`, if given) and
/// returns its exit code and stderr.
fn run_to(args: &[&str], out: Option<&Path>) -> (Option<i32>, String) {
    let mut c = Command::new(BIN);
    c.args(args).env("NO_COLOR", "1");
    if let Some(o) = out {
        c.arg("--out").arg(o);
    }
    let o = c.output().expect("run brink");
    (o.status.code(), String::from_utf8_lossy(&o.stderr).into_owned())
}

/// Waits until `dir` holds a temporary `trials.csv` (trials are running),
/// then sends `signal` and returns the output.
fn signal_when_running(mut child: Child, dir: &Path, signal: libc::c_int) -> Output {
    let started = Instant::now();
    loop {
        let running = std::fs::read_dir(dir).is_ok_and(|rd| {
            rd.filter_map(Result::ok)
                .any(|e| e.file_name().to_string_lossy().starts_with(".trials.csv.tmp"))
        });
        if running {
            break;
        }
        if let Ok(Some(st)) = child.try_wait() {
            panic!("brink exited ({st}) before it started writing");
        }
        assert!(started.elapsed() < Duration::from_secs(60), "brink never started");
        std::thread::sleep(Duration::from_millis(5));
    }
    std::thread::sleep(Duration::from_millis(30));
    let pid = child.id() as libc::pid_t;
    // SAFETY: sending a signal to our own child process.
    assert_eq!(unsafe { libc::kill(pid, signal) }, 0, "kill failed");
    child.wait_with_output().expect("wait")
}

/// Names in `dir` that are temporaries or final files.
fn leftovers(dir: &Path) -> (Vec<String>, Vec<String>) {
    let names: Vec<String> = std::fs::read_dir(dir)
        .expect("dir")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let tmp = names.iter().filter(|n| n.contains(".tmp-")).cloned().collect();
    let fin = names.iter().filter(|n| FINAL.contains(&n.as_str())).cloned().collect();
    (tmp, fin)
}

fn assert_clean_interrupt(out: &Output, dir: &Path, resume_hint: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "exit code; stderr:\n{stderr}");
    assert!(stderr.contains("interrupted"), "no 'interrupted' in:\n{stderr}");
    assert!(stderr.contains(resume_hint), "no '{resume_hint}' in:\n{stderr}");
    assert!(!stderr.contains("panicked"), "panicked:\n{stderr}");
    let (tmp, fin) = leftovers(dir);
    assert!(tmp.is_empty(), "temporary files left: {tmp:?}");
    assert!(fin.is_empty(), "files under final names after an interrupt: {fin:?}");
}

#[test]
fn sigint_and_sigterm_stop_a_run_cleanly() {
    let tmp = tempfile::tempdir().expect("tmp");
    for (name, sig) in [("int", libc::SIGINT), ("term", libc::SIGTERM)] {
        let dir = tmp.path().join(name);
        std::fs::create_dir_all(&dir).expect("mkdir");
        // Far more trials than run in the test's time (about 3 minutes on
        // two idle cores): only a signal ends it. Not more: brink refuses a
        // run whose estimated output exceeds the free disk (10,000,000
        // flagship trials are about 19 GB of rows).
        let child = spawn(&["run", "-q", "--trials", "2000000", "--threads", "2"], &dir);
        let out = signal_when_running(child, &dir, sig);
        assert_clean_interrupt(&out, &dir, "run the same command again");
    }
}

#[test]
fn a_signal_during_the_timeline_removes_it() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("t");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let mut child = spawn(&["run", "-q", "--trials", "200000", "--timeline", "200000"], &dir);
    let started = Instant::now();
    loop {
        let writing = std::fs::read_dir(&dir).is_ok_and(|rd| {
            rd.filter_map(Result::ok)
                .any(|e| e.file_name().to_string_lossy().starts_with(".timeline.csv.tmp"))
        });
        if writing {
            break;
        }
        if let Ok(Some(st)) = child.try_wait() {
            panic!("brink exited ({st}) before the timeline");
        }
        // 200,000 trials take about 16 s on two idle cores; on a machine
        // shared by several builds (load 13) they took 152 s.
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "never reached the timeline"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    // SAFETY: our own child.
    assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) }, 0);
    let out = child.wait_with_output().expect("wait");
    assert_clean_interrupt(&out, &dir, "run the same command again");
}

/// A sweep of 3 points x 4000 trials over 180 days: long enough to be
/// interrupted, short enough for the suite.
fn sweep_args() -> Vec<&'static str> {
    vec![
        "sweep",
        "us_iraq_2024",
        "-q",
        "--grid",
        "dyads.us_kh.response.proportionality=0.75,1,1.3",
        "--set",
        "scenario.horizon=180",
        "--trials",
        "4000",
        "--threads",
        "1",
    ]
}

/// Waits until `dir`'s temporary `summary.csv` holds a point's rows (one
/// point is complete), then sends `signal`.
fn signal_after_a_point(mut child: Child, dir: &Path, signal: libc::c_int) -> Output {
    let started = Instant::now();
    loop {
        let rows = std::fs::read_dir(dir).ok().and_then(|rd| {
            rd.filter_map(Result::ok)
                .find(|e| e.file_name().to_string_lossy().starts_with(".summary.csv.tmp"))
                .and_then(|e| std::fs::read_to_string(e.path()).ok())
                .map(|t| t.lines().count())
        });
        if rows.is_some_and(|n| n >= 2) {
            break;
        }
        if let Ok(Some(st)) = child.try_wait() {
            panic!("brink exited ({st}) before a point completed");
        }
        assert!(started.elapsed() < Duration::from_secs(60), "no point completed");
        std::thread::sleep(Duration::from_millis(5));
    }
    // SAFETY: our own child.
    assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, signal) }, 0);
    child.wait_with_output().expect("wait")
}

#[test]
fn an_interrupted_sweep_resumes_to_the_bytes_of_an_uninterrupted_one() {
    let tmp = tempfile::tempdir().expect("tmp");
    let whole = tmp.path().join("whole");
    let st = Command::new(BIN)
        .args(sweep_args())
        .arg("--out")
        .arg(&whole)
        .stdout(Stdio::null())
        .status()
        .expect("run");
    assert!(st.success());
    // SIGINT after the first point: it is kept, and not rerun. SIGTERM
    // before any point completes: the resume starts at the first point.
    for (name, sig, after_a_point) in [("int", libc::SIGINT, true), ("term", libc::SIGTERM, false)] {
        let dir = tmp.path().join(name);
        std::fs::create_dir_all(&dir).expect("mkdir");
        let child = spawn(&sweep_args(), &dir);
        let out = if after_a_point {
            signal_after_a_point(child, &dir, sig)
        } else {
            signal_when_running(child, &dir, sig)
        };
        assert_clean_interrupt(&out, &dir, "--resume");
        assert!(dir.join(".sweep-partial.json").exists(), "no checkpoint");
        let args: Vec<&str> = sweep_args()
            .into_iter()
            .filter(|a| *a != "-q")
            .chain(["--resume"])
            .collect();
        let out = Command::new(BIN)
            .args(&args)
            .arg("--out")
            .arg(&dir)
            .output()
            .expect("run");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        if after_a_point {
            assert!(
                stderr.contains("resuming shard 0/1 at point ") && !stderr.contains("at point 0:"),
                "completed points were not kept:\n{stderr}"
            );
        } else {
            assert!(stderr.contains("resuming shard 0/1 at point 0:"), "{stderr}");
        }
        // The flagship keeps distributions: each point has drivers.
        for f in ["design.csv", "trials.csv", "summary.csv", "sensitivity.csv"] {
            let a = std::fs::read(whole.join(f)).expect("read");
            let b = std::fs::read(dir.join(f)).expect("read");
            assert!(a == b, "{f} differs after {name} and --resume");
        }
        let (tmp_left, _) = leftovers(&dir);
        assert!(tmp_left.is_empty(), "{tmp_left:?}");
        assert!(
            !dir.join(".sweep-partial.json").exists(),
            "checkpoint left after completion"
        );
        // Resuming again finds it complete and does nothing.
        let out = Command::new(BIN)
            .args(&args)
            .arg("--out")
            .arg(&dir)
            .output()
            .expect("run");
        assert!(out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("already complete"));
    }
}

#[test]
fn a_run_that_cannot_fit_on_disk_is_refused_up_front() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (code, stderr) = run_to(&["run", "-q", "--trials", "1000000000000000"], Some(tmp.path()));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("this run would need about"), "{stderr}");
    assert!(stderr.contains("1000000000000000 trials x"), "{stderr}");
    assert!(stderr.contains("free"), "{stderr}");
    let out = Command::new(BIN)
        .args([
            "sweep",
            "us_iraq_2024",
            "-q",
            "--grid",
            "scenario.horizon=10,20",
            "--trials",
            "1000000000000000",
            "--out",
        ])
        .arg(tmp.path().join("sw"))
        .env("NO_COLOR", "1")
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("this sweep would need about"), "{stderr}");
    assert!(stderr.contains("2 points x 1000000000000000 trials"), "{stderr}");
    let (code, stderr) = run_to(&["run", "-q", "--trials", "9007199254740993"], None);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("expected at most 9007199254740992 (2^53) trials"));
}

/// A tmpfs mounted for one test, unmounted on drop.
struct Mount(PathBuf);

impl Mount {
    fn new(dir: PathBuf, opts: &str) -> Option<Mount> {
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } != 0 {
            eprintln!("SKIPPED: mounting a tmpfs needs root");
            return None;
        }
        std::fs::create_dir_all(&dir).expect("mkdir");
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", opts, "tmpfs"])
            .arg(&dir)
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            eprintln!("SKIPPED: cannot mount a tmpfs here");
            return None;
        }
        Some(Mount(dir))
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_read_only_directory_gets_a_clear_error() {
    let tmp = tempfile::tempdir().expect("tmp");
    let Some(m) = Mount::new(tmp.path().join("ro"), "ro,size=64k") else {
        return;
    };
    for sub in ["", "sub"] {
        let dir = m.0.join(sub);
        let (code, stderr) = run_to(&["run", "-q", "--trials", "10"], Some(&dir));
        assert_eq!(code, Some(1), "{stderr}");
        assert!(stderr.contains("cannot write to"), "{stderr}");
        assert!(stderr.contains("Read-only file system"), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn a_full_disk_gets_a_clear_error_and_leaves_nothing() {
    let tmp = tempfile::tempdir().expect("tmp");
    // 64 kB: the estimate refuses 100000 trials before any is run.
    let Some(small) = Mount::new(tmp.path().join("small"), "size=64k") else {
        return;
    };
    let (code, stderr) = run_to(&["run", "-q", "--trials", "100000"], Some(&small.0));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("this run would need about"), "{stderr}");
    assert_eq!(leftovers(&small.0), (vec![], vec![]));
    // Space for bytes but for only one more file: the disk fills while the
    // run writes (ENOSPC), which the estimate cannot foresee.
    let Some(inodes) = Mount::new(tmp.path().join("inodes"), "size=4m,nr_inodes=3") else {
        return;
    };
    let (code, stderr) = run_to(&["run", "-q", "--trials", "100"], Some(&inodes.0));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("cannot write to"), "{stderr}");
    assert!(stderr.contains("No space left on device"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let (tmp_left, _) = leftovers(&inodes.0);
    assert!(tmp_left.is_empty(), "temporaries left: {tmp_left:?}");
}

#[test]
fn a_design_too_large_to_hold_is_refused_with_its_size() {
    let values = (0..200).map(|k| k.to_string()).collect::<Vec<_>>().join(",");
    let out = Command::new(BIN)
        .args(["sweep", "us_iraq_2024", "-q", "--out"])
        .arg(tempfile::tempdir().expect("tmp").path())
        .args(["--grid", &format!("scenario.seed={values}")])
        .args(["--grid", &format!("scenario.trials={values}")])
        .args(["--grid", &format!("scenario.horizon={values}")])
        .env("NO_COLOR", "1")
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr
            .contains("the design would have 8000000 points (200 x 200 x 200 values), more than the limit of 1000000"),
        "{stderr}"
    );
    let out = Command::new(BIN)
        .args(["sweep", "us_iraq_2024", "-q", "--sample", "lhs:4000000000"])
        .args(["--range", "tracks.hmc.progress.rate=0.004:0.02"])
        .env("NO_COLOR", "1")
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("4000000000 points (lhs:4000000000)"), "{stderr}");
}

#[test]
fn temporaries_of_a_killed_run_are_removed_by_the_next() {
    let tmp = tempfile::tempdir().expect("tmp");
    // A process that has exited: its pid names no live process.
    let mut dead = Command::new("true").spawn().expect("spawn true");
    let pid = dead.id();
    dead.wait().expect("wait");
    let host = brink::output::hostname();
    let stale = tmp.path().join(format!(".trials.csv.tmp-{host}-{pid}"));
    // Another host's temporary with the same pid: not ours to judge.
    let other = tmp.path().join(format!(".trials.csv.tmp-elsewhere-{pid}"));
    std::fs::write(&other, "trial,outcome\n").expect("write");
    std::fs::write(&stale, "trial,outcome\n0,").expect("write");
    let live = tmp
        .path()
        .join(format!(".trials.csv.tmp-{host}-{}", std::process::id()));
    std::fs::write(&live, "in use").expect("write");
    let st = Command::new(BIN)
        .args(["run", "-q", "--trials", "10", "--out"])
        .arg(tmp.path())
        .stdout(Stdio::null())
        .status()
        .expect("run");
    assert!(st.success());
    assert!(!stale.exists(), "the dead run's temporary is still there");
    assert!(live.exists(), "a live process's temporary was removed");
    assert!(other.exists(), "another host's temporary was removed");
}

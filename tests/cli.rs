//! The binary as a user meets it: commands, exit codes, messages.
//!
//! Each `tests/data/invalid/NAME.toml` has a sibling `NAME.stderr` holding
//! the exact message `brink check` prints for it. Run with `BLESS=1` to
//! rewrite the `.stderr` files after an intended change of wording.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::Path;

fn brink() -> Command {
    let mut c = Command::cargo_bin("brink").expect("binary built");
    c.env("NO_COLOR", "1");
    c
}

#[test]
fn invalid_scenarios_give_their_exact_message_and_exit_2() {
    let dir = Path::new("tests/data/invalid");
    let mut cases: Vec<_> = std::fs::read_dir(dir)
        .expect("tests/data/invalid exists")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    cases.sort();
    assert!(cases.len() >= 15, "expected the invalid cases, found {}", cases.len());
    let bless = std::env::var_os("BLESS").is_some();
    let mut failures = Vec::new();
    for case in &cases {
        let out = brink().arg("check").arg(case).output().expect("runs");
        let stderr = String::from_utf8(out.stderr).expect("utf-8 stderr");
        assert_eq!(
            out.status.code(),
            Some(2),
            "{}: exit code; stderr:\n{stderr}",
            case.display()
        );
        assert!(!stderr.contains("panicked"), "{}: panicked", case.display());
        let name = case.to_string_lossy();
        assert!(
            stderr.contains(&*name),
            "{}: message does not name the file:\n{stderr}",
            case.display()
        );
        let expected_path = case.with_extension("stderr");
        if bless {
            std::fs::write(&expected_path, &stderr).expect("write .stderr");
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if expected != stderr {
            failures.push(format!(
                "{}:\n--- expected\n{expected}\n--- got\n{stderr}",
                case.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn errors_carry_line_and_column() {
    brink()
        .args(["check", "tests/data/invalid/negative_rate.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("tests/data/invalid/negative_rate.toml:3:8"))
        .stderr(predicate::str::contains("expected a finite number >= 0, found -0.5"));
}

#[test]
fn unknown_set_path_suggests_the_closest() {
    brink()
        .args(["check", "--set", "dyads.kh_us.initiative.rat=1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "unknown parameter `dyads.kh_us.initiative.rat`",
        ))
        .stderr(predicate::str::contains("did you mean `dyads.kh_us.initiative.rate`?"));
}

#[test]
fn set_with_a_bad_value_names_the_override() {
    brink()
        .args(["run", "-q", "--trials", "5", "--set", "ladder.harass.wound=2", "--out"])
        .arg(tempfile::tempdir().unwrap().path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--set ladder.harass.wound=2"))
        .stderr(predicate::str::contains("expected a probability in [0, 1], found 2"));
    brink()
        .args(["check", "--set", "scenario.horizon"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("expected PATH=VALUE"));
}

#[test]
fn missing_file_lists_the_builtins() {
    brink()
        .args(["check", "no/such/file.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no/such/file.toml: cannot read scenario"))
        .stderr(predicate::str::contains("us_iraq_2024"));
}

#[test]
fn unwritable_output_directory_fails_cleanly() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("a_file");
    std::fs::write(&file, "not a directory").unwrap();
    brink()
        .args(["run", "-q", "--trials", "5", "--out"])
        .arg(file.join("sub"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("cannot write to"))
        .stderr(predicate::str::contains("panicked").not());
}

#[test]
fn run_writes_the_files_and_prints_the_table() {
    let tmp = tempfile::tempdir().unwrap();
    brink()
        .args(["run", "--trials", "200", "--timeline", "3", "--out"])
        .arg(tmp.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("us_iraq_2024: 200 trials"))
        .stdout(predicate::str::contains("withdrawal_completed"))
        .stdout(predicate::str::contains("95% interval"));
    for f in ["trials.csv", "summary.csv", "timeline.csv", "run.json"] {
        assert!(tmp.path().join(f).exists(), "{f} missing");
    }
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    let trials = std::fs::read_to_string(tmp.path().join("trials.csv")).unwrap();
    assert_eq!(trials.lines().count(), 201);
    assert!(trials.starts_with("trial,outcome,end_step,events_kh_us,"));
    let timeline = std::fs::read_to_string(tmp.path().join("timeline.csv")).unwrap();
    assert!(timeline.starts_with("trial,step,date,"));
    assert!(timeline.lines().nth(1).unwrap().starts_with("0,0,2024-01-24,"));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(tmp.path().join("run.json")).unwrap()).unwrap();
    assert_eq!(json["trials"], 200);
    assert_eq!(json["seed"], 20240124);
    assert_eq!(json["scenario"]["sha256"].as_str().unwrap().len(), 64);
}

#[test]
fn params_lists_every_path_with_a_meaning() {
    let out = brink().args(["params"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("dyads.kh_us.initiative.excitation = 0.3  # alpha: self-excitation"),
        "{text}"
    );
    // A drawn path shows its distribution, its median and 5-95 % range.
    let rate = text
        .lines()
        .find(|l| l.starts_with("dyads.kh_us.initiative.rate = "))
        .unwrap();
    assert!(
        rate.starts_with("dyads.kh_us.initiative.rate = lognormal:median=0.8,p95=1  # median 0.8 ("),
        "{rate}"
    );
    assert!(rate.ends_with("mu: base rate of unprompted events, per step"), "{rate}");
    assert!(text.contains("tracks.hmc.progress.rate = "));
    assert!(text.contains("drivers.gaza_war.end_hazard = "));
    for line in text.lines() {
        let (_, doc) = line.split_once("  # ").unwrap_or_else(|| panic!("no meaning: {line}"));
        assert!(!doc.trim().is_empty(), "empty meaning: {line}");
    }
}

#[test]
fn every_listed_path_can_be_set() {
    // Each path `params` prints is accepted by --set with its own value.
    let out = brink().args(["params"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let mut args = vec!["check".to_string()];
    for line in text.lines() {
        let (assign, _) = line.split_once("  # ").unwrap();
        let (path, value) = assign.split_once(" = ").unwrap();
        args.push("--set".into());
        args.push(format!("{path}={value}"));
    }
    brink().args(&args).assert().success();
}

#[test]
fn check_and_scenarios() {
    brink()
        .args(["check"])
        .assert()
        .success()
        .stdout(predicate::str::contains("ok"));
    brink().args(["check", "scenarios/games/ipd.toml"]).assert().success();
    brink()
        .args(["scenarios"])
        .assert()
        .success()
        .stdout(predicate::str::contains("us_iraq_2024"))
        .stdout(predicate::str::contains("ipd"));
}

#[test]
fn game_example_from_the_issue_runs() {
    let tmp = tempfile::tempdir().unwrap();
    brink()
        .args(["run", "scenarios/games/ipd.toml", "--set", "actors.row.strategy=wsls"])
        .args([
            "--set",
            "actors.col.strategy=gtft",
            "--set",
            "game.noise=0.05",
            "--trials",
            "50",
            "-q",
            "--out",
        ])
        .arg(tmp.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("mean payoff per round"));
    let trials = std::fs::read_to_string(tmp.path().join("trials.csv")).unwrap();
    assert!(trials.starts_with("trial,outcome,end_step,payoff_row,payoff_col,coop_row,coop_col\n"));
}

#[test]
fn every_key_of_the_file_format_is_documented() {
    // Serialise a scenario that sets every optional key, flatten it, and
    // check each path against the documentation table.
    let l = brink::scenario::parse_builtin("us_iraq_2024", &[]).unwrap();
    for (path, _) in l.params() {
        assert!(
            brink::scenario::paths::doc_for(&path).is_some(),
            "undocumented key: {path}"
        );
    }
    let g = brink::scenario::parse_builtin("ipd", &[]).unwrap();
    for (path, _) in g.params() {
        assert!(
            brink::scenario::paths::doc_for(&path).is_some(),
            "undocumented key: {path}"
        );
    }
}

#[test]
fn docs_scenario_md_lists_every_key() {
    let doc = std::fs::read_to_string("docs/scenario.md").unwrap();
    for (pattern, _) in brink::scenario::paths::DOCS {
        let key = pattern.replace(['*', '+'], "<id>");
        assert!(
            doc.contains(&format!("`{key}`")),
            "docs/scenario.md lacks `{key}` (python3 scripts/scenario_keys.py)"
        );
    }
}

#[test]
fn flags_that_cannot_apply_are_refused() {
    brink()
        .args(["run", "--trials", "0", "-q"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--trials: expected at least 1 trial, found 0"));
    brink()
        .args(["run", "ipd", "--timeline", "3", "-q"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--timeline: a game has no timeline"));
}

/// Every count a user gives is checked before anything is allocated from
/// it (issue 13: `brink tournament -n 100000000000` aborted with exit 134
/// on an 800 GB allocation). Each command gets a clear message and exit 2.
#[test]
fn issue_13_huge_counts_get_a_clear_error_from_every_command() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().to_str().expect("utf-8 path");
    let cases: [(&[&str], &str); 8] = [
        (
            &["tournament", "-n", "100000000000", "-o", out],
            "this tournament would need about",
        ),
        (
            &["tournament", "-n", "9007199254740993", "-o", out],
            "expected at most 9007199254740992 (2^53) trials",
        ),
        (
            &["run", "-n", "100000000000000", "-o", out],
            "this run would need about",
        ),
        (
            &["run", "-n", "18446744073709551615", "-o", out],
            "expected at most 9007199254740992 (2^53) trials",
        ),
        (
            &["run", "-n", "10", "--threads", "100000000000", "-o", out],
            "--threads: expected at most 4096 worker threads",
        ),
        (
            &[
                "sweep",
                "--grid",
                "scenario.horizon=10,20",
                "-n",
                "100000000000000",
                "-o",
                out,
            ],
            "this sweep would need about",
        ),
        (
            &[
                "sweep",
                "--sample",
                "lhs:2000000",
                "--range",
                "scenario.horizon=10:20",
                "-o",
                out,
            ],
            "points",
        ),
        (
            &["tournament", "-n", "10", "-j", "100000000000", "-o", out],
            "--threads: expected at most 4096",
        ),
    ];
    for (args, want) in cases {
        let o = brink().args(args).arg("-q").output().expect("runs");
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(want), "{args:?}: no `{want}` in {stderr}");
        assert!(
            !stderr.contains("panicked") && !stderr.contains("memory allocation"),
            "{stderr}"
        );
    }
}

/// The revised flagship's agreement is a milestone (the trial goes on), so
/// it is not in the outcome table; `brink run` prints it below, with its
/// interval and the number of trials that reached it, which must be
/// trials.csv's count of non-empty `milestone_agreement_step` cells.
#[test]
fn run_prints_each_milestone_with_the_trials_that_reached_it() {
    let tmp = tempfile::tempdir().unwrap();
    let out = brink()
        .args(["run", "--trials", "300", "--out"])
        .arg(tmp.path())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let stdout = String::from_utf8(out).unwrap();
    let line = stdout
        .lines()
        .find(|l| l.trim_start().starts_with("agreement ") && l.contains("(the trial goes on)"))
        .unwrap_or_else(|| panic!("no milestone line in\n{stdout}"));
    // `agreement  75.1%  [ 72.7%,  77.3%]  7509  173 (...)`: the share,
    // its interval (which must hold it), then the trials.
    let (left, rest) = line.split_once(']').unwrap_or_else(|| panic!("no interval in {line}"));
    let (share, interval) = left.split_once('[').unwrap();
    let pct = |x: &str| -> f64 { x.trim().trim_end_matches('%').parse().unwrap() };
    let share = pct(share.split_whitespace().nth(1).unwrap());
    let (lo, hi) = interval.split_once(',').unwrap();
    let (lo, hi) = (pct(lo), pct(hi));
    assert!(lo < share && share < hi, "{line}");
    let printed: u64 = rest.split_whitespace().next().unwrap().parse().unwrap();
    let trials = std::fs::read_to_string(tmp.path().join("trials.csv")).unwrap();
    let mut lines = trials.lines();
    let head: Vec<&str> = lines.next().unwrap().split(',').collect();
    let k = head.iter().position(|c| *c == "milestone_agreement_step").unwrap();
    let reached = lines.filter(|l| !l.split(',').nth(k).unwrap().is_empty()).count() as u64;
    assert!(reached > 0 && reached < 300, "a test that can fail: {reached} of 300");
    assert_eq!(printed, reached, "{line}");
}

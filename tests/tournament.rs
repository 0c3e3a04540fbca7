//! `brink tournament`: the round robin of classic strategies (issue 6).

use assert_cmd::Command;
use predicates::str::contains;

#[test]
fn ranks_and_writes_csv() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = Command::cargo_bin("brink")
        .expect("binary")
        .args(["tournament", "--strategies", "allc,alld,tft", "-n", "20", "-q", "-o"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(contains("3 strategies, 6 pairings x 20 trials"))
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).expect("utf-8");
    // Without noise, 200 rounds, mean over the opponents allc, alld, tft
    // (self-play included): tft gets 3, 199/200 (C then D against alld), 3;
    // alld gets 5, 1, (5 + 199)/200; allc gets 3, 0, 3.
    let tft = (3.0 + 199.0 / 200.0 + 3.0) / 3.0;
    let alld = (5.0 + 1.0 + (5.0 + 199.0) / 200.0) / 3.0;
    assert!(alld > tft && tft > 2.0);
    let order: Vec<&str> = text
        .lines()
        .filter_map(|l| l.split_whitespace().nth(1))
        .filter(|w| ["allc", "alld", "tft"].contains(w))
        .collect();
    assert_eq!(order, ["alld", "tft", "allc"], "{text}");
    let csv = std::fs::read_to_string(dir.path().join("tournament.csv")).expect("tournament.csv");
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("rank,strategy,mean_payoff,se_payoff,ci_low,ci_high,coop,opponents,trials")
    );
    let first: Vec<&str> = lines.next().expect("row").split(',').collect();
    assert_eq!(first[..2], ["1", "alld"]);
    let mean: f64 = first[2].parse().expect("number");
    assert!((mean - alld).abs() < 1e-9, "{mean} vs {alld}");
    let pairs = std::fs::read_to_string(dir.path().join("tournament_pairs.csv")).expect("pairs");
    assert_eq!(pairs.lines().count(), 1 + 9);
}

#[test]
fn rejects_a_crisis_scenario_and_unknown_strategies() {
    Command::cargo_bin("brink")
        .expect("binary")
        .args(["tournament", "us_iraq_2024", "-q"])
        .assert()
        .code(2)
        .stderr(contains("needs a game scenario"));
    Command::cargo_bin("brink")
        .expect("binary")
        .args(["tournament", "--strategies", "tft,tit_for_tat", "-q"])
        .assert()
        .code(2)
        .stderr(contains("unknown strategy \"tit_for_tat\""));
}

/// The statistics of `tournament.csv` are those of `stats`: the interval
/// is `mean ± Z95·se` (Z95 = 1.959963984540054, not a rounded 1.96), and
/// with noise the ranking's standard error is positive.
#[test]
fn intervals_use_z95() {
    let dir = tempfile::tempdir().expect("temp dir");
    Command::cargo_bin("brink")
        .expect("binary")
        .args([
            "tournament",
            "--strategies",
            "tft,alld,random",
            "-n",
            "40",
            "--set",
            "game.noise=0.05",
            "-q",
            "-o",
        ])
        .arg(dir.path())
        .assert()
        .success();
    let csv = std::fs::read_to_string(dir.path().join("tournament.csv")).expect("tournament.csv");
    for line in csv.lines().skip(1) {
        let f: Vec<f64> = line
            .split(',')
            .skip(2)
            .take(4)
            .map(|x| x.parse().expect("number"))
            .collect();
        let (mean, se, lo, hi) = (f[0], f[1], f[2], f[3]);
        assert!(se > 0.0, "{line}");
        assert!((lo - (mean - brink::stats::Z95 * se)).abs() < 1e-12, "{line}");
        assert!((hi - (mean + brink::stats::Z95 * se)).abs() < 1e-12, "{line}");
    }
}

/// Strategy names and counts are checked before anything runs, with exit
/// 2: fewer than two strategies, zero trials.
#[test]
fn rejects_bad_counts() {
    for (args, want) in [
        (
            &["tournament", "--strategies", "tft", "-q"][..],
            "expected at least two strategies, found 1",
        ),
        (
            &["tournament", "-n", "0", "-q"][..],
            "--trials: expected at least 1 trial, found 0",
        ),
    ] {
        Command::cargo_bin("brink")
            .expect("binary")
            .args(args)
            .assert()
            .code(2)
            .stderr(contains(want));
    }
}

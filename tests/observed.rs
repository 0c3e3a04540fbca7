//! The observed-record file: a valid record parses to what it says, and
//! each `tests/data/observed/invalid/NAME.toml` gets the exact message in
//! its sibling `NAME.stderr` (the miette rendering, ASCII, no colour). Run
//! with `BLESS=1` to rewrite the `.stderr` files after an intended change
//! of wording.

// Errors carry their source text for diagnostics, as the library's do (see
// the allow in src/lib.rs); built once, on the cold path.
#![allow(clippy::result_large_err)]

use std::path::Path;

use brink::date::Date;
use brink::model::{Scenario, TalkStatus};
use brink::observed::{self, Metric, Value};
use brink::scenario::{self, BuiltinResolver};

const SCENARIO: &str = "tests/data/observed/scenario.toml";

fn test_scenario() -> Scenario {
    let text = std::fs::read_to_string(SCENARIO).expect("test scenario");
    scenario::parse(&text, SCENARIO, &[], &BuiltinResolver)
        .expect("the test scenario is valid")
        .scenario
}

fn parse_file(path: &str, s: &Scenario) -> Result<observed::Record, observed::ObservedError> {
    let text = std::fs::read_to_string(path).expect("readable");
    observed::parse(&text, path, s)
}

#[test]
fn a_valid_record_parses_to_dated_steps() {
    let s = test_scenario();
    let r = parse_file("tests/data/observed/valid.toml", &s).unwrap();
    assert_eq!(r.scenario.as_deref(), Some("observed_test"));
    assert_eq!(r.source.as_deref(), Some("made up for the tests"));
    let ids: Vec<&str> = r.quantities.iter().map(|q| q.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "attacks",
            "strikes",
            "us_wounded",
            "us_killed",
            "first_attack",
            "first_us_death",
            "talks"
        ]
    );
    let attacks = &r.quantities[0];
    assert_eq!(attacks.metric, Metric::Events(vec![0]));
    assert_eq!(attacks.description.as_deref(), Some("attacks on US forces"));
    // 2023-10-24 is day 7 of a scenario starting 2023-10-17; 2023-11-06 day 20.
    assert_eq!(attacks.count_series(), Some(vec![(7, 13), (9, 16), (20, 38)]));
    assert_eq!(attacks.observations[1].date, Date::parse("2023-10-26"));
    assert_eq!(r.quantities[1].metric, Metric::Responses(vec![1]));
    assert_eq!(r.quantities[2].metric, Metric::Wounded(vec![0]));
    assert_eq!(r.quantities[3].metric, Metric::Killed(vec![0]));
    assert_eq!(r.quantities[4].metric, Metric::FirstEvent(vec![0, 1]));
    assert_eq!(r.quantities[4].observations[0].value, Value::Happened(true));
    assert_eq!(r.quantities[4].count_series(), None);
    assert_eq!(r.quantities[5].metric, Metric::FirstDeath(vec![0]));
    assert_eq!(r.quantities[5].observations[0].step, 59);
    assert_eq!(r.quantities[6].metric, Metric::TrackStatus(0));
    assert_eq!(r.quantities[6].observations[0].value, Value::Status(TalkStatus::Active));
}

#[test]
fn steps_work_without_a_start_date_but_dates_do_not() {
    let text = std::fs::read_to_string("tests/data/small.toml").unwrap();
    let s = scenario::parse(&text, "tests/data/small.toml", &[], &BuiltinResolver)
        .unwrap()
        .scenario;
    let ok = "[quantities.shots]\nmetric = \"events\"\ndyads = [\"a_b\"]\nobservations = [{ step = 4, value = 2 }]\n";
    let r = observed::parse(ok, "r.toml", &s).unwrap();
    assert_eq!(r.quantities[0].observations[0].date, None);
    let bad = ok.replace("step = 4", "date = 2024-01-01");
    let e = observed::parse(&bad, "r.toml", &s).unwrap_err();
    assert_eq!(
        e.to_string(),
        "r.toml:4:26: a date needs the scenario's `scenario.start_date`, which this scenario does not set"
    );
    assert_eq!((e.line, e.column), (Some(4), Some(26)));
}

fn render(e: &observed::ObservedError) -> String {
    let mut out = String::new();
    let theme = miette::GraphicalTheme {
        characters: miette::ThemeCharacters::ascii(),
        styles: miette::ThemeStyles::none(),
    };
    miette::GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .render_report(&mut out, e)
        .expect("renders");
    out
}

#[test]
fn invalid_records_give_their_exact_message() {
    let s = test_scenario();
    let dir = Path::new("tests/data/observed/invalid");
    let mut cases: Vec<_> = std::fs::read_dir(dir)
        .expect("tests/data/observed/invalid exists")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    cases.sort();
    assert!(cases.len() >= 20, "expected the invalid cases, found {}", cases.len());
    let bless = std::env::var_os("BLESS").is_some();
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.to_string_lossy().to_string();
        let err = match parse_file(&name, &s) {
            Ok(_) => {
                failures.push(format!("{name}: parsed, expected an error"));
                continue;
            }
            Err(e) => e,
        };
        assert!(err.to_string().starts_with(&name), "{name}: {err}");
        let got = render(&err);
        let expected_path = case.with_extension("stderr");
        if bless {
            std::fs::write(&expected_path, &got).expect("write .stderr");
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if expected != got {
            failures.push(format!("{name}:\n--- expected\n{expected}\n--- got\n{got}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn mangled_records_are_errors_never_panics() {
    // Every prefix of the valid record, and each with one byte replaced: a
    // parse either succeeds or returns an error.
    let s = test_scenario();
    let text = std::fs::read_to_string("tests/data/observed/valid.toml").unwrap();
    let mut errors = 0;
    for cut in (0..text.len()).step_by(7) {
        if !text.is_char_boundary(cut) {
            continue;
        }
        if observed::parse(&text[..cut], "cut.toml", &s).is_err() {
            errors += 1;
        }
        let mut b = text.clone().into_bytes();
        b[cut] = b"=]\"9-x"[cut % 6];
        if let Ok(t) = String::from_utf8(b) {
            let _ = observed::parse(&t, "mangled.toml", &s);
        }
    }
    assert!(errors > 10);
}

#[test]
fn the_backtest_record_validates_against_the_built_in_backtest() {
    let s = scenario::parse_builtin("us_iraq_2023_backtest", &[])
        .expect("built-in backtest")
        .scenario;
    let r = parse_file("tests/data/observed/us_iraq_2023_backtest.toml", &s).unwrap();
    let attacks = r.quantities.iter().find(|q| q.id == "attacks").unwrap();
    let series = attacks.count_series().unwrap();
    assert_eq!(series.first(), Some(&(7, 13)));
    assert_eq!(series.last(), Some(&(93, 140)));
    // The persistence baseline from 21 Dec (day 65) to 18 Jan (day 93):
    // the last rate before 21 Dec, (102 - 78) / 14 a day, for 28 days.
    let history: Vec<(i64, u64)> = series.iter().copied().filter(|p| p.0 <= 65).collect();
    let p = brink::score::baseline::persistence(&history, 93).unwrap();
    assert_eq!(p.offset, 102);
    assert!((p.lambda - 24.0 / 14.0 * 28.0).abs() < 1e-12);
    // Both baselines scored against the 18 Jan count, for docs/scoring.md.
    let mut rng = brink::rng::trial_rng(1, 0);
    let ps = p.scores(140, &mut rng);
    let boot = brink::score::baseline::bootstrap(&history, 93, 10_000, 20231221).unwrap();
    let bs = brink::score::score_counts(&boot, 140, &mut rng);
    eprintln!("persistence 21 Dec -> 18 Jan: {ps:?}");
    eprintln!("bootstrap   21 Dec -> 18 Jan: {bs:?}");
    assert!(ps.crps.is_finite() && bs.crps.is_finite());
}

//! Windowed quantities (`[metrics]`, issue 15 part 6): each column is
//! checked against the events a step observer recorded, trial by trial,
//! and one against its closed form (a Poisson count over a window).

mod common;
use brink::engine::MetricLayout;
use brink::model::TalkStatus;
use brink::runner;
use common::*;

/// b attacks a at Poisson rate 0.5 per step, each attack killing with
/// probability 0.1; a answers in kind; talks between them progress.
const CRISIS: &str = r#"
[scenario]
name = "w"
start_date = 2024-01-01
horizon = 120
trials = 10
seed = 1
[ladder.none]
severity = 0
[ladder.shot]
severity = 1
kill = 0.1
[actors.a]
[actors.b]
[dyads.b_a]
from = "b"
to = "a"
initiative = { rate = 0.5, levels = { shot = 1.0 } }
[dyads.a_b]
from = "a"
to = "b"
response = { rule = "tft", delay = 1 }
[tracks.t]
between = ["a", "b"]
status = "active"
progress = { rate = 0.02 }
"#;

const METRICS: &str = r#"
[metrics.attacks_30]
metric = "events"
dyads = ["b_a"]
window = [0, 29]
[metrics.attacks_mid]
metric = "events"
dyads = ["b_a", "a_b"]
window = [10, 39]
[metrics.answers_90]
metric = "responses"
dyads = ["a_b"]
window = [2024-01-01, 2024-03-30]
[metrics.killed_60]
metric = "killed"
actors = ["a"]
window = [0, 59]
[metrics.death_by_feb]
metric = "first_death"
actors = ["a"]
window = [0, 2024-02-01]
[metrics.any_late]
metric = "first_event"
dyads = ["b_a"]
window = [100, 119]
[metrics.status_day_40]
metric = "track_status"
track = "t"
window = [0, 40]
"#;

fn in_window(rec: &Recorder, from: u32, to: u32, dyads: &[u16], f: impl Fn(&brink::engine::Event) -> u32) -> u32 {
    rec.events
        .iter()
        .filter(|(t, e)| (from..=to).contains(t) && dyads.contains(&e.dyad))
        .map(|(_, e)| f(e))
        .sum()
}

#[test]
fn windowed_columns_equal_the_recorded_events_trial_by_trial() {
    let s = scenario(&format!("{CRISIS}{METRICS}"));
    let layout = MetricLayout::new(&s);
    // Declared metrics come last, in file order, named by their ids.
    let n = layout.names.len();
    assert_eq!(
        &layout.names[n - 7..],
        [
            "attacks_30",
            "attacks_mid",
            "answers_90",
            "killed_60",
            "death_by_feb",
            "any_late",
            "status_day_40"
        ]
    );
    let mut deaths = 0;
    for i in 0..200 {
        let (r, row, rec) = record(&s, 3, i);
        assert_eq!(r.end_step, 119, "no outcome: every trial runs to the horizon");
        let m = |name: &str| metric(&s, &row, name);
        assert_eq!(m("attacks_30"), f64::from(in_window(&rec, 0, 29, &[0], |_| 1)));
        assert_eq!(m("attacks_mid"), f64::from(in_window(&rec, 10, 39, &[0, 1], |_| 1)));
        let answers = rec
            .events
            .iter()
            .filter(|(t, e)| *t <= 89 && e.dyad == 1 && e.response)
            .count();
        assert_eq!(m("answers_90"), answers as f64);
        assert_eq!(m("killed_60"), f64::from(in_window(&rec, 0, 59, &[0], |e| e.killed)));
        // 1 February is step 31.
        let died = in_window(&rec, 0, 31, &[0], |e| e.killed) > 0;
        deaths += u32::from(died);
        assert_eq!(m("death_by_feb"), f64::from(u8::from(died)));
        assert_eq!(
            m("any_late"),
            f64::from(u8::from(in_window(&rec, 100, 119, &[0], |_| 1) > 0))
        );
        assert_eq!(m("status_day_40"), rec.tracks[40][0].0 as u8 as f64);
    }
    assert!(
        deaths > 0 && deaths < 200,
        "the binary column takes both values: {deaths}"
    );
    // The whole-trial columns are unchanged by declaring windows.
    let plain = scenario(CRISIS);
    let (_, a) = runner::one(&plain, &MetricLayout::new(&plain), 3, 7);
    let (_, b) = runner::one(&s, &layout, 3, 7);
    assert_eq!(
        a.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
        b[..a.len()].iter().map(|x| x.to_bits()).collect::<Vec<_>>()
    );
}

/// Initiative alone (no answers): the count over a 30-step window is
/// Poisson(0.5 x 30 = 15); over 4,000 trials the mean's standard error is
/// sqrt(15/4000) = 0.061 and the variance's about 15·sqrt(2/4000)·(1 +
/// ...) ≈ 0.36 (Poisson: Var(s²) ≈ (μ + 2μ²)/n); z = 4.
#[test]
fn a_poisson_count_over_a_window_has_its_closed_form_mean_and_variance() {
    let text = format!(
        "{}[metrics.w]\nmetric = \"events\"\ndyads = [\"b_a\"]\nwindow = [50, 79]\n",
        CRISIS.replace("response = { rule = \"tft\", delay = 1 }", "")
    );
    let s = scenario(&text);
    let layout = MetricLayout::new(&s);
    let col = layout.index("w").unwrap();
    let xs: Vec<f64> = (0..4000).map(|i| runner::one(&s, &layout, 11, i).1[col]).collect();
    let (m, se) = mean_se(&xs);
    assert!((m - 15.0).abs() < 4.0 * se.max(0.061), "mean {m}");
    let var = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / 3999.0;
    let se_var = ((15.0 + 2.0 * 225.0) / 4000.0f64).sqrt();
    assert!((var - 15.0).abs() < 4.0 * se_var, "variance {var}, se {se_var}");
}

/// A trial that ends before a window closes reports the window through
/// its last step; a window that had not begun counts 0.
#[test]
fn a_trial_that_ends_early_reports_its_windows_through_its_last_step() {
    let text = format!("{CRISIS}{METRICS}[outcomes.first_blood]\nkind = \"deaths\"\nactor = \"a\"\n");
    let s = scenario(&text);
    let mut early = 0;
    for i in 0..300 {
        let (r, row, rec) = record(&s, 5, i);
        let end = r.end_step;
        let m = |name: &str| metric(&s, &row, name);
        assert_eq!(m("attacks_30"), f64::from(in_window(&rec, 0, 29.min(end), &[0], |_| 1)));
        let mid = if end < 10 {
            0
        } else {
            in_window(&rec, 10, 39.min(end), &[0, 1], |_| 1)
        };
        assert_eq!(m("attacks_mid"), f64::from(mid));
        if end < 100 {
            assert_eq!(m("any_late"), 0.0);
        }
        let status_step = 40.min(end) as usize;
        assert_eq!(m("status_day_40"), rec.tracks[status_step][0].0 as u8 as f64);
        early += u32::from(end < 30);
    }
    assert!(early > 10, "some trials end inside the first window: {early}");
    assert_eq!(TalkStatus::ALL[1], TalkStatus::Active);
}

#[test]
fn windows_are_checked_with_the_key_at_fault() {
    let bad = |m: &str| {
        let text = format!("{CRISIS}[metrics.x]\n{m}\n");
        match brink::scenario::parse(&text, "test.toml", &[], &brink::scenario::BuiltinResolver) {
            Ok(_) => panic!("accepted: {m}"),
            Err(e) => e.to_string(),
        }
    };
    let e = bad("metric = \"events\"\ndyads = [\"b_a\"]\nwindow = [0, 120]");
    assert!(
        e.contains("metrics.x.window") && e.contains("0 <= from <= to <= 119"),
        "{e}"
    );
    let e = bad("metric = \"events\"\ndyads = [\"b_a\"]\nwindow = [30, 10]");
    assert!(e.contains("found [30, 10]"), "{e}");
    let e = bad("metric = \"events\"\ndyads = [\"b_a\"]\nwindow = [2023-12-31, 10]");
    assert!(e.contains("found [-1, 10]"), "{e}");
    let e = bad("metric = \"events\"\ndyads = [\"x_y\"]\nwindow = [0, 10]");
    assert!(e.contains("unknown dyad `x_y`"), "{e}");
    let e = bad("metric = \"attacks\"\ndyads = [\"b_a\"]\nwindow = [0, 10]");
    assert!(e.contains("metrics.x.metric"), "{e}");
    let e = bad("metric = \"killed\"\ndyads = [\"b_a\"]\nwindow = [0, 10]");
    assert!(e.contains("dyads"), "{e}");
    let e = bad("metric = \"events\"\ndyads = [\"b_a\"]\nwindow = [0]");
    assert!(e.contains("two"), "{e}");
    let e = bad("metric = \"events\"\ndyads = [\"b_a\"]\nwindow = [0, 1.5]");
    assert!(e.contains("whole number"), "{e}");
    let e = bad("metric = \"events\"\ndyads = [\"b_a\", \"b_a\"]\nwindow = [0, 10]");
    assert!(e.contains("twice"), "{e}");
    let e = bad("metric = \"track_status\"\nwindow = [0, 10]");
    assert!(e.contains("missing key `track`"), "{e}");
    // A column name that clashes with a built-in one.
    let text = format!("{CRISIS}[metrics.events_b_a]\nmetric = \"events\"\ndyads = [\"b_a\"]\nwindow = [0, 1]\n");
    let e = brink::scenario::parse(&text, "test.toml", &[], &brink::scenario::BuiltinResolver)
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("clash"), "{e}");
}

#[test]
fn windows_are_reachable_by_set() {
    let text = format!("{CRISIS}{METRICS}");
    let s = scenario_with(&text, &["metrics.attacks_30.window=[5, 6]"]);
    let w = s.metrics.iter().find(|w| w.id == "attacks_30").unwrap();
    assert_eq!((w.from, w.to), (5, 6));
    let s = scenario_with(&text, &["metrics.killed_60.actors=[\"b\"]"]);
    assert_eq!(s.metrics[3].measure, brink::model::Measure::Killed(vec![1]));
}

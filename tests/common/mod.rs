//! Helpers shared by the integration tests.
#![allow(dead_code)]

use brink::engine::{Event, MetricLayout, StepObserver, TrialResult, TrialState, run_trial};
use brink::model::Scenario;
use brink::rng::trial_rng;
use brink::scenario::{self, BuiltinResolver};

/// Parses a scenario from text (built-in includes only).
pub fn scenario(text: &str) -> Scenario {
    scenario_with(text, &[])
}

/// Parses a scenario from text with `--set` overrides.
pub fn scenario_with(text: &str, sets: &[&str]) -> Scenario {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    match scenario::parse(text, "test.toml", &sets, &BuiltinResolver) {
        Ok(l) => l.scenario,
        Err(e) => panic!("test scenario does not load: {e}"),
    }
}

/// Every event of a trial, with its step.
#[derive(Default)]
pub struct Recorder {
    /// (step, event)
    pub events: Vec<(u32, Event)>,
    /// Per step: per track (status, progress).
    pub tracks: Vec<Vec<(brink::model::TalkStatus, f64)>>,
    /// Per step: per actor pressure.
    pub pressure: Vec<Vec<f64>>,
    /// Per step: active regime per dyad.
    pub regimes: Vec<Vec<u8>>,
    /// Per step: whether each driver is active.
    pub drivers: Vec<Vec<bool>>,
}

impl StepObserver for Recorder {
    fn step(&mut self, s: &Scenario, st: &TrialState, t: u32) {
        self.events.extend(st.events().iter().map(|e| (t, *e)));
        self.tracks.push((0..s.tracks.len()).map(|k| st.track(k)).collect());
        self.pressure.push(st.pressure().to_vec());
        self.regimes.push(st.regimes().to_vec());
        self.drivers.push(st.drivers().to_vec());
    }
}

/// Runs trial `i` of `s` with seed `seed`, recording every step.
pub fn record(s: &Scenario, seed: u64, i: u64) -> (TrialResult, Vec<f64>, Recorder) {
    let layout = MetricLayout::new(s);
    let mut st = TrialState::new(s);
    let mut row = vec![0.0; layout.len()];
    let mut rec = Recorder::default();
    let r = run_trial(s, &layout, &mut st, &mut trial_rng(seed, i), &mut row, &mut rec);
    (r, row, rec)
}

/// The value of metric `name` in a row.
pub fn metric(s: &Scenario, row: &[f64], name: &str) -> f64 {
    let layout = MetricLayout::new(s);
    row[layout
        .index(name)
        .unwrap_or_else(|| panic!("no metric {name}: {:?}", layout.names))]
}

/// Mean and standard error of the mean.
pub fn mean_se(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    let v = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0);
    (m, (v / n).sqrt())
}

/// A base crisis: actors a and b, ladder none/shot/raid/strike, no dyads.
pub const BASE: &str = r#"
[scenario]
name = "t"
horizon = 100
trials = 10
seed = 1
[ladder.none]
severity = 0
[ladder.shot]
severity = 1
[ladder.raid]
severity = 3
[ladder.strike]
severity = 5
[actors.a]
[actors.b]
"#;

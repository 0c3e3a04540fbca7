//! A regime's own `response` table sees the per-trial draws it inherits
//! (issue 14 with issue 15 part 3): a dyad response key drawn per trial
//! reaches every regime whose table leaves the key out, and a key the
//! regime sets keeps the regime's value. Checked on the compiled scenario
//! (`Uncertainty::apply`) and through the engine: the answer's lag in the
//! regime equals the trial's drawn delay, read from `trials.csv` and
//! `timeline.csv`, identical across 1 and 2 threads.

mod common;
use assert_cmd::Command;
use brink::policy::Rule;
use brink::scenario::{self, BuiltinResolver};
use common::*;
use std::path::Path;

fn load(text: &str) -> brink::scenario::Loaded {
    scenario::parse(text, "test.toml", &[], &BuiltinResolver).unwrap_or_else(|e| panic!("{e}"))
}

/// a -> b answers b's acts by the graded rule with `response` (the dyad's
/// keys) in regime `calm`, whose own table is `calm`; b -> a acts once,
/// at step 2.
fn answer(response: &str, calm: &str) -> String {
    format!(
        "{BASE}[dyads.a_b]\nfrom = \"a\"\nto = \"b\"\nregime = \"calm\"\n\
         [dyads.a_b.response]\n{response}\n\
         [dyads.a_b.regimes.calm]\n[dyads.a_b.regimes.calm.response]\n{calm}\n\
         [dyads.b_a]\nfrom = \"b\"\nto = \"a\"\n\
         [triggers.k]\nwhen = \"step\"\nat = 2\ndo = \"act\"\ndyad = \"b_a\"\nlevel = \"shot\"\n"
    )
}

fn graded(r: &Option<brink::model::Response>) -> &brink::policy::Graded {
    match &r.as_ref().expect("a response").rule {
        Rule::Graded(g) => g,
        other => panic!("not graded: {other:?}"),
    }
}

#[test]
fn apply_writes_a_drawn_key_into_the_regimes_that_leave_it_out() {
    // calm leaves pi, delay and generosity.raid out and sets threshold and
    // generosity.shot; own sets pi and delay; cold answers by another rule.
    let text = format!(
        "{BASE}[dyads.a_b]\nfrom = \"a\"\nto = \"b\"\nregime = \"calm\"\n\
         [dyads.a_b.response]\nproportionality = {{ uniform = {{ lower = 0.5, upper = 1.5 }} }}\n\
         threshold = {{ uniform = {{ lower = 0, upper = 2 }} }}\ndelay = {{ choice = [1, 5] }}\n\
         generosity = {{ shot = {{ uniform = {{ lower = 0, upper = 1 }} }}, raid = {{ uniform = {{ lower = 0, upper = 1 }} }} }}\n\
         [dyads.a_b.regimes.calm]\n[dyads.a_b.regimes.calm.response]\nthreshold = 0.25\ngenerosity = {{ shot = 0.5 }}\n\
         [dyads.a_b.regimes.own]\n[dyads.a_b.regimes.own.response]\nproportionality = 2.0\ndelay = 7\n\
         [dyads.a_b.regimes.cold]\n[dyads.a_b.regimes.cold.response]\nrule = \"alld\"\nlevel = \"shot\"\n\
         [dyads.a_b.regimes.hot]\nrate = 2.0\n"
    );
    let l = load(&text);
    let s = &l.scenario;
    let paths = s.uncertainty.paths().to_vec();
    let at = |p: &str| {
        paths
            .iter()
            .position(|q| q == p)
            .unwrap_or_else(|| panic!("{p} in {paths:?}"))
    };
    let mut values = vec![0.0; paths.len()];
    values[at("dyads.a_b.response.proportionality")] = 1.375;
    values[at("dyads.a_b.response.threshold")] = 1.75;
    values[at("dyads.a_b.response.delay")] = 5.0;
    values[at("dyads.a_b.response.generosity.shot")] = 0.125;
    values[at("dyads.a_b.response.generosity.raid")] = 0.625;
    let mut c = s.clone();
    let mut scratch = s.uncertainty.scratch();
    s.uncertainty.apply(&mut c, &values, &mut scratch);
    let d = &c.dyads[0];
    let regime = |id: &str| d.regimes.iter().find(|r| r.id == id).expect(id);
    let (shot, raid) = (1, 2);
    // The dyad's own rule takes every draw.
    let g = graded(&d.response);
    assert_eq!((g.proportionality, g.threshold), (1.375, 1.75));
    assert_eq!((g.generosity[shot], g.generosity[raid]), (0.125, 0.625));
    assert_eq!(d.response.as_ref().unwrap().delay, 5);
    // calm: the draws of what it leaves out, its own values for the rest.
    let calm = regime("calm");
    let g = graded(&calm.response);
    assert_eq!(g.proportionality, 1.375, "inherited pi is the draw");
    assert_eq!(g.threshold, 0.25, "calm's own threshold");
    assert_eq!(g.generosity[shot], 0.5, "calm's own generosity.shot");
    assert_eq!(g.generosity[raid], 0.625, "generosity merges level by level");
    assert_eq!(calm.response.as_ref().unwrap().delay, 5);
    // own sets pi and delay: they stay; it inherits threshold.
    let own = regime("own");
    let g = graded(&own.response);
    assert_eq!((g.proportionality, g.threshold), (2.0, 1.75));
    assert_eq!(own.response.as_ref().unwrap().delay, 7);
    // cold answers by alld: the graded keys do not apply, the delay does.
    let cold = regime("cold");
    let r = cold.response.as_ref().unwrap();
    assert!(!matches!(r.rule, Rule::Graded(_)));
    assert_eq!(r.delay, 5);
    // hot has no table: it answers with the dyad's rule itself.
    assert!(regime("hot").response.is_none());
    // The loaded scenario keeps its medians (apply wrote the clone).
    assert_eq!(graded(&s.dyads[0].regimes[0].response).proportionality, 1.0);
}

fn brink(dir: &Path, file: &Path, args: &[&str]) {
    Command::cargo_bin("brink")
        .unwrap()
        .args(["run", "-q", "--out"])
        .arg(dir)
        .arg(file)
        .args(args)
        .assert()
        .success();
}

fn read(dir: &Path, f: &str) -> String {
    std::fs::read_to_string(dir.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"))
}

/// Per trial of `timeline.csv`: the step of b's act and of a's first
/// answer (`None` if a never answered).
fn lags(timeline: &str) -> Vec<(u64, Option<u64>)> {
    let mut lines = timeline.lines();
    let head: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |n: &str| {
        head.iter()
            .position(|h| *h == n)
            .unwrap_or_else(|| panic!("{n}: {head:?}"))
    };
    let (trial, step, ab, ba) = (col("trial"), col("step"), col("events_a_b"), col("events_b_a"));
    let mut act: Vec<Option<u64>> = Vec::new();
    let mut out: Vec<Option<u64>> = Vec::new();
    for l in lines {
        let f: Vec<&str> = l.split(',').collect();
        let t: usize = f[trial].parse().unwrap();
        let s: u64 = f[step].parse().unwrap();
        if act.len() <= t {
            act.resize(t + 1, None);
            out.resize(t + 1, None);
        }
        if f[ba] != "0" && act[t].is_none() {
            act[t] = Some(s);
        }
        if f[ab] != "0" && out[t].is_none() {
            out[t] = Some(s);
        }
    }
    act.into_iter()
        .zip(out)
        .map(|(a, o)| (a.expect("b acts in every trial"), o))
        .collect()
}

/// The trials.csv column `name`, one value per trial.
fn column(trials: &str, name: &str) -> Vec<f64> {
    let mut lines = trials.lines();
    let head: Vec<&str> = lines.next().unwrap().split(',').collect();
    let c = head
        .iter()
        .position(|h| *h == name)
        .unwrap_or_else(|| panic!("{name}: {head:?}"));
    lines.map(|l| l.split(',').nth(c).unwrap().parse().unwrap()).collect()
}

/// Runs `text` for 200 trials (timeline of all) on 1 and 2 threads,
/// checks the files are identical, and returns (the trial's drawn delay,
/// a's answer lag) per trial.
fn run(text: &str) -> Vec<(f64, u64)> {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("s.toml");
    std::fs::write(&file, text).unwrap();
    let dirs: Vec<_> = (0..2).map(|_| tempfile::tempdir().unwrap()).collect();
    for (d, threads) in dirs.iter().zip(["1", "2"]) {
        brink(
            d.path(),
            &file,
            &["--trials", "200", "--timeline", "200", "--threads", threads],
        );
    }
    for f in ["trials.csv", "timeline.csv"] {
        assert_eq!(read(dirs[0].path(), f), read(dirs[1].path(), f), "{f}: 1 vs 2 threads");
    }
    let drawn = column(&read(dirs[0].path(), "trials.csv"), "dyads.a_b.response.delay");
    let lags = lags(&read(dirs[0].path(), "timeline.csv"));
    assert_eq!(drawn.len(), 200);
    assert_eq!(lags.len(), 200);
    drawn
        .into_iter()
        .zip(lags)
        .map(|(d, (act, answer))| {
            let answer = answer.expect("a answers b's shot within the horizon");
            (d, answer - act)
        })
        .collect()
}

#[test]
fn the_answer_lag_in_a_regime_follows_the_drawn_delay_it_inherits() {
    // calm sets threshold only: it inherits the drawn delay.
    let got = run(&answer("delay = { choice = [1, 5] }", "threshold = 0.0"));
    let mut seen = std::collections::BTreeSet::new();
    for (i, (drawn, lag)) in got.iter().enumerate() {
        assert_eq!(*lag as f64, *drawn, "trial {i}: the lag is the drawn delay");
        seen.insert(*lag);
    }
    // 200 trials from a fair choice: both values (P(one missing) = 2^-199).
    assert_eq!(seen.into_iter().collect::<Vec<_>>(), [1, 5]);
}

#[test]
fn a_regimes_own_delay_overrides_the_draw() {
    let got = run(&answer("delay = { choice = [1, 5] }", "delay = 3"));
    let mut drawn = std::collections::BTreeSet::new();
    for (i, (d, lag)) in got.iter().enumerate() {
        assert_eq!(*lag, 3, "trial {i}: calm's own delay, whatever the dyad drew ({d})");
        drawn.insert(*d as u64);
    }
    assert_eq!(
        drawn.into_iter().collect::<Vec<_>>(),
        [1, 5],
        "the dyad's key is still drawn"
    );
}

#[test]
fn a_regimes_own_key_takes_no_distribution() {
    let text = answer("delay = 1", "delay = { choice = [1, 5] }");
    let e = match scenario::parse(&text, "test.toml", &[], &BuiltinResolver) {
        Ok(_) => panic!("a regime's own response key took a distribution"),
        Err(e) => e.to_string(),
    };
    assert!(e.contains("dyads.a_b.regimes.calm.response.delay"), "{e}");
    assert!(e.contains("a regime's own response keys are point values"), "{e}");
    assert!(e.contains("leave it out of the regime"), "{e}");
    // The same through --set.
    let sets = ["dyads.a_b.regimes.calm.response.delay=choice:1,5".to_string()];
    let e = match scenario::parse(
        &answer("delay = 1", "threshold = 0.0"),
        "t.toml",
        &sets,
        &BuiltinResolver,
    ) {
        Ok(_) => panic!("--set gave a regime's own key a distribution"),
        Err(e) => e.to_string(),
    };
    assert!(e.contains("a regime's own response keys are point values"), "{e}");
}
